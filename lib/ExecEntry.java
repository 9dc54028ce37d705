package lib;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The exec stanza of a kubeconfig user: how kubectl starts `datumctl auth get-token` to get a
 * credential. Two ways to start it: with this JDK from a stable copy of the plugin's jars (fast),
 * or through JBang and the published catalog alias (follows catalog updates, slower start).
 */
public final class ExecEntry {

    public static final String API_VERSION = ExecCredential.V1;

    /** The JBang catalog that publishes datumctl; users and kubeconfig entries refer to it. */
    public static final String CATALOG = "datum-cloud/datumctl-jbang";
    public static final String DEFAULT_JBANG_REF = "get-token@" + CATALOG;

    public static final String INSTALL_HINT = String.join("\n",
        "This kubeconfig entry needs datumctl, the Datum Cloud CLI, which runs on JBang.",
        "Install JBang (https://www.jbang.dev/download/), then sign in and write the entry again:",
        "  jbang datumctl@" + CATALOG + " login",
        "  jbang datumctl@" + CATALOG + " auth update-kubeconfig --organization <id>");

    /**
     * JVM options for the plugin, chosen by measurement (bench/ and BENCHMARKS.md have the
     * numbers). C1 only and the serial collector suit a process that lives a fraction of a
     * second. -XX:-UsePerfData skips the hsperfdata file that every JVM otherwise creates in the
     * temporary folder. The -Xlog pair sends any JVM warning (such as an unusable CDS archive) to
     * stderr, because kubectl reads stdout as the credential.
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
        "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr");

    /** The file name of the lean plugin jar in the stable copy folder. */
    public static final String PLUGIN_JAR = "datumctl-get-token.jar";

    /** The java plugin as installed: the class path to run, and its CDS archive or why it has none. */
    public record JavaPlugin(List<Path> classPath, Path archive, String archiveProblem) {
    }

    /** The launcher kubectl uses for the plugin: this JDK directly, or JBang. */
    public enum Mode {
        JAVA, JBANG;

        public static Mode parse(String value) {
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(value)) {
                    return mode;
                }
            }
            throw UserError.usage("invalid exec mode " + value, "Use --exec-mode java or --exec-mode jbang.");
        }
    }

    /** When kubectl lets the plugin use the terminal, spelled as the kubeconfig field wants it. */
    public enum InteractiveMode {
        NEVER("Never"), IF_AVAILABLE("IfAvailable"), ALWAYS("Always");

        private final String value;

        InteractiveMode(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        /** Accepts the kubeconfig spelling in any letter case. */
        public static InteractiveMode parse(String text) {
            for (InteractiveMode mode : values()) {
                if (mode.value.equalsIgnoreCase(text)) {
                    return mode;
                }
            }
            throw UserError.usage("invalid exec interactive mode " + text,
                "Use one of Never, IfAvailable (the default) or Always.");
        }
    }

    private ExecEntry() {
    }

    /** Returns the get-token arguments: the output format, and the session unless sessionName is null. */
    public static List<String> getTokenArgs(String sessionName) {
        List<String> args = new ArrayList<>(List.of("auth", "get-token", "--output=" + API_VERSION));
        if (sessionName != null) {
            args.add("--session=" + sessionName);
        }
        return args;
    }

    /**
     * The stanza that runs mainClass with the java executable from the given class path, mapping
     * the CDS archive when there is one (null: none).
     */
    public static Map<String, Object> javaStanza(Path java, List<Path> classPath, Path archive, String mainClass,
                                                 String sessionName, InteractiveMode mode) {
        List<String> args = new ArrayList<>(JVM_OPTIONS);
        if (archive != null) {
            args.add(CdsArchive.useOption(archive));
        }
        args.add("-cp");
        args.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        args.add(mainClass);
        args.addAll(getTokenArgs(sessionName));
        return stanza(java.toString(), args, null, mode);
    }

    /**
     * JVM options for JBang's own launcher JVM, which resolves the script reference and prints the
     * command that runs it. C1 only and the serial collector cut its start by about 0.24 s
     * (bench/ measures it). The plugin's JVM gets its options from //JAVA_OPTIONS in GetToken.java.
     */
    static final String JBANG_LAUNCHER_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto";

    /**
     * The stanza that runs the plugin as a JBang script reference. JBANG_NO_VERSION_CHECK stops
     * the launcher from checking for a newer JBang on every kubectl call.
     */
    public static Map<String, Object> jbangStanza(String jbangCommand, String scriptRef, String sessionName,
                                                  InteractiveMode mode) {
        List<String> args = new ArrayList<>(List.of("--quiet", scriptRef));
        args.addAll(getTokenArgs(sessionName));
        List<Map<String, Object>> env = List.of(
            envVar("JBANG_NO_VERSION_CHECK", "true"),
            envVar("JBANG_JAVA_OPTIONS", JBANG_LAUNCHER_OPTIONS));
        return stanza(jbangCommand, args, env, mode);
    }

    private static Map<String, Object> envVar(String name, String value) {
        Map<String, Object> variable = new LinkedHashMap<>();
        variable.put("name", name);
        variable.put("value", value);
        return variable;
    }

    private static Map<String, Object> stanza(String command, List<String> args, List<Map<String, Object>> env,
                                              InteractiveMode mode) {
        Map<String, Object> exec = new LinkedHashMap<>();
        exec.put("apiVersion", API_VERSION);
        exec.put("command", command);
        exec.put("args", args);
        if (env != null) {
            exec.put("env", env);
        }
        exec.put("interactiveMode", mode.value());
        exec.put("installHint", INSTALL_HINT);
        exec.put("provideClusterInfo", false);
        return exec;
    }

    /**
     * Returns the java executable of the running JDK, as an absolute path.
     *
     * <p>NOTE: when JBang provisioned this JDK, it lives in JBang's cache, and the entry breaks if
     * that JDK is deleted; writing the entry again fixes it.
     */
    public static Path currentJava() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path java = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java").toAbsolutePath();
        if (!Files.isExecutable(java)) {
            throw new UserError("cannot find the java executable of this JDK at " + java,
                "Use --exec-mode jbang instead.");
        }
        return java;
    }

    /** Returns the jar a class was loaded from, or throws when it came from a folder or an unknown place. */
    public static Path jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        Path location = null;
        try {
            location = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            // Reported below like any other location that is not a jar file.
        }
        if (location == null || !Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
            throw new UserError("--exec-mode java needs " + type.getName() + " in a jar file, but it was loaded from "
                + (location == null ? "an unknown location" : location),
                "Run datumctl through JBang, or use --exec-mode jbang.");
        }
        return location;
    }

    /**
     * Installs the java plugin under execDir: a lean jar of mainClass and the classes it reaches
     * in its own jar, the jars of the libraries, both copied to a stable folder, and a CDS
     * archive beside them. The archive is an optimization, so failing to make one is reported in
     * the result instead of thrown.
     */
    public static JavaPlugin installJavaPlugin(Path execDir, Path java, Class<?> mainClass, List<Class<?>> libraries)
        throws IOException {
        AtomicFiles.createPrivateDir(execDir);
        Path staging = Files.createTempDirectory(execDir, ".lean-");
        List<Path> copies;
        try {
            Path lean = staging.resolve(PLUGIN_JAR);
            LeanJar.write(jarOf(mainClass), mainClass.getName(), lean);
            List<Path> jars = new ArrayList<>(List.of(lean));
            for (Class<?> library : libraries) {
                jars.add(jarOf(library));
            }
            copies = stableCopies(execDir, jars);
        } finally {
            deleteTree(staging);
        }
        try {
            Path archive = CdsArchive.ensure(copies.get(0).getParent(), java, JVM_OPTIONS, copies, mainClass.getName());
            return new JavaPlugin(copies, archive, null);
        } catch (IOException e) {
            return new JavaPlugin(copies, null, e.getMessage());
        }
    }

    /**
     * Copies the jars into execDir/&lt;hash of their contents&gt;/ and returns the copies. The
     * originals may sit in JBang's cache, which `jbang cache clear` wipes, while kubeconfig
     * entries must keep working. The folder is filled under a temporary name and renamed, so
     * parallel runs never see or clash on a half-copied folder.
     *
     * <p>NOTE: folders of older builds are never removed, because kubeconfig entries written
     * earlier may still point at them.
     */
    public static List<Path> stableCopies(Path execDir, List<Path> jars) throws IOException {
        requireDistinctNames(jars);
        Path target = execDir.resolve(contentHash(jars));
        if (isComplete(target, jars)) {
            return copiesIn(target, jars);
        }
        AtomicFiles.createPrivateDir(execDir);
        Path temp = Files.createTempDirectory(execDir, ".tmp-");
        try {
            for (Path jar : jars) {
                copyDurably(jar, temp.resolve(jar.getFileName()));
            }
            moveIntoPlace(temp, target, jars);
        } finally {
            deleteTree(temp);
        }
        return copiesIn(target, jars);
    }

    private static void requireDistinctNames(List<Path> jars) {
        Set<Path> names = new HashSet<>();
        for (Path jar : jars) {
            if (!names.add(jar.getFileName())) {
                throw new IllegalArgumentException("two jars named " + jar.getFileName() + " cannot share one folder");
            }
        }
    }

    private static void moveIntoPlace(Path temp, Path target, List<Path> jars) throws IOException {
        if (Files.exists(target) && !isComplete(target, jars)) {
            // A folder left damaged (a crash, a partial manual delete): replace it.
            deleteTree(target);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically", e);
        } catch (FileSystemException e) {
            // Another run renamed an identical folder into place first.
            if (!isComplete(target, jars)) {
                throw e;
            }
        }
    }

    private static boolean isComplete(Path folder, List<Path> jars) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        for (Path jar : jars) {
            Path copy = folder.resolve(jar.getFileName());
            if (!Files.isRegularFile(copy) || Files.size(copy) != Files.size(jar)) {
                return false;
            }
        }
        return true;
    }

    private static List<Path> copiesIn(Path folder, List<Path> jars) {
        return jars.stream().map(jar -> folder.resolve(jar.getFileName()).toAbsolutePath()).toList();
    }

    private static void copyDurably(Path source, Path copy) throws IOException {
        Files.copy(source, copy);
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Hashes each jar's name and bytes with SHA-256 and returns the first 16 hex digits. */
    static String contentHash(List<Path> jars) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        for (Path jar : jars) {
            digest.update(jar.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
