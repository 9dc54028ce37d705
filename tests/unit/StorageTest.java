package unit;

import lib.CredentialStore;
import lib.DatumHome;
import lib.Json;
import lib.SessionConfig;
import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The credential store and config file round-trip in the Go datumctl's formats. */
class StorageTest {

    @TempDir
    Path home;

    String previousHome;

    @BeforeEach
    void pointHomeAtTempDir() {
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

    static StoredSession session(String email, String authHost, String apiHost) {
        return StoredSession.create()
            .set("hostname", authHost)
            .set("api_hostname", apiHost)
            .set("client_id", "client-1")
            .set("user_email", email)
            .set("user_name", "Name of " + email)
            .set("subject", "sub-" + email)
            .set("credential_type", StoredSession.USER)
            .set("token", Map.of("access_token", "a", "refresh_token", "r", "expiry", "2030-01-01T00:00:00Z"));
    }

    @Test
    void credentialStoreWritesOwnerOnlyFile() throws Exception {
        CredentialStore store = CredentialStore.open();

        store.put("ada@example.com@auth.example.test", "{\"x\":1}");

        Path file = home.resolve("credentials.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        Map<String, Object> document = Json.parseObject(Files.readString(file));
        assertEquals("{\"x\":1}", Json.obj(document, "datumctl-auth").get("ada@example.com@auth.example.test"));
        assertEquals("{\"x\":1}", store.get("ada@example.com@auth.example.test"));
    }

    @Test
    void credentialStoreKeepsOtherServicesAndKeys() throws Exception {
        Files.writeString(home.resolve("credentials.json"),
            "{\"other-service\":{\"k\":\"v\"},\"datumctl-auth\":{\"someone\":\"secret\"}}");
        CredentialStore store = CredentialStore.open();

        store.put("new", "value");
        store.delete("missing");

        Map<String, Object> document = Json.parseObject(Files.readString(home.resolve("credentials.json")));
        assertEquals(Map.of("k", "v"), document.get("other-service"));
        assertEquals("secret", Json.obj(document, "datumctl-auth").get("someone"));
        assertEquals("value", Json.obj(document, "datumctl-auth").get("new"));
    }

    @Test
    void brokenCredentialStoreIsReportedAndLeftUntouched() throws Exception {
        Path file = home.resolve("credentials.json");
        byte[] garbage = "{\"datumctl-auth\": {".getBytes(StandardCharsets.UTF_8);
        Files.write(file, garbage);
        CredentialStore store = CredentialStore.open();

        UserError error = assertThrows(UserError.class, () -> store.put("k", "v"));

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(file));
    }

    @Test
    void saveLoginRecordsSessionInBothStores() throws Exception {
        StoredSession ada = session("ada@example.com", "auth.example.test", "api.example.test");

        Sessions.open().saveLogin(ada, "https://api.example.test");

        CredentialStore store = CredentialStore.open();
        assertEquals("ada@example.com@auth.example.test", store.get(CredentialStore.ACTIVE_USER));
        assertEquals(List.of("ada@example.com@auth.example.test"), Json.parse(store.get(CredentialStore.KNOWN_USERS)));
        SessionConfig config = SessionConfig.load();
        assertEquals("ada@example.com@api.example.test", config.activeSession());
        Map<String, Object> entry = config.session("ada@example.com@api.example.test");
        assertEquals("ada@example.com@auth.example.test", entry.get("user-key"));
        assertEquals("ada@example.com", entry.get("user-email"));
        assertEquals(Map.of("server", "https://api.example.test", "auth-hostname", "auth.example.test"), entry.get("endpoint"));
        String yaml = Files.readString(DatumHome.configFile());
        assertTrue(yaml.contains("apiVersion: datumctl.config.datum.net/v1beta1"), yaml);
        assertTrue(yaml.contains("kind: DatumctlConfig"), yaml);
    }

    @Test
    void configKeepsFieldsItDoesNotKnow() throws Exception {
        Files.writeString(DatumHome.configFile(), String.join("\n",
            "apiVersion: datumctl.config.datum.net/v1beta1",
            "kind: DatumctlConfig",
            "future-setting: 42",
            "sessions:",
            "- name: ada@example.com@api.example.test",
            "  user-key: ada@example.com@auth.example.test",
            "  extra: keep-me",
            "contexts:",
            "- name: acme",
            "  session: ada@example.com@api.example.test",
            "  organization-id: acme",
            "cache:",
            "  anything: [1, 2]",
            ""));

        Sessions.open().saveLogin(session("bob@example.com", "auth.example.test", "api.example.test"), "https://api.example.test");

        SessionConfig config = SessionConfig.load();
        String yaml = Files.readString(DatumHome.configFile());
        assertTrue(yaml.contains("future-setting: 42"), yaml);
        assertEquals("keep-me", config.session("ada@example.com@api.example.test").get("extra"));
        assertEquals("acme", config.context("acme").get("organization-id"));
        assertTrue(yaml.contains("anything:"), yaml);
        assertEquals(2, config.sessions().size());
    }

    @Test
    void findMatchesEmailSessionOrKey() {
        Sessions sessions = Sessions.open();
        sessions.saveLogin(session("ada@example.com", "auth.example.test", "api.example.test"), "https://api.example.test");
        sessions.saveLogin(session("bob@example.com", "auth.example.test", "api.example.test"), "https://api.example.test");

        assertEquals("ada@example.com", sessions.find("ada@example.com").userEmail());
        assertEquals("bob@example.com", sessions.find("bob@example.com@api.example.test").userEmail());
        assertEquals("bob@example.com", sessions.find("bob@example.com@auth.example.test").userEmail());
        UserError error = assertThrows(UserError.class, () -> sessions.find("eve@example.com"));
        assertTrue(error.hint().contains("ada@example.com@api.example.test"), error.hint());
        assertTrue(error.hint().contains("bob@example.com@api.example.test"), error.hint());
    }

    @Test
    void removeForgetsSessionAndItsContexts() throws Exception {
        Sessions sessions = Sessions.open();
        StoredSession ada = session("ada@example.com", "auth.example.test", "api.example.test");
        sessions.saveLogin(ada, "https://api.example.test");
        SessionConfig.update(config -> {
            config.contexts().add(new java.util.LinkedHashMap<>(Map.of("name", "acme", "session", ada.sessionName())));
            config.setCurrentContext("acme");
        });

        sessions.remove(ada);

        CredentialStore store = CredentialStore.open();
        assertNull(store.get(ada.userKey()));
        assertNull(store.get(CredentialStore.ACTIVE_USER));
        SessionConfig config = SessionConfig.load();
        assertNull(config.session(ada.sessionName()));
        assertNull(config.context("acme"));
        assertNull(config.currentContext());
        assertNull(config.activeSession());
    }

    @Test
    void goZeroExpiryMeansUnknown() {
        StoredSession session = StoredSession.create().set("token", Map.of("expiry", "0001-01-01T00:00:00Z"));

        assertNull(session.expiry());
    }
}
