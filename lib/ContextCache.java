package lib;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contexts discovered for each session, cached in the config file under
 * {@code cache.discovered-contexts} so `ctx` and `ctx use` need no network, and the datumctl
 * contexts (organization-id, project-id, namespace) that `ctx use` creates and selects.
 */
public final class ContextCache {

    static final String CACHE = "cache";
    static final String DISCOVERED = "discovered-contexts";

    private ContextCache() {
    }

    /** Returns the cached contexts of a session, or null when it was never discovered. */
    public static List<ContextDiscovery.Found> cached(SessionConfig config, String sessionName) {
        Map<String, Object> entry = sessionEntry(config, sessionName, false);
        if (entry == null) {
            return null;
        }
        List<ContextDiscovery.Found> found = new ArrayList<>();
        for (Map<String, Object> item : ResourcePrinter.maps(entry.get("contexts"))) {
            found.add(new ContextDiscovery.Found(Json.str(item, "organization-id"), Json.str(item, "organization-display-name"),
                Json.str(item, "project-id"), Json.str(item, "project-display-name")));
        }
        return found;
    }

    /** Discovers the contexts of the active session and replaces its cache entry. */
    public static List<ContextDiscovery.Found> refresh(ContextDiscovery discovery) {
        List<ContextDiscovery.Found> found = discovery.all();
        String sessionName = discovery.session().sessionName();
        SessionConfig.update(config -> {
            Map<String, Object> entry = sessionEntry(config, sessionName, true);
            List<Object> items = new ArrayList<>();
            for (ContextDiscovery.Found context : found) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("organization-id", context.organization());
                item.put("organization-display-name", context.organizationDisplayName());
                if (context.project() != null) {
                    item.put("project-id", context.project());
                    item.put("project-display-name", context.projectDisplayName());
                }
                items.add(item);
            }
            entry.put("refreshed", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            entry.put("contexts", items);
        });
        return found;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sessionEntry(SessionConfig config, String sessionName, boolean create) {
        Map<String, Object> cache = config.section(CACHE, create);
        if (cache == null) {
            return null;
        }
        Object discovered = cache.get(DISCOVERED);
        if (!(discovered instanceof Map)) {
            if (!create) {
                return null;
            }
            discovered = new LinkedHashMap<String, Object>();
            cache.put(DISCOVERED, discovered);
        }
        Map<String, Object> bySession = (Map<String, Object>) discovered;
        Object entry = bySession.get(sessionName);
        if (!(entry instanceof Map) && create) {
            entry = new LinkedHashMap<String, Object>();
            bySession.put(sessionName, entry);
        }
        return entry instanceof Map ? (Map<String, Object>) entry : null;
    }

    /** Creates or updates the datumctl context for found and makes it current. Returns its name. */
    public static String use(ContextDiscovery.Found found, String sessionName) {
        String name = found.name();
        SessionConfig.update(config -> {
            Map<String, Object> context = config.context(name);
            if (context == null) {
                context = new LinkedHashMap<>();
                context.put("name", name);
                config.contexts().add(context);
            }
            context.put("session", sessionName);
            context.put("organization-id", found.organization());
            if (found.project() != null) {
                context.put("project-id", found.project());
            } else {
                context.remove("project-id");
            }
            context.putIfAbsent("namespace", "default");
            config.setCurrentContext(name);
            Map<String, Object> session = config.session(sessionName);
            if (session != null) {
                session.put("last-context", name);
            }
        });
        return name;
    }
}
