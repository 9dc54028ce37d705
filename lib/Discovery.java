package lib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API groups, versions and resources a control plane serves, read from its legacy discovery
 * documents ({@code /api}, {@code /apis}, {@code /apis/<group>/<version>}) and cached per control
 * plane under {@code DATUMCTL_HOME/cache/discovery/<hash of the server URL>/} for ten minutes,
 * the TTL kubectl gives its own discovery cache.
 */
public final class Discovery {

    public static final Duration TTL = Duration.ofMinutes(10);
    private static final String CACHE_FILE = "discovery.json";

    /** One resource type as discovery lists it, with the group and version it was listed under. */
    public record ApiResource(String group, String version, String name, String singularName, String kind,
                              boolean namespaced, List<String> verbs, List<String> shortNames, List<String> categories) {

        public String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** Returns the name with its group, as kubectl writes a type unambiguously: projects.resourcemanager.miloapis.com. */
        public String qualifiedName() {
            return group.isEmpty() ? name : name + "." + group;
        }
    }

    /**
     * The result of discovery: every group version the server serves (kubectl api-versions), and
     * the resources of each group's preferred version without subresources (kubectl api-resources).
     */
    public record Snapshot(List<String> groupVersions, List<ApiResource> resources) {
    }

    private final KubeClient client;
    private final Path cacheDir;
    private final Clock clock;
    private boolean fetched;

    public Discovery(KubeClient client, Path cacheDir, Clock clock) {
        this.client = client;
        this.cacheDir = cacheDir;
        this.clock = clock;
    }

    /** Discovery for client's server, cached under DatumHome. */
    public static Discovery standard(KubeClient client) {
        Path dir = DatumHome.dir().resolve("cache").resolve("discovery").resolve(TokenSource.sha256(client.server()).substring(0, 32));
        return new Discovery(client, dir, Clock.systemUTC());
    }

    /** Returns the cached snapshot while it is younger than the TTL, else fetches a fresh one. */
    public Snapshot load() {
        Snapshot cached = readCache();
        return cached != null ? cached : fetch();
    }

    /** Fetches every discovery document from the server and replaces the cache. */
    public Snapshot fetch() {
        List<String> groupVersions = new ArrayList<>();
        List<ApiResource> resources = new ArrayList<>();
        List<String> coreVersions = strings(client.get("/api").get("versions"));
        groupVersions.addAll(coreVersions);
        if (!coreVersions.isEmpty()) {
            resources.addAll(resourceList("", coreVersions.get(0), "/api/" + coreVersions.get(0)));
        }
        for (Object item : list(client.get("/apis").get("groups"))) {
            Map<String, Object> group = asMap(item);
            String name = Json.str(group, "name");
            for (Object version : list(group.get("versions"))) {
                groupVersions.add(Json.str(asMap(version), "groupVersion"));
            }
            String preferred = Json.str(Json.obj(group, "preferredVersion"), "version");
            if (name != null && preferred != null) {
                resources.addAll(resourceList(name, preferred, "/apis/" + name + "/" + preferred));
            }
        }
        Snapshot snapshot = new Snapshot(List.copyOf(groupVersions), List.copyOf(resources));
        fetched = true;
        writeCache(snapshot);
        return snapshot;
    }

    /** True once this instance has fetched from the server, so a retry on a miss would see nothing new. */
    public boolean fetchedFromServer() {
        return fetched;
    }

    private List<ApiResource> resourceList(String group, String version, String path) {
        List<ApiResource> resources = new ArrayList<>();
        for (Object item : list(client.get(path).get("resources"))) {
            Map<String, Object> resource = asMap(item);
            String name = Json.str(resource, "name");
            if (name == null || name.contains("/")) {
                continue;
            }
            resources.add(new ApiResource(group, version, name, nonNull(Json.str(resource, "singularName")),
                nonNull(Json.str(resource, "kind")), Boolean.TRUE.equals(resource.get("namespaced")),
                strings(resource.get("verbs")), strings(resource.get("shortNames")), strings(resource.get("categories"))));
        }
        return resources;
    }

    private Snapshot readCache() {
        try {
            byte[] data = AtomicFiles.readIfExists(cacheDir.resolve(CACHE_FILE));
            if (data == null) {
                return null;
            }
            Map<String, Object> document = Json.parseObject(new String(data, StandardCharsets.UTF_8));
            long fetched = Json.num(document, "fetchedAt", 0);
            long age = clock.instant().getEpochSecond() - fetched;
            if (age < 0 || age >= TTL.toSeconds() || !client.server().equals(Json.str(document, "server"))) {
                return null;
            }
            List<ApiResource> resources = new ArrayList<>();
            for (Object item : list(document.get("resources"))) {
                resources.add(fromCache(asMap(item)));
            }
            return new Snapshot(strings(document.get("groupVersions")), List.copyOf(resources));
        } catch (IOException | IllegalArgumentException | UserError e) {
            // A damaged or unreadable cache is only a cache: fetch again.
            return null;
        }
    }

    private void writeCache(Snapshot snapshot) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("server", client.server());
        document.put("fetchedAt", clock.instant().getEpochSecond());
        document.put("groupVersions", snapshot.groupVersions());
        List<Object> resources = new ArrayList<>();
        for (ApiResource resource : snapshot.resources()) {
            resources.add(toCache(resource));
        }
        document.put("resources", resources);
        try {
            AtomicFiles.createPrivateDir(DatumHome.dir());
            java.nio.file.Files.createDirectories(cacheDir);
            AtomicFiles.write(cacheDir.resolve(CACHE_FILE), Json.write(document).getBytes(StandardCharsets.UTF_8),
                AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            // NOTE: an unwritable cache only costs a fetch on the next run, so the command goes on.
        }
    }

    private static Map<String, Object> toCache(ApiResource resource) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("group", resource.group());
        entry.put("version", resource.version());
        entry.put("name", resource.name());
        entry.put("singularName", resource.singularName());
        entry.put("kind", resource.kind());
        entry.put("namespaced", resource.namespaced());
        entry.put("verbs", resource.verbs());
        entry.put("shortNames", resource.shortNames());
        entry.put("categories", resource.categories());
        return entry;
    }

    private static ApiResource fromCache(Map<String, Object> entry) {
        String name = Json.str(entry, "name");
        String version = Json.str(entry, "version");
        if (name == null || version == null) {
            throw new IllegalArgumentException("a cached resource has no name or version");
        }
        return new ApiResource(nonNull(Json.str(entry, "group")), version, name, nonNull(Json.str(entry, "singularName")),
            nonNull(Json.str(entry, "kind")), Boolean.TRUE.equals(entry.get("namespaced")), strings(entry.get("verbs")),
            strings(entry.get("shortNames")), strings(entry.get("categories")));
    }

    private static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new UserError("the server's discovery document has a malformed list", "Check that the server is a Kubernetes API server.");
        }
        return new ArrayList<>(list);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        if (!(value instanceof Map)) {
            throw new UserError("the server's discovery document has a malformed entry", "Check that the server is a Kubernetes API server.");
        }
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        for (Object item : list(value)) {
            if (item instanceof String s) {
                strings.add(s);
            }
        }
        return List.copyOf(strings);
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
