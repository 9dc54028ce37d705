package unit;

import auth.GetToken;
import com.fasterxml.jackson.core.JsonFactory;
import lib.CredentialStore;
import lib.ExecEntry;
import lib.Json;
import lib.StoredSession;
import lib.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec stanza kubectl runs, in both modes, and the stable copy of the plugin's jars. */
class ExecEntryTest {

    static final String SESSION = "ada@example.com@api.example.test";
    static final List<String> GET_TOKEN = List.of("auth", "get-token", "--output=client.authentication.k8s.io/v1",
        "--session=" + SESSION);

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static List<String> args(Map<String, Object> exec) {
        return (List<String>) exec.get("args");
    }

    @Test
    void getTokenArgsWithAndWithoutSession() {
        assertEquals(GET_TOKEN, ExecEntry.getTokenArgs(SESSION));
        assertEquals(List.of("auth", "get-token", "--output=client.authentication.k8s.io/v1"), ExecEntry.getTokenArgs(null));
    }

    @Test
    void jbangStanza() {
        Map<String, Object> exec = ExecEntry.jbangStanza("/opt/datumctl/jbang", "get-token@/src/datumctl", SESSION,
            ExecEntry.InteractiveMode.NEVER);

        assertEquals(List.of("apiVersion", "command", "args", "env", "interactiveMode", "installHint", "provideClusterInfo"),
            new ArrayList<>(exec.keySet()));
        assertEquals("client.authentication.k8s.io/v1", exec.get("apiVersion"));
        assertEquals("/opt/datumctl/jbang", exec.get("command"));
        List<String> expected = new ArrayList<>(List.of("--quiet", "get-token@/src/datumctl"));
        expected.addAll(GET_TOKEN);
        assertEquals(expected, args(exec));
        assertEquals(List.of(Map.of("name", "JBANG_NO_VERSION_CHECK", "value", "true"),
            Map.of("name", "JBANG_JAVA_OPTIONS", "value", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto")),
            exec.get("env"));
        assertEquals("Never", exec.get("interactiveMode"));
        assertEquals(false, exec.get("provideClusterInfo"));
        assertTrue(((String) exec.get("installHint")).contains("jbang datumctl@datum-cloud/datumctl-jbang login"),
            (String) exec.get("installHint"));
        assertEquals("get-token@datum-cloud/datumctl-jbang", ExecEntry.DEFAULT_JBANG_REF);
    }

    @Test
    void javaStanza() {
        Path java = Path.of("/opt/jdk/bin/java");
        List<Path> classPath = List.of(Path.of("/h/exec/abc/datumctl.jar"), Path.of("/h/exec/abc/jackson-core.jar"));

        Map<String, Object> exec = ExecEntry.javaStanza(java, classPath, Path.of("/h/exec/abc/get-token.jsa"),
            "auth.GetToken", null, ExecEntry.InteractiveMode.IF_AVAILABLE);

        assertEquals("/opt/jdk/bin/java", exec.get("command"));
        List<String> expected = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
            "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:SharedArchiveFile=/h/exec/abc/get-token.jsa", "-cp",
            "/h/exec/abc/datumctl.jar" + File.pathSeparator + "/h/exec/abc/jackson-core.jar", "auth.GetToken"));
        expected.addAll(List.of("auth", "get-token", "--output=client.authentication.k8s.io/v1"));
        assertEquals(expected, args(exec));
        assertEquals("IfAvailable", exec.get("interactiveMode"));
        assertEquals("client.authentication.k8s.io/v1", exec.get("apiVersion"));
        assertEquals(false, exec.get("provideClusterInfo"));
        assertTrue(exec.containsKey("installHint"));
        assertTrue(!exec.containsKey("env"), "java mode needs no environment");

        Map<String, Object> withoutArchive = ExecEntry.javaStanza(java, classPath, null, "auth.GetToken", null,
            ExecEntry.InteractiveMode.IF_AVAILABLE);
        assertTrue(args(withoutArchive).stream().noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile")),
            args(withoutArchive).toString());
    }

    @Test
    void interactiveModeParsed() {
        assertEquals(ExecEntry.InteractiveMode.NEVER, ExecEntry.InteractiveMode.parse("Never"));
        assertEquals(ExecEntry.InteractiveMode.IF_AVAILABLE, ExecEntry.InteractiveMode.parse("ifavailable"));
        assertEquals(ExecEntry.InteractiveMode.ALWAYS, ExecEntry.InteractiveMode.parse("ALWAYS"));
    }

    @Test
    void invalidInteractiveModeIsUsageError() {
        for (String value : List.of("Sometimes", "", "If Available")) {
            UserError error = assertThrows(UserError.class, () -> ExecEntry.InteractiveMode.parse(value));

            assertEquals(2, error.exitCode());
            assertTrue(error.getMessage().contains("invalid exec interactive mode " + value), error.getMessage());
            assertTrue(error.hint().contains("Never, IfAvailable"), error.hint());
        }
    }

    @Test
    void invalidExecModeIsUsageError() {
        assertEquals(ExecEntry.Mode.JBANG, ExecEntry.Mode.parse("jbang"));
        UserError error = assertThrows(UserError.class, () -> ExecEntry.Mode.parse("native"));
        assertEquals(2, error.exitCode());
    }

    @Test
    void jarOfClassOutsideJarSuggestsJbangMode() {
        assertTrue(ExecEntry.jarOf(JsonFactory.class).toString().endsWith(".jar"));

        UserError error = assertThrows(UserError.class, () -> ExecEntry.jarOf(String.class));

        assertTrue(error.getMessage().contains("java.lang.String"), error.getMessage());
        assertTrue(error.hint().contains("--exec-mode jbang"), error.hint());
    }

    @Test
    void stableCopiesNamedByContent() throws Exception {
        Path plugin = Files.write(dir.resolve("plugin.jar"), "plugin bytes".getBytes(StandardCharsets.UTF_8));
        Path library = Files.write(dir.resolve("library.jar"), "library bytes".getBytes(StandardCharsets.UTF_8));
        Path execDir = dir.resolve("home/exec");

        List<Path> copies = ExecEntry.stableCopies(execDir, List.of(plugin, library));
        List<Path> again = ExecEntry.stableCopies(execDir, List.of(plugin, library));

        assertEquals(copies, again);
        assertEquals(execDir, copies.get(0).getParent().getParent());
        assertEquals(List.of("plugin.jar", "library.jar"), copies.stream().map(p -> p.getFileName().toString()).toList());
        assertArrayEquals(Files.readAllBytes(plugin), Files.readAllBytes(copies.get(0)));
        assertArrayEquals(Files.readAllBytes(library), Files.readAllBytes(copies.get(1)));

        Files.writeString(plugin, "plugin bytes, rebuilt");
        List<Path> rebuilt = ExecEntry.stableCopies(execDir, List.of(plugin, library));
        assertNotEquals(copies.get(0).getParent(), rebuilt.get(0).getParent());
        assertEquals("plugin bytes", Files.readString(copies.get(0)), "an older copy may still be in use");
        try (Stream<Path> folders = Files.list(execDir)) {
            assertEquals(2, folders.count(), "only the two content folders, no temporary ones");
        }
    }

    @Test
    void stableCopiesSafeInParallel() throws Exception {
        Path plugin = Files.write(dir.resolve("plugin.jar"), new byte[200_000]);
        Path library = Files.write(dir.resolve("library.jar"), "library".getBytes(StandardCharsets.UTF_8));
        Path execDir = dir.resolve("exec");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Path>>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(() -> ExecEntry.stableCopies(execDir, List.of(plugin, library))));
            }
            List<Path> first = runs.get(0).get();
            for (Future<List<Path>> run : runs) {
                assertEquals(first, run.get());
            }
            assertEquals(200_000, Files.size(first.get(0)));
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> folders = Files.list(execDir)) {
            assertEquals(1, folders.count(), "temporary folders left behind");
        }
    }

    /** Installs the java plugin, then runs its stanza exactly as kubectl would and reads the ExecCredential. */
    @Test
    void javaStanzaRunsPlugin() throws Exception {
        Path home = dir.resolve("datumctl-home");
        String idToken = jwt(Instant.parse("2100-01-01T00:00:00Z"));
        StoredSession session = StoredSession.create()
            .set("hostname", "auth.example.test").set("api_hostname", "api.example.test")
            .set("user_email", "ada@example.com").set("id_token", idToken)
            .set("token", Map.of("access_token", "opaque", "expiry", "2100-01-01T00:00:00Z"));
        new CredentialStore(home.resolve("credentials.json")).put(session.userKey(), session.toJson());
        ExecEntry.JavaPlugin plugin = ExecEntry.installJavaPlugin(home.resolve("exec"), ExecEntry.currentJava(),
            GetToken.class, List.of(JsonFactory.class));
        Map<String, Object> exec = ExecEntry.javaStanza(ExecEntry.currentJava(), plugin.classPath(), plugin.archive(),
            GetToken.class.getName(), SESSION, ExecEntry.InteractiveMode.NEVER);

        assertEquals(null, plugin.archiveProblem());
        assertTrue(Files.size(plugin.archive()) > 0, plugin.archive().toString());
        assertEquals(ExecEntry.PLUGIN_JAR, plugin.classPath().get(0).getFileName().toString());
        List<String> command = new ArrayList<>();
        command.add((String) exec.get("command"));
        command.addAll(args(exec));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        builder.environment().put("DATUMCTL_HOME", home.toString());
        builder.environment().put("KUBERNETES_EXEC_INFO",
            "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}");
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));

        assertEquals(0, process.exitValue(), stderr);
        Map<String, Object> credential = Json.parseObject(stdout.trim());
        assertEquals("ExecCredential", credential.get("kind"));
        assertEquals("client.authentication.k8s.io/v1", credential.get("apiVersion"));
        assertEquals(idToken, Json.obj(credential, "status").get("token"));
        assertEquals("", stderr, "a usable archive gives no JVM warning");
    }

    @Test
    void pluginJarHoldsOnlyReachableClasses() throws Exception {
        Path execDir = dir.resolve("exec");

        ExecEntry.JavaPlugin first = ExecEntry.installJavaPlugin(execDir, ExecEntry.currentJava(), GetToken.class,
            List.of(JsonFactory.class));
        ExecEntry.JavaPlugin second = ExecEntry.installJavaPlugin(execDir, ExecEntry.currentJava(), GetToken.class,
            List.of(JsonFactory.class));

        assertEquals(first.classPath(), second.classPath(), "the same classes give the same jar and folder");
        List<String> entries;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(first.classPath().get(0).toFile())) {
            entries = jar.stream().map(java.util.jar.JarEntry::getName).toList();
        }
        assertTrue(entries.contains("auth/GetToken.class"), entries.toString());
        assertTrue(entries.contains("lib/TokenSource.class"), entries.toString());
        assertTrue(entries.contains("lib/Json.class"), entries.toString());
        for (String absent : List.of("lib/Kubeconfig.class", "auth/UpdateKubeconfig.class", "auth/Login.class")) {
            assertTrue(!entries.contains(absent), absent + " is not needed by get-token: " + entries);
        }
    }

    @Test
    void staleArchiveIsMadeAgain() throws Exception {
        Path execDir = dir.resolve("exec");
        ExecEntry.JavaPlugin plugin = ExecEntry.installJavaPlugin(execDir, ExecEntry.currentJava(), GetToken.class,
            List.of(JsonFactory.class));
        Path stamp = plugin.archive().resolveSibling("get-token.jsa.stamp");
        Files.writeString(stamp, "java /some/older/jdk/bin/java\n");
        Files.write(plugin.archive(), new byte[] {1, 2, 3});

        ExecEntry.JavaPlugin again = ExecEntry.installJavaPlugin(execDir, ExecEntry.currentJava(), GetToken.class,
            List.of(JsonFactory.class));

        assertEquals(plugin.archive(), again.archive());
        assertTrue(Files.size(again.archive()) > 1000, "the archive was made again");
        assertNotEquals("java /some/older/jdk/bin/java\n", Files.readString(stamp));
    }

    static String jwt(Instant exp) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"u1\",\"exp\":" + exp.getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".c2lnbmF0dXJl";
    }
}
