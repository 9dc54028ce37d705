package support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak server in development mode on a free loopback port, with the realm of
 * tests/keycloak imported. The distribution comes from Maven Central through `mvn` and stays in
 * the local Maven repository, so only the first run downloads it (about 177 MB).
 *
 * <p>Each server unzips its own copy into a temporary folder (a few seconds) and deletes it on
 * close. Keycloak writes its build output and database into its home folder, so a copy shared
 * between two suites running at the same time would break both.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String VERSION = "26.7.3";
    public static final String REALM = "datumctl";
    public static final String ARTIFACT = "org.keycloak:keycloak-quarkus-dist:" + VERSION + ":zip";

    private static final String ADMIN_USER = "admin";
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path home;
    private final Process process;
    private final int port;
    private final String adminPassword;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private KeycloakServer(Path home, Process process, int port, String adminPassword) {
        this.home = home;
        this.process = process;
        this.port = port;
        this.adminPassword = adminPassword;
    }

    /** Fetches the distribution if needed, starts Keycloak and waits until the realm's discovery document is served. */
    public static KeycloakServer start(Path realmFile) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(realmFile);
            } catch (IllegalStateException e) {
                // The port is free when chosen, but Keycloak binds it some 20 s later; another
                // process on the machine may have taken it by then.
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("Port already bound")) {
                    throw e;
                }
            }
        }
    }

    private static KeycloakServer startOnce(Path realmFile) throws IOException, InterruptedException {
        Path javaHome = JdkFinder.find(21);
        Path zip = distributionZip();
        Path home = Files.createTempDirectory("datumctl-keycloak-");
        unzip(zip, home);
        Path kcHome = home.resolve("keycloak-" + VERSION);
        Files.createDirectories(kcHome.resolve("data/import"));
        Files.copy(realmFile, kcHome.resolve("data/import").resolve(realmFile.getFileName()));

        int port = freePort();
        String adminPassword = UUID.randomUUID().toString();
        Process process = launch(kcHome, javaHome, port, adminPassword);
        KeycloakServer server = new KeycloakServer(home, process, port, adminPassword);
        try {
            server.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static Process launch(Path kcHome, Path javaHome, int port, String adminPassword) throws IOException {
        List<String> command = List.of("bash", kcHome.resolve("bin/kc.sh").toString(), "start-dev",
            "--http-host", "127.0.0.1", "--http-port", String.valueOf(port), "--import-realm");
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(kcHome.toFile())
            .redirectErrorStream(true)
            .redirectOutput(kcHome.resolveSibling("keycloak.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    /** Returns the zip in the local Maven repository, running `mvn dependency:copy` when it is missing. */
    static Path distributionZip() throws IOException, InterruptedException {
        Path cached = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "keycloak",
            "keycloak-quarkus-dist", VERSION, "keycloak-quarkus-dist-" + VERSION + ".zip");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Path target = Files.createTempDirectory("datumctl-keycloak-zip-");
        List<String> command = List.of("mvn", "-q", "-B",
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
            "-Dartifact=" + ARTIFACT, "-DoutputDirectory=" + target);
        Proc.Result result;
        try {
            result = Proc.run(command, Map.of(), target, 900);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("cannot run Maven to fetch " + ARTIFACT + ": " + e.getMessage()
                + ". Install Maven (Debian: apt-get install maven) so that 'mvn' is on PATH.", e);
        }
        Path copied = target.resolve("keycloak-quarkus-dist-" + VERSION + ".zip");
        if (result.exitCode() != 0 || !Files.isRegularFile(copied)) {
            throw new IllegalStateException("fetching " + ARTIFACT + " from Maven Central failed; check that Maven"
                + " can reach Maven Central (proxy settings in ~/.m2/settings.xml).\n" + result.describe());
        }

        // A local repository elsewhere than ~/.m2 (settings.xml) keeps only this copy, which
        // stays in the temporary folder for the rest of the run.
        if (Files.isRegularFile(cached)) {
            deleteTree(target);
            return cached;
        }
        return copied;
    }

    private static void unzip(Path zip, Path target) throws IOException {
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("the Keycloak zip " + zip + " has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(in, path, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with code " + process.exitValue()
                    + " before it was ready; the end of its log:\n" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Keycloak did not serve " + discovery + " within " + STARTUP_TIMEOUT.toSeconds()
            + " s; the end of its log:\n" + logTail());
    }

    /** Returns the last lines of Keycloak's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("keycloak.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Returns http://127.0.0.1:PORT. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Returns the realm's issuer URL, which is also the value for `datumctl login --hostname`. */
    public String issuer() {
        return baseUrl() + "/realms/" + REALM;
    }

    public String jwksUrl() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    public String tokenUrl() {
        return issuer() + "/protocol/openid-connect/token";
    }

    /** Returns an admin API client signed in as the bootstrap admin of the master realm. */
    public KeycloakAdmin admin() {
        return new KeycloakAdmin(http, baseUrl(), REALM, ADMIN_USER, adminPassword);
    }

    /** Stops Keycloak and every process it started, then deletes its copy of the distribution. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
        deleteTree(home);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("keycloak: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
