package emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The objects of one control plane, by resource and then by namespace and name. Each control
 * plane has its own store and its own resourceVersion counter, as separate API servers would.
 */
final class ResourceStore {

    private final Map<String, TreeMap<String, Map<String, Object>>> objects = new HashMap<>();
    private long resourceVersion;

    /** Adds an object, filling in uid, resourceVersion and generation. */
    @SuppressWarnings("unchecked")
    synchronized void add(ResourceType type, Map<String, Object> object) {
        Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
        resourceVersion++;
        metadata.putIfAbsent("uid", UUID.nameUUIDFromBytes((type.resource() + "/" + key(metadata)).getBytes()).toString());
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        metadata.putIfAbsent("generation", 1);
        objects.computeIfAbsent(type.resource(), r -> new TreeMap<>()).put(key(metadata), object);
    }

    /** Lists objects of a type, in one namespace or, when {@code namespace} is null, in all. */
    synchronized List<Map<String, Object>> list(ResourceType type, String namespace) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> object : objects.getOrDefault(type.resource(), new TreeMap<>()).values()) {
            if (namespace == null || namespace.equals(namespaceOf(object))) {
                items.add(object);
            }
        }
        return items;
    }

    synchronized Optional<Map<String, Object>> get(ResourceType type, String namespace, String name) {
        String key = (namespace == null ? "" : namespace) + "/" + name;
        return Optional.ofNullable(objects.getOrDefault(type.resource(), new TreeMap<>()).get(key));
    }

    synchronized String resourceVersion() {
        return Long.toString(resourceVersion);
    }

    @SuppressWarnings("unchecked")
    private static String namespaceOf(Map<String, Object> object) {
        Object namespace = ((Map<String, Object>) object.get("metadata")).get("namespace");
        return namespace == null ? null : namespace.toString();
    }

    private static String key(Map<String, Object> metadata) {
        Object namespace = metadata.get("namespace");
        return (namespace == null ? "" : namespace) + "/" + metadata.get("name");
    }

    /** Starts an object with apiVersion, kind and metadata.name (and namespace when given). */
    static Map<String, Object> newObject(ResourceType type, String namespace, String name) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", type.groupVersion());
        object.put("kind", type.kind());
        object.put("metadata", metadata);
        return object;
    }
}
