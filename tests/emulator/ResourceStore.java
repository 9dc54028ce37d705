package emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The objects of one control plane, by resource and then by namespace and name. Each control
 * plane has its own store and its own resourceVersion counter, as separate API servers would.
 * Every change is also kept in a bounded event log that watches read from.
 */
final class ResourceStore {

    /** One change, as a watch reports it: ADDED, MODIFIED or DELETED, with the object after the change. */
    record Event(long resourceVersion, String resource, String type, Map<String, Object> object) {
    }

    /** Events of one type found by {@link #eventsAfter}, and the resourceVersion the search covered. */
    record Batch(List<Event> events, long upTo) {
    }

    /** Older events are dropped; a watch from before the oldest kept event gets 410 Gone. */
    static final int MAX_EVENTS = 1000;

    private final Map<String, TreeMap<String, Map<String, Object>>> objects = new HashMap<>();
    private final Deque<Event> events = new ArrayDeque<>();
    private long resourceVersion;
    /** The resourceVersion of the newest event dropped from the log, 0 while none was dropped. */
    private long droppedUpTo;

    /** Adds a seeded object, filling in uid, resourceVersion and generation. */
    @SuppressWarnings("unchecked")
    synchronized void add(ResourceType type, Map<String, Object> object) {
        Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
        resourceVersion++;
        metadata.putIfAbsent("uid", UUID.nameUUIDFromBytes((type.resource() + "/" + key(metadata)).getBytes()).toString());
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        metadata.putIfAbsent("generation", 1);
        objects.computeIfAbsent(type.resource(), r -> new TreeMap<>()).put(key(metadata), object);
    }

    /** Lists copies of the objects of a type, in one namespace or, when {@code namespace} is null, in all. */
    synchronized List<Map<String, Object>> list(ResourceType type, String namespace, Predicate<Map<String, Object>> filter) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> object : objects.getOrDefault(type.resource(), new TreeMap<>()).values()) {
            if ((namespace == null || namespace.equals(namespaceOf(object))) && filter.test(object)) {
                items.add(Documents.copy(object));
            }
        }
        return items;
    }

    synchronized List<Map<String, Object>> list(ResourceType type, String namespace) {
        return list(type, namespace, object -> true);
    }

    synchronized Optional<Map<String, Object>> get(ResourceType type, String namespace, String name) {
        Map<String, Object> object = objects.getOrDefault(type.resource(), new TreeMap<>()).get(key(namespace, name));
        return Optional.ofNullable(object).map(Documents::copy);
    }

    synchronized String resourceVersion() {
        return Long.toString(resourceVersion);
    }

    /**
     * Stores a new object: a fresh uid, resourceVersion, generation 1 and creationTimestamp.
     * Returns the stored copy; with dryRun the store is left unchanged.
     */
    synchronized Map<String, Object> create(ResourceType type, Map<String, Object> object, boolean dryRun) throws KubeStatus {
        Map<String, Object> metadata = Documents.metadata(object);
        String name = String.valueOf(metadata.get("name"));
        if (get(type, (String) metadata.get("namespace"), name).isPresent()) {
            throw KubeStatus.alreadyExists(type.resource(), type.group(), name);
        }
        Map<String, Object> stored = Documents.copy(object);
        Map<String, Object> storedMetadata = Documents.metadata(stored);
        storedMetadata.put("uid", UUID.randomUUID().toString());
        storedMetadata.put("generation", 1);
        storedMetadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        storedMetadata.put("resourceVersion", Long.toString(dryRun ? resourceVersion : resourceVersion + 1));
        if (!dryRun) {
            commit(type, stored, "ADDED");
        }
        return Documents.copy(stored);
    }

    /**
     * Replaces an existing object. A resourceVersion in the new object must match the stored one
     * (409 Conflict otherwise); uid and creationTimestamp are kept, and generation grows when
     * anything outside metadata and status changed. An update that changes nothing keeps the
     * stored resourceVersion, as the Kubernetes API server does.
     */
    synchronized Map<String, Object> update(ResourceType type, Map<String, Object> object, boolean dryRun) throws KubeStatus {
        Map<String, Object> metadata = Documents.metadata(object);
        String name = String.valueOf(metadata.get("name"));
        Map<String, Object> current = objects.getOrDefault(type.resource(), new TreeMap<>())
                .get(key((String) metadata.get("namespace"), name));
        if (current == null) {
            throw KubeStatus.notFound(type.resource(), type.group(), name);
        }
        Map<String, Object> currentMetadata = Documents.metadata(current);
        Object requested = metadata.get("resourceVersion");
        if (requested != null && !"".equals(requested) && !requested.equals(currentMetadata.get("resourceVersion"))) {
            throw KubeStatus.conflict(type.resource(), type.group(), name, "Operation cannot be fulfilled on "
                    + type.resource() + "." + type.group() + " \"" + name
                    + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
        Map<String, Object> stored = Documents.copy(object);
        Map<String, Object> storedMetadata = Documents.metadata(stored);
        for (String kept : List.of("uid", "creationTimestamp", "generation", "resourceVersion")) {
            storedMetadata.put(kept, currentMetadata.get(kept));
        }
        if (Objects.equals(stored, current)) {
            return Documents.copy(current);
        }
        if (!Objects.equals(Documents.withoutMetadataAndStatus(stored), Documents.withoutMetadataAndStatus(current))) {
            storedMetadata.put("generation", ((Number) currentMetadata.get("generation")).longValue() + 1);
        }
        storedMetadata.put("resourceVersion", Long.toString(dryRun ? resourceVersion : resourceVersion + 1));
        if (!dryRun) {
            commit(type, stored, "MODIFIED");
        }
        return Documents.copy(stored);
    }

    /** Removes an object and returns it; with dryRun the store is left unchanged. */
    synchronized Map<String, Object> delete(ResourceType type, String namespace, String name, boolean dryRun)
            throws KubeStatus {
        Map<String, Object> current = objects.getOrDefault(type.resource(), new TreeMap<>()).get(key(namespace, name));
        if (current == null) {
            throw KubeStatus.notFound(type.resource(), type.group(), name);
        }
        if (dryRun) {
            return Documents.copy(current);
        }
        objects.get(type.resource()).remove(key(namespace, name));
        resourceVersion++;
        Map<String, Object> deleted = Documents.copy(current);
        Documents.metadata(deleted).put("resourceVersion", Long.toString(resourceVersion));
        record(type, deleted, "DELETED");
        notifyAll();
        return Documents.copy(deleted);
    }

    private void commit(ResourceType type, Map<String, Object> stored, String eventType) {
        resourceVersion++;
        Documents.metadata(stored).put("resourceVersion", Long.toString(resourceVersion));
        objects.computeIfAbsent(type.resource(), r -> new TreeMap<>()).put(key(Documents.metadata(stored)), stored);
        record(type, Documents.copy(stored), eventType);
        notifyAll();
    }

    private void record(ResourceType type, Map<String, Object> object, String eventType) {
        events.addLast(new Event(resourceVersion, type.resource(), eventType, object));
        while (events.size() > MAX_EVENTS) {
            droppedUpTo = events.removeFirst().resourceVersion();
        }
    }

    /**
     * Returns the events of a type after resourceVersion {@code after}, waiting up to
     * {@code waitMillis} for one when there are none yet. Throws 410 Gone when events after
     * that version were already dropped from the log.
     */
    synchronized Batch eventsAfter(ResourceType type, long after, long waitMillis) throws KubeStatus, InterruptedException {
        if (after < droppedUpTo) {
            throw new KubeStatus(410, "Expired", "too old resource version: " + after + " (" + droppedUpTo + ")", null);
        }
        if (resourceVersion <= after) {
            wait(waitMillis);
        }
        List<Event> found = new ArrayList<>();
        for (Event event : events) {
            if (event.resourceVersion() > after && event.resource().equals(type.resource())) {
                found.add(event);
            }
        }
        return new Batch(found, resourceVersion);
    }

    private static String namespaceOf(Map<String, Object> object) {
        Object namespace = Documents.metadata(object).get("namespace");
        return namespace == null ? null : namespace.toString();
    }

    private static String key(Map<String, Object> metadata) {
        return key((String) metadata.get("namespace"), String.valueOf(metadata.get("name")));
    }

    private static String key(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
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
