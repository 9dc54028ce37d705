package support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A private home for one test: its own DATUMCTL_HOME, KUBECONFIG and kubectl cache, so no test
 * touches the real ~/.datumctl or ~/.kube. Runs datumctl and kubectl as real processes in it.
 */
public final class Sandbox {

    private static final long TIMEOUT_SECONDS = 120;

    private final Path root;
    private final Map<String, String> env = new LinkedHashMap<>();

    public Sandbox(Path root) {
        this.root = root;
        env.put("DATUMCTL_HOME", root.resolve("datumctl-home").toString());
        env.put("KUBECONFIG", root.resolve("kube").resolve("config").toString());
        env.put("KUBECACHEDIR", root.resolve("kube-cache").toString());
        env.put("BROWSER", "false");
        env.put("KUBERNETES_EXEC_INFO", "");
        try {
            Files.createDirectories(root.resolve("kube"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    public Path datumctlHome() {
        return Path.of(env.get("DATUMCTL_HOME"));
    }

    public Path kubeconfig() {
        return Path.of(env.get("KUBECONFIG"));
    }

    /** Returns the environment datumctl and kubectl run with, on top of this process's own. */
    public Map<String, String> env() {
        return env;
    }

    public Sandbox set(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** `datumctl ARGS`, run the way JBang runs it: a JVM on this suite's class path. */
    public Proc.Result datumctl(String... args) {
        return Proc.run(datumctlCommand(args), env, root, TIMEOUT_SECONDS);
    }

    public List<String> datumctlCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), "datumctl"));
        command.addAll(List.of(args));
        return command;
    }

    /** `kubectl ARGS` against this sandbox's kubeconfig. */
    public Proc.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        return Proc.run(command, env, root, TIMEOUT_SECONDS);
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Finds the repository's root: the nearest folder up from here with jbang-catalog.json. */
    public static Path checkout() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("jbang-catalog.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run the tests from inside the datumctl checkout");
        }
        return dir;
    }
}
