package e2e;

import emulator.Emulator;
import lib.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import support.Proc;
import support.Sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config and credentials.json the Go datumctl writes (tests/interop, two sessions, three
 * contexts, fields this CLI does not know): datumctl lists, switches and uses those sessions, and
 * after its writes both files still carry every field they had.
 */
class GoInteropTest {

    static final Path FIXTURES = Sandbox.checkout().resolve("tests/interop");
    static final String ADA = "ada@example.com";
    static final String GRACE = "grace@example.com";

    @TempDir
    Path dir;

    Emulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void goFilesKeepEveryField() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve("tls")));
        String host = emulator.baseUrl().replaceFirst("^https://", "");
        Sandbox sandbox = new Sandbox(dir.resolve("home"));
        Files.createDirectories(sandbox.datumctlHome());
        Path config = sandbox.datumctlHome().resolve("config");
        Path credentials = sandbox.datumctlHome().resolve("credentials.json");
        Files.writeString(config, fixture("config", host, "unused"));
        Files.writeString(credentials, fixture("credentials.json", host, refreshTokenOfAda()));
        Map<String, Object> configBefore = new Yaml().load(Files.readString(config));
        Map<String, Object> credentialsBefore = Json.parseObject(Files.readString(credentials));
        String adaKey = ADA + "@" + host;
        String graceKey = GRACE + "@" + host;

        Proc.Result list = sandbox.datumctl("auth", "list");
        assertEquals(0, list.exitCode(), list.describe());
        assertTrue(list.out().contains(ADA), list.describe());
        assertTrue(list.out().contains(GRACE), list.describe());

        Proc.Result toGrace = sandbox.datumctl("auth", "switch", GRACE);
        assertEquals(0, toGrace.exitCode(), toGrace.describe());
        assertEquals(graceKey, secrets(credentials).get("active_user"));
        assertEquals(graceKey, ((Map<?, ?>) new Yaml().load(Files.readString(config))).get("active-session"));

        Proc.Result toAda = sandbox.datumctl("auth", "switch", ADA);
        assertEquals(0, toAda.exitCode(), toAda.describe());

        // Ada's access token in the fixture has expired, so this refreshes with the Go CLI's refresh token.
        Proc.Result token = sandbox.datumctl("auth", "get-token", "-o", "token");
        assertEquals(0, token.exitCode(), token.describe());
        assertNotEquals("expired-access-token", token.out().trim());
        assertEquals(1, emulator.tokenRequestCount("refresh_token"));
        Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", "--organization", "acme");
        assertEquals(0, update.exitCode(), update.describe());
        Proc.Result whoami = sandbox.kubectl("auth", "whoami");
        assertEquals(0, whoami.exitCode(), whoami.describe());
        assertTrue(whoami.out().contains(ADA), whoami.describe());

        assertKeysKept(configBefore, new Yaml().load(Files.readString(config)), "config");
        Map<String, Object> credentialsAfter = Json.parseObject(Files.readString(credentials));
        assertEquals(credentialsBefore.get("another-tool"), credentialsAfter.get("another-tool"), "other services are kept");
        assertEquals(secrets(credentialsBefore).get(graceKey), secrets(credentialsAfter).get(graceKey),
            "an untouched session is kept byte for byte");
        assertKeysKept(Json.parseObject(secrets(credentialsBefore).get(adaKey)),
            Json.parseObject(secrets(credentialsAfter).get(adaKey)), "ada's stored session");
    }

    /** Logs Ada in once in a scratch home and returns the refresh token the emulator issued. */
    private String refreshTokenOfAda() throws Exception {
        Sandbox scratch = new Sandbox(dir.resolve("scratch"));
        Proc.Result login = scratch.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--no-browser", "--certificate-authority", emulator.caFile().toString());
        assertEquals(0, login.exitCode(), login.describe());
        Map<String, String> secrets = secrets(scratch.datumctlHome().resolve("credentials.json"));
        Map<String, Object> session = Json.parseObject(secrets.get(secrets.get("active_user")));
        return (String) Json.obj(session, "token").get("refresh_token");
    }

    private String fixture(String name, String host, String refreshToken) throws Exception {
        String caData = Base64.getEncoder().encodeToString(emulator.caPem().getBytes(StandardCharsets.US_ASCII));
        return Files.readString(FIXTURES.resolve(name))
            .replace("AUTH_HOST", host).replace("HOST", host)
            .replace("REFRESH_TOKEN", refreshToken).replace("CA_DATA", caData);
    }

    private static Map<String, String> secrets(Path credentials) throws Exception {
        return secrets(Json.parseObject(Files.readString(credentials)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> secrets(Map<String, Object> document) {
        return (Map<String, String>) (Map<?, ?>) Json.obj(document, "datumctl-auth");
    }

    /** Asserts that every key path of before is still in after, matching list entries by name. */
    private static void assertKeysKept(Map<String, Object> before, Map<String, Object> after, String what) {
        Set<String> missing = new TreeSet<>(paths(before, ""));
        missing.removeAll(paths(after, ""));
        assertTrue(missing.isEmpty(), what + " lost " + missing);
    }

    @SuppressWarnings("unchecked")
    private static List<String> paths(Object node, String prefix) {
        List<String> paths = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String path = prefix + "/" + entry.getKey();
                paths.add(path);
                paths.addAll(paths(entry.getValue(), path));
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                Object name = item instanceof Map<?, ?> map ? map.get("name") : null;
                paths.addAll(paths(item, prefix + "[" + (name == null ? String.valueOf(item) : name) + "]"));
            }
        }
        return paths;
    }
}
