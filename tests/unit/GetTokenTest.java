package unit;

import auth.GetToken;
import lib.CredentialStore;
import lib.Json;
import lib.StoredSession;
import lib.TokenSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.StubServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The exec plugin's contract with kubectl: one credential on stdout, refresh only when due. */
class GetTokenTest {

    static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String V1_INFO = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}";

    @TempDir
    Path dir;

    CredentialStore store;

    @BeforeEach
    void setUp() {
        store = new CredentialStore(dir.resolve("credentials.json"));
    }

    /** Builds a JWT-shaped token with the given exp; get-token only reads its claims. */
    static String jwt(String subject, Instant exp) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"" + subject + "\",\"exp\":" + exp.getEpochSecond() + "}")
            .getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".c2lnbmF0dXJl";
    }

    StoredSession storeSession(String tokenUrl, Instant expiry, String refreshToken) {
        StoredSession session = StoredSession.create()
            .set("hostname", "auth.example.test")
            .set("api_hostname", "api.example.test")
            .set("client_id", "client-1")
            .set("endpoint_token_url", tokenUrl)
            .set("user_email", "ada@example.com")
            .set("user_name", "Ada")
            .set("subject", "ada-sub")
            .set("id_token", jwt("ada-sub", expiry))
            .set("token", Map.of("access_token", "access-1", "token_type", "Bearer",
                "refresh_token", refreshToken, "expiry", expiry.toString()));
        store.put(session.userKey(), session.toJson());
        store.put(CredentialStore.ACTIVE_USER, session.userKey());
        return session;
    }

    static HttpClient noNetwork(String ca) {
        return fail("get-token must not use the network while the token is valid");
    }

    record Run(int exitCode, String out, String err) {
    }

    Run run(TokenSource tokens, String execInfo, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GetToken.run(List.of(args), execInfo, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), tokens, CLOCK);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validTokenPrintsExecCredentialWithoutNetwork() {
        Instant expiry = NOW.plusSeconds(3600);
        StoredSession session = storeSession("http://127.0.0.1:1/token", expiry, "refresh-1");
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);

        Run run = run(tokens, V1_INFO, "auth", "get-token", "--output=client.authentication.k8s.io/v1",
            "--session=" + session.sessionName());

        assertEquals(0, run.exitCode(), run.err());
        Map<String, Object> credential = Json.parseObject(run.out().trim());
        assertEquals("client.authentication.k8s.io/v1", credential.get("apiVersion"));
        assertEquals("ExecCredential", credential.get("kind"));
        Map<String, Object> status = Json.obj(credential, "status");
        assertEquals(session.idToken(), status.get("token"));
        assertEquals(expiry.toString(), status.get("expirationTimestamp"));
        assertEquals("", run.err());
    }

    @Test
    void answersInApiVersionKubectlAsksFor() {
        storeSession("http://127.0.0.1:1/token", NOW.plusSeconds(3600), "refresh-1");
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);
        String v1beta1 = V1_INFO.replace("/v1\"", "/v1beta1\"");

        Run run = run(tokens, v1beta1, "-o", "client.authentication.k8s.io/v1");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("client.authentication.k8s.io/v1beta1", Json.parseObject(run.out()).get("apiVersion"));
    }

    @Test
    void defaultOutputIsTheRawToken() {
        StoredSession session = storeSession("http://127.0.0.1:1/token", NOW.plusSeconds(3600), "refresh-1");
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);

        Run run = run(tokens, null);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(session.idToken() + "\n", run.out());
    }

    @Test
    void expiringTokenIsRefreshedAndRotated() {
        try (StubServer server = new StubServer()) {
            String newIdToken = jwt("ada-sub", NOW.plusSeconds(900));
            server.on("/token", request -> StubServer.Reply.json(200,
                "{\"access_token\":\"access-2\",\"token_type\":\"Bearer\",\"refresh_token\":\"refresh-2\","
                    + "\"expires_in\":900,\"id_token\":\"" + newIdToken + "\"}"));
            StoredSession session = storeSession(server.url("/token"), NOW.plusSeconds(30), "refresh-1");
            TokenSource tokens = new TokenSource(store, CLOCK, ca -> HttpClient.newHttpClient());

            Run run = run(tokens, V1_INFO, "-o", "client.authentication.k8s.io/v1");

            assertEquals(0, run.exitCode(), run.err());
            assertEquals(newIdToken, Json.obj(Json.parseObject(run.out()), "status").get("token"));
            assertEquals(1, server.requests().size());
            String form = server.requests().get(0).body();
            assertTrue(form.contains("grant_type=refresh_token"), form);
            assertTrue(form.contains("refresh_token=refresh-1"), form);
            assertTrue(form.contains("client_id=client-1"), form);
            StoredSession stored = StoredSession.fromJson("k", store.get(session.userKey()));
            assertEquals("refresh-2", stored.refreshToken());
            assertEquals("access-2", stored.accessToken());
            assertEquals(List.of(), server.unexpected());
        }
    }

    @Test
    void rejectedRefreshNamesLoginCommand() {
        try (StubServer server = new StubServer()) {
            server.on("/token", request -> StubServer.Reply.json(400,
                "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}"));
            storeSession(server.url("/token"), NOW.minusSeconds(10), "refresh-secret-value");
            TokenSource tokens = new TokenSource(store, CLOCK, ca -> HttpClient.newHttpClient());

            Run run = run(tokens, V1_INFO, "-o", "client.authentication.k8s.io/v1");

            assertEquals(1, run.exitCode());
            assertEquals("", run.out());
            assertTrue(run.err().contains("datumctl login"), run.err());
            assertTrue(run.err().contains("invalid_grant"), run.err());
            assertFalse(run.err().contains("refresh-secret-value"), run.err());
        }
    }

    @Test
    void parallelCallsSpendTheRefreshTokenOnce() throws Exception {
        try (StubServer server = new StubServer()) {
            server.on("/token", request -> {
                int n = server.requests().size();
                return StubServer.Reply.json(200, "{\"access_token\":\"access-" + n + "\",\"refresh_token\":\"refresh-"
                    + (n + 1) + "\",\"expires_in\":900,\"id_token\":\"" + jwt("ada-sub", NOW.plusSeconds(900)) + "\"}");
            });
            storeSession(server.url("/token"), NOW.minusSeconds(10), "refresh-1");
            TokenSource tokens = new TokenSource(store, CLOCK, ca -> HttpClient.newHttpClient());
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                runs.add(pool.submit(() -> run(tokens, V1_INFO, "-o", "client.authentication.k8s.io/v1")));
            }
            for (Future<Run> future : runs) {
                assertEquals(0, future.get().exitCode(), future.get().err());
            }
            pool.shutdown();

            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void noSessionSaysHowToLogIn() {
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);

        Run run = run(tokens, V1_INFO);

        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().contains("datumctl login"), run.err());
    }

    @Test
    void unknownSessionIsNamedInTheError() {
        storeSession("http://127.0.0.1:1/token", NOW.plusSeconds(3600), "refresh-1");
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);

        Run run = run(tokens, V1_INFO, "--session", "bob@example.com@api.example.test");

        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("bob@example.com@api.example.test"), run.err());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        TokenSource tokens = new TokenSource(store, CLOCK, GetTokenTest::noNetwork);

        assertEquals(2, run(tokens, null, "--bogus").exitCode());
        assertEquals(2, run(tokens, null, "-o", "yaml").exitCode());
        assertEquals(2, run(tokens, null, "--session").exitCode());
    }

    @Test
    void missingOrBrokenExecInfoMeansNotInteractive() {
        assertFalse(lib.ExecCredential.readExecInfo(null).interactive());
        assertFalse(lib.ExecCredential.readExecInfo("{not json").interactive());
        assertTrue(lib.ExecCredential.readExecInfo(V1_INFO.replace("false", "true")).interactive());
    }

    @Test
    void expiryFormattedLikeInstantToString() {
        for (String text : List.of("2026-01-02T03:04:05.678Z", "2026-12-31T23:59:59Z", "2100-01-01T00:00:00Z",
            "1999-09-09T09:09:00Z")) {
            Instant expiry = Instant.parse(text);

            String json = lib.ExecCredential.toJson(lib.ExecCredential.V1, "token-1", expiry, NOW);

            String expected = expiry.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            assertEquals(expected, Json.obj(Json.parseObject(json), "status").get("expirationTimestamp"), text);
        }
    }
}
