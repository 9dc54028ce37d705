package lib;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The class-data sharing (CDS) archive of the exec plugin: the classes of one get-token run,
 * parsed and laid out by the JVM once, then mapped into memory by every later run. On JDK 17 it
 * is a dynamic archive made with -XX:ArchiveClassesAtExit on top of the JDK's own archive.
 *
 * <p>The JVM only uses an archive made by the same JDK build from the same class-path jars; for
 * any other it prints a warning and runs without one. A stamp file next to the archive records
 * the JDK and the jars, so the archive is made again when either changed.
 */
public final class CdsArchive {

    public static final String FILE_NAME = "get-token.jsa";
    static final String STAMP_NAME = FILE_NAME + ".stamp";

    private static final String TRAINING_EMAIL = "training@example.invalid";
    private static final String TRAINING_HOST = "training.example.invalid";

    /** Returns the JVM option that points a run at the archive. */
    public static String useOption(Path archive) {
        return "-XX:SharedArchiveFile=" + archive;
    }

    private CdsArchive() {
    }

    /**
     * Returns the archive in folder for this java and class path, first creating it with a
     * training run when it is missing or its stamp does not match. The training run uses a
     * throw-away DATUMCTL_HOME with a made-up session whose token is valid, so it takes the
     * valid-token path without touching the user's credentials or the network.
     */
    public static Path ensure(Path folder, Path java, List<String> jvmOptions, List<Path> classPath,
                              String mainClass) throws IOException {
        Path archive = folder.resolve(FILE_NAME);
        Path stampFile = folder.resolve(STAMP_NAME);
        String stamp = stamp(java, jvmOptions, classPath);
        byte[] recorded = AtomicFiles.readIfExists(stampFile);
        if (Files.isRegularFile(archive) && recorded != null && stamp.equals(new String(recorded, StandardCharsets.UTF_8))) {
            return archive;
        }
        Path work = Files.createTempDirectory(folder, ".cds-");
        try {
            Path trained = work.resolve(FILE_NAME);
            train(java, jvmOptions, classPath, mainClass, trained, work.resolve("home"));
            Files.move(trained, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.write(stampFile, stamp.getBytes(StandardCharsets.UTF_8), null);
        } finally {
            deleteTree(work);
        }
        return archive;
    }

    /** Describes what the archive depends on: the JDK's files, the JVM options and the jars. */
    static String stamp(Path java, List<String> jvmOptions, List<Path> classPath) throws IOException {
        Path realJava = java.toRealPath();
        Path home = realJava.getParent().getParent();
        List<String> lines = new ArrayList<>();
        lines.add("java " + realJava);
        lines.add(describe(home.resolve("lib").resolve("modules")));
        lines.add(describe(home.resolve("lib").resolve("server").resolve("libjvm.so")));
        lines.add("options " + String.join(" ", jvmOptions));
        for (Path jar : classPath) {
            lines.add(describe(jar));
        }
        return String.join("\n", lines) + "\n";
    }

    private static String describe(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "absent " + file;
        }
        return "file " + file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
    }

    private static void train(Path java, List<String> jvmOptions, List<Path> classPath, String mainClass,
                              Path archive, Path home) throws IOException {
        writeTrainingSession(home);
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-XX:ArchiveClassesAtExit=" + archive);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(ExecEntry.getTokenArgs(TRAINING_EMAIL + "@" + TRAINING_HOST));

        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(home.resolve("stderr.txt").toFile());
        Map<String, String> env = builder.environment();
        env.put("DATUMCTL_HOME", home.toString());
        env.put("KUBERNETES_EXEC_INFO", "{\"apiVersion\":\"" + ExecCredential.V1
            + "\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}");
        int exit = run(builder);
        if (exit != 0 || !Files.isRegularFile(archive)) {
            String stderr = Files.readString(home.resolve("stderr.txt")).strip();
            throw new IOException("the training run of the exec plugin failed (exit " + exit + "): " + stderr);
        }
    }

    private static int run(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("the training run of the exec plugin did not finish within 60 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during the training run of the exec plugin", e);
        }
    }

    /** Stores a made-up session whose ID token is valid until 2100; it is never sent anywhere. */
    private static void writeTrainingSession(Path home) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        long exp = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
        String claims = base64.encodeToString(("{\"sub\":\"training\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        StoredSession session = StoredSession.create()
            .set("hostname", TRAINING_HOST)
            .set("api_hostname", TRAINING_HOST)
            .set("user_email", TRAINING_EMAIL)
            .set("id_token", header + "." + claims + "." + base64.encodeToString("unsigned".getBytes(StandardCharsets.UTF_8)))
            .set("token", Map.of("access_token", "training", "expiry", "2100-01-01T00:00:00Z"));
        CredentialStore store = new CredentialStore(home.resolve("credentials.json"));
        store.put(session.userKey(), session.toJson());
        store.put(CredentialStore.ACTIVE_USER, session.userKey());
    }

    private static File nullFile() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
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
