import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Processes, timing and tables for the benchmark. */
final class BenchSupport {

    /** One command to time: a label for the table, the command line, and environment variables of its own. */
    record Case(String label, List<String> command, Map<String, String> env) {
        Case(String label, List<String> command) {
            this(label, command, Map.of());
        }
    }

    /** Wall times in seconds of one command. */
    record Timing(String label, double median, double min, double max, int runs) {
    }

    record Result(int exitCode, String out, String err) {
    }

    private BenchSupport() {
    }

    static int runs() {
        String value = System.getenv("BENCH_RUNS");
        return value == null || value.isBlank() ? 30 : Integer.parseInt(value.trim());
    }

    static void requireTool(String tool, String install) throws Exception {
        if (run(List.of("sh", "-c", "command -v " + tool), Map.of(), 10).exitCode() != 0) {
            System.err.println(tool + " is not installed; " + install + ", then run the benchmark again.");
            System.exit(1);
        }
    }

    static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Path out = Files.createTempFile("bench-out-", ".txt");
        Path err = Files.createTempFile("bench-err-", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result check(Result result, String what) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " failed with exit " + result.exitCode() + ":\n" + result.out() + result.err());
        }
        return result;
    }

    /**
     * Times each case as a process, from start to exit, with stdout and stderr discarded. The
     * cases take turns (A, B, C, A, B, C, ...), so a machine that gets busier or quieter during
     * the run shifts every case alike and the comparison between them holds.
     */
    static List<Timing> time(List<Case> cases, Map<String, String> env, int warmup, int runs) throws Exception {
        List<ProcessBuilder> builders = new ArrayList<>();
        List<List<Double>> seconds = new ArrayList<>();
        for (Case c : cases) {
            ProcessBuilder builder = new ProcessBuilder(c.command())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(env);
            builder.environment().putAll(c.env());
            builders.add(builder);
            seconds.add(new ArrayList<>());
        }
        for (int round = 0; round < warmup + runs; round++) {
            for (int i = 0; i < cases.size(); i++) {
                long start = System.nanoTime();
                int exit = builders.get(i).start().waitFor();
                double elapsed = (System.nanoTime() - start) / 1e9;
                if (exit != 0) {
                    throw new IllegalStateException(cases.get(i).label() + " failed with exit " + exit + ": " + cases.get(i).command());
                }
                if (round >= warmup) {
                    seconds.get(i).add(elapsed);
                }
            }
        }
        List<Timing> timings = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            List<Double> values = seconds.get(i);
            timings.add(new Timing(cases.get(i).label(), median(values), values.stream().min(Double::compare).orElseThrow(),
                values.stream().max(Double::compare).orElseThrow(), values.size()));
        }
        return timings;
    }

    /** Prints the timings as a Markdown table, each row also as a ratio to the first (the anchor). */
    static void table(String title, List<Timing> timings) {
        System.out.println("## " + title + "\n");
        System.out.println("| command | median | min | max | runs | median / anchor |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        double anchor = timings.get(0).median();
        for (Timing t : timings) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %.2f |%n", t.label(), ms(t.median()), ms(t.min()),
                ms(t.max()), t.runs(), t.median() / anchor);
        }
        System.out.println();
    }

    static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The machine, JDK and kubectl the numbers were taken on. */
    static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
            .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        String cores = run(List.of("nproc"), Map.of(), 10).out().trim();
        String memory = run(List.of("free", "-h"), Map.of(), 10).out().lines().filter(l -> l.startsWith("Mem:"))
            .findFirst().orElse("").replaceAll("\\s+", " ");
        String jdk = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"), Map.of(), 30)
            .err().lines().skip(1).findFirst().orElse("");
        String kubectl = run(List.of("kubectl", "version", "--client"), Map.of(), 30).out().lines().findFirst().orElse("");
        return "# Machine\n\n- CPU: " + cpu + ", " + cores + " processors (nproc)\n- memory (free -h): " + memory
            + "\n- JDK: " + jdk + "\n- kubectl: " + kubectl + "\n- load average at start: "
            + Files.readString(Path.of("/proc/loadavg")).trim() + "\n";
    }

    /** The repository's root: the nearest folder up from the working folder with jbang-catalog.json. */
    static Path checkout() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("jbang-catalog.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run the benchmark from inside the datumctl checkout");
        }
        return dir;
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
