import emulator.Emulator;
import lib.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Goal 5: twenty get-token processes started together on an expired access token. Each round
 * expires the stored token, starts the twenty, and times from the first start to the last exit.
 * Twenty `kubectl version --client` processes, timed the same way, are the anchor.
 */
final class ParallelGoal {

    static final int PROCESSES = 20;
    static final int WARMUP = 2;

    private final Map<String, String> env;
    private final List<String> stanza;
    private final Emulator emulator;
    private final Path home;

    ParallelGoal(Map<String, String> env, List<String> stanza, Emulator emulator, Path home) {
        this.env = env;
        this.stanza = stanza;
        this.emulator = emulator;
        this.home = home;
    }

    /** The outcome of one round: wall time, failed processes, and the distinct outputs. */
    record Round(double seconds, int failures, Set<String> outputs) {
    }

    void run() throws Exception {
        int timed = Math.max(10, BenchSupport.runs() / 3);
        List<Double> plugin = new ArrayList<>();
        List<Double> anchor = new ArrayList<>();
        int oneRefresh = 0;
        int agreed = 0;
        for (int round = 0; round < WARMUP + timed; round++) {
            expireStoredToken();
            int before = emulator.tokenRequestCount("refresh_token");
            Round tokens = launch(stanza);
            int refreshes = emulator.tokenRequestCount("refresh_token") - before;
            Round kubectl = launch(List.of("kubectl", "version", "--client"));
            if (round < WARMUP) {
                continue;
            }
            plugin.add(tokens.seconds());
            anchor.add(kubectl.seconds());
            oneRefresh += refreshes == 1 ? 1 : 0;
            agreed += tokens.failures() == 0 && tokens.outputs().size() == 1 ? 1 : 0;
        }
        print(plugin, anchor, timed, oneRefresh, agreed);
    }

    private void print(List<Double> plugin, List<Double> anchor, int timed, int oneRefresh, int agreed) {
        System.out.println("## 20 get-token processes at once on an expired token (goal 5: slowest within 2 s)\n");
        System.out.println("| command | median | min | max | runs |\n|---|---:|---:|---:|---:|");
        row("20 x kubectl version --client (anchor)", anchor);
        row("20 x get-token, java-mode stanza, expired token", plugin);
        System.out.printf(Locale.ROOT, "%nExactly one refresh request at the emulator in %d of %d rounds; all 20 exited 0 "
            + "and printed the same credential in %d of %d rounds.%n%n", oneRefresh, timed, agreed, timed);
    }

    private static void row(String label, List<Double> seconds) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d |%n", label, BenchSupport.ms(BenchSupport.median(seconds)),
            BenchSupport.ms(seconds.stream().min(Double::compare).orElseThrow()),
            BenchSupport.ms(seconds.stream().max(Double::compare).orElseThrow()), seconds.size());
    }

    /** Starts the processes back to back and waits for all; the time runs from the first start to the last exit. */
    private Round launch(List<String> command) throws Exception {
        Path dir = Files.createTempDirectory("bench-parallel-");
        List<Process> processes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < PROCESSES; i++) {
            ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve(i + ".out").toFile()).redirectError(dir.resolve(i + ".err").toFile());
            builder.environment().putAll(env);
            processes.add(builder.start());
        }
        int failures = 0;
        for (Process process : processes) {
            failures += process.waitFor() == 0 ? 0 : 1;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Set<String> outputs = new HashSet<>();
        for (int i = 0; i < PROCESSES; i++) {
            outputs.add(Files.readString(dir.resolve(i + ".out")).trim());
        }
        BenchSupport.deleteTree(dir);
        return new Round(seconds, failures, outputs);
    }

    /** Marks the stored access token as expired and drops the ID token, so the next get-token must refresh. */
    @SuppressWarnings("unchecked")
    private void expireStoredToken() throws Exception {
        Path file = home.resolve("credentials.json");
        Map<String, Object> document = Json.parseObject(Files.readString(file));
        Map<String, Object> secrets = Json.obj(document, "datumctl-auth");
        String active = (String) secrets.get("active_user");
        Map<String, Object> session = Json.parseObject((String) secrets.get(active));
        ((Map<String, Object>) session.get("token")).put("expiry", "2000-01-01T00:00:00Z");
        session.remove("id_token");
        secrets.put(active, Json.write(session));
        Files.writeString(file, Json.write(document));
    }
}
