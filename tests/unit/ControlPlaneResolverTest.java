package unit;

import lib.ControlPlaneResolver;
import lib.CredentialStore;
import lib.Sessions;
import lib.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a command picks its control plane from flags, environment and kubeconfig contexts. */
class ControlPlaneResolverTest {

    static final String KUBECONFIG = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: datum-project-demo",
        "  cluster: {server: 'https://127.0.0.1:9443/apis/resourcemanager.miloapis.com/v1alpha1/projects/demo/control-plane'}",
        "- name: kind-dev",
        "  cluster: {server: 'https://127.0.0.1:6443'}",
        "users:",
        "- name: datum-bob",
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1",
        "      command: datumctl",
        "      args: [auth, get-token, --output=client.authentication.k8s.io/v1, --session=bob@example.com@127.0.0.1:9443]",
        "- name: dev-admin",
        "  user: {token: static}",
        "contexts:",
        "- name: datum-project-demo",
        "  context: {cluster: datum-project-demo, user: datum-bob, namespace: apps}",
        "- name: dev",
        "  context: {cluster: kind-dev, user: dev-admin}",
        "current-context: datum-project-demo",
        "");

    @TempDir
    Path dir;

    ControlPlaneResolver resolver(Map<String, String> env) {
        return new ControlPlaneResolver(env, dir, new Sessions(new CredentialStore(dir.resolve("credentials.json"))));
    }

    Path kubeconfig(String text) throws Exception {
        Path file = dir.resolve("config");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void currentDatumContextGivesServerSessionAndNamespace() throws Exception {
        Path file = kubeconfig(KUBECONFIG);

        ControlPlaneResolver.Target target = resolver(Map.of("KUBECONFIG", file.toString()))
            .resolve(new ControlPlaneResolver.Flags(null, null, null, null));

        assertTrue(target.server().endsWith("/projects/demo/control-plane"), target.server());
        assertEquals("bob@example.com@127.0.0.1:9443", target.sessionName());
        assertEquals("apps", target.namespace());
        assertNull(target.caPem());
    }

    @Test
    void nonDatumContextNamesUpdateKubeconfig() throws Exception {
        Path file = kubeconfig(KUBECONFIG.replace("current-context: datum-project-demo", "current-context: dev"));

        UserError current = assertThrows(UserError.class, () -> resolver(Map.of("KUBECONFIG", file.toString()))
            .resolve(new ControlPlaneResolver.Flags(null, null, null, null)));
        UserError named = assertThrows(UserError.class, () -> resolver(Map.of())
            .resolve(new ControlPlaneResolver.Flags(file.toString(), "dev", null, null)));

        assertTrue(current.getMessage().contains("'dev' is not a Datum Cloud context"), current.getMessage());
        assertTrue(current.hint().contains("datumctl auth update-kubeconfig"), current.hint());
        assertTrue(named.getMessage().contains("'dev-admin' does not run 'datumctl auth get-token'"), named.getMessage());
    }

    @Test
    void missingKubeconfigNamesUpdateKubeconfig() {
        UserError error = assertThrows(UserError.class, () -> resolver(Map.of("KUBECONFIG", dir.resolve("none").toString()))
            .resolve(new ControlPlaneResolver.Flags(null, null, null, null)));

        assertTrue(error.getMessage().contains("no Datum Cloud control plane selected"), error.getMessage());
        assertTrue(error.hint().contains("datumctl auth update-kubeconfig"), error.hint());
    }

    @Test
    void conflictingChoicesAreUsageErrors() throws Exception {
        Path file = kubeconfig(KUBECONFIG);

        UserError bothEnv = assertThrows(UserError.class, () -> resolver(
            Map.of("DATUM_ORGANIZATION", "acme", "DATUM_PROJECT", "demo", "KUBECONFIG", dir.resolve("none").toString()))
            .resolve(new ControlPlaneResolver.Flags(null, null, null, null)));
        UserError contextAndScope = assertThrows(UserError.class, () -> resolver(Map.of())
            .resolve(new ControlPlaneResolver.Flags(file.toString(), "dev", "acme", null)));
        UserError badId = assertThrows(UserError.class, () -> resolver(Map.of())
            .resolve(new ControlPlaneResolver.Flags(null, null, "../acme", null)));

        assertEquals(UserError.USAGE, bothEnv.exitCode());
        assertEquals("DATUM_ORGANIZATION and DATUM_PROJECT are both set", bothEnv.getMessage());
        assertEquals(UserError.USAGE, contextAndScope.exitCode());
        assertEquals(UserError.USAGE, badId.exitCode());
    }

    @Test
    void organizationFlagNeedsLogin() throws Exception {
        Path file = kubeconfig(KUBECONFIG);

        UserError error = assertThrows(UserError.class, () -> resolver(Map.of("KUBECONFIG", file.toString()))
            .resolve(new ControlPlaneResolver.Flags(null, null, "acme", null)));

        assertEquals("you are not logged in", error.getMessage());
    }
}
