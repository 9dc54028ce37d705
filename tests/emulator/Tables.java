package emulator;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Table responses ({@code meta.k8s.io} Table), which kubectl and datumctl request with
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io} to print a resource's columns.
 */
final class Tables {

    /** One column: its header, type, where its value is, and priority (1 shows only with -o wide). */
    record Column(String name, String type, List<String> path, int priority, String description) {
    }

    private static final Column NAME = new Column("Name", "string", List.of("metadata", "name"), 0,
            "Name must be unique within a namespace.");
    private static final Column AGE = new Column("Age", "date", List.of("metadata", "creationTimestamp"), 0,
            "The time since the object was created.");

    private static final Map<String, List<Column>> COLUMNS = Map.of(
            "dnszones", List.of(NAME, text("Domain Name", "spec", "domainName"), AGE,
                    wide("Zone Class", "spec", "dnsZoneClassName")),
            "domains", List.of(NAME, text("Domain Name", "spec", "domainName"), AGE),
            "projects", List.of(NAME, AGE),
            "organizationmemberships", List.of(NAME, text("Organization", "spec", "organizationRef", "name"), AGE));

    private Tables() {
    }

    private static Column text(String name, String... path) {
        return new Column(name, "string", List.of(path), 0, "");
    }

    private static Column wide(String name, String... path) {
        return new Column(name, "string", List.of(path), 1, "");
    }

    /** Returns the Table version ("v1" or "v1beta1") that Accept requests first, or null when it asks for none. */
    static String requestedVersion(String accept) {
        if (accept == null) {
            return null;
        }
        for (String range : accept.split(",")) {
            String lower = range.toLowerCase(Locale.ROOT).replace(" ", "");
            if (lower.contains("as=table") && lower.contains("g=meta.k8s.io")) {
                return lower.contains("v=v1beta1") ? "v1beta1" : "v1";
            }
            if (lower.startsWith("application/json") || lower.startsWith("*/*")) {
                return null;
            }
        }
        return null;
    }

    static Map<String, Object> table(ResourceType type, List<Map<String, Object>> objects, String resourceVersion,
            String version, String includeObject) {
        List<Column> columns = COLUMNS.getOrDefault(type.resource(), List.of(NAME, AGE));
        List<Object> definitions = new ArrayList<>();
        for (Column column : columns) {
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("name", column.name());
            definition.put("type", column.type());
            definition.put("format", column == NAME ? "name" : "");
            definition.put("description", column.description());
            definition.put("priority", column.priority());
            definitions.add(definition);
        }
        List<Object> rows = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            rows.add(row(columns, object, version, includeObject));
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/" + version);
        table.put("metadata", Map.of("resourceVersion", resourceVersion));
        table.put("columnDefinitions", definitions);
        table.put("rows", rows);
        return table;
    }

    private static Map<String, Object> row(List<Column> columns, Map<String, Object> object, String version,
            String includeObject) {
        List<Object> cells = new ArrayList<>();
        for (Column column : columns) {
            Object value = ManagedFields.valueAt(object, column.path());
            if (column.type().equals("date")) {
                value = value == null ? "<unknown>" : age(value.toString(), Instant.now());
            }
            cells.add(value == null ? "<none>" : value);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cells", cells);
        if ("Object".equals(includeObject)) {
            row.put("object", object);
        } else if (!"None".equals(includeObject)) {
            Map<String, Object> partial = new LinkedHashMap<>();
            partial.put("kind", "PartialObjectMetadata");
            partial.put("apiVersion", "meta.k8s.io/" + version);
            Map<String, Object> metadata = Documents.copy(Documents.metadata(object));
            metadata.remove("managedFields");
            partial.put("metadata", metadata);
            row.put("object", partial);
        }
        return row;
    }

    /** Formats the time since an RFC 3339 timestamp the way kubectl's AGE column does. */
    static String age(String timestamp, Instant now) {
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    /** Rounds a duration to one or two units, as Kubernetes' duration.HumanDuration does. */
    static String humanDuration(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        } else if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long days = hours / 24 % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
