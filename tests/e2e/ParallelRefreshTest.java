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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Parallel kubectl calls start parallel exec plugins. On an expired access token, twenty of them
 * started together must spend the rotating refresh token exactly once and all hand out the new
 * credential.
 */
class ParallelRefreshTest {

    static final String ADA = "ada@example.com";
    static final int PROCESSES = 20;

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
    void twentyPluginsRefreshOnce() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3600)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = new Sandbox(dir);
        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertEquals(0, login.exitCode(), login.describe());
        Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", "--organization", "acme", "--exec-mode", "java");
        assertEquals(0, update.exitCode(), update.describe());
        String spentRefreshToken = expireAccessToken(sandbox);
        int refreshesBefore = emulator.tokenRequestCount("refresh_token");

        List<Proc.Result> results = runTogether(execCommand(sandbox), sandbox);

        Set<String> tokens = new HashSet<>();
        for (Proc.Result result : results) {
            assertEquals(0, result.exitCode(), result.describe());
            Map<String, Object> credential = Json.parseObject(result.out().trim());
            tokens.add((String) Json.obj(credential, "status").get("token"));
        }
        assertEquals(1, emulator.tokenRequestCount("refresh_token") - refreshesBefore, "refresh requests at the emulator");
        assertEquals(1, tokens.size(), "every plugin prints the same credential");
        StoredSession after = stored(sandbox);
        assertNotEquals(spentRefreshToken, after.refreshToken(), "the refresh token rotated");
        assertEquals(tokens.iterator().next(), after.idToken() != null ? after.idToken() : after.accessToken());
    }

    /** Starts all processes before waiting for any, so they race for the refresh lock. */
    static List<Proc.Result> runTogether(List<String> command, Sandbox sandbox) {
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("KUBERNETES_EXEC_INFO",
            "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            processes.add(Proc.start(command, env, sandbox.root()));
        }
        List<Proc.Result> results = new ArrayList<>();
        for (Process process : processes) {
            results.add(Proc.await(command, process, 120));
        }
        return results;
    }

    /** Marks the stored access token as expired and drops the ID token; returns the refresh token in use. */
    @SuppressWarnings("unchecked")
    static String expireAccessToken(Sandbox sandbox) {
        CredentialStore store = new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
        String key = store.get(CredentialStore.ACTIVE_USER);
        Map<String, Object> session = Json.parseObject(store.get(key));
        ((Map<String, Object>) session.get("token")).put("expiry", "2000-01-01T00:00:00Z");
        session.remove("id_token");
        store.put(key, Json.write(session));
        String refreshToken = (String) ((Map<String, Object>) session.get("token")).get("refresh_token");
        assertNotNull(refreshToken, "the device login stored a refresh token");
        return refreshToken;
    }

    static StoredSession stored(Sandbox sandbox) {
        CredentialStore store = new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
        String key = store.get(CredentialStore.ACTIVE_USER);
        return StoredSession.fromJson(key, store.get(key));
    }

    /** The command line of the kubeconfig's exec stanza, exactly as kubectl would start it. */
    @SuppressWarnings("unchecked")
    static List<String> execCommand(Sandbox sandbox) throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(sandbox.kubeconfig()));
        for (Object user : (List<Object>) config.get("users")) {
            Map<String, Object> body = (Map<String, Object>) ((Map<String, Object>) user).get("user");
            if (body != null && body.containsKey("exec")) {
                Map<String, Object> exec = (Map<String, Object>) body.get("exec");
                List<String> command = new ArrayList<>();
                command.add((String) exec.get("command"));
                command.addAll((List<String>) exec.get("args"));
                return command;
            }
        }
        throw new AssertionError("no exec user in " + sandbox.kubeconfig());
    }
}
