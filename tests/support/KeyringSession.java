package support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private D-Bus session with an unlocked GNOME Keyring, started with dbus-run-session the way a
 * headless machine gets one. The keyring's files live in a folder of the test, so the user's own
 * keyring is never read or written.
 *
 * <p>Needs the Debian packages gnome-keyring, libsecret-tools and dbus-x11; .ci/run installs them.
 */
public final class KeyringSession implements AutoCloseable {

    public static final String SERVICE = "datumctl-auth";

    private static final List<String> TOOLS = List.of("dbus-run-session", "gnome-keyring-daemon", "secret-tool");

    // The child shell prints the bus address, unlocks a new login keyring with a throw-away
    // password on stdin, and keeps the session alive until the test closes its stdin.
    private static final String SESSION_SCRIPT = String.join("\n",
        "printf 'address=%s\\n' \"$DBUS_SESSION_BUS_ADDRESS\"",
        "printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1",
        "echo ready",
        "cat >/dev/null");

    private final Process process;
    private final Path root;
    private final String address;

    private KeyringSession(Process process, Path root, String address) {
        this.process = process;
        this.root = root;
        this.address = address;
    }

    /** Starts the session with its keyring files under root. */
    public static KeyringSession start(Path root) throws IOException {
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                throw new IllegalStateException(tool + " is not installed; the keyring tests need the Debian packages"
                    + " gnome-keyring, libsecret-tools and dbus-x11 (.ci/run installs them)");
            }
        }
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("runtime"));
        Files.createDirectories(root.resolve("config"));
        ProcessBuilder builder = new ProcessBuilder("dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT);
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        builder.environment().putAll(privateDirs(root));
        builder.redirectError(root.resolve("dbus-run-session.log").toFile());
        Process process = builder.start();

        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> started = CompletableFuture.supplyAsync(() -> readUntilReady(lines));
        String address;
        try {
            address = started.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            destroy(process);
            throw new IllegalStateException("the keyring session did not start: " + e.getMessage()
                + "; its log: " + readLog(root), e);
        }
        return new KeyringSession(process, root, address);
    }

    /** Returns the environment variables that lead datumctl and secret-tool to this session's keyring. */
    public Map<String, String> env() {
        Map<String, String> env = new java.util.LinkedHashMap<>(privateDirs(root));
        env.put("DBUS_SESSION_BUS_ADDRESS", address);
        return env;
    }

    /** Returns the secret of key as `secret-tool lookup service datumctl-auth username KEY` prints it, or null when missing. */
    public String lookup(String key) {
        Proc.Result result = secretTool(List.of("lookup", "service", SERVICE, "username", key), null);
        return result.exitCode() == 0 ? result.out() : null;
    }

    /** Stores secret under key the way other keyring clients do, with the same two attributes. */
    public void store(String key, String secret) {
        Proc.Result result = secretTool(List.of("store", "--label", "fixture " + key, "service", SERVICE, "username", key),
            secret);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("secret-tool store failed: " + result.describe());
        }
    }

    /** Returns the output of `secret-tool search --all service datumctl-auth`, for assertion messages. */
    public String search() {
        return secretTool(List.of("search", "--all", "service", SERVICE), null).describe();
    }

    private Proc.Result secretTool(List<String> args, String stdin) {
        List<String> command = new ArrayList<>(List.of("secret-tool"));
        command.addAll(args);
        Process tool = Proc.start(command, env(), root);
        try (var input = tool.getOutputStream()) {
            if (stdin != null) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Proc.await(command, tool, 30);
    }

    @Override
    public void close() {
        destroy(process);
    }

    private static void destroy(Process process) {
        // The daemons outlive the shell when the bus lingers, so end the whole tree.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The shell may have exited already, and the tree is killed below either way.
        }
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static String readUntilReady(BufferedReader lines) {
        String address = null;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("address=")) {
                    address = line.substring("address=".length());
                } else if (line.equals("ready") && address != null && !address.isBlank()) {
                    return address;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the session ended before the keyring was unlocked");
    }

    private static Map<String, String> privateDirs(Path root) {
        return Map.of(
            "XDG_DATA_HOME", root.resolve("data").toString(),
            "XDG_RUNTIME_DIR", root.resolve("runtime").toString(),
            "XDG_CONFIG_HOME", root.resolve("config").toString());
    }

    private static String readLog(Path root) {
        try {
            return Files.readString(root.resolve("dbus-run-session.log"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
