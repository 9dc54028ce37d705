package lib;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contexts, clusters and users of a kubeconfig, read-only and merged over its files the way
 * kubectl merges them: the first file that defines a name or sets current-context wins.
 */
final class KubeconfigContexts {

    /** A Datum Cloud context: server, CA (PEM or null), session (null: the active one), namespace (or null). */
    record DatumContext(String server, String caPem, String sessionName, String namespace) {
    }

    /** A named entry and the file it came from, so a relative CA path resolves against that file's folder. */
    private record Named(Map<String, Object> body, Path file) {
    }

    private final List<Path> files;
    private final Map<String, Named> clusters = new LinkedHashMap<>();
    private final Map<String, Named> users = new LinkedHashMap<>();
    private final Map<String, Named> contexts = new LinkedHashMap<>();
    private String currentContext;

    private KubeconfigContexts(List<Path> files) {
        this.files = files;
    }

    static KubeconfigContexts load(List<Path> files) {
        KubeconfigContexts merged = new KubeconfigContexts(files);
        for (Path file : files) {
            Map<String, Object> document = read(file);
            if (document == null) {
                continue;
            }
            merged.collect(document, "clusters", "cluster", merged.clusters, file);
            merged.collect(document, "users", "user", merged.users, file);
            merged.collect(document, "contexts", "context", merged.contexts, file);
            if (merged.currentContext == null && document.get("current-context") instanceof String current
                    && !current.isEmpty()) {
                merged.currentContext = current;
            }
        }
        return merged;
    }

    String files() {
        return files.size() == 1 ? files.get(0).toString() : files.toString();
    }

    String currentContext() {
        return currentContext;
    }

    boolean isDatumContext(String name) {
        Named context = contexts.get(name);
        Named user = context == null ? null : users.get(string(context.body(), "user"));
        return user != null && getTokenArgs(user.body()) != null;
    }

    /** Returns the Datum Cloud context of this name, or throws a UserError that explains why it is missing or not one. */
    DatumContext datumContext(String name) {
        Named context = contexts.get(name);
        if (context == null) {
            throw new UserError("context '" + name + "' not found in the kubeconfig " + files(),
                "Run 'kubectl config get-contexts' to list the contexts, or 'datumctl auth update-kubeconfig' to add one.");
        }
        String userName = string(context.body(), "user");
        Named user = users.get(userName);
        List<String> args = user == null ? null : getTokenArgs(user.body());
        if (args == null) {
            throw new UserError("the kubeconfig context '" + name + "' is not a Datum Cloud context: its user "
                + (userName == null ? "is not set" : "'" + userName + "' does not run 'datumctl auth get-token'"),
                "Run 'datumctl auth update-kubeconfig --organization ID' (or --project ID) to create one.");
        }
        String clusterName = string(context.body(), "cluster");
        Named cluster = clusters.get(clusterName);
        String server = cluster == null ? null : string(cluster.body(), "server");
        if (server == null || server.isBlank()) {
            throw new UserError("the kubeconfig context '" + name + "' names cluster '" + clusterName
                + "', which has no server in " + files(), "Run 'datumctl auth update-kubeconfig' again to repair it.");
        }
        return new DatumContext(server, caPem(cluster), sessionArgument(args), string(context.body(), "namespace"));
    }

    /** The exec plugin's arguments when the user runs `auth get-token`, else null. */
    @SuppressWarnings("unchecked")
    private static List<String> getTokenArgs(Map<String, Object> user) {
        if (!(user.get("exec") instanceof Map<?, ?> exec) || !(exec.get("args") instanceof List<?> raw)) {
            return null;
        }
        List<String> args = new ArrayList<>();
        raw.forEach(arg -> args.add(String.valueOf(arg)));
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("auth") && args.get(i + 1).equals("get-token")) {
                return args;
            }
        }
        return null;
    }

    private static String sessionArgument(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--session=")) {
                return arg.substring("--session=".length());
            }
            if (arg.equals("--session") && i + 1 < args.size()) {
                return args.get(i + 1);
            }
        }
        return null;
    }

    // NOTE: insecure-skip-tls-verify is not honoured: the system CAs are used instead.
    private static String caPem(Named cluster) {
        String data = string(cluster.body(), "certificate-authority-data");
        if (data != null && !data.isBlank()) {
            return Http.pemFromData(data);
        }
        String file = string(cluster.body(), "certificate-authority");
        if (file == null || file.isBlank()) {
            return null;
        }
        Path path = cluster.file().resolveSibling(file);
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UserError("cannot read the certificate authority " + path + ": " + e.getMessage(),
                "Fix certificate-authority in the kubeconfig " + cluster.file() + ".", e);
        }
    }

    private void collect(Map<String, Object> document, String listKey, String itemKey, Map<String, Named> into, Path file) {
        if (!(document.get(listKey) instanceof List<?> list)) {
            return;
        }
        for (Object item : list) {
            if (item instanceof Map<?, ?> entry && entry.get("name") instanceof String name
                    && entry.get(itemKey) instanceof Map<?, ?> body) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) body;
                into.putIfAbsent(name, new Named(typed, file));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file) {
        try {
            byte[] data = AtomicFiles.readIfExists(file);
            if (data == null) {
                return null;
            }
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(new String(data, StandardCharsets.UTF_8));
            if (root == null) {
                return null;
            }
            if (!(root instanceof Map)) {
                throw new UserError("the kubeconfig " + file + " is not a YAML mapping", "Fix the file or pass another with --kubeconfig.");
            }
            return (Map<String, Object>) root;
        } catch (IOException e) {
            throw new UserError("cannot read the kubeconfig " + file + ": " + e.getMessage(), "Check that the file is readable by you.", e);
        } catch (YAMLException e) {
            throw new UserError("the kubeconfig " + file + " is not valid YAML", "Fix the file or pass another with --kubeconfig.", e);
        }
    }

    private static String string(Map<String, Object> map, String key) {
        return map.get(key) instanceof String value ? value : null;
    }
}
