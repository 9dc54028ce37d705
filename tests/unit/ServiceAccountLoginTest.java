package unit;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Http;
import lib.JwtBearer;
import lib.OAuthError;
import lib.Oidc;
import lib.ServiceAccountKey;
import lib.ServiceAccountLogin;
import lib.Sessions;
import lib.StoredSession;
import lib.TokenSource;
import lib.UserError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Sandbox;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service account login and re-minting against the emulator, in process. */
class ServiceAccountLoginTest {

    static final String ACCOUNT = "ci-deployer@example.com";

    static Emulator emulator;
    static ServiceAccountKey key;

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws Exception {
        // A lifetime below TokenSource's one-minute margin makes every valid() call re-mint.
        emulator = Emulator.start(Emulator.Options.defaults().withTokenTtlSeconds(5));
        Path file = Sandbox.checkout().resolve("tests/emulator/service-account-key.json");
        key = ServiceAccountKey.parse(Files.readString(file), file.toString());
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    CredentialStore store() {
        return new CredentialStore(home.resolve("credentials.json"));
    }

    StoredSession login() {
        ServiceAccountLogin login = new ServiceAccountLogin(new PrintWriter(new StringWriter()), false, Clock.systemUTC(),
            new Sessions(store()), home);
        String previous = System.getProperty("datumctl.home");
        System.setProperty("datumctl.home", home.toString());
        try {
            return login.run(key, new ServiceAccountLogin.Options(emulator.baseUrl(), null, emulator.caFile()));
        } finally {
            if (previous == null) {
                System.clearProperty("datumctl.home");
            } else {
                System.setProperty("datumctl.home", previous);
            }
        }
    }

    @Test
    void loginStoresServiceAccountSession() throws Exception {
        int before = emulator.tokenRequestCount(JwtBearer.GRANT_TYPE);

        StoredSession session = login();

        String key = store().get(CredentialStore.ACTIVE_USER);
        StoredSession stored = StoredSession.fromJson(key, store().get(key));
        assertEquals(ACCOUNT, stored.userEmail());
        assertEquals(StoredSession.SERVICE_ACCOUNT, stored.credentialType());
        assertEquals("320000000000000001", stored.subject());
        assertEquals("320000000000000001", stored.clientId());
        assertNull(stored.refreshToken());
        assertFalse(stored.accessToken().isEmpty());
        assertEquals(session.sessionName(), ACCOUNT + "@" + stored.apiHostname());

        Map<String, Object> account = stored.serviceAccount();
        assertEquals("320000000000000001", account.get("client_id"));
        assertEquals(ACCOUNT, account.get("client_email"));
        assertEquals("320000000000000101", account.get("private_key_id"));
        assertEquals(emulator.baseUrl() + "/oauth/v2/token", account.get("token_uri"));
        assertEquals("openid profile email", account.get("scope"));
        assertTrue(Files.isRegularFile(Path.of((String) account.get("private_key_path"))), account.toString());
        assertFalse(store().get(key).contains("PRIVATE KEY"), "the key went to its file, not into the document");
        assertEquals(before + 1, emulator.tokenRequestCount(JwtBearer.GRANT_TYPE));
    }

    @Test
    void expiredTokenIsReMintedWithoutRefreshToken() {
        StoredSession first = login();
        int exchanges = emulator.tokenRequestCount(JwtBearer.GRANT_TYPE);
        int refreshes = emulator.tokenRequestCount("refresh_token");

        TokenSource tokens = new TokenSource(store(), Clock.systemUTC(), Http::client);
        StoredSession renewed = tokens.valid(first.sessionName());

        assertNotEquals(first.accessToken(), renewed.accessToken());
        assertEquals(exchanges + 1, emulator.tokenRequestCount(JwtBearer.GRANT_TYPE));
        assertEquals(refreshes, emulator.tokenRequestCount("refresh_token"));
        StoredSession stored = StoredSession.fromJson(first.userKey(), store().get(first.userKey()));
        assertEquals(renewed.accessToken(), stored.accessToken());
        assertNull(stored.refreshToken());
    }

    @Test
    void emulatorRejectsReplayedAssertion() {
        HttpClient client = Http.client(emulator.caPem());
        String tokenUrl = emulator.baseUrl() + "/oauth/v2/token";
        String assertion = key.mint(tokenUrl, Instant.now());
        Oidc.token(client, tokenUrl, JwtBearer.form(assertion, null));

        OAuthError error = assertThrows(OAuthError.class, () -> Oidc.token(client, tokenUrl, JwtBearer.form(assertion, null)));

        assertEquals("invalid_grant", error.error());
        assertTrue(error.description().contains("already used"), error.description());
    }

    @Test
    void emulatorRejectsWrongAudience() {
        HttpClient client = Http.client(emulator.caPem());
        String assertion = key.mint("https://auth.example.test/oauth/v2/token", Instant.now());

        OAuthError error = assertThrows(OAuthError.class,
            () -> Oidc.token(client, emulator.baseUrl() + "/oauth/v2/token", JwtBearer.form(assertion, null)));

        assertEquals("invalid_grant", error.error());
        assertTrue(error.description().contains("audience"), error.description());
    }

    @Test
    void emulatorRejectsExpiredAssertion() {
        HttpClient client = Http.client(emulator.caPem());
        String tokenUrl = emulator.baseUrl() + "/oauth/v2/token";
        String assertion = key.mint(tokenUrl, Instant.now().minusSeconds(600));

        OAuthError error = assertThrows(OAuthError.class, () -> Oidc.token(client, tokenUrl, JwtBearer.form(assertion, null)));

        assertTrue(error.description().contains("expired"), error.description());
    }

    @Test
    void unknownApiHostIsUsageError() {
        ServiceAccountKey other = new ServiceAccountKey("1", null, "k", "", key.privateKey(),
            "https://login.example.test/oauth/v2/token", null, null);

        UserError error = assertThrows(UserError.class,
            () -> ServiceAccountLogin.resolve(other, new ServiceAccountLogin.Options(null, null, null)));

        assertEquals(2, error.exitCode());
        assertTrue(error.getMessage().contains("login.example.test"), error.getMessage());
    }

    @Test
    void defaultsComeFromTheKey() {
        ServiceAccountKey datum = new ServiceAccountKey("1", "a@b", "k", "", key.privateKey(),
            "https://auth.datum.net/oauth/v2/token", null, null);
        ServiceAccountKey withApi = new ServiceAccountKey("1", "a@b", "k", "", key.privateKey(),
            "https://login.example.test/oauth/v2/token", null, "https://api.example.test");

        assertEquals("api.datum.net", ServiceAccountLogin.resolve(datum, new ServiceAccountLogin.Options(null, null, null)).apiHostKey());
        assertEquals("auth.datum.net", ServiceAccountLogin.resolve(datum, new ServiceAccountLogin.Options(null, null, null)).authHostKey());
        assertEquals("api.example.test", ServiceAccountLogin.resolve(withApi, new ServiceAccountLogin.Options(null, null, null)).apiHostKey());
    }
}
