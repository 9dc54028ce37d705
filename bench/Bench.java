///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//DEPS com.nimbusds:nimbus-jose-jwt:9.47
//DEPS org.bouncycastle:bcprov-jdk18on:1.79
//DEPS org.bouncycastle:bcpkix-jdk18on:1.79
//SOURCES ../tests/emulator/*.java
//SOURCES ../lib/Json.java
//SOURCES ../tests/support/KeyringSession.java ../tests/support/Proc.java
//SOURCES BenchSupport.java Goals.java LargeKubeconfig.java ParallelGoal.java GetGoal.java

import emulator.Emulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the performance goals of datumctl on this machine and prints one table per goal.
 *
 * <p>Usage, from the checkout: `./jbang bench/Bench.java [GOAL...]` with GOAL one of get-token,
 * keyring, flags, jbang, kubectl, kubeconfig, parallel, get (default: all), or classlist, which
 * rewrites lib/archive-classes.txt instead of timing anything. Everything runs in a temporary
 * DATUMCTL_HOME and KUBECONFIG against the emulator on 127.0.0.1. Each case is timed as a
 * process from start to exit, the cases of a table taking turns, and reported as the median,
 * min and max over the runs after warm-up. BENCH_RUNS sets the number of timed runs (default 30).
 */
public final class Bench {

    static final String ADA = "ada@example.com";
    static final Set<String> ALL = Set.of("get-token", "keyring", "flags", "jbang", "kubectl", "kubeconfig", "parallel", "get");
    /** Not goals: run only when named. */
    static final Set<String> TOOLS = Set.of("classlist");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> goals = args.length == 0 ? List.copyOf(ALL) : List.of(args);
        for (String goal : goals) {
            if (!ALL.contains(goal) && !TOOLS.contains(goal)) {
                System.err.println("unknown goal " + goal + "; use one of " + ALL + ", or " + TOOLS);
                System.exit(2);
            }
        }
        BenchSupport.requireTool("/usr/bin/time", "apt-get install -y time");
        BenchSupport.requireTool("kubectl", "install kubectl 1.32");
        Path root = Files.createTempDirectory("datumctl-bench-");
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults()
            .withApproveAs(ADA).withTokenTtlSeconds(3600).withDeviceIntervalSeconds(1)
            .withTlsDir(root.resolve("tls")))) {
            Goals run = Goals.prepare(BenchSupport.checkout(), root, emulator);
            System.out.println(BenchSupport.machine());
            if (goals.contains("classlist")) {
                run.run("classlist");
            }
            for (String goal : List.of("get-token", "keyring", "flags", "jbang", "kubectl", "kubeconfig", "parallel", "get")) {
                if (goals.contains(goal)) {
                    run.run(goal);
                }
            }
        } finally {
            BenchSupport.deleteTree(root);
        }
    }

    /** Builds an environment map from name, value pairs. */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }
}
