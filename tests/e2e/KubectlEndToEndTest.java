package e2e;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Json;
import lib.StoredSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import support.Proc;
import support.Sandbox;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job, end to end with real processes: log in to the emulator, write a kubeconfig
 * entry, and let real kubectl reach a control plane with the credentials datumctl hands it.
 */
class KubectlEndToEndTest {

    static final String ADA = "ada@example.com";

    @TempDir
    Path dir;

    Sandbox sandbox;
    Emulator emulator;

    @BeforeEach
    void setUp() {
        sandbox = new Sandbox(dir);
    }

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    void startEmulator(int tokenTtlSeconds) throws java.io.IOException {
        emulator = Emulator.start(Emulator.Options.defaults()
            .withApproveAs(ADA)
            .withTokenTtlSeconds(tokenTtlSeconds)
            .withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve("tls")));
    }

    Proc.Result deviceLogin() {
        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertEquals(0, login.exitCode(), login.describe());
        return login;
    }

    Proc.Result updateKubeconfig(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("auth", "update-kubeconfig", "--organization", "acme"));
        args.addAll(List.of(extra));
        Proc.Result result = sandbox.datumctl(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.describe());
        return result;
    }

    void assertKubectlSeesAdaAndDemo() {
        Proc.Result whoami = sandbox.kubectl("auth", "whoami", "-o", "json");
        assertEquals(0, whoami.exitCode(), whoami.describe());
        Map<String, Object> review = Json.parseObject(whoami.out());
        assertEquals(ADA, Json.obj(Json.obj(review, "status"), "userInfo").get("username"), whoami.describe());

        Proc.Result projects = sandbox.kubectl("get", "projects");
        assertEquals(0, projects.exitCode(), projects.describe());
        assertTrue(projects.out().lines().anyMatch(line -> line.startsWith("demo ")), projects.describe());
    }

    StoredSession storedAda() {
        CredentialStore store = new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
        String key = store.get(CredentialStore.ACTIVE_USER);
        assertNotNull(key, "no active user in " + store.file());
        return StoredSession.fromJson(key, store.get(key));
    }

    @Test
    void deviceLoginThenKubectlInJavaMode() throws Exception {
        startEmulator(3600);
        Files.writeString(sandbox.kubeconfig(), UNRELATED_KUBECONFIG);

        Proc.Result login = deviceLogin();
        Proc.Result update = updateKubeconfig("--exec-mode", "java");

        assertTrue(login.out().contains(ADA), login.describe());
        assertTrue(login.err().contains("/device"), "the verification URI is shown\n" + login.describe());
        assertTrue(update.out().contains(sandbox.kubeconfig().toString()), update.describe());
        assertTrue(update.out().contains("/organizations/acme/control-plane"), update.describe());
        assertUnrelatedEntriesKept();
        assertKubectlSeesAdaAndDemo();
    }

    @Test
    void browserLoginFollowsRedirectToLoopbackCallback() throws Exception {
        startEmulator(3600);
        // Browser login needs a person at a terminal: script(1) gives datumctl one, and CI is cleared.
        sandbox.set("CI", "");
        Process login = Proc.start(inTerminal(sandbox.datumctlCommand("login", "--hostname", emulator.baseUrl(),
            "--client-id", "datumctl-local", "--certificate-authority", emulator.caFile().toString())), sandbox.env(), dir);
        LinkedBlockingQueue<String> errLines = lines(login.getInputStream());

        String authorizeUrl = awaitLine(errLines, Pattern.compile("(https://\\S+/oauth/v2/authorize\\S+)"));
        HttpClient browser = HttpClient.newBuilder().sslContext(emulatorTrust()).build();
        HttpResponse<String> consent = browser.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(302, consent.statusCode(), consent.body());
        String callback = consent.headers().firstValue("Location").orElseThrow();
        assertTrue(callback.startsWith("http://localhost:") || callback.startsWith("http://127.0.0.1:"), callback);
        assertTrue(callback.contains("/datumctl/auth/callback?"), callback);
        HttpResponse<String> done = browser.send(HttpRequest.newBuilder(URI.create(callback)).GET().build(),
            HttpResponse.BodyHandlers.ofString());

        // At a terminal, login offers the discovered contexts by number; the user picks the first.
        login.getOutputStream().write("1\n".getBytes(StandardCharsets.UTF_8));
        login.getOutputStream().flush();
        Proc.Result result = Proc.await(List.of("datumctl", "login"), login, 60);
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(0, result.exitCode(), result.describe() + String.join("\n", errLines));
        assertEquals(ADA, storedAda().userEmail());
        // The terminal's output is split between the line reader above and the final capture,
        // and the reader may still be draining the pipe: give it a moment.
        String printed = String.join("\n", errLines) + "\n" + result.out();
        for (int i = 0; i < 50 && !printed.contains("Switched to context"); i++) {
            Thread.sleep(100);
            printed = String.join("\n", errLines) + "\n" + result.out();
        }
        assertTrue(printed.contains("Choose a context by number"), printed);
        assertTrue(printed.contains("Switched to context \"acme"), printed);
        assertTrue(lib.SessionConfig.load(sandbox.datumctlHome().resolve("config")).currentContext().startsWith("acme"),
            result.describe());
        Proc.Result whoami = sandbox.datumctl("whoami");
        assertTrue(whoami.out().contains(ADA), whoami.describe());
    }

    @Test
    void jbangExecModeServesKubectl() throws Exception {
        startEmulator(3600);
        deviceLogin();

        updateKubeconfig("--exec-mode", "jbang", "--jbang-ref", "get-token@" + Sandbox.checkout());

        Map<String, Object> exec = execStanza();
        assertTrue(String.valueOf(exec.get("args")).contains("get-token@" + Sandbox.checkout()), exec.toString());
        assertKubectlSeesAdaAndDemo();
    }

    @Test
    void expiredTokenIsRefreshedAndRotated() throws Exception {
        startEmulator(3);
        deviceLogin();
        updateKubeconfig();
        String firstRefreshToken = storedAda().refreshToken();

        Thread.sleep(4000);
        assertKubectlSeesAdaAndDemo();

        String rotated = storedAda().refreshToken();
        assertNotNull(rotated);
        assertNotEquals(firstRefreshToken, rotated);
        assertTrue(emulator.tokenRequestCount("refresh_token") >= 1);
    }

    @Test
    void revokedSessionFailsFastWhenNotInteractive() throws Exception {
        startEmulator(3);
        deviceLogin();
        updateKubeconfig("--exec-interactive-mode", "Never");
        emulator.revokeUser(ADA);
        Thread.sleep(4000);

        Proc.Result projects = sandbox.kubectl("get", "projects");

        assertNotEquals(0, projects.exitCode(), projects.describe());
        assertTrue(projects.err().contains("datumctl login"), projects.describe());
        assertEquals("Never", execStanza().get("interactiveMode"));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> execStanza() throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(sandbox.kubeconfig()));
        for (Object user : (List<Object>) config.get("users")) {
            Map<String, Object> entry = (Map<String, Object>) user;
            Map<String, Object> body = (Map<String, Object>) entry.get("user");
            if (String.valueOf(entry.get("name")).startsWith("datum-") && body.containsKey("exec")) {
                return (Map<String, Object>) body.get("exec");
            }
        }
        throw new AssertionError("no datum exec user in " + sandbox.kubeconfig());
    }

    @SuppressWarnings("unchecked")
    void assertUnrelatedEntriesKept() throws Exception {
        Map<String, Object> before = new Yaml().load(UNRELATED_KUBECONFIG);
        Map<String, Object> after = new Yaml().load(Files.readString(sandbox.kubeconfig()));
        for (String list : List.of("clusters", "users", "contexts")) {
            for (Object entry : (List<Object>) before.get(list)) {
                assertTrue(((List<Object>) after.get(list)).contains(entry), list + " lost " + entry);
            }
        }
        assertEquals(before.get("preferences"), after.get("preferences"));
        assertEquals(before.get("extensions"), after.get("extensions"));
        assertEquals("datum-organization-acme", after.get("current-context"));
    }

    /** Runs command under script(1), whose terminal carries both stdout and stderr to script's stdout. */
    static List<String> inTerminal(List<String> command) {
        String quoted = String.join(" ", command.stream().map(arg -> "'" + arg.replace("'", "'\\''") + "'").toList());
        return List.of("script", "--quiet", "--return", "--command", quoted, "/dev/null");
    }

    static LinkedBlockingQueue<String> lines(java.io.InputStream stream) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // The process ended; the lines read so far stay in the queue.
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    static String awaitLine(LinkedBlockingQueue<String> lines, Pattern pattern) throws InterruptedException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            seen.append(line).append('\n');
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher.group(1);
            }
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + seen);
    }

    javax.net.ssl.SSLContext emulatorTrust() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (java.security.cert.X509Certificate cert : lib.Http.parseCertificates(Files.readString(emulator.caFile()))) {
            trust.setCertificateEntry("ca" + i++, cert);
        }
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Two clusters, users and contexts a user already had, with fields datumctl must keep. */
    static final String UNRELATED_KUBECONFIG = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: kind-dev",
        "  cluster:",
        "    server: https://127.0.0.1:6443",
        "    certificate-authority-data: ZmFrZS1jYQ==",
        "    proxy-url: http://127.0.0.1:3128",
        "    extensions:",
        "    - name: client.authentication.k8s.io/exec",
        "      extension: {audience: dev}",
        "- name: staging",
        "  cluster:",
        "    server: https://127.0.0.2:6443",
        "    insecure-skip-tls-verify: true",
        "    tls-server-name: staging.internal",
        "users:",
        "- name: dev-admin",
        "  user:",
        "    client-certificate-data: ZmFrZS1jZXJ0",
        "    client-key-data: ZmFrZS1rZXk=",
        "- name: staging-user",
        "  user:",
        "    token: static-token-for-staging",
        "contexts:",
        "- name: dev",
        "  context: {cluster: kind-dev, user: dev-admin, namespace: apps}",
        "- name: staging",
        "  context: {cluster: staging, user: staging-user}",
        "current-context: dev",
        "preferences:",
        "  colors: true",
        "extensions:",
        "- name: team-note",
        "  extension: {owner: platform}",
        "");
}
