package emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kubernetes discovery documents of a control plane, in the legacy form ({@code APIGroupList},
 * {@code APIResourceList}) and the aggregated form ({@code APIGroupDiscoveryList}) that kubectl
 * 1.26 and later request first through the Accept header.
 */
final class Discovery {

    private static final String AGGREGATED_GROUP = "apidiscovery.k8s.io";

    private Discovery() {
    }

    /**
     * Returns the aggregated discovery version ("v2" or "v2beta1") of the first media range in
     * Accept that requests one, or null when the client prefers the legacy documents.
     */
    static String aggregatedVersion(String accept) {
        if (accept == null) {
            return null;
        }
        for (String range : accept.split(",")) {
            Map<String, String> parameters = new LinkedHashMap<>();
            String[] parts = range.split(";");
            for (int i = 1; i < parts.length; i++) {
                String[] pair = parts[i].trim().split("=", 2);
                parameters.put(pair[0].toLowerCase(Locale.ROOT), pair.length > 1 ? pair[1] : "");
            }
            String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
            if (mediaType.equals("application/json") && AGGREGATED_GROUP.equals(parameters.get("g"))
                    && "APIGroupDiscoveryList".equals(parameters.get("as"))) {
                String version = parameters.get("v");
                if ("v2".equals(version) || "v2beta1".equals(version)) {
                    return version;
                }
            } else if (mediaType.equals("application/json") || mediaType.equals("*/*") || mediaType.equals("application/*")) {
                return null;
            }
        }
        return null;
    }

    static String aggregatedContentType(String version) {
        return "application/json;g=" + AGGREGATED_GROUP + ";v=" + version + ";as=APIGroupDiscoveryList";
    }

    static Map<String, Object> apiVersions(String serverAddress) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("kind", "APIVersions");
        document.put("versions", List.of("v1"));
        document.put("serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", serverAddress)));
        return document;
    }

    static Map<String, Object> groupList(List<ResourceType> types) {
        List<Object> groups = new ArrayList<>();
        for (String group : groups(types)) {
            groups.add(group(group, types));
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("kind", "APIGroupList");
        document.put("apiVersion", "v1");
        document.put("groups", groups);
        return document;
    }

    /** Builds one APIGroup. Each group the emulator serves has a single version. */
    static Map<String, Object> group(String group, List<ResourceType> types) {
        String version = types.stream().filter(t -> t.group().equals(group)).findFirst().orElseThrow().version();
        Map<String, Object> groupVersion = Map.of("groupVersion", group + "/" + version, "version", version);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("kind", "APIGroup");
        document.put("apiVersion", "v1");
        document.put("name", group);
        document.put("versions", List.of(groupVersion));
        document.put("preferredVersion", groupVersion);
        return document;
    }

    static Map<String, Object> resourceList(String groupVersion, List<ResourceType> types) {
        List<Object> resources = new ArrayList<>();
        for (ResourceType type : types) {
            if (type.groupVersion().equals(groupVersion)) {
                Map<String, Object> resource = new LinkedHashMap<>();
                resource.put("name", type.resource());
                resource.put("singularName", type.singular());
                resource.put("namespaced", type.namespaced());
                resource.put("kind", type.kind());
                resource.put("verbs", type.verbs());
                if (!type.shortNames().isEmpty()) {
                    resource.put("shortNames", type.shortNames());
                }
                if (!type.categories().isEmpty()) {
                    resource.put("categories", type.categories());
                }
                resources.add(resource);
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("kind", "APIResourceList");
        document.put("apiVersion", "v1");
        document.put("groupVersion", groupVersion);
        document.put("resources", resources);
        return document;
    }

    /** Builds the aggregated document of the core group (for /api) or of all named groups (for /apis). */
    static Map<String, Object> aggregated(String version, List<ResourceType> types, boolean core) {
        List<Object> items = new ArrayList<>();
        if (core) {
            items.add(aggregatedGroup(null, "v1", List.of()));
        } else {
            for (String group : groups(types)) {
                List<ResourceType> inGroup = types.stream().filter(t -> t.group().equals(group)).toList();
                items.add(aggregatedGroup(group, inGroup.get(0).version(), inGroup));
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("kind", "APIGroupDiscoveryList");
        document.put("apiVersion", AGGREGATED_GROUP + "/" + version);
        document.put("metadata", Map.of());
        document.put("items", items);
        return document;
    }

    private static Map<String, Object> aggregatedGroup(String group, String version, List<ResourceType> types) {
        List<Object> resources = new ArrayList<>();
        for (ResourceType type : types) {
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("resource", type.resource());
            resource.put("responseKind", Map.of("group", type.group(), "version", type.version(), "kind", type.kind()));
            resource.put("scope", type.namespaced() ? "Namespaced" : "Cluster");
            resource.put("singularResource", type.singular());
            resource.put("verbs", type.verbs());
            if (!type.shortNames().isEmpty()) {
                resource.put("shortNames", type.shortNames());
            }
            if (!type.categories().isEmpty()) {
                resource.put("categories", type.categories());
            }
            resources.add(resource);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (group != null) {
            metadata.put("name", group);
        }
        metadata.put("creationTimestamp", null);
        Map<String, Object> versionEntry = new LinkedHashMap<>();
        versionEntry.put("version", version);
        versionEntry.put("resources", resources);
        versionEntry.put("freshness", "Current");
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("metadata", metadata);
        item.put("versions", List.of(versionEntry));
        return item;
    }

    private static List<String> groups(List<ResourceType> types) {
        return types.stream().map(ResourceType::group).distinct().toList();
    }
}
