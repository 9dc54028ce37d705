package e2e;

import emulator.Emulator;
import lib.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs datumctl's kubectl-style commands and real kubectl against the same emulator and the same
 * kubeconfig context, and compares what a user sees: stdout byte for byte, and the exit code.
 * Ada is an owner of organization acme (context for acme); Bob is only a viewer of project demo
 * (context for demo), so every "yes" has a "no" beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlParityTest {

    @TempDir
    static Path dir;

    Emulator adaEmulator;
    Emulator bobEmulator;
    Sandbox ada;
    Sandbox bob;

    @BeforeAll
    void logInBothUsers() throws Exception {
        adaEmulator = start("ada@example.com", "ada-tls");
        bobEmulator = start("bob@example.com", "bob-tls");
        ada = loggedIn(adaEmulator, dir.resolve("ada"), "--organization", "acme");
        bob = loggedIn(bobEmulator, dir.resolve("bob"), "--project", "demo");
    }

    @AfterAll
    void stopEmulators() {
        for (Emulator emulator : new Emulator[] {adaEmulator, bobEmulator}) {
            if (emulator != null) {
                emulator.close();
            }
        }
    }

    Emulator start(String email, String tlsDir) throws Exception {
        return Emulator.start(Emulator.Options.defaults().withApproveAs(email).withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve(tlsDir)));
    }

    static Sandbox loggedIn(Emulator emulator, Path root, String scopeFlag, String id) {
        Sandbox sandbox = new Sandbox(root);
        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertEquals(0, login.exitCode(), login.describe());
        Proc.Result update = sandbox.datumctl("auth", "update-kubeconfig", scopeFlag, id);
        assertEquals(0, update.exitCode(), update.describe());
        return sandbox;
    }

    /** Runs `datumctl ARGS` and `kubectl ARGS` in the sandbox and asserts equal stdout and exit code. */
    static Proc.Result[] assertSame(Sandbox sandbox, String... args) {
        Proc.Result ours = sandbox.datumctl(args);
        Proc.Result theirs = sandbox.kubectl(args);
        String both = "\n=== datumctl ===\n" + ours.describe() + "\n=== kubectl ===\n" + theirs.describe();
        assertEquals(theirs.exitCode(), ours.exitCode(), "exit code differs" + both);
        assertEquals(theirs.out(), ours.out(), "stdout differs" + both);
        return new Proc.Result[] {ours, theirs};
    }

    @Test
    void whoamiTableMatches() {
        for (Sandbox sandbox : List.of(ada, bob)) {
            Proc.Result[] results = assertSame(sandbox, "auth", "whoami");
            assertEquals(0, results[0].exitCode(), results[0].describe());
            assertTrue(results[0].out().startsWith("ATTRIBUTE   VALUE\nUsername    "), results[0].describe());
        }
        assertTrue(ada.datumctl("auth", "whoami").out().contains("ada@example.com"));
        assertTrue(bob.datumctl("auth", "whoami").out().contains("bob@example.com"));
    }

    @Test
    void whoamiJsonAndYamlMatch() {
        for (Sandbox sandbox : List.of(ada, bob)) {
            // Each review carries its own creationTimestamp, so that one line may differ by a second.
            Proc.Result ours = sandbox.datumctl("auth", "whoami", "-o", "json");
            Proc.Result theirs = sandbox.kubectl("auth", "whoami", "-o", "json");
            assertEquals(withoutTimestamp(theirs.out()), withoutTimestamp(ours.out()), ours.describe() + theirs.describe());
            Map<String, Object> review = Json.parseObject(ours.out());
            assertEquals("SelfSubjectReview", review.get("kind"));

            Proc.Result oursYaml = sandbox.datumctl("auth", "whoami", "-o", "yaml");
            Proc.Result theirsYaml = sandbox.kubectl("auth", "whoami", "-o", "yaml");
            assertEquals(0, oursYaml.exitCode(), oursYaml.describe());
            assertEquals(withoutTimestamp(theirsYaml.out()), withoutTimestamp(oursYaml.out()),
                oursYaml.describe() + theirsYaml.describe());
        }
    }

    static String withoutTimestamp(String text) {
        return String.join("\n", text.lines().filter(line -> !line.contains("creationTimestamp")).toList());
    }

    @Test
    void canIYesMatches() {
        Proc.Result owner = assertSame(ada, "auth", "can-i", "create", "projects")[0];
        Proc.Result viewer = assertSame(bob, "auth", "can-i", "list", "domains", "-n", "default")[0];
        Proc.Result qualified = assertSame(ada, "auth", "can-i", "delete", "projects.resourcemanager.miloapis.com/demo")[0];
        Proc.Result shortName = assertSame(bob, "auth", "can-i", "get", "dz", "--all-namespaces")[0];

        for (Proc.Result result : List.of(owner, viewer, qualified, shortName)) {
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals("yes\n", result.out(), result.describe());
        }
    }

    @Test
    void canINoMatches() {
        Proc.Result create = assertSame(bob, "auth", "can-i", "create", "domains", "-n", "default")[0];
        Proc.Result kind = assertSame(bob, "auth", "can-i", "delete", "HTTPProxy/web", "--subresource", "status")[0];
        Proc.Result everything = assertSame(bob, "auth", "can-i", "*", "*")[0];
        // kubectl 1.32 takes the name only as TYPE/NAME; datumctl also accepts it as a third argument.
        Proc.Result separateName = bob.datumctl("auth", "can-i", "delete", "HTTPProxy", "web", "--subresource", "status");

        for (Proc.Result result : List.of(create, kind, everything, separateName)) {
            assertEquals(1, result.exitCode(), result.describe());
            assertTrue(result.out().startsWith("no - "), result.describe());
        }
        assertEquals(kind.out(), separateName.out());
    }

    @Test
    void canIQuietPrintsNothing() {
        Proc.Result no = assertSame(bob, "auth", "can-i", "create", "dnszones", "-q")[0];
        Proc.Result yes = assertSame(ada, "auth", "can-i", "list", "projects", "--quiet")[0];

        assertEquals(1, no.exitCode(), no.describe());
        assertEquals(0, yes.exitCode(), yes.describe());
        assertEquals("", no.out());
        assertEquals("", yes.out());
    }

    @Test
    void canIListMatches() {
        Proc.Result owner = assertSame(ada, "auth", "can-i", "--list")[0];
        Proc.Result viewer = assertSame(bob, "auth", "can-i", "--list", "-n", "default")[0];
        assertSame(bob, "auth", "can-i", "--list", "--no-headers");

        assertTrue(owner.out().startsWith("Resources   Non-Resource URLs   Resource Names   Verbs\n*.*"), owner.describe());
        assertTrue(viewer.out().contains("domains.networking.datumapis.com"), viewer.describe());
        assertFalse(viewer.out().contains("*.*"), viewer.describe());
    }

    @Test
    void canIWarnsWhenClusterScopedTypeGetsNamespace() {
        Proc.Result[] results = assertSame(ada, "auth", "can-i", "list", "projects", "-n", "apps");

        String warning = "Warning: resource 'projects' is not namespace scoped in group 'resourcemanager.miloapis.com'";
        assertTrue(results[1].err().contains(warning), results[1].describe());
        assertTrue(results[0].err().contains(warning), results[0].describe());
    }

    @Test
    void canIUnknownTypeIsAnError() {
        // kubectl only warns about an unknown type and asks anyway; Bob's role allows nothing on it,
        // so kubectl answers "no" (exit 1) and datumctl fails with exit 1 before asking.
        Proc.Result ours = bob.datumctl("auth", "can-i", "create", "gizmos");
        Proc.Result theirs = bob.kubectl("auth", "can-i", "create", "gizmos");

        assertEquals(1, theirs.exitCode(), theirs.describe());
        assertEquals(theirs.exitCode(), ours.exitCode(), ours.describe());
        assertTrue(theirs.err().contains("doesn't have a resource type 'gizmos'"), theirs.describe());
        assertTrue(ours.err().contains("doesn't have a resource type \"gizmos\""), ours.describe());
        assertTrue(ours.err().contains("datumctl api-resources"), ours.describe());
        assertEquals("", ours.out());
    }

    @Test
    void apiResourcesMatches() {
        List<List<String>> variants = List.of(List.of(), List.of("-o", "wide"), List.of("-o", "name"),
            List.of("--namespaced=false"), List.of("--namespaced=true"), List.of("--api-group", "networking.datumapis.com"),
            List.of("--sort-by", "kind"), List.of("--sort-by", "name", "--no-headers"), List.of("--verbs", "create"),
            List.of("--categories", "dns", "-o", "wide"));
        for (Sandbox sandbox : List.of(ada, bob)) {
            for (List<String> variant : variants) {
                List<String> args = new ArrayList<>(List.of("api-resources"));
                args.addAll(variant);
                Proc.Result ours = assertSame(sandbox, args.toArray(String[]::new))[0];
                assertEquals(0, ours.exitCode(), ours.describe());
            }
        }
        Proc.Result projectTypes = bob.datumctl("api-resources");
        assertTrue(projectTypes.out().lines().anyMatch(line -> line.matches("httpproxies\\s+proxy\\s+networking\\.datumapis\\.com/v1alpha\\s+true\\s+HTTPProxy")),
            projectTypes.describe());
    }

    @Test
    void apiVersionsMatches() {
        Proc.Result organization = assertSame(ada, "api-versions")[0];
        Proc.Result project = assertSame(bob, "api-versions")[0];

        assertTrue(organization.out().contains("resourcemanager.miloapis.com/v1alpha1\n"), organization.describe());
        assertTrue(project.out().contains("networking.datumapis.com/v1alpha\n"), project.describe());
    }

    @Test
    void organizationFlagUsesActiveSession() {
        Proc.Result viaFlag = bob.datumctl("auth", "can-i", "list", "domains", "--project", "demo");
        Proc.Result viaKubectl = bob.kubectl("auth", "can-i", "list", "domains");
        Proc.Result forbidden = bob.datumctl("auth", "whoami", "--organization", "acme");

        assertEquals(viaKubectl.exitCode(), viaFlag.exitCode(), viaFlag.describe());
        assertEquals(viaKubectl.out(), viaFlag.out(), viaFlag.describe());
        assertEquals(1, forbidden.exitCode(), forbidden.describe());
        assertTrue(forbidden.err().contains("forbidden (403)"), forbidden.describe());
        assertTrue(forbidden.err().contains("not a member of organization"), forbidden.describe());
    }

    @Test
    void withoutDatumContextNamesUpdateKubeconfig() {
        Sandbox empty = new Sandbox(dir.resolve("nobody"));

        Proc.Result result = empty.datumctl("api-resources");

        assertNotEquals(0, result.exitCode(), result.describe());
        assertTrue(result.err().contains("datumctl auth update-kubeconfig"), result.describe());
    }
}
