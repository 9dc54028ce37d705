import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Fills the ./jbang wrapper's cache with the jars named in a lock file, each checked against
 * its SHA-256. Runs with the JDK alone (java Fetch.java ...) because the machine may have no
 * curl or wget.
 *
 * <p>Usage: {@code java Fetch.java LOCK_FILE CACHE_DIR REPO_URL [LOCAL_MAVEN_REPO]}. A jar is
 * copied from the local Maven repository when its checksum matches there, else downloaded. Every
 * jar is written to a temporary name and renamed only after its checksum matched, so the cache
 * never contains a partial or unverified jar. After all jars are in place the lock file is copied
 * to CACHE_DIR/verified.lock, which the wrapper reads as "cache complete".
 */
public class Fetch {

    static final int CONNECT_TIMEOUT_MS = 20_000;
    static final int READ_TIMEOUT_MS = 60_000;
    static final int ATTEMPTS = 3;

    record Artifact(String groupId, String artifactId, String version, String sha256) {

        String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }

        String fileName() {
            return artifactId + "-" + version + ".jar";
        }

        /** Path in the Maven repository layout, relative to the repository root. */
        String repositoryPath() {
            return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + fileName();
        }
    }

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: java Fetch.java LOCK_FILE CACHE_DIR REPO_URL [LOCAL_MAVEN_REPO]");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]), Path.of(args[1]), args[2].replaceAll("/+$", ""),
                    args.length == 4 && !args[3].isEmpty() ? Path.of(args[3]) : null);
        } catch (FetchException e) {
            System.err.println("jbang wrapper: " + e.getMessage());
            System.exit(1);
        } catch (IOException e) {
            System.err.println("jbang wrapper: filling the cache " + args[1] + " failed ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "). Check that the folder is writable, or set JBANG_WRAPPER_HOME.");
            System.exit(1);
        }
    }

    static void run(Path lockFile, Path cacheDir, String repoUrl, Path localRepo)
            throws IOException, FetchException {
        List<Artifact> artifacts = readLock(lockFile);
        Files.createDirectories(cacheDir);
        System.err.printf("jbang wrapper: checking %d jars in %s, fetching missing ones from %s%n",
                artifacts.size(), cacheDir, localRepo == null ? repoUrl : localRepo + " or " + repoUrl);

        int fetched = 0;
        for (Artifact artifact : artifacts) {
            if (ensureCached(artifact, cacheDir, repoUrl, localRepo)) {
                fetched++;
            }
        }

        Path marker = cacheDir.resolve("verified.lock");
        Path temp = Files.createTempFile(cacheDir, ".verified", ".part");
        Files.copy(lockFile, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (fetched > 0) {
            System.err.printf("jbang wrapper: %d of %d jars copied or downloaded into %s%n",
                    fetched, artifacts.size(), cacheDir);
        }
    }

    static List<Artifact> readLock(Path lockFile) throws IOException, FetchException {
        List<Artifact> artifacts = new ArrayList<>();
        for (String line : Files.readAllLines(lockFile)) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String[] coordinates = fields[0].split(":");
            if (fields.length != 2 || coordinates.length != 3 || !fields[1].matches("[0-9a-f]{64}")) {
                throw new FetchException("invalid line in " + lockFile + ": '" + line
                        + "'. Expected 'groupId:artifactId:version sha256'.");
            }
            artifacts.add(new Artifact(coordinates[0], coordinates[1], coordinates[2], fields[1]));
        }
        return artifacts;
    }

    /** Returns true when the jar was copied or downloaded, false when the cache already had it. */
    static boolean ensureCached(Artifact artifact, Path cacheDir, String repoUrl, Path localRepo)
            throws IOException, FetchException {
        Path target = cacheDir.resolve(artifact.fileName());
        if (Files.isRegularFile(target)) {
            if (artifact.sha256().equals(sha256(target))) {
                return false;
            }
            System.err.println("jbang wrapper: " + target
                    + " does not match the SHA-256 in the lock file, fetching it again");
        }

        Path local = localRepo == null ? null : localRepo.resolve(artifact.repositoryPath());
        if (local != null && Files.isRegularFile(local) && artifact.sha256().equals(sha256(local))) {
            Path temp = Files.createTempFile(cacheDir, "." + artifact.fileName(), ".part");
            try {
                Files.copy(local, temp, StandardCopyOption.REPLACE_EXISTING);
                install(artifact, temp, target, local.toString());
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        }

        download(artifact, repoUrl + "/" + artifact.repositoryPath(), cacheDir, target);
        return true;
    }

    static void download(Artifact artifact, String url, Path cacheDir, Path target)
            throws IOException, FetchException {
        for (int attempt = 1; ; attempt++) {
            Path temp = Files.createTempFile(cacheDir, "." + artifact.fileName(), ".part");
            try {
                copyUrl(url, temp);
                install(artifact, temp, target, url);
                return;
            } catch (IOException e) {
                String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (attempt == ATTEMPTS || e instanceof FileNotFoundException) {
                    throw new FetchException("download of " + artifact.coordinates() + " from " + url
                            + " failed (" + reason + ").\n"
                            + "Check the network, HTTPS_PROXY or JBANG_WRAPPER_REPO.");
                }
                System.err.println("jbang wrapper: retrying " + url + " after " + reason);
                pause(attempt);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    static void pause(int attempt) throws FetchException {
        try {
            Thread.sleep(1000L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while waiting to retry a download");
        }
    }

    /** Moves a temporary file to its place in the cache once its SHA-256 matches the lock. */
    static void install(Artifact artifact, Path temp, Path target, String source)
            throws IOException, FetchException {
        String actual = sha256(temp);
        if (!artifact.sha256().equals(actual)) {
            throw new FetchException("SHA-256 mismatch for " + artifact.coordinates() + " from " + source
                    + ": expected " + artifact.sha256() + ", got " + actual
                    + ". The file is corrupt or the repository serves a different jar; nothing was cached.");
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void copyUrl(String url, Path destination) throws IOException {
        URI uri = URI.create(url);
        URLConnection connection = uri.toURL().openConnection(proxyFor(uri));
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        if (connection instanceof HttpURLConnection http) {
            int status = http.getResponseCode();
            if (status == 404) {
                throw new FileNotFoundException("HTTP 404 Not Found");
            }
            if (status != 200) {
                throw new IOException("HTTP " + status + " " + http.getResponseMessage());
            }
        }
        try (InputStream in = connection.getInputStream();
                OutputStream out = Files.newOutputStream(destination)) {
            in.transferTo(out);
        }
    }

    /**
     * Returns the proxy named by HTTPS_PROXY or HTTP_PROXY (lower case accepted too) for the URL's
     * scheme, or no proxy when none is set or NO_PROXY lists the host or one of its parent domains.
     */
    // NOTE: user:password in the proxy URL is ignored, so a proxy that requires credentials fails.
    static Proxy proxyFor(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.startsWith("http") || bypassesProxy(uri.getHost())) {
            return Proxy.NO_PROXY;
        }
        String setting = env(scheme.equals("https") ? "HTTPS_PROXY" : "HTTP_PROXY");
        if (setting == null) {
            return Proxy.NO_PROXY;
        }
        URI proxy = parseProxy(setting);
        if (proxy == null) {
            // The value is not echoed because a proxy URL may carry a password.
            System.err.println("jbang wrapper: the " + scheme.toUpperCase(Locale.ROOT)
                    + "_PROXY value is not a valid proxy URL, connecting directly");
            return Proxy.NO_PROXY;
        }
        int port = proxy.getPort() != -1 ? proxy.getPort() : 80;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), port));
    }

    /** Returns the proxy URL with a host name, or null when the setting has none. */
    static URI parseProxy(String setting) {
        try {
            URI proxy = new URI(setting.contains("://") ? setting : "http://" + setting);
            return proxy.getHost() == null ? null : proxy;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static boolean bypassesProxy(String host) {
        String noProxy = env("NO_PROXY");
        if (noProxy == null) {
            return false;
        }
        for (String entry : noProxy.split(",")) {
            String suffix = entry.strip().replaceFirst("^\\*?\\.", "");
            if (suffix.equals("*") || host.equals(suffix) || host.endsWith("." + suffix)) {
                return true;
            }
        }
        return false;
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name.toLowerCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? null : value.strip();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }
}
