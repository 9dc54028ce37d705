package e2e;

import emulator.Emulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * datumctl's class-data sharing archive, made as `jbang --cds` makes it. The first run, whatever
 * its command, writes the archive at exit without printing anything extra. A later `get` finds
 * its TLS, HTTP and table classes in that archive. An archive the JVM would ignore (a jar
 * changed, the write was cut short) or that lacks those classes (the first run was stopped) is
 * deleted, so that JBang makes it again.
 */
class ClassArchiveTest {

    @TempDir
    Path dir;

    Emulator emulator;
    Sandbox sandbox;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com").withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve("tls")));
        sandbox = new Sandbox(dir.resolve("home"));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void versionRunArchivesGetClasses() throws Exception {
        login();
        Path archive = dir.resolve("datumctl.jsa");

        Proc.Result first = run(List.of("-XX:ArchiveClassesAtExit=" + archive), "version");
        assertEquals(0, first.exitCode(), first.describe());
        assertTrue(first.out().startsWith("datumctl "), first.describe());
        assertEquals("", first.err(), "the archiving run printed on stderr");
        assertTrue(Files.size(archive) > 0, "no archive at " + archive);

        Path log = dir.resolve("class-load.txt");
        Proc.Result get = run(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info:file=" + log),
            "get", "projects", "--organization", "acme");
        assertEquals(0, get.exitCode(), get.describe());
        assertTrue(get.out().contains("demo"), get.describe());

        Map<String, String> sources = sources(log);
        for (String name : List.of("sun.security.ssl.ClientHello", "jdk.internal.net.http.HttpClientImpl",
            "com.fasterxml.jackson.core.json.ReaderBasedJsonParser", "lib.ResourcePrinter", "lib.TabWriter")) {
            assertEquals("shared objects file (top)", sources.get(name), name + " was not loaded from datumctl's archive");
        }
    }

    @Test
    void staleStampedArchiveIsDeleted() throws Exception {
        Path jar = dir.resolve("extra.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), new Manifest())) {
            out.flush();
        }
        Path archive = dir.resolve("datumctl.jsa");
        Path stamp = dir.resolve("datumctl.jsa.stamp");

        Proc.Result first = run(jar, List.of("-XX:ArchiveClassesAtExit=" + archive), "version");
        assertEquals(0, first.exitCode(), first.describe());
        assertTrue(Files.exists(archive), "the archiving run left no archive in " + dir);
        assertTrue(Files.exists(stamp), "the archiving run left no stamp in " + dir);

        Proc.Result current = run(jar, List.of("-XX:SharedArchiveFile=" + archive), "version");
        assertEquals(0, current.exitCode(), current.describe());
        assertTrue(Files.exists(archive), "a current archive was deleted");

        Files.setLastModifiedTime(jar, FileTime.from(Files.getLastModifiedTime(jar).toInstant().plusSeconds(60)));
        Proc.Result stale = run(jar, List.of("-XX:SharedArchiveFile=" + archive), "version");
        assertEquals(0, stale.exitCode(), stale.describe());
        assertEquals(current.out(), stale.out());
        assertEquals("", stale.err(), "the run with a stale archive printed on stderr");
        assertFalse(Files.exists(archive), "the archive made before the jar changed is still there, so JBang would keep it");
        assertFalse(Files.exists(stamp), "the stamp of the deleted archive is still there");

        Proc.Result remade = run(jar, List.of("-XX:ArchiveClassesAtExit=" + archive), "version");
        assertEquals(0, remade.exitCode(), remade.describe());
        Files.delete(stamp);
        Files.setLastModifiedTime(jar, FileTime.from(Files.getLastModifiedTime(jar).toInstant().plusSeconds(60)));
        Proc.Result unstamped = run(jar, List.of("-XX:SharedArchiveFile=" + archive), "version");
        assertEquals(0, unstamped.exitCode(), unstamped.describe());
        assertTrue(Files.exists(archive), "an archive without datumctl's stamp, so not made by datumctl, was deleted");
    }

    @Test
    void unfilledArchiveIsDeleted() throws Exception {
        login();
        Path archive = dir.resolve("datumctl.jsa");
        List<String> command = command(null, List.of("-XX:ArchiveClassesAtExit=" + archive),
            "get", "projects", "--organization", "acme", "-w");
        Process watch = Proc.start(command, sandbox.env(), sandbox.root());
        String firstLine = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertNotNull(firstLine, "get -w printed nothing");
        assertTrue(firstLine.startsWith("NAME"), "get -w printed no table header: " + firstLine);

        watch.destroy();
        Proc.Result stopped = Proc.await(command, watch, 60);
        assertTrue(Files.exists(archive), "the run stopped with SIGTERM left no archive: " + stopped.describe());
        assertTrue(Files.exists(dir.resolve("datumctl.jsa.stamp")), "the run stopped with SIGTERM left no stamp");

        // The stopped run never loaded the class list, so the next run drops its archive and the
        // one after that (JBang passes -XX:ArchiveClassesAtExit again) writes a full one.
        Proc.Result next = run(List.of("-XX:SharedArchiveFile=" + archive), "version");
        assertEquals(0, next.exitCode(), next.describe());
        assertFalse(Files.exists(archive), "the archive of the stopped run is still there, so JBang would never fill it");
    }

    @Test
    void archiveCutShortIsDeleted() throws Exception {
        Path archive = dir.resolve("datumctl.jsa");
        Proc.Result first = run(List.of("-XX:ArchiveClassesAtExit=" + archive), "version");
        assertEquals(0, first.exitCode(), first.describe());

        // A JVM killed while writing leaves zeros where the header goes, because it writes the header last.
        try (FileChannel file = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate(4096), 0);
        }
        Proc.Result cut = run(List.of("-XX:SharedArchiveFile=" + archive), "version");
        assertEquals(first.out(), cut.out());
        assertEquals("", cut.err(), "the run with a damaged archive printed on stderr");
        assertFalse(Files.exists(archive), "the damaged archive is still there, so JBang would never write a new one");
    }

    private void login() {
        Proc.Result login = sandbox.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertEquals(0, login.exitCode(), login.describe());
    }

    private Proc.Result run(List<String> extra, String... args) throws Exception {
        return run(null, extra, args);
    }

    /**
     * Runs datumctl with the JVM options JBang adds (the //JAVA_OPTIONS of its sources), then extra.
     * When extraJar is given, it goes at the end of the class path.
     */
    private Proc.Result run(Path extraJar, List<String> extra, String... args) throws Exception {
        return Proc.run(command(extraJar, extra, args), sandbox.env(), sandbox.root(), 120);
    }

    private List<String> command(Path extraJar, List<String> extra, String... args) throws Exception {
        List<String> command = sandbox.datumctlCommand(args);
        if (extraJar != null) {
            int classPath = command.indexOf("-cp") + 1;
            command.set(classPath, command.get(classPath) + File.pathSeparator + extraJar);
        }
        List<String> options = new ArrayList<>(javaOptions());
        options.addAll(extra);
        command.addAll(1, options);
        return command;
    }

    private static List<String> javaOptions() throws Exception {
        for (String line : Files.readAllLines(Sandbox.checkout().resolve("auth").resolve("GetToken.java"))) {
            if (line.startsWith("//JAVA_OPTIONS ")) {
                return List.of(line.substring("//JAVA_OPTIONS ".length()).trim().split(" +"));
            }
        }
        throw new IllegalStateException("auth/GetToken.java has no //JAVA_OPTIONS line");
    }

    /** Returns each loaded class's name with the source -Xlog:class+load gives for it. */
    private static Map<String, String> sources(Path log) throws Exception {
        Map<String, String> sources = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            int end = line.lastIndexOf("] ");
            int source = line.indexOf(" source: ");
            if (end >= 0 && source > end) {
                sources.put(line.substring(end + 2, source), line.substring(source + " source: ".length()));
            }
        }
        return sources;
    }
}
