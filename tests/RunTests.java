///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter:5.11.4
//DEPS org.junit.platform:junit-platform-launcher:1.11.4
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//DEPS com.nimbusds:nimbus-jose-jwt:9.47
//DEPS org.bouncycastle:bcprov-jdk18on:1.79
//DEPS org.bouncycastle:bcpkix-jdk18on:1.79
//DEPS org.jsoup:jsoup:1.18.3
//SOURCES ../datumctl.java
//SOURCES ../auth/*.java
//SOURCES ../lib/*.java
//SOURCES ../resources/*.java
//SOURCES emulator/*.java
//SOURCES support/*.java
//SOURCES unit/*.java
//SOURCES e2e/*.java
// The class list datumctl's jar carries, for the runs of datumctl on this suite's class path.
//FILES archive-classes.txt=../lib/archive-classes.txt

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the JUnit 5 suite: `./jbang tests/RunTests.java [TEXT...]` runs every test class whose
 * name contains one of the TEXT arguments, or all of them. Ends with "N passed, N failed,
 * N skipped" and exits 1 when a test failed.
 */
public final class RunTests {

    public static void main(String[] args) throws java.io.IOException {
        // In-process tests must never read or write the real ~/.datumctl or the user's keyring.
        System.setProperty("datumctl.home", java.nio.file.Files.createTempDirectory("datumctl-tests-home").toString());
        System.setProperty("datumctl.credential-store", "file");
        System.setProperty("emulator.quiet", "true");
        System.exit(run(List.of(args), System.out));
    }

    static int run(List<String> filters, PrintStream out) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectPackage("unit"), DiscoverySelectors.selectPackage("e2e"));
        if (!filters.isEmpty()) {
            String pattern = ".*(" + String.join("|", filters.stream().map(java.util.regex.Pattern::quote).toList()) + ").*";
            request.filters(org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns(pattern));
        }
        Report report = new Report(out);
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request.build(), report);
        report.printSummary();
        return report.failed.get() == 0 && report.passed.get() > 0 ? 0 : 1;
    }

    /** Prints one line per test as it ends, the failures in full at the end, then the counts. */
    static final class Report implements TestExecutionListener {

        final AtomicInteger passed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        private final List<String> failures = new ArrayList<>();
        private final PrintStream out;

        Report(PrintStream out) {
            this.out = out;
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            if (test.isTest()) {
                skipped.incrementAndGet();
                out.println("SKIP  " + name(test) + " (" + reason + ")");
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                failed.incrementAndGet();
                out.println("FAIL  " + name(test));
                Throwable cause = result.getThrowable().orElse(null);
                failures.add(name(test) + "\n" + describe(cause));
            } else if (test.isTest()) {
                passed.incrementAndGet();
                out.println("PASS  " + name(test));
            }
            out.flush();
        }

        private static String name(TestIdentifier test) {
            return test.getSource()
                .filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getJavaClass().getSimpleName() + " > " + test.getDisplayName())
                .orElse(test.getDisplayName());
        }

        private static String describe(Throwable cause) {
            if (cause == null) {
                return "  (no exception)";
            }
            java.io.StringWriter text = new java.io.StringWriter();
            cause.printStackTrace(new java.io.PrintWriter(text));
            return text.toString().lines().limit(25).map(line -> "  " + line)
                .reduce((a, b) -> a + "\n" + b).orElse("");
        }

        void printSummary() {
            if (!failures.isEmpty()) {
                out.println();
                out.println("Failures:");
                failures.forEach(failure -> out.println("- " + failure));
            }
            out.println();
            out.println(passed.get() + " passed, " + failed.get() + " failed, " + skipped.get() + " skipped");
            out.flush();
        }
    }
}
