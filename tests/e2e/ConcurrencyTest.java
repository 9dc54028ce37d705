package e2e;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Json;
import lib.StoredSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import support.Proc;
import support.Sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many datumctl processes at once on one kubeconfig and one credential store: every change
 * lands, and a reader never sees a torn or half-written file.
 */
class ConcurrencyTest {

    static final String ADA = "ada@example.com";
    static final int WRITERS = 20;

    @TempDir
    Path dir;

    Emulator emulator;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void twentyParallelUpdatesKeepEveryContext() throws Exception {
        Sandbox sandbox = new Sandbox(dir);
        Files.writeString(sandbox.kubeconfig(), KubectlEndToEndTest.UNRELATED_KUBECONFIG);
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            commands.add(sandbox.datumctlCommand("auth", "update-kubeconfig", "--project", "parallel-" + i,
                "--hostname", "https://127.0.0.1:9"));
        }

        for (Proc.Result result : runTogether(commands, sandbox)) {
            assertEquals(0, result.exitCode(), result.describe());
        }

        Map<String, Object> config = new Yaml().load(Files.readString(sandbox.kubeconfig()));
        Set<String> contexts = names(config, "contexts");
        Set<String> clusters = names(config, "clusters");
        for (int i = 0; i < WRITERS; i++) {
            assertTrue(contexts.contains("datum-project-parallel-" + i), "context " + i + " missing: " + contexts);
            assertTrue(clusters.contains("datum-project-parallel-" + i), "cluster " + i + " missing: " + clusters);
        }
        assertTrue(contexts.containsAll(Set.of("dev", "staging")), "the user's own contexts are kept: " + contexts);
        assertFalse(Files.exists(Path.of(sandbox.kubeconfig() + ".lock")), "no lock is left behind");
        Proc.Result use = sandbox.kubectl("config", "use-context", "datum-project-parallel-7");
        assertEquals(0, use.exitCode(), use.describe());
    }

    @Test
    void parallelLoginLogoutGetToken() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3600)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = new Sandbox(dir);
        Proc.Result first = sandbox.datumctl(login());
        assertEquals(0, first.exitCode(), first.describe());
        Path store = sandbox.datumctlHome().resolve("credentials.json");

        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            commands.add(sandbox.datumctlCommand(login()));
            commands.add(sandbox.datumctlCommand("logout"));
            commands.add(sandbox.datumctlCommand("auth", "get-token"));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> tornReads = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> watchStore(store, running, tornReads, reads));
        reader.start();
        List<Proc.Result> results = runTogether(commands, sandbox);
        running.set(false);
        reader.join();

        assertTrue(tornReads.isEmpty(), "a reader saw a broken store: " + tornReads);
        for (Proc.Result result : results) {
            assertTrue(result.exitCode() == 0 || result.exitCode() == 1, result.describe());
            assertFalse(result.err().contains("\tat "), "no stack trace\n" + result.describe());
        }
        assertStoreConsistent(store);
        Proc.Result last = sandbox.datumctl(login());
        assertEquals(0, last.exitCode(), "a login after the storm works\n" + last.describe());
        Proc.Result token = sandbox.datumctl("auth", "get-token");
        assertEquals(0, token.exitCode(), token.describe());
        System.out.println(getClass().getSimpleName() + ": " + reads.get() + " reads of the store during the storm");
    }

    String[] login() {
        return new String[] {"login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser"};
    }

    /** Parses the store over and over while the processes run, recording any read that is not a whole document. */
    static void watchStore(Path store, AtomicBoolean running, ConcurrentLinkedQueue<String> torn, AtomicInteger reads) {
        while (running.get()) {
            try {
                String text = Files.readString(store, StandardCharsets.UTF_8);
                reads.incrementAndGet();
                parseStore(text);
            } catch (NoSuchFileException e) {
                // Only before the first login; the store is never removed afterwards.
            } catch (Exception | AssertionError e) {
                torn.add(e.toString());
            }
            Thread.onSpinWait();
        }
    }

    static void assertStoreConsistent(Path store) throws Exception {
        Map<String, String> secrets = parseStore(Files.readString(store, StandardCharsets.UTF_8));
        String known = secrets.get(CredentialStore.KNOWN_USERS);
        if (known != null) {
            assertTrue(Json.parse(known) instanceof List<?>, "known_users is a JSON list: " + known);
        }
    }

    /** Parses the whole store: the service's map and every per-user session in it. */
    @SuppressWarnings("unchecked")
    static Map<String, String> parseStore(String text) {
        Map<String, Object> document = Json.parseObject(text);
        Map<String, String> secrets = (Map<String, String>) (Map<?, ?>) Json.obj(document, CredentialStore.SERVICE);
        for (Map.Entry<String, String> entry : secrets.entrySet()) {
            if (entry.getKey().contains("@")) {
                StoredSession.fromJson(entry.getKey(), entry.getValue()).accessToken();
            }
        }
        return secrets;
    }

    @SuppressWarnings("unchecked")
    static Set<String> names(Map<String, Object> config, String list) {
        Set<String> names = new TreeSet<>();
        for (Object entry : (List<Object>) config.get(list)) {
            names.add((String) ((Map<String, Object>) entry).get("name"));
        }
        return names;
    }

    /** Starts every command before waiting for any, so they race for the same files. */
    static List<Proc.Result> runTogether(List<List<String>> commands, Sandbox sandbox) {
        List<Process> processes = new ArrayList<>();
        for (List<String> command : commands) {
            processes.add(Proc.start(command, sandbox.env(), sandbox.root()));
        }
        List<Proc.Result> results = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            results.add(Proc.await(commands.get(i), processes.get(i), 180));
        }
        return results;
    }
}
