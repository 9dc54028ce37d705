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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments: a get-token that is refreshing and an update-kubeconfig that is
 * writing. Afterwards the credential store and the kubeconfig are each either the old or the new
 * complete version, and no lock left by the killed process keeps kubectl from writing its file.
 *
 * <p>Each test makes RUNS kills (DATUMCTL_CRASH_RUNS overrides it). One run costs about a JVM
 * start, so on two cores 100 runs per test keep the class under about three minutes, and each
 * test still lands dozens of kills between the first and the last write.
 */
class CrashSafetyTest {

    static final String ADA = "ada@example.com";
    static final int RUNS = Integer.parseInt(System.getenv().getOrDefault("DATUMCTL_CRASH_RUNS", "100"));
    static final String EXEC_INFO =
        "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}";

    @TempDir
    Path dir;

    Emulator emulator;
    final Random random = new Random();
    final Map<String, Integer> outcomes = new TreeMap<>();

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
        System.out.println(getClass().getSimpleName() + " outcomes over " + RUNS + " kills: " + outcomes);
    }

    @Test
    void getTokenKilledMidRefresh() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3600)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = new Sandbox(dir);
        login(sandbox);
        CredentialStore store = store(sandbox);
        String key = store.get(CredentialStore.ACTIVE_USER);
        Map<String, Object> template = Json.parseObject(store.get(key));
        List<String> command = execCommand(sandbox);
        long fullRun = timeOneRefresh(sandbox, store, key, template, command);

        for (int run = 0; run < RUNS; run++) {
            String freshRefresh = storeExpiredSession(store, key, template);
            byte[] before = Files.readAllBytes(store.file());
            Process plugin = Proc.start(command, pluginEnv(sandbox), sandbox.root());
            boolean finished = killAfter(plugin, random.nextInt((int) (fullRun * 12 / 10) + 1));

            byte[] after = Files.readAllBytes(store.file());
            String outcome = Arrays.equals(before, after) ? "old" : "new";
            if (outcome.equals("new")) {
                assertCompleteRefresh(after, key, template, freshRefresh, run);
            }
            count((finished ? "finished, " : "killed, ") + outcome);
        }
        assertTrue(outcomes.keySet().stream().anyMatch(o -> o.startsWith("killed")), "no run was killed: " + outcomes);
    }

    @Test
    void updateKubeconfigKilledMidWrite() throws Exception {
        Sandbox sandbox = new Sandbox(dir);
        byte[] old = KubectlEndToEndTest.UNRELATED_KUBECONFIG.getBytes(StandardCharsets.UTF_8);
        Files.write(sandbox.kubeconfig(), old);
        String[] args = {"auth", "update-kubeconfig", "--project", "crash-test", "--hostname", "https://127.0.0.1:9",
            "--exec-mode", "jbang"};
        long started = System.nanoTime();
        Proc.Result first = sandbox.datumctl(args);
        long fullRun = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(0, first.exitCode(), first.describe());
        byte[] updated = Files.readAllBytes(sandbox.kubeconfig());
        assertNotEquals(new String(old, StandardCharsets.UTF_8), new String(updated, StandardCharsets.UTF_8));

        Path lock = Path.of(sandbox.kubeconfig() + ".lock");
        for (int run = 0; run < RUNS; run++) {
            Files.write(sandbox.kubeconfig(), old);
            Process update = Proc.start(sandbox.datumctlCommand(args), sandbox.env(), sandbox.root());
            long pid = update.pid();
            boolean finished = killAfter(update, random.nextInt((int) (fullRun * 12 / 10) + 1));

            byte[] after = Files.readAllBytes(sandbox.kubeconfig());
            String outcome = Arrays.equals(after, old) ? "old" : Arrays.equals(after, updated) ? "new" : null;
            assertNotNull(outcome, "run " + run + ": the kubeconfig is neither version:\n" + new String(after, StandardCharsets.UTF_8));
            if (Files.exists(lock)) {
                assertEquals("datumctl pid " + pid, Files.readString(lock).trim(), "run " + run + ": the lock left behind");
                assertNextWritersRecover(sandbox, args, lock);
                outcome += ", lock left and recovered";
            }
            count((finished ? "finished, " : "killed, ") + outcome);
        }
        assertKubectlCanWrite(sandbox, lock);
        assertTrue(outcomes.keySet().stream().anyMatch(o -> o.startsWith("killed")), "no run was killed: " + outcomes);
    }

    /** A lock left by a killed datumctl: the next datumctl removes it, after which kubectl writes again. */
    void assertNextWritersRecover(Sandbox sandbox, String[] args, Path lock) {
        Proc.Result again = sandbox.datumctl(args);
        assertEquals(0, again.exitCode(), again.describe());
        assertFalse(Files.exists(lock), "the next update-kubeconfig removed the stale lock");
        assertKubectlCanWrite(sandbox, lock);
    }

    void assertKubectlCanWrite(Sandbox sandbox, Path lock) {
        Proc.Result use = sandbox.kubectl("config", "use-context", "staging");
        assertEquals(0, use.exitCode(), use.describe());
        assertFalse(Files.exists(lock), "kubectl released its own lock");
    }

    /** Sleeps, then kills the process with SIGKILL; returns true when it had ended by itself first. */
    static boolean killAfter(Process process, long millis) throws InterruptedException {
        boolean finished = process.waitFor(millis, TimeUnit.MILLISECONDS);
        process.destroyForcibly();
        process.waitFor();
        return finished;
    }

    void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    static Map<String, String> pluginEnv(Sandbox sandbox) {
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("KUBERNETES_EXEC_INFO", EXEC_INFO);
        return env;
    }

    void login(Sandbox sandbox) {
        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertEquals(0, login.exitCode(), login.describe());
        Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", "--organization", "acme", "--exec-mode", "java");
        assertEquals(0, update.exitCode(), update.describe());
    }

    /** Runs one uninterrupted refresh to learn how long the kills should be spread over. */
    long timeOneRefresh(Sandbox sandbox, CredentialStore store, String key, Map<String, Object> template,
                        List<String> command) {
        storeExpiredSession(store, key, template);
        long started = System.nanoTime();
        Proc.Result result = Proc.run(command, pluginEnv(sandbox), sandbox.root(), 120);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(0, result.exitCode(), result.describe());
        return took;
    }

    /**
     * Stores the session with a fresh, unspent refresh token and an expired access token, so the
     * next plugin must refresh. Each run gets its own token: a run killed after the server rotated
     * the token but before the store was written leaves a spent one behind.
     */
    @SuppressWarnings("unchecked")
    String storeExpiredSession(CredentialStore store, String key, Map<String, Object> template) {
        Map<String, Object> tokens = deviceTokens();
        Map<String, Object> session = Json.parseObject(Json.write(template));
        Map<String, Object> token = (Map<String, Object>) session.get("token");
        token.put("access_token", tokens.get("access_token"));
        token.put("refresh_token", tokens.get("refresh_token"));
        token.put("expiry", "2000-01-01T00:00:00Z");
        session.remove("id_token");
        store.put(key, Json.write(session));
        return (String) tokens.get("refresh_token");
    }

    /** A complete refreshed session: every field of the template, a rotated refresh token, a future expiry. */
    @SuppressWarnings("unchecked")
    static void assertCompleteRefresh(byte[] data, String key, Map<String, Object> template, String spent, int run) {
        String text = new String(data, StandardCharsets.UTF_8);
        Map<String, Object> document = Json.parseObject(text);
        String secret = (String) Json.obj(document, CredentialStore.SERVICE).get(key);
        assertNotNull(secret, "run " + run + ": the session is missing from\n" + text);
        StoredSession session = StoredSession.fromJson(key, secret);
        Map<String, Object> fields = Json.parseObject(secret);
        for (String field : template.keySet()) {
            if (!field.equals("token") && !field.equals("id_token")) {
                assertEquals(template.get(field), fields.get(field), "run " + run + ": field " + field);
            }
        }
        assertNotNull(session.accessToken(), "run " + run + ": access token");
        assertNotEquals(spent, session.refreshToken(), "run " + run + ": the refresh token rotated");
        assertNotNull(session.idToken(), "run " + run + ": ID token");
        assertTrue(session.expiry().isAfter(Instant.now()), "run " + run + ": expiry " + session.expiry());
    }

    /** Runs the device flow against the emulator from this process: a cheap source of fresh tokens. */
    Map<String, Object> deviceTokens() {
        try {
            HttpClient client = lib.Http.client(emulator.caPem());
            Map<String, Object> start = post(client, "/oauth/v2/device_authorization",
                "client_id=datumctl-local&scope=openid%20profile%20email%20offline_access");
            emulator.approveDevice((String) start.get("user_code"), ADA);
            return post(client, "/oauth/v2/token", "client_id=datumctl-local&grant_type="
                + lib.Http.encode("urn:ietf:params:oauth:grant-type:device_code") + "&device_code="
                + lib.Http.encode((String) start.get("device_code")));
        } catch (Exception e) {
            throw new AssertionError("device flow against the emulator failed", e);
        }
    }

    Map<String, Object> post(HttpClient client, String path, String form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return Json.parseObject(response.body());
    }

    static CredentialStore store(Sandbox sandbox) {
        return new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
    }

    /** The command line of the kubeconfig's exec stanza, as kubectl starts it. */
    @SuppressWarnings("unchecked")
    static List<String> execCommand(Sandbox sandbox) throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(sandbox.kubeconfig()));
        for (Object user : (List<Object>) config.get("users")) {
            Map<String, Object> body = (Map<String, Object>) ((Map<String, Object>) user).get("user");
            if (body != null && body.get("exec") instanceof Map<?, ?> exec) {
                List<String> command = new ArrayList<>();
                command.add((String) exec.get("command"));
                command.addAll((List<String>) exec.get("args"));
                return command;
            }
        }
        throw new AssertionError("no exec user in " + sandbox.kubeconfig());
    }
}
