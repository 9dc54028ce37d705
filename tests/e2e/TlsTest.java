package e2e;

import emulator.Emulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator serves https with a CA this test creates and does not hand to datumctl: without
 * --certificate-authority every call must fail on the certificate, and --insecure-skip-tls-verify
 * gets through only with a warning each time.
 */
class TlsTest {

    static final String ADA = "ada@example.com";
    static final String WARNING = "WARNING: --insecure-skip-tls-verify";

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
    void unknownCaRejectedUnlessSkipped() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs(ADA).withTokenTtlSeconds(3600)
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("tls")));
        Sandbox sandbox = new Sandbox(dir);

        Proc.Result refused = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--no-browser");
        assertEquals(1, refused.exitCode(), refused.describe());
        assertTrue(refused.err().contains("certificate is not trusted"), refused.describe());
        assertTrue(refused.err().contains("--certificate-authority"), "the error names the fix\n" + refused.describe());
        assertFalse(Files.exists(sandbox.datumctlHome().resolve("credentials.json")), "nothing was stored");

        Proc.Result insecure = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id",
            "datumctl-local", "--no-browser", "--insecure-skip-tls-verify");
        assertEquals(0, insecure.exitCode(), insecure.describe());
        assertTrue(insecure.err().contains(WARNING), "login warns\n" + insecure.describe());

        Proc.Result apiRefused = sandbox.datumctl("auth", "whoami", "--organization", "acme");
        assertEquals(1, apiRefused.exitCode(), "the API call verifies the certificate again\n" + apiRefused.describe());
        assertTrue(apiRefused.err().contains("certificate"), apiRefused.describe());
        assertFalse(apiRefused.err().contains(WARNING), apiRefused.describe());

        Proc.Result apiInsecure = sandbox.datumctl("auth", "whoami", "--organization", "acme", "--insecure-skip-tls-verify");
        assertEquals(0, apiInsecure.exitCode(), apiInsecure.describe());
        assertTrue(apiInsecure.err().contains(WARNING), "every use warns\n" + apiInsecure.describe());
        assertTrue(apiInsecure.out().contains(ADA), apiInsecure.describe());

        Proc.Result withCa = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--no-browser", "--certificate-authority", emulator.caFile().toString());
        assertEquals(0, withCa.exitCode(), withCa.describe());
        assertFalse(withCa.err().contains(WARNING), withCa.describe());
    }
}
