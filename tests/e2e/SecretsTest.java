package e2e;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the commands that handle tokens with --verbose, which traces every HTTP request, and
 * searches all they print for every token the emulator issued. Only get-token's stdout, the
 * credential itself, may carry one.
 */
class SecretsTest {

    static final String ADA = "ada@example.com";

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
    void verboseTracesNeverShowAnIssuedToken() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3600)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = new Sandbox(dir);
        List<Proc.Result> printed = new ArrayList<>();

        Proc.Result login = ok(printed, sandbox.datumctl("login", "-v", "--hostname", emulator.baseUrl(), "--client-id",
            "datumctl-local", "--certificate-authority", emulator.caFile().toString(), "--no-browser"));
        ok(printed, sandbox.datumctl("auth", "update-kubeconfig", "-v", "--organization", "acme"));
        ok(printed, sandbox.datumctl("whoami", "-v"));
        Proc.Result apiCall = ok(printed, sandbox.datumctl("auth", "whoami", "-v"));
        StoreEdits.expire(sandbox);
        Proc.Result refresh = ok(printed, sandbox.datumctl("auth", "whoami", "-v"));
        Proc.Result token = ok(null, sandbox.datumctl("auth", "get-token", "-v"));
        printed.add(new Proc.Result(token.command(), 0, "", token.err()));
        ok(printed, sandbox.kubectl("get", "projects", "-v=6"));
        ok(printed, sandbox.datumctl("auth", "list", "-v"));
        ok(printed, sandbox.datumctl("logout", "-v"));

        assertTrue(login.err().contains("http: POST " + emulator.baseUrl()), "login traces its requests\n" + login.describe());
        assertTrue(apiCall.err().contains("Authorization: Bearer [redacted]"), "API calls trace the header, masked\n"
            + apiCall.describe());
        assertTrue(refresh.err().contains("/oauth/v2/token"), "the refresh is traced\n" + refresh.describe());
        assertTrue(token.out().trim().length() > 20, "get-token prints the credential\n" + token.describe());
        List<String> issued = emulator.issuedTokens();
        assertTrue(issued.size() >= 4, "tokens issued: " + issued.size());
        for (Proc.Result result : printed) {
            for (String secret : issued) {
                assertFalse(result.out().contains(secret) || result.err().contains(secret),
                    "an issued token appears in the output of " + String.join(" ", result.command()));
            }
        }
    }

    static Proc.Result ok(List<Proc.Result> printed, Proc.Result result) {
        assertEquals(0, result.exitCode(), result.describe());
        if (printed != null) {
            printed.add(result);
        }
        return result;
    }

    /** Marks the stored credential as expired so the next API call must refresh it. */
    static final class StoreEdits {
        @SuppressWarnings("unchecked")
        static void expire(Sandbox sandbox) {
            CredentialStore store = new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
            String key = store.get(CredentialStore.ACTIVE_USER);
            Map<String, Object> session = Json.parseObject(store.get(key));
            ((Map<String, Object>) session.get("token")).put("expiry", "2000-01-01T00:00:00Z");
            session.remove("id_token");
            store.put(key, Json.write(session));
        }
    }
}
