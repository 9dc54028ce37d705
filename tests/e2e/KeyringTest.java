package e2e;

import emulator.Emulator;
import lib.Json;
import lib.SecretServiceClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.KeyringSession;
import support.Proc;
import support.Sandbox;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions in a real GNOME Keyring on a private D-Bus session: login stores them under the
 * attributes the Go datumctl uses, kubectl authenticates through them, logout deletes them, and
 * without a keyring the file store takes over with one warning.
 */
class KeyringTest {

    static final String ADA = "ada@example.com";
    static final String FALLBACK_WARNING = "WARNING: no OS keyring found";

    @TempDir
    Path dir;

    KeyringSession keyring;
    Emulator emulator;

    @BeforeEach
    void startKeyring() throws Exception {
        keyring = KeyringSession.start(dir.resolve("keyring"));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (keyring != null) {
            keyring.close();
        }
    }

    @Test
    void keyringServesLoginRefreshLogout() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = keyringSandbox();

        Proc.Result login = login(sandbox);
        assertEquals(0, login.exitCode(), login.describe());
        assertFalse(login.err().contains("WARNING"), "a working keyring needs no warning\n" + login.describe());
        assertFalse(Files.exists(credentialsFile(sandbox)), "no secret went to the file store");

        String key = keyring.lookup("active_user");
        assertEquals(ADA + "@" + emulator.baseUrl().replaceFirst("^https://", ""), key, keyring.search());
        assertEquals(List.of(key), Json.parse(keyring.lookup("known_users")));
        Map<String, Object> stored = Json.parseObject(keyring.lookup(key));
        assertEquals(ADA, stored.get("user_email"));
        String firstRefreshToken = (String) Json.obj(stored, "token").get("refresh_token");
        assertNotNull(firstRefreshToken, keyring.lookup(key));

        Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", "--organization", "acme");
        assertEquals(0, update.exitCode(), update.describe());
        Thread.sleep(4_000);
        Proc.Result whoami = sandbox.kubectl("auth", "whoami", "-o", "json");
        assertEquals(0, whoami.exitCode(), whoami.describe());
        assertTrue(whoami.out().contains(ADA), whoami.describe());

        Map<String, Object> refreshed = Json.parseObject(keyring.lookup(key));
        String secondRefreshToken = (String) Json.obj(refreshed, "token").get("refresh_token");
        assertNotEquals(firstRefreshToken, secondRefreshToken, "the exec plugin stored the rotated refresh token");
        assertTrue(emulator.tokenRequestCount("refresh_token") >= 1);
        assertFalse(Files.exists(credentialsFile(sandbox)), "the refresh went to the keyring too");

        // Refresh tokens rotate and the old one is rejected, so a second round proves that the
        // keyring has the current one.
        Thread.sleep(4_000);
        Proc.Result again = sandbox.kubectl("get", "projects");
        assertEquals(0, again.exitCode(), again.describe());

        Proc.Result logout = sandbox.datumctl("logout", "--all");
        assertEquals(0, logout.exitCode(), logout.describe());
        assertFalse(logout.err().contains("WARNING"), logout.describe());
        assertNull(keyring.lookup(key), keyring.search());
        assertNull(keyring.lookup("active_user"), keyring.search());
        // Readable afterwards: logout neither locked the collection nor moved anything to a file.
        assertEquals("[]", keyring.lookup("known_users"), keyring.search());
        assertFalse(Files.exists(credentialsFile(sandbox)));
    }

    @Test
    void keyringUsesOtherClientsItems() {
        // The Go datumctl's keyring library writes these items; secret-tool writes the same.
        String key = "grace@example.com@auth.example.test";
        String token = "access-token-from-the-keyring";
        keyring.store(key, Json.write(Map.of(
            "hostname", "auth.example.test",
            "api_hostname", "api.example.test",
            "client_id", "datumctl-local",
            "user_email", "grace@example.com",
            "user_name", "Grace Hopper",
            "subject", "grace-subject",
            "credential_type", "user",
            "token", Map.of("access_token", token, "token_type", "Bearer", "refresh_token", "refresh-from-keyring",
                "expiry", Instant.now().plusSeconds(3600).toString()))));
        keyring.store("active_user", key);
        keyring.store("known_users", Json.write(List.of(key)));
        Sandbox sandbox = keyringSandbox();

        Proc.Result list = sandbox.datumctl("auth", "list");
        assertEquals(0, list.exitCode(), list.describe());
        assertTrue(list.out().contains("grace@example.com"), list.describe());

        Proc.Result credential = sandbox.datumctl("auth", "get-token", "-o", "client.authentication.k8s.io/v1");
        assertEquals(0, credential.exitCode(), credential.describe());
        assertEquals(token, Json.obj(Json.parseObject(credential.out()), "status").get("token"));
        assertFalse(Files.exists(credentialsFile(sandbox)));
    }

    @Test
    void clientMatchesSecretTool() throws Exception {
        String bus = keyring.env().get("DBUS_SESSION_BUS_ADDRESS");
        keyring.store("active_user", "someone@auth.example.test");
        keyring.store("someone@auth.example.test", "{\"token\":{\"access_token\":\"t\u00e9st\"}}");
        keyring.store("known_users", "[\"someone@auth.example.test\"]");

        Map<String, String> before;
        try (SecretServiceClient client = SecretServiceClient.connect(bus)) {
            before = client.read(KeyringSession.SERVICE);
            assertEquals(Map.of(), client.read("another-service"));
        }
        assertEquals(Map.of("active_user", "someone@auth.example.test",
            "someone@auth.example.test", "{\"token\":{\"access_token\":\"t\u00e9st\"}}",
            "known_users", "[\"someone@auth.example.test\"]"), before);

        Map<String, String> after = new java.util.LinkedHashMap<>(before);
        after.put("active_user", "other@auth.example.test");
        after.put("other@auth.example.test", "{}");
        after.remove("someone@auth.example.test");
        try (SecretServiceClient client = SecretServiceClient.connect(bus)) {
            client.write(KeyringSession.SERVICE, before, after);
        }

        assertEquals("other@auth.example.test", keyring.lookup("active_user"), "replaced, not doubled\n" + keyring.search());
        assertEquals("{}", keyring.lookup("other@auth.example.test"));
        assertNull(keyring.lookup("someone@auth.example.test"), keyring.search());
        // A delete that locked the collection would hide this item from secret-tool too.
        assertEquals("[\"someone@auth.example.test\"]", keyring.lookup("known_users"), keyring.search());
        try (SecretServiceClient client = SecretServiceClient.connect(bus)) {
            assertEquals(after, client.read(KeyringSession.SERVICE));
        }
    }

    @Test
    void forcedFileStoreSkipsKeyring() throws Exception {
        startEmulator();
        Sandbox sandbox = keyringSandbox().set("DATUMCTL_CREDENTIAL_STORE", "file");

        Proc.Result login = login(sandbox);
        assertEquals(0, login.exitCode(), login.describe());
        assertFalse(login.err().contains("WARNING"), "the user chose the file store\n" + login.describe());
        assertNull(keyring.lookup("active_user"), keyring.search());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialsFile(sandbox))));
    }

    @Test
    void fileStoreWithoutSessionBusWarnsOnce() throws Exception {
        startEmulator();

        assertFileStoreWithOneWarning(new Sandbox(dir.resolve("home")), "WARNING: no D-Bus session bus");
    }

    @Test
    void busWithoutKeyringUsesFileStore() throws Exception {
        startEmulator();
        Sandbox sandbox = new Sandbox(dir.resolve("home"))
            .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-such-bus"));

        assertFileStoreWithOneWarning(sandbox, FALLBACK_WARNING);
    }

    @Test
    void silentKeyringTimesOut() throws Exception {
        startEmulator();
        Path socket = dir.resolve("silent-bus");
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (Exception e) {
                    // The channel closed at the end of the test.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Sandbox sandbox = new Sandbox(dir.resolve("home")).set("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);

            Proc.Result login = login(sandbox);
            assertEquals(1, login.exitCode(), login.describe());
            assertTrue(login.err().contains("timed out after 5 s"), login.describe());
            assertTrue(login.err().contains("DATUMCTL_CREDENTIAL_STORE=file"), "the error names the way out\n"
                + login.describe());
            assertFalse(login.err().contains("enter the code"), "the store is checked before the login starts\n"
                + login.describe());
            assertFalse(Files.exists(credentialsFile(sandbox)), "a keyring that may hold sessions is not replaced");

            Proc.Result chosen = login(sandbox.set("DATUMCTL_CREDENTIAL_STORE", "file"));
            assertEquals(0, chosen.exitCode(), chosen.describe());
            assertFalse(chosen.err().contains("WARNING"), chosen.describe());
            assertTrue(Files.exists(credentialsFile(sandbox)));
        } finally {
            for (SocketChannel channel : accepted) {
                channel.close();
            }
        }
    }

    @Test
    void unknownStoreChoiceIsUsageError() throws Exception {
        startEmulator();
        Sandbox sandbox = keyringSandbox().set("DATUMCTL_CREDENTIAL_STORE", "vault");

        Proc.Result list = sandbox.datumctl("auth", "list");
        assertEquals(2, list.exitCode(), list.describe());
        assertTrue(list.err().contains("vault"), list.describe());
        assertTrue(list.err().contains("keyring, file"), list.describe());

        Proc.Result login = login(sandbox);
        assertEquals(2, login.exitCode(), login.describe());
        assertFalse(login.err().contains("enter the code"), "the store is checked before the login starts\n"
            + login.describe());
    }

    /** Asserts that login prints warning once, naming the token file, and that later commands print none. */
    private void assertFileStoreWithOneWarning(Sandbox sandbox, String warning) {
        Proc.Result login = login(sandbox);
        assertEquals(0, login.exitCode(), login.describe());
        assertTrue(login.err().contains(warning), login.describe());
        assertTrue(login.err().contains(credentialsFile(sandbox).toString()), "the warning names the file\n" + login.describe());
        assertTrue(Files.exists(credentialsFile(sandbox)));

        Proc.Result list = sandbox.datumctl("auth", "list");
        assertEquals(0, list.exitCode(), list.describe());
        assertTrue(list.out().contains(ADA), list.describe());
        assertFalse(list.err().contains("WARNING"), "the warning is printed once\n" + list.describe());
        Proc.Result token = sandbox.datumctl("auth", "get-token", "-o", "client.authentication.k8s.io/v1");
        assertEquals(0, token.exitCode(), token.describe());
        assertEquals("", token.err(), token.describe());
    }

    private void startEmulator() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve("tls")));
    }

    private Sandbox keyringSandbox() {
        Sandbox sandbox = new Sandbox(dir.resolve("home"));
        keyring.env().forEach(sandbox::set);
        return sandbox;
    }

    private Proc.Result login(Sandbox sandbox) {
        return sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--no-browser", "--certificate-authority", emulator.caFile().toString());
    }

    private static Path credentialsFile(Sandbox sandbox) {
        return sandbox.datumctlHome().resolve("credentials.json");
    }
}
