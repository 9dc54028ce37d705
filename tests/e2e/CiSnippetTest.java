package e2e;

import emulator.Emulator;
import lib.CredentialStore;
import lib.Json;
import lib.JwtBearer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's CI section, run as written: tests/e2e/ci-snippet.sh against the emulator with
 * stdin closed, no terminal and CI=true, plus the service account login's failure cases as a
 * pipeline would meet them.
 */
class CiSnippetTest {

    static final String ACCOUNT = "ci-deployer@example.com";
    static final Path KEY_FILE = Sandbox.checkout().resolve("tests/emulator/service-account-key.json");

    @TempDir
    Path dir;

    Sandbox sandbox;
    Emulator emulator;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new Sandbox(dir);
        sandbox.set("CI", "true");
        // Tokens live 3 s, so the one from login has expired before kubectl runs and get-token must re-mint.
        emulator = Emulator.start(Emulator.Options.defaults().withTokenTtlSeconds(3).withTlsDir(dir.resolve("tls")));
    }

    @AfterEach
    void tearDown() {
        emulator.close();
    }

    @Test
    void readmeSnippetRunsAgainstEmulator() throws Exception {
        Path checkout = Sandbox.checkout();
        Map<String, String> env = new java.util.LinkedHashMap<>(sandbox.env());
        env.put("DATUM_CREDENTIALS", Files.readString(KEY_FILE));
        env.put("DATUM_ORGANIZATION", "acme");
        env.put("DATUM_HOSTNAME", emulator.baseUrl());
        env.put("DATUM_CA_FILE", emulator.caFile().toString());
        env.put("DATUMCTL", checkout.resolve("jbang") + " " + checkout.resolve("datumctl.java"));

        Proc.Result run = Proc.run(List.of("bash", checkout.resolve("tests/e2e/ci-snippet.sh").toString()), env, dir, 600);

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.out().contains("Logged in as service account " + ACCOUNT), run.describe());
        assertTrue(run.out().lines().anyMatch(line -> line.startsWith("Username") && line.contains(ACCOUNT)),
            "kubectl auth whoami shows the service account\n" + run.describe());
        assertTrue(run.out().lines().anyMatch(line -> line.startsWith("demo ")), "kubectl lists project demo\n" + run.describe());
        assertTrue(emulator.tokenRequestCount(JwtBearer.GRANT_TYPE) > 1,
            "expired tokens were re-minted: " + emulator.tokenRequestCount(JwtBearer.GRANT_TYPE) + " jwt-bearer exchanges");
        assertEquals(0, emulator.tokenRequestCount("refresh_token"));
        assertNoKeyMaterial(run.out() + run.err());
        assertLoggedOut();
    }

    void assertLoggedOut() throws Exception {
        CredentialStore store = new CredentialStore(sandbox.datumctlHome().resolve("credentials.json"));
        assertTrue(store.all().keySet().stream().noneMatch(key -> key.startsWith(ACCOUNT)), store.all().keySet().toString());
        Path keys = sandbox.datumctlHome().resolve("service-accounts");
        if (Files.isDirectory(keys)) {
            try (Stream<Path> files = Files.list(keys)) {
                assertEquals(List.of(), files.toList(), "logout deletes the private key file");
            }
        }
    }

    static void assertNoKeyMaterial(String output) throws Exception {
        String pem = Json.str(Json.parseObject(Files.readString(KEY_FILE)), "private_key");
        for (String line : pem.lines().filter(line -> !line.startsWith("-----")).limit(5).toList()) {
            assertFalse(output.contains(line), "the output shows private key material");
        }
    }

    @Test
    void browserLoginInCiExplainsHeadlessLogin() throws Exception {
        Path opened = dir.resolve("browser-opened");
        Path browser = dir.resolve("browser");
        Files.writeString(browser, "#!/bin/sh\ntouch '" + opened + "'\n");
        browser.toFile().setExecutable(true);
        sandbox.set("BROWSER", browser.toString());

        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString());

        assertEquals(2, login.exitCode(), login.describe());
        assertTrue(login.err().contains("the CI environment variable is set"), login.describe());
        assertTrue(login.err().contains("--credentials"), login.describe());
        assertTrue(login.err().contains("--no-browser"), login.describe());
        assertFalse(Files.exists(opened), "no browser was opened");
        assertEquals(0, emulator.tokenRequestCount("authorization_code"));
    }

    @Test
    void keyWithWrongSignatureIsRejectedReadably() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String otherKey = "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
        Map<String, Object> key = Json.parseObject(Files.readString(KEY_FILE));
        key.put("private_key", otherKey);
        Path file = dir.resolve("stolen-id-key.json");
        Files.writeString(file, Json.write(key));

        Proc.Result login = sandbox.datumctl("login", "--credentials", file.toString(), "--hostname", emulator.baseUrl(),
            "--certificate-authority", emulator.caFile().toString());

        assertEquals(1, login.exitCode(), login.describe());
        assertTrue(login.err().startsWith("error: the auth server "), login.describe());
        assertTrue(login.err().contains("rejected the service account key of " + ACCOUNT), login.describe());
        assertTrue(login.err().contains("signature does not match key 320000000000000101"), login.describe());
        assertFalse(login.err().contains("\tat "), "no stack trace without --verbose\n" + login.describe());
        assertFalse(login.err().contains(otherKey.lines().skip(1).findFirst().orElseThrow()), "no key material");
        assertFalse(Files.exists(sandbox.datumctlHome().resolve("credentials.json")), "nothing is stored");
    }

    @Test
    void invalidKeyFromStdinFailsBeforeAnyRequest() throws Exception {
        Map<String, Object> key = Json.parseObject(Files.readString(KEY_FILE));
        key.remove("private_key_id");
        key.remove("client_id");
        Path file = dir.resolve("key.json");
        Files.writeString(file, Json.write(key));

        Proc.Result fromStdin = runWithStdin(file, "login", "--credentials", "-", "--hostname", emulator.baseUrl());

        assertEquals(1, fromStdin.exitCode(), fromStdin.describe());
        assertTrue(fromStdin.err().contains("invalid service account key from stdin: missing client_id, private_key_id"),
            fromStdin.describe());
        assertEquals(0, emulator.tokenRequestCount(JwtBearer.GRANT_TYPE));
        assertNoKeyMaterial(fromStdin.out() + fromStdin.err());
    }

    Proc.Result runWithStdin(Path input, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", "exec \"$@\" < \"$0\"", input.toString()));
        command.addAll(sandbox.datumctlCommand(args));
        return Proc.run(command, sandbox.env(), dir, 120);
    }

    @Test
    void missingKeyFileIsNamed() {
        Proc.Result login = sandbox.datumctl("login", "--credentials", dir.resolve("nope.json").toString());

        assertEquals(1, login.exitCode(), login.describe());
        assertTrue(login.err().contains("the service account key file " + dir.resolve("nope.json") + " does not exist"),
            login.describe());
    }
}
