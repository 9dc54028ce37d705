package unit;

import auth.Cli;
import auth.UpdateKubeconfig;
import lib.Sessions;
import lib.StoredSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `auth update-kubeconfig` as a user runs it: flags, sessions, and what it prints. */
class UpdateKubeconfigTest {

    @TempDir
    Path dir;

    String previousHome;
    Path kubeconfig;

    @BeforeEach
    void pointHomeAtTempDir() {
        previousHome = System.getProperty("datumctl.home");
        System.setProperty("datumctl.home", dir.resolve("datumctl").toString());
        kubeconfig = dir.resolve("kube/config");
    }

    @AfterEach
    void restoreHome() {
        if (previousHome == null) {
            System.clearProperty("datumctl.home");
        } else {
            System.setProperty("datumctl.home", previousHome);
        }
    }

    record Result(int exitCode, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Cli.commandLine(new UpdateKubeconfig());
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static void login(String caData) {
        StoredSession session = StoredSession.create()
            .set("hostname", "127.0.0.1:8443")
            .set("api_hostname", "127.0.0.1:8443")
            .set("client_id", "datumctl-local")
            .set("user_email", "ada@example.com")
            .set("certificate_authority_data", caData)
            .set("token", Map.of("access_token", "opaque", "expiry", "2100-01-01T00:00:00Z"));
        Sessions.open().saveLogin(session, "https://127.0.0.1:8443");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> item(String listKey, int index) throws Exception {
        Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(kubeconfig));
        return ((List<Map<String, Object>>) document.get(listKey)).get(index);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> exec() throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) item("users", 0).get("user")).get("exec");
    }

    @Test
    void organizationOrProjectRequired() {
        Result neither = run("--kubeconfig", kubeconfig.toString());
        Result both = run("--organization", "acme", "--project", "demo", "--kubeconfig", kubeconfig.toString());

        assertEquals(2, neither.exitCode());
        assertTrue(neither.err().contains("--organization"), neither.err());
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        assertFalse(Files.exists(kubeconfig));
    }

    @Test
    void invalidInteractiveModeRejected() {
        login(null);

        Result result = run("--organization", "acme", "--kubeconfig", kubeconfig.toString(), "--exec-interactive-mode", "Sometimes");

        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("invalid exec interactive mode Sometimes"), result.err());
        assertFalse(Files.exists(kubeconfig));
    }

    @Test
    void noSessionNamesLogin() {
        Result result = run("--organization", "acme", "--kubeconfig", kubeconfig.toString());

        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("datumctl login"), result.err());
        assertFalse(Files.exists(kubeconfig));
    }

    @Test
    void activeSessionWrittenWithCa() throws Exception {
        login("Q0EtREFUQQ==");

        Result result = run("--project", "demo", "--kubeconfig", kubeconfig.toString(),
            "--exec-mode", "jbang", "--jbang-ref", "get-token@/src/datumctl", "--exec-interactive-mode", "Never");

        assertEquals(0, result.exitCode(), result.err());
        String server = "https://127.0.0.1:8443/apis/resourcemanager.miloapis.com/v1alpha1/projects/demo/control-plane";
        assertEquals(List.of(
            "Created " + kubeconfig + " (cluster datum-project-demo, user datum-ada@example.com@127.0.0.1:8443, "
                + "context datum-project-demo, current-context)",
            "Context:    datum-project-demo (current)",
            "User:       datum-ada@example.com@127.0.0.1:8443",
            "API server: " + server), result.out().lines().toList());
        assertEquals(Map.of("server", server, "certificate-authority-data", "Q0EtREFUQQ=="), item("clusters", 0).get("cluster"));
        assertEquals("Never", exec().get("interactiveMode"));
        List<String> args = new ArrayList<>(List.of("--quiet", "get-token@/src/datumctl", "auth", "get-token",
            "--output=client.authentication.k8s.io/v1", "--session=ada@example.com@127.0.0.1:8443"));
        assertEquals(args, exec().get("args"));
    }

    @Test
    void hostnameWithoutSessionOmitsSession() throws Exception {
        Result result = run("--organization", "acme", "--hostname", "api.example.test", "--kubeconfig", kubeconfig.toString(),
            "--exec-mode", "jbang");

        assertEquals(0, result.exitCode(), result.err());
        assertEquals("datum-active-session", item("users", 0).get("name"));
        assertEquals(List.of("--quiet", "get-token@datum-cloud/datumctl-jbang", "auth", "get-token",
            "--output=client.authentication.k8s.io/v1"), exec().get("args"));
        assertEquals(Map.of("server", "https://api.example.test/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane"),
            item("clusters", 0).get("cluster"));
    }

    @Test
    void sessionCaNotSentToOtherHostname() throws Exception {
        login("Q0EtREFUQQ==");

        Result result = run("--organization", "acme", "--hostname", "https://api.example.test", "--kubeconfig", kubeconfig.toString(),
            "--exec-mode", "jbang");

        assertEquals(0, result.exitCode(), result.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> cluster = (Map<String, Object>) item("clusters", 0).get("cluster");
        assertNull(cluster.get("certificate-authority-data"));
        assertEquals("datum-ada@example.com@127.0.0.1:8443", item("users", 0).get("name"));
    }

    @Test
    void unknownSessionRejected() {
        login(null);

        Result result = run("--organization", "acme", "--session", "bob@example.com@127.0.0.1:8443", "--kubeconfig", kubeconfig.toString());

        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("no stored session named bob@example.com@127.0.0.1:8443"), result.err());
    }

    @Test
    void javaModeRunsCopiedJarsWithThisJdk() throws Exception {
        login(null);

        Result result = run("--organization", "acme", "--kubeconfig", kubeconfig.toString());

        assertEquals(0, result.exitCode(), result.err());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertEquals(java, exec().get("command"));
        @SuppressWarnings("unchecked")
        List<String> args = (List<String>) exec().get("args");
        String classPath = args.get(args.indexOf("-cp") + 1);
        for (String jar : classPath.split(File.pathSeparator)) {
            assertTrue(jar.startsWith(dir.resolve("datumctl/exec").toString()), jar);
            assertTrue(Files.isRegularFile(Path.of(jar)), jar);
        }
        assertEquals("auth.GetToken", args.get(args.indexOf("-cp") + 2));
    }
}
