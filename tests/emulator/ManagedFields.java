package emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field ownership as the Kubernetes API server tracks it in metadata.managedFields (FieldsV1),
 * and server-side apply on top of it: conflicts with other managers, force, and removal of fields
 * a manager stopped applying.
 *
 * NOTE: lists are owned as a whole (atomic), as Kubernetes treats lists without merge keys;
 * the API server merges lists of some built-in types by key, which the emulator's types do not need.
 */
final class ManagedFields {

    /** Metadata fields the server owns; they never appear in managedFields. */
    private static final Set<String> SERVER_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
            "generation", "creationTimestamp", "managedFields", "deletionTimestamp");

    private ManagedFields() {
    }

    /** The owner of a set of fields: a manager name and the operation (Apply or Update) that set them. */
    record Owner(String manager, String operation, String apiVersion, String time, Set<List<String>> fields) {
    }

    /** Returns the leaf paths of the fields an object sets, leaving out what the server owns and status. */
    static Set<List<String>> fieldPaths(Map<String, Object> object) {
        Set<List<String>> paths = new LinkedHashSet<>();
        for (Map.Entry<String, Object> entry : object.entrySet()) {
            String key = entry.getKey();
            if (key.equals("apiVersion") || key.equals("kind") || key.equals("status")) {
                continue;
            }
            if (key.equals("metadata") && entry.getValue() instanceof Map<?, ?> metadata) {
                for (Map.Entry<?, ?> field : metadata.entrySet()) {
                    if (!SERVER_METADATA.contains(String.valueOf(field.getKey()))) {
                        collect(List.of("metadata", String.valueOf(field.getKey())), field.getValue(), paths);
                    }
                }
                continue;
            }
            collect(List.of(key), entry.getValue(), paths);
        }
        return paths;
    }

    private static void collect(List<String> path, Object value, Set<List<String>> paths) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                List<String> child = new ArrayList<>(path);
                child.add(String.valueOf(entry.getKey()));
                collect(child, entry.getValue(), paths);
            }
            return;
        }
        paths.add(List.copyOf(path));
    }

    static String display(List<String> path) {
        return "." + String.join(".", path);
    }

    /** Reads the owners from metadata.managedFields. */
    @SuppressWarnings("unchecked")
    static List<Owner> owners(Map<String, Object> object) {
        List<Owner> owners = new ArrayList<>();
        if (object == null || !(Documents.metadata(object).get("managedFields") instanceof List<?> entries)) {
            return owners;
        }
        for (Object item : entries) {
            if (item instanceof Map<?, ?> entry) {
                Set<List<String>> fields = new LinkedHashSet<>();
                if (entry.get("fieldsV1") instanceof Map<?, ?> tree) {
                    decode(new ArrayList<>(), (Map<String, Object>) tree, fields);
                }
                owners.add(new Owner(String.valueOf(entry.get("manager")), String.valueOf(entry.get("operation")),
                        String.valueOf(entry.get("apiVersion")), String.valueOf(entry.get("time")), fields));
            }
        }
        return owners;
    }

    @SuppressWarnings("unchecked")
    private static void decode(List<String> path, Map<String, Object> tree, Set<List<String>> fields) {
        boolean leaf = true;
        for (Map.Entry<String, Object> entry : tree.entrySet()) {
            if (!entry.getKey().startsWith("f:")) {
                continue;
            }
            leaf = false;
            List<String> child = new ArrayList<>(path);
            child.add(entry.getKey().substring(2));
            decode(child, entry.getValue() instanceof Map ? (Map<String, Object>) entry.getValue() : Map.of(), fields);
        }
        if (leaf && !path.isEmpty()) {
            fields.add(List.copyOf(path));
        }
    }

    /** Writes the owners back to metadata.managedFields, dropping owners left with no field. */
    static void store(Map<String, Object> object, List<Owner> owners) {
        List<Object> entries = new ArrayList<>();
        for (Owner owner : owners) {
            if (owner.fields().isEmpty()) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("manager", owner.manager());
            entry.put("operation", owner.operation());
            entry.put("apiVersion", owner.apiVersion());
            entry.put("time", owner.time());
            entry.put("fieldsType", "FieldsV1");
            entry.put("fieldsV1", encode(owner.fields()));
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            Documents.metadata(object).remove("managedFields");
        } else {
            Documents.metadata(object).put("managedFields", entries);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> encode(Set<List<String>> fields) {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (List<String> path : fields) {
            Map<String, Object> node = tree;
            for (String key : path) {
                node = (Map<String, Object>) node.computeIfAbsent("f:" + key, k -> new LinkedHashMap<String, Object>());
            }
        }
        return tree;
    }

    /**
     * Records a create, update or patch by manager: the fields it added or changed become its
     * own (operation Update) and leave every other owner, and removed fields leave every owner.
     */
    static void recordUpdate(Map<String, Object> before, Map<String, Object> after, String manager) {
        Set<List<String>> afterPaths = fieldPaths(after);
        Set<List<String>> beforePaths = before == null ? Set.of() : fieldPaths(before);
        Set<List<String>> changed = new LinkedHashSet<>();
        for (List<String> path : afterPaths) {
            if (before == null || !Objects.equals(valueAt(before, path), valueAt(after, path))) {
                changed.add(path);
            }
        }
        List<Owner> owners = new ArrayList<>();
        Owner own = null;
        int ownIndex = -1;
        for (Owner owner : owners(before)) {
            Set<List<String>> kept = new LinkedHashSet<>(owner.fields());
            kept.removeIf(path -> !afterPaths.contains(path) && beforePaths.contains(path));
            boolean mine = owner.manager().equals(manager) && owner.operation().equals("Update");
            if (!mine) {
                kept.removeAll(changed);
                owners.add(withFields(owner, kept, owner.fields().equals(kept) ? owner.time() : now()));
            } else {
                own = owner;
                ownIndex = owners.size();
            }
        }
        if (!changed.isEmpty() || own != null) {
            Set<List<String>> fields = new LinkedHashSet<>(own == null ? Set.of() : own.fields());
            fields.retainAll(afterPaths);
            fields.addAll(changed);
            String time = own != null && own.fields().equals(fields) ? own.time() : now();
            owners.add(ownIndex < 0 ? owners.size() : ownIndex,
                    new Owner(manager, "Update", String.valueOf(after.get("apiVersion")), time, fields));
        }
        store(after, owners);
    }

    /**
     * Server-side apply of {@code applied} by manager onto current (null when the object does not
     * exist). Returns the new object. Throws 409 Conflict, naming each conflicting manager and field,
     * when applied changes a field another manager owns, unless force moves those fields to manager.
     */
    static Map<String, Object> apply(Map<String, Object> current, Map<String, Object> applied, String manager,
            boolean force, ResourceType type) throws KubeStatus {
        applied = Documents.copy(applied);
        for (String field : SERVER_METADATA) {
            if (!field.equals("name") && !field.equals("namespace")) {
                Documents.metadata(applied).remove(field);
            }
        }
        Set<List<String>> appliedPaths = fieldPaths(applied);
        List<Owner> owners = owners(current);
        Map<String, Set<List<String>>> conflicts = conflicts(current, applied, appliedPaths, owners, manager);
        if (!conflicts.isEmpty() && !force) {
            throw conflictStatus(conflicts, type, String.valueOf(Documents.metadata(applied).get("name")));
        }

        Set<List<String>> previous = new LinkedHashSet<>();
        List<Owner> result = new ArrayList<>();
        int ownIndex = -1;
        for (Owner owner : owners) {
            if (owner.manager().equals(manager) && owner.operation().equals("Apply")) {
                previous.addAll(owner.fields());
                ownIndex = result.size();
                continue;
            }
            Set<List<String>> kept = new LinkedHashSet<>(owner.fields());
            conflicts.getOrDefault(owner.manager(), Set.of()).forEach(kept::remove);
            result.add(withFields(owner, kept, kept.equals(owner.fields()) ? owner.time() : now()));
        }

        Map<String, Object> merged = current == null ? new LinkedHashMap<>() : Documents.copy(current);
        for (List<String> path : previous) {
            boolean ownedElsewhere = result.stream().anyMatch(owner -> owner.fields().contains(path));
            if (!appliedPaths.contains(path) && !ownedElsewhere) {
                removeAt(merged, path);
            }
        }
        merged = deepMerge(merged, applied);
        Owner old = owners.stream().filter(o -> o.manager().equals(manager) && o.operation().equals("Apply")).findFirst().orElse(null);
        String time = old != null && old.fields().equals(appliedPaths) ? old.time() : now();
        result.add(ownIndex < 0 ? result.size() : ownIndex,
                new Owner(manager, "Apply", String.valueOf(applied.get("apiVersion")), time, appliedPaths));
        store(merged, result);
        return merged;
    }

    private static Map<String, Set<List<String>>> conflicts(Map<String, Object> current, Map<String, Object> applied,
            Set<List<String>> appliedPaths, List<Owner> owners, String manager) {
        Map<String, Set<List<String>>> conflicts = new LinkedHashMap<>();
        if (current == null) {
            return conflicts;
        }
        for (Owner owner : owners) {
            if (owner.manager().equals(manager)) {
                continue;
            }
            for (List<String> path : appliedPaths) {
                if (owner.fields().contains(path) && !Objects.equals(valueAt(current, path), valueAt(applied, path))) {
                    conflicts.computeIfAbsent(owner.manager(), m -> new LinkedHashSet<>()).add(path);
                }
            }
        }
        return conflicts;
    }

    private static KubeStatus conflictStatus(Map<String, Set<List<String>>> conflicts, ResourceType type, String name) {
        int count = conflicts.values().stream().mapToInt(Set::size).sum();
        List<Object> causes = new ArrayList<>();
        StringBuilder message = new StringBuilder("Apply failed with " + count + (count == 1 ? " conflict: " : " conflicts: "));
        List<String> parts = new ArrayList<>();
        conflicts.forEach((manager, paths) -> {
            String with = "conflict with \"" + manager + "\" using " + type.groupVersion();
            for (List<String> path : paths) {
                causes.add(Map.of("type", "FieldManagerConflict", "message", with, "field", display(path)));
            }
            if (paths.size() == 1) {
                parts.add(with + ": " + display(paths.iterator().next()));
            } else {
                parts.add("conflicts with \"" + manager + "\" using " + type.groupVersion() + ":\n- "
                        + String.join("\n- ", paths.stream().map(ManagedFields::display).toList()));
            }
        });
        message.append(String.join("\n", parts));
        KubeStatus status = KubeStatus.conflict(type.resource(), type.group(), name, message.toString());
        status.details.put("causes", causes);
        return status;
    }

    @SuppressWarnings("unchecked")
    static Object valueAt(Map<String, Object> object, List<String> path) {
        Object node = object;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = ((Map<String, Object>) map).get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static void removeAt(Map<String, Object> object, List<String> path) {
        Map<String, Object> node = object;
        for (int i = 0; i < path.size() - 1; i++) {
            if (!(node.get(path.get(i)) instanceof Map<?, ?> child)) {
                return;
            }
            node = (Map<String, Object>) child;
        }
        node.remove(path.get(path.size() - 1));
    }

    /** Merges applied into base: maps key by key, everything else (lists included) replaced. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> applied) {
        for (Map.Entry<String, Object> entry : applied.entrySet()) {
            Object existing = base.get(entry.getKey());
            if (existing instanceof Map && entry.getValue() instanceof Map) {
                base.put(entry.getKey(), deepMerge((Map<String, Object>) existing, (Map<String, Object>) entry.getValue()));
            } else {
                base.put(entry.getKey(), Documents.copy(entry.getValue()));
            }
        }
        return base;
    }

    private static Owner withFields(Owner owner, Set<List<String>> fields, String time) {
        return new Owner(owner.manager(), owner.operation(), owner.apiVersion(), time, fields);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
