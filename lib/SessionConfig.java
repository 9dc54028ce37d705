package lib;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The datumctl config file (~/.datumctl/config), shared with the Go datumctl: sessions,
 * contexts, current-context, active-session and cache. Backed by the parsed YAML, so fields
 * this version does not know survive a rewrite.
 */
public final class SessionConfig {

    public static final String API_VERSION = "datumctl.config.datum.net/v1beta1";
    public static final String KIND = "DatumctlConfig";

    private final Path file;
    private final Map<String, Object> doc;

    private SessionConfig(Path file, Map<String, Object> doc) {
        this.file = file;
        this.doc = doc;
    }

    public static SessionConfig load() {
        return load(DatumHome.configFile());
    }

    /** Reads the file; a missing file is an empty config, one that does not parse is an error. */
    public static SessionConfig load(Path file) {
        byte[] data;
        try {
            data = AtomicFiles.readIfExists(file);
        } catch (IOException e) {
            throw new UserError("cannot read the datumctl config " + file + ": " + e.getMessage(),
                "Check the file's permissions.", e);
        }
        Map<String, Object> doc = data == null ? new LinkedHashMap<>() : parse(file, data);
        doc.putIfAbsent("apiVersion", API_VERSION);
        doc.putIfAbsent("kind", KIND);
        return new SessionConfig(file, doc);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(Path file, byte[] data) {
        try {
            Object value = yaml().load(new String(data, StandardCharsets.UTF_8));
            if (value == null) {
                return new LinkedHashMap<>();
            }
            if (!(value instanceof Map)) {
                throw new UserError("the datumctl config " + file + " is not a YAML mapping",
                    "Fix the file or move it aside; datumctl left it untouched.");
            }
            checkTypes(file, (Map<String, Object>) value);
            return (Map<String, Object>) value;
        } catch (YAMLException e) {
            throw new UserError("the datumctl config " + file + " is not valid YAML: " + firstLine(e.getMessage()),
                "Fix the file or move it aside; datumctl left it untouched.", e);
        }
    }

    /**
     * Rejects a config whose known fields have the wrong type: rewriting it would drop or replace
     * what the user (or the Go datumctl) put there.
     */
    private static void checkTypes(Path file, Map<String, Object> doc) {
        for (String key : List.of("sessions", "contexts")) {
            Object value = doc.get(key);
            boolean ok = value == null || value instanceof List<?> list && list.stream().allMatch(Map.class::isInstance);
            if (!ok) {
                throw wrongType(file, key, "a list of mappings");
            }
        }
        for (String key : List.of("current-context", "active-session")) {
            Object value = doc.get(key);
            if (value != null && !(value instanceof String)) {
                throw wrongType(file, key, "a string");
            }
        }
    }

    private static UserError wrongType(Path file, String key, String expected) {
        return new UserError("the datumctl config " + file + " has a '" + key + "' that is not " + expected,
            "Fix the file or move it aside; datumctl left it untouched.");
    }

    /** Loads, changes and saves the config under its lock, so parallel datumctl commands do not lose writes. */
    public static SessionConfig update(Consumer<SessionConfig> change) {
        Path file = DatumHome.configFile();
        try {
            return AtomicFiles.withLock(DatumHome.lockFile("config"), () -> {
                SessionConfig config = load(file);
                change.accept(config);
                config.save();
                return config;
            });
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("cannot update the datumctl config " + file + ": " + e.getMessage(),
                "Check that the folder is writable by you.", e);
        }
    }

    private void save() throws IOException {
        AtomicFiles.createPrivateDir(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, yaml().dump(doc).getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
    }

    private static Yaml yaml() {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setIndicatorIndent(0);
        LoaderOptions load = new LoaderOptions();
        load.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(load), new Representer(dump), dump, load);
    }

    static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }

    public Path file() {
        return file;
    }

    public String activeSession() {
        return Json.str(doc, "active-session");
    }

    public void setActiveSession(String name) {
        putOrRemove("active-session", name);
    }

    public String currentContext() {
        return Json.str(doc, "current-context");
    }

    public void setCurrentContext(String name) {
        putOrRemove("current-context", name);
    }

    private void putOrRemove(String key, Object value) {
        if (value == null) {
            doc.remove(key);
        } else {
            doc.put(key, value);
        }
    }

    /**
     * Returns the live top-level mapping under key (such as "cache"), creating it when create is
     * true; null when it is missing or not a mapping and create is false.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> section(String key, boolean create) {
        Object value = doc.get(key);
        if (!(value instanceof Map)) {
            if (!create) {
                return null;
            }
            value = new LinkedHashMap<String, Object>();
            doc.put(key, value);
        }
        return (Map<String, Object>) value;
    }

    /** Returns the live sessions list: changes to its maps are saved with the config. */
    public List<Map<String, Object>> sessions() {
        return list("sessions");
    }

    /** Returns the live contexts list: changes to its maps are saved with the config. */
    public List<Map<String, Object>> contexts() {
        return list("contexts");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> list(String key) {
        Object value = doc.get(key);
        if (!(value instanceof List)) {
            value = new ArrayList<>();
            doc.put(key, value);
        }
        List<Object> raw = (List<Object>) value;
        raw.removeIf(item -> !(item instanceof Map));
        return (List<Map<String, Object>>) value;
    }

    public Map<String, Object> session(String name) {
        return find(sessions(), name);
    }

    public Map<String, Object> context(String name) {
        return find(contexts(), name);
    }

    private static Map<String, Object> find(List<Map<String, Object>> entries, String name) {
        for (Map<String, Object> entry : entries) {
            if (name != null && name.equals(entry.get("name"))) {
                return entry;
            }
        }
        return null;
    }

    /** Adds or updates the session entry for a stored login; fields we don't own are kept. */
    public Map<String, Object> upsertSession(StoredSession stored, String apiServerUrl) {
        Map<String, Object> entry = session(stored.sessionName());
        if (entry == null) {
            entry = new LinkedHashMap<>();
            entry.put("name", stored.sessionName());
            sessions().add(entry);
        }
        entry.put("user-key", stored.userKey());
        entry.put("user-email", stored.userEmail());
        entry.put("user-name", stored.userName() == null ? "" : stored.userName());
        Map<String, Object> endpoint = Json.obj(entry, "endpoint");
        if (endpoint == null) {
            endpoint = new LinkedHashMap<>();
            entry.put("endpoint", endpoint);
        }
        endpoint.put("server", apiServerUrl);
        endpoint.put("auth-hostname", stored.hostname());
        if (stored.certificateAuthorityData() != null) {
            endpoint.put("certificate-authority-data", stored.certificateAuthorityData());
        } else {
            endpoint.remove("certificate-authority-data");
        }
        return entry;
    }

    /** Removes the session and every context that uses it. */
    public void removeSession(String name) {
        sessions().removeIf(entry -> name.equals(entry.get("name")));
        contexts().removeIf(entry -> name.equals(entry.get("session")));
        if (name.equals(activeSession())) {
            setActiveSession(null);
        }
        if (currentContext() != null && context(currentContext()) == null) {
            setCurrentContext(null);
        }
    }
}
