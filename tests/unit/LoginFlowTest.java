package unit;

import emulator.Emulator;
import lib.Browser;
import lib.CredentialStore;
import lib.Endpoints;
import lib.Http;
import lib.Json;
import lib.LoginFlow;
import lib.SessionConfig;
import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The whole login against the emulator: endpoints, CA, flows, ID token, and what gets stored. */
class LoginFlowTest {

    private static final String CLIENT_ID = "datumctl-local";
    private static final Browser NO_BROWSER_EXPECTED = url -> fail("the device flow must not open a browser: " + url);

    private static Emulator emulator;

    @TempDir
    Path home;

    private String previousHome;
    private final StringWriter errText = new StringWriter();
    private final PrintWriter err = new PrintWriter(errText, true);

    @BeforeAll
    static void startEmulator() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com").withDeviceIntervalSeconds(0));
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void useTemporaryHome() {
        previousHome = System.getProperty("datumctl.home");
        System.setProperty("datumctl.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (previousHome == null) {
            System.clearProperty("datumctl.home");
        } else {
            System.setProperty("datumctl.home", previousHome);
        }
    }

    private LoginFlow flow(Browser browser) {
        DeviceLoginTest.FakeTime time = new DeviceLoginTest.FakeTime(Instant.now());
        Sessions sessions = new Sessions(new CredentialStore(home.resolve("credentials.json")));
        return new LoginFlow(err, true, browser, Clock.systemUTC(), time, sessions);
    }

    private static LoginFlow.Options options(boolean noBrowser) {
        return new LoginFlow.Options(emulator.baseUrl(), null, CLIENT_ID, emulator.caFile(), noBrowser);
    }

    @Test
    void deviceLoginStoresActiveSession() throws Exception {
        StoredSession session = flow(NO_BROWSER_EXPECTED).run(options(true));

        String host = Endpoints.hostKey(emulator.baseUrl());
        assertEquals("ada@example.com", session.userEmail());
        assertEquals("Ada Lovelace", session.userName());
        assertEquals("ada@example.com@" + host, session.sessionName());
        assertStored(host);
    }

    @Test
    void browserLoginStoresActiveSession() throws Exception {
        StoredSession session = flow(new EmulatorBrowser()).run(options(false));

        assertEquals("ada@example.com", session.userEmail());
        assertStored(Endpoints.hostKey(emulator.baseUrl()));
    }

    private void assertStored(String host) throws Exception {
        String key = "ada@example.com@" + host;
        CredentialStore store = new CredentialStore(home.resolve("credentials.json"));
        assertEquals(key, store.get(CredentialStore.ACTIVE_USER));
        StoredSession stored = StoredSession.fromJson(key, store.get(key));
        assertEquals(host, stored.hostname());
        assertEquals(host, stored.apiHostname());
        assertEquals(CLIENT_ID, stored.clientId());
        assertEquals(emulator.baseUrl() + "/oauth/v2/token", stored.tokenUrl());
        assertEquals(List.of("openid", "profile", "email", "offline_access"), stored.scopes());
        assertEquals(StoredSession.USER, stored.credentialType());
        assertNotNull(stored.accessToken());
        assertNotNull(stored.refreshToken());
        assertNotNull(stored.idToken());
        assertNotNull(stored.subject());
        assertEquals(emulator.caPem(),
            new String(Base64.getDecoder().decode(stored.certificateAuthorityData()), StandardCharsets.US_ASCII));

        SessionConfig config = SessionConfig.load(home.resolve("config"));
        assertEquals(key, config.activeSession());
        Map<String, Object> endpoint = Json.obj(config.session(key), "endpoint");
        assertEquals("https://" + host, endpoint.get("server"));
    }

    @Test
    void invalidCertificateFileIsReported() throws Exception {
        Path notPem = home.resolve("ca.txt");
        Files.writeString(notPem, "not a certificate\n");
        LoginFlow.Options options = new LoginFlow.Options(emulator.baseUrl(), null, CLIENT_ID, notPem, true);

        UserError error = assertThrows(UserError.class, () -> flow(NO_BROWSER_EXPECTED).run(options));

        assertEquals("the certificate authority file " + notPem + " contains no valid PEM certificate", error.getMessage());
    }

    @Test
    void defaultsResolveToDatumCloud() {
        LoginFlow.Target target = LoginFlow.resolve(new LoginFlow.Options(null, null, null, null, false));

        assertEquals("https://auth.datum.net", target.authBaseUrl());
        assertEquals("auth.datum.net", target.authHostKey());
        assertEquals("api.datum.net", target.apiHostKey());
        assertEquals(Endpoints.PRODUCTION_CLIENT_ID, target.clientId());
    }

    @Test
    void stagingAndLoopbackHostsResolve() {
        LoginFlow.Target staging = LoginFlow.resolve(
            new LoginFlow.Options("auth.staging.env.datum.net", null, null, null, false));
        LoginFlow.Target local = LoginFlow.resolve(
            new LoginFlow.Options("https://127.0.0.1:8443/", null, "datumctl-local", null, false));

        assertEquals("api.staging.env.datum.net", staging.apiHostKey());
        assertEquals(Endpoints.STAGING_CLIENT_ID, staging.clientId());
        assertEquals("https://127.0.0.1:8443", local.authBaseUrl());
        assertEquals("127.0.0.1:8443", local.apiHostKey());
    }

    @Test
    void unknownHostNeedsApiHostAndClientId() {
        UserError noApi = assertThrows(UserError.class,
            () -> LoginFlow.resolve(new LoginFlow.Options("login.example.test", null, "id", null, false)));
        UserError noClient = assertThrows(UserError.class,
            () -> LoginFlow.resolve(new LoginFlow.Options("login.example.test", "api.example.test", null, null, false)));

        assertEquals(UserError.USAGE, noApi.exitCode());
        assertTrue(noApi.hint().contains("--api-hostname"), noApi.hint());
        assertEquals(UserError.USAGE, noClient.exitCode());
        assertTrue(noClient.hint().contains("--client-id"), noClient.hint());
    }

    /** Follows the emulator's authorize redirect to the loopback callback, trusting its CA. */
    private static final class EmulatorBrowser implements Browser {

        @Override
        public boolean open(String url) {
            HttpClient client = Http.client(emulator.caPem());
            try {
                HttpResponse<String> authorize = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(302, authorize.statusCode(), authorize.body());
                String callback = authorize.headers().firstValue("Location").orElseThrow();
                HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(callback)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode(), page.body());
                return true;
            } catch (Exception e) {
                throw new AssertionError("the test browser failed on " + url, e);
            }
        }
    }
}
