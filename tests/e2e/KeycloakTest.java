package e2e;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Http;
import lib.IdTokenVerifier;
import lib.Json;
import lib.JwtClaims;
import lib.Oidc;
import lib.StoredSession;
import lib.TokenSource;
import lib.UserError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.KeycloakAdmin;
import support.KeycloakServer;
import support.Proc;
import support.Sandbox;
import support.TestBrowser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * datumctl against a real OIDC provider: Keycloak in development mode, with the realm of
 * tests/keycloak imported. The test plays the user's browser; datumctl, get-token and kubectl run
 * as real processes. The API server is the emulator, trusting Keycloak's tokens.
 *
 * <p>The realm's access and ID tokens live 80 s, so a token is due for refresh (under 60 s left)
 * 20 s after it was issued; the refresh tests wait for that.
 */
class KeycloakTest {

    static final String CLIENT = "datumctl";
    static final String FAST_EXPIRY_CLIENT = "datumctl-fast-expiry";
    static final String ADA = "ada@example.com";
    static final String ADA_PASSWORD = "ada-keycloak-password";
    static final String BOB = "bob@example.com";
    static final String BOB_PASSWORD = "bob-keycloak-password";

    static final Pattern AUTHORIZE_URL = Pattern.compile("(http://\\S+/protocol/openid-connect/auth\\?\\S+)");
    static final Pattern VERIFICATION_URI = Pattern.compile("^\\s+(http://\\S+/device)\\s*$");
    static final Pattern USER_CODE = Pattern.compile("enter the code: (\\S+)");
    static final Pattern COMPLETE_URI = Pattern.compile("^\\s+(http://\\S+/device\\?user_code=\\S+)\\s*$");

    static KeycloakServer keycloak;
    static KeycloakAdmin admin;

    @TempDir
    Path dir;

    Sandbox sandbox;
    TestBrowser browser;

    @BeforeAll
    static void startKeycloak() throws Exception {
        keycloak = KeycloakServer.start(Sandbox.checkout().resolve("tests/keycloak/datumctl-realm.json"));
        admin = keycloak.admin();
    }

    @AfterAll
    static void stopKeycloak() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /** Each test starts without stored consents, so Keycloak requests consent at every first login. */
    @BeforeEach
    void setUp() throws Exception {
        sandbox = new Sandbox(dir);
        browser = new TestBrowser();
        for (String email : List.of(ADA, BOB)) {
            String userId = admin.userId(email);
            admin.revokeConsents(userId, CLIENT);
            admin.revokeConsents(userId, FAST_EXPIRY_CLIENT);
        }
    }

    @Test
    void browserLoginStoresUserAndServesKubectl() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults()
                .withTlsDir(dir.resolve("tls"))
                .withTrustedIssuer(keycloak.issuer(), keycloak.jwksUrl(), CLIENT))) {
            Background login = Background.inTerminal(sandbox, "login", "--hostname", keycloak.issuer(), "--client-id", CLIENT,
                "--api-hostname", emulator.baseUrl(), "--certificate-authority", emulator.caFile().toString());

            TestBrowser.Page callback = signIn(browser, browser.open(login.awaitLine(AUTHORIZE_URL)), "ada", ADA_PASSWORD, true);
            Proc.Result result = login.finish();

            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(callback.text().contains("You are logged in"), callback.text());
            assertTrue(output(result).contains(ADA), result.describe());
            StoredSession session = activeSession(sandbox);
            assertEquals(ADA, session.userEmail());
            assertEquals(admin.userId(ADA), session.subject());

            Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", "--organization", "acme");
            assertEquals(0, update.exitCode(), update.describe());
            Proc.Result whoami = sandbox.kubectl("auth", "whoami", "-o", "json");
            assertEquals(0, whoami.exitCode(), whoami.describe());
            Map<String, Object> userInfo = Json.obj(Json.obj(Json.parseObject(whoami.out()), "status"), "userInfo");
            assertEquals(ADA, userInfo.get("username"), whoami.describe());
        }
    }

    @Test
    void deviceLoginPollsNoFasterThanInterval() throws Exception {
        long started = System.currentTimeMillis();
        Background login = Background.start(sandbox, "login", "--no-browser", "--hostname", keycloak.issuer(),
            "--client-id", CLIENT);

        TestBrowser.Page done = approveDevice(login, "bob", BOB_PASSWORD, true);
        Proc.Result result = login.finish();

        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(done.text().contains("Device Login Successful"), done.text());
        StoredSession session = activeSession(sandbox);
        assertEquals(BOB, session.userEmail());
        assertEquals(admin.userId(BOB), session.subject());
        assertPolledAtInterval(started);
    }

    @Test
    void wrongPasswordEndsLoginWhenCodeExpires() throws Exception {
        Background login = Background.start(sandbox, "login", "--no-browser", "--hostname", keycloak.issuer(),
            "--client-id", FAST_EXPIRY_CLIENT);

        TestBrowser.Page rejected = approveDevice(login, "ada", "not-" + ADA_PASSWORD, true);
        Proc.Result result = login.finish();

        assertTrue(rejected.text().contains("Invalid username or password"), rejected.text());
        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(output(result).contains("the device code expired before it was approved"), result.describe());
        assertFalse(output(result).contains(ADA_PASSWORD), result.describe());
        assertNoSession(sandbox);
    }

    @Test
    void deniedConsentEndsBrowserLogin() throws Exception {
        Background login = Background.inTerminal(sandbox, "login", "--hostname", keycloak.issuer(), "--client-id", CLIENT);

        TestBrowser.Page callback = signIn(browser, browser.open(login.awaitLine(AUTHORIZE_URL)), "bob", BOB_PASSWORD, false);
        Proc.Result result = login.finish();

        assertTrue(callback.text().contains("Login failed"), callback.text());
        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(output(result).contains("the login was denied in the browser"), result.describe());
        assertNoSession(sandbox);
    }

    @Test
    void deniedConsentEndsDeviceLogin() throws Exception {
        Background login = Background.start(sandbox, "login", "--no-browser", "--hostname", keycloak.issuer(),
            "--client-id", CLIENT);

        approveDevice(login, "bob", BOB_PASSWORD, false);
        Proc.Result result = login.finish();

        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(output(result).contains("the login was denied in the browser"), result.describe());
        assertNoSession(sandbox);
    }

    @Test
    void refreshRotatesTokenAndOldOneIsRejected() throws Exception {
        StoredSession before = browserLogin(sandbox, keycloak.issuer(), CLIENT, "ada", ADA_PASSWORD);
        awaitRefreshDue(before);

        Proc.Result token = sandbox.datumctl("auth", "get-token");

        assertEquals(0, token.exitCode(), token.describe());
        StoredSession after = activeSession(sandbox);
        assertEquals(after.idToken(), token.out().trim());
        assertNotEquals(before.idToken(), after.idToken());
        assertNotNull(after.refreshToken());
        assertNotEquals(before.refreshToken(), after.refreshToken());
        HttpResponse<String> reuse = refreshWith(before.refreshToken());
        assertEquals(400, reuse.statusCode(), reuse.body());
        assertEquals("invalid_grant", Json.str(Json.parseObject(reuse.body()), "error"), reuse.body());
    }

    @Test
    void concurrentGetTokensRefreshOnce() throws Exception {
        StoredSession before = browserLogin(sandbox, keycloak.issuer(), CLIENT, "ada", ADA_PASSWORD);
        String adaId = admin.userId(ADA);
        int refreshesBefore = admin.events("REFRESH_TOKEN", adaId).size();
        awaitRefreshDue(before);

        List<Process> processes = new ArrayList<>();
        List<String> command = sandbox.datumctlCommand("auth", "get-token");
        for (int i = 0; i < 10; i++) {
            processes.add(Proc.start(command, sandbox.env(), dir));
        }
        List<Proc.Result> results = new ArrayList<>();
        for (Process process : processes) {
            process.getOutputStream().close();
            results.add(Proc.await(command, process, 120));
        }

        String fresh = activeSession(sandbox).idToken();
        assertNotEquals(before.idToken(), fresh);
        for (Proc.Result result : results) {
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(fresh, result.out().trim(), "every process prints the one refreshed token");
        }
        assertEquals(1, admin.events("REFRESH_TOKEN", adaId).size() - refreshesBefore,
            "Keycloak should see exactly one refresh for ten concurrent get-token processes");
    }

    @Test
    void idTokenVerifiedAgainstKeycloakKeys() throws Exception {
        String idToken = browserLogin(sandbox, keycloak.issuer(), CLIENT, "ada", ADA_PASSWORD).idToken();
        HttpClient client = Http.client(null);
        IdTokenVerifier verifier = IdTokenVerifier.forDiscovery(client, Oidc.discover(client, keycloak.issuer()),
            CLIENT, Clock.systemUTC());

        assertEquals(ADA, verifier.verify(idToken, null).getStringClaim("email"));

        UserError forged = assertThrows(UserError.class, () -> verifier.verify(withEmail(idToken, BOB), null));
        assertTrue(forged.getMessage().contains("signature does not match"), forged.getMessage());
    }

    @Test
    void foreignIdTokensRejected() throws Exception {
        HttpClient client = Http.client(null);
        IdTokenVerifier verifier = IdTokenVerifier.forDiscovery(client, Oidc.discover(client, keycloak.issuer()),
            CLIENT, Clock.systemUTC());

        // Same realm and signing key, but issued to another client.
        String otherClient = browserLogin(sandbox, keycloak.issuer(), FAST_EXPIRY_CLIENT, "ada", ADA_PASSWORD).idToken();
        UserError audience = assertThrows(UserError.class, () -> verifier.verify(otherClient, null));
        assertTrue(audience.getMessage().contains("audience"), audience.getMessage());

        // Keycloak names the issuer after the host it was reached by, so this token's iss is
        // http://localhost:PORT/... while the discovery document above names http://127.0.0.1:PORT/...
        Sandbox second = new Sandbox(dir.resolve("second"));
        String localhostIssuer = keycloak.issuer().replace("127.0.0.1", "localhost");
        String otherIssuer = browserLogin(second, localhostIssuer, CLIENT, "ada", ADA_PASSWORD).idToken();
        UserError issuer = assertThrows(UserError.class, () -> verifier.verify(otherIssuer, null));
        assertTrue(issuer.getMessage().contains("issued by " + localhostIssuer), issuer.getMessage());
    }

    /** Runs `datumctl login` in the browser flow as a user who approves, and returns the stored session. */
    StoredSession browserLogin(Sandbox box, String hostname, String clientId, String user, String password)
            throws Exception {
        Background login = Background.inTerminal(box, "login", "--hostname", hostname, "--client-id", clientId);
        TestBrowser fresh = new TestBrowser();
        signIn(fresh, fresh.open(login.awaitLine(AUTHORIZE_URL)), user, password, true);
        Proc.Result result = login.finish();
        assertEquals(0, result.exitCode(), result.describe());
        return activeSession(box);
    }

    /** Fills in Keycloak's login form, then grants or denies consent when Keycloak requests it. */
    static TestBrowser.Page signIn(TestBrowser browser, TestBrowser.Page loginPage, String user, String password,
                                   boolean grant) throws IOException, InterruptedException {
        TestBrowser.Page next = browser.submit(loginPage, "input[name=password]",
            Map.of("username", user, "password", password), null);
        if (!next.hasForm("[name=accept]")) {
            return next;
        }
        return browser.submit(next, "[name=accept]", Map.of(), grant ? "accept" : "cancel");
    }

    /**
     * Opens the URI datumctl printed that fills in the user code, and signs in.
     * NOTE: Keycloak 26.7.3's page for typing the code posts to /realms/NAME/device. Keycloak then
     * handles that POST as a device authorization request (401 invalid_client), so the test opens
     * verification_uri_complete instead, as a phone scanning a QR code would.
     */
    TestBrowser.Page approveDevice(Background login, String user, String password, boolean grant)
            throws IOException, InterruptedException {
        String verificationUri = login.awaitLine(VERIFICATION_URI);
        String userCode = login.awaitLine(USER_CODE);
        String completeUri = login.awaitLine(COMPLETE_URI);
        assertTrue(completeUri.startsWith(verificationUri + "?"), completeUri);
        assertTrue(completeUri.endsWith("user_code=" + userCode), completeUri);
        return signIn(browser, browser.open(completeUri), user, password, grant);
    }

    /**
     * Checks Keycloak's record of the device-code polls since the test started. Keycloak returns
     * slow_down to a poll that comes sooner than the interval after the previous one. It records
     * slow_down errors and the successful poll as events, but not authorization_pending errors.
     */
    void assertPolledAtInterval(long startedMillis) throws Exception {
        List<KeycloakAdmin.Event> successes = admin.clientEvents("OAUTH2_DEVICE_CODE_TO_TOKEN", CLIENT).stream()
            .filter(event -> event.time() >= startedMillis).toList();
        List<KeycloakAdmin.Event> errors = admin.clientEvents("OAUTH2_DEVICE_CODE_TO_TOKEN_ERROR", CLIENT).stream()
            .filter(event -> event.time() >= startedMillis).toList();

        assertEquals(1, successes.size(), "successful device-code polls: " + successes);
        for (KeycloakAdmin.Event error : errors) {
            assertNotEquals("slow_down", error.error(), "Keycloak told datumctl to slow down: " + errors);
        }
    }

    /** Sleeps until the session's ID token has less than the refresh margin left. */
    static void awaitRefreshDue(StoredSession session) throws InterruptedException {
        Instant expiry = JwtClaims.expiry(session.idToken());
        assertNotNull(expiry, "the stored ID token has no exp claim");
        Instant due = expiry.minus(TokenSource.REFRESH_MARGIN).plusSeconds(1);
        long wait = Duration.between(Instant.now(), due).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    HttpResponse<String> refreshWith(String refreshToken) throws IOException, InterruptedException {
        String form = Http.formEncode(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
            "client_id", CLIENT));
        HttpRequest request = HttpRequest.newBuilder(URI.create(keycloak.tokenUrl()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Returns the token with its email claim replaced and the original signature kept. */
    static String withEmail(String jwt, String email) {
        String[] parts = jwt.split("\\.");
        Map<String, Object> claims = JwtClaims.read(jwt);
        claims.put("email", email);
        String payload = Base64.getUrlEncoder().withoutPadding()
            .encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        return parts[0] + "." + payload + "." + parts[2];
    }

    static StoredSession activeSession(Sandbox box) {
        CredentialStore store = new CredentialStore(box.datumctlHome().resolve("credentials.json"));
        String key = store.get(CredentialStore.ACTIVE_USER);
        assertNotNull(key, "no active session in " + store.file());
        return StoredSession.fromJson(key, store.get(key));
    }

    static void assertNoSession(Sandbox box) {
        CredentialStore store = new CredentialStore(box.datumctlHome().resolve("credentials.json"));
        assertNull(store.get(CredentialStore.ACTIVE_USER), "a session was stored in " + store.file());
    }

    /** Returns everything a process printed; under a terminal, stderr arrives on stdout. */
    static String output(Proc.Result result) {
        return result.out() + result.err();
    }

    /** A datumctl process running in the background whose output the test reads line by line. */
    static final class Background {

        private static final long TIMEOUT_SECONDS = 90;

        private final List<String> command;
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread outReader;
        private final Thread errReader;

        private Background(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            this.outReader = read(process.getInputStream(), out);
            this.errReader = read(process.getErrorStream(), err);
        }

        /** Starts `datumctl ARGS` with pipes for stdin, stdout and stderr, as scripts run it. */
        static Background start(Sandbox box, String... args) throws IOException {
            Process process = Proc.start(box.datumctlCommand(args), box.env(), box.root());
            process.getOutputStream().close();
            return new Background(display(args), process);
        }

        /**
         * Starts `datumctl ARGS` on a pseudo-terminal made by util-linux script(1), as a person
         * runs it: login opens a browser only when stdin is a terminal and CI is unset. Its
         * stdin stays open, because end of input at a terminal cancels the login.
         */
        static Background inTerminal(Sandbox box, String... args) throws IOException {
            String shellCommand = String.join(" ", box.datumctlCommand(args).stream().map(Background::quote).toList());
            Map<String, String> env = new java.util.LinkedHashMap<>(box.env());
            env.put("CI", "false");
            Process process = Proc.start(List.of("script", "-qefc", shellCommand, "/dev/null"), env, box.root());
            return new Background(display(args), process);
        }

        private static List<String> display(String... args) {
            List<String> command = new ArrayList<>(List.of("datumctl"));
            command.addAll(List.of(args));
            return command;
        }

        private static String quote(String word) {
            return "'" + word.replace("'", "'\\''") + "'";
        }

        /** Returns group 1 of the first line printed from now on that matches the pattern. */
        String awaitLine(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    if (!process.isAlive() && lines.isEmpty()) {
                        break;
                    }
                    continue;
                }
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
            throw new AssertionError("datumctl printed no line matching " + pattern + "\n" + snapshot().describe());
        }

        /**
         * Waits for the process to end and returns what it printed. A login at a terminal may
         * offer a list of contexts afterwards; one Enter, typed first, skips that choice.
         */
        Proc.Result finish() throws InterruptedException, IOException {
            try {
                process.getOutputStream().write('\n');
                process.getOutputStream().flush();
            } catch (IOException e) {
                // stdin is already closed: this process runs without a terminal and never prompts.
            }
            boolean ended = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
            }
            process.getOutputStream().close();
            outReader.join();
            errReader.join();
            if (!ended) {
                throw new AssertionError("datumctl did not finish within " + TIMEOUT_SECONDS + " s\n" + snapshot().describe());
            }
            return snapshot();
        }

        private Proc.Result snapshot() {
            return new Proc.Result(command, process.isAlive() ? -1 : process.exitValue(), out.toString(), err.toString());
        }

        private Thread read(InputStream stream, StringBuffer sink) {
            Thread thread = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        sink.append(line).append('\n');
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The process ended; what was read so far is kept.
                }
            });
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }
}
