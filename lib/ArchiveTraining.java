package lib;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the class-data sharing (CDS) archive that JBang makes for datumctl full and current.
 *
 * <p>With {@code jbang --cds}, JBang starts datumctl with -XX:ArchiveClassesAtExit while no
 * archive sits beside its jar, and with -XX:SharedArchiveFile once one does; every later start
 * then maps the archive instead of parsing and verifying the same classes again. Two gaps remain,
 * and {@link #install()} with {@link #atExit()} closes both:
 * <ul>
 * <li>The JVM archives only the classes loaded by the end of that first run, so a first
 *     `datumctl login` or `version` would leave out the TLS, java.net.http and table classes
 *     `datumctl get` needs. The archiving run therefore also loads the classes listed in
 *     {@value #CLASS_LIST}, which `bench/run-all classlist` records from everyday commands. A
 *     run stopped before that (Ctrl-C) leaves its archive stamped as unfilled.</li>
 * <li>JBang makes the archive only when it is missing, but the JVM ignores an archive once the
 *     JDK or a jar changed (a JDK update, `jbang --fresh`). So the archiving run writes a stamp
 *     of the JDK and the jars beside the archive. A later run that finds a different or unfilled
 *     stamp deletes the archive, and JBang makes a new one on the next start. An archive without
 *     a stamp was not made here and is left alone.</li>
 * </ul>
 *
 * <p>Loading does not initialize: no static initializer of a listed class runs. A listed class
 * that no longer exists is skipped, so a stale list costs speed, never correctness.
 */
public final class ArchiveTraining {

    /** The class list, one binary class name per line, at the root of datumctl's jar. */
    public static final String CLASS_LIST = "archive-classes.txt";

    private static final String WRITE_OPTION = "-XX:ArchiveClassesAtExit=";
    private static final String USE_OPTION = "-XX:SharedArchiveFile=";
    private static final String STAMP_SUFFIX = ".stamp";
    /** The first line of the stamp while the archiving run has not loaded the class list. */
    private static final String UNFILLED = "unfilled\n";
    /** The first four bytes of a HotSpot dynamic CDS archive, in the machine's byte order. */
    private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;

    private ArchiveTraining() {
    }

    /** The archive this JVM writes at exit, or null. */
    private static Path writing;

    /**
     * Stamps the archive this JVM writes at exit as unfilled, so that a run stopped before
     * {@link #atExit()} (Ctrl-C, SIGTERM) leaves one the next run deletes. Deletes the archive
     * this JVM runs with when it is stale, unfilled or cut short. Call it early in main; it
     * swallows failures, because without the archive datumctl starts slower and works the same.
     */
    // NOTE: this reads the JVM's options from /proc, so on macOS and Windows the archive keeps
    // only the first command's classes and is not made again after a JDK update.
    public static void install() {
        try {
            List<String> arguments = jvmArguments();
            String target = option(arguments, WRITE_OPTION);
            String using = option(arguments, USE_OPTION);
            if (target != null) {
                writing = Path.of(target);
                writeStamp(UNFILLED);
            } else if (using != null) {
                dropIfStale(Path.of(using));
            }
        } catch (IOException | RuntimeException e) {
            // Without the archive datumctl starts slower, and works the same.
        }
    }

    /**
     * Loads the listed classes into the archive this JVM writes at exit, and stamps it as filled.
     * Call it last in main: the JVM collects the classes before shutdown hooks run, so a hook
     * would be too late.
     */
    public static void atExit() {
        if (writing == null) {
            return;
        }
        try {
            ClassLoader loader = ArchiveTraining.class.getClassLoader();
            try (InputStream list = loader.getResourceAsStream(CLASS_LIST)) {
                if (list != null) {
                    load(list, loader);
                }
            }
            writeStamp("");
        } catch (IOException | RuntimeException e) {
            // The JVM still writes the archive, and the next run deletes it as unfilled.
        }
    }

    private static void writeStamp(String prefix) throws IOException {
        AtomicFiles.write(stampFile(writing), (prefix + stamp()).getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * Deletes an archive this class stamped when the stamp no longer matches or marks it unfilled.
     * Also deletes it when the file does not start with the dynamic archive's magic number: the
     * JVM writes the header last, so one killed while writing leaves zeros there. Leaves any
     * archive without a stamp alone.
     */
    private static void dropIfStale(Path archive) throws IOException {
        byte[] recorded = AtomicFiles.readIfExists(stampFile(archive));
        if (recorded != null && (!stamp().equals(new String(recorded, StandardCharsets.UTF_8)) || !complete(archive))) {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(stampFile(archive));
        }
    }

    private static boolean complete(Path archive) throws IOException {
        byte[] start = new byte[4];
        try (InputStream in = Files.newInputStream(archive)) {
            if (in.readNBytes(start, 0, start.length) < start.length) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return true;
        }
        return ByteBuffer.wrap(start).order(ByteOrder.nativeOrder()).getInt() == DYNAMIC_ARCHIVE_MAGIC;
    }

    private static Path stampFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + STAMP_SUFFIX);
    }

    /** Returns what an archive depends on: this JDK's files and the jars of the class path. */
    private static String stamp() throws IOException {
        List<Path> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(Path.of(entry));
        }
        return CdsArchive.stamp(Path.of(System.getProperty("java.home"), "bin", "java"), List.of(), classPath);
    }

    /** Loads, without initializing, every class named in list; returns how many were found. */
    public static int load(InputStream list, ClassLoader loader) throws IOException {
        int loaded = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // Renamed or removed since the list was recorded.
            }
        }
        return loaded;
    }

    /** Returns the JVM's command line where Linux shows it, because the JDK has no public API for -XX options. */
    private static List<String> jvmArguments() throws IOException {
        Path commandLine = Path.of("/proc/self/cmdline");
        if (!Files.isReadable(commandLine)) {
            return List.of();
        }
        return List.of(new String(Files.readAllBytes(commandLine), StandardCharsets.UTF_8).split("\0"));
    }

    /** Returns the value of the JVM option with this prefix, looking only before the main class and its arguments. */
    private static String option(List<String> arguments, String prefix) {
        for (int i = 1; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("-cp") || argument.equals("-classpath") || argument.equals("--class-path")) {
                i++;
            } else if (!argument.startsWith("-") || argument.equals("-jar")) {
                return null;
            } else if (argument.startsWith(prefix)) {
                return argument.substring(prefix.length());
            }
        }
        return null;
    }
}
