package lib;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns API objects and server Tables into what kubectl get prints: table rows (with -o wide,
 * --show-labels, a NAMESPACE column for --all-namespaces and a TYPE/ prefix on names when several
 * types are shown), -o name lines, custom columns, and the List wrapper of -o json and -o yaml.
 */
public final class ResourcePrinter {

    /** Row options: priority columns (-o wide), a LABELS column, a NAMESPACE column, and a TYPE prefix for names (null for none). */
    public record TableOptions(boolean wide, boolean showLabels, boolean namespaceColumn, String namePrefix) {
    }

    private ResourcePrinter() {
    }

    /** Returns true when the response is a meta.k8s.io Table. */
    public static boolean isTable(Map<String, Object> response) {
        return "Table".equals(Json.str(response, "kind")) && String.valueOf(response.get("apiVersion")).startsWith("meta.k8s.io/");
    }

    /** Returns the header row for a Table's columns. */
    public static String[] header(Map<String, Object> table, TableOptions options) {
        List<String> cells = new ArrayList<>();
        if (options.namespaceColumn()) {
            cells.add("NAMESPACE");
        }
        for (Map<String, Object> column : visibleColumns(table, options)) {
            cells.add(String.valueOf(column.get("name")).toUpperCase(java.util.Locale.ROOT));
        }
        if (options.showLabels()) {
            cells.add("LABELS");
        }
        return cells.toArray(String[]::new);
    }

    /** Returns the rows of a Table, formatted as kubectl prints them. */
    public static List<String[]> rows(Map<String, Object> table, TableOptions options) {
        List<Map<String, Object>> columns = maps(table.get("columnDefinitions"));
        List<String[]> result = new ArrayList<>();
        for (Map<String, Object> row : maps(table.get("rows"))) {
            Map<String, Object> metadata = Json.obj(nonNull(Json.obj(row, "object")), "metadata");
            List<?> values = row.get("cells") instanceof List<?> list ? list : List.of();
            List<String> cells = new ArrayList<>();
            if (options.namespaceColumn()) {
                cells.add(text(metadata == null ? null : metadata.get("namespace")));
            }
            for (int i = 0; i < columns.size(); i++) {
                Map<String, Object> column = columns.get(i);
                if (!visible(column, options)) {
                    continue;
                }
                String cell = text(i < values.size() ? values.get(i) : null);
                if ("name".equals(column.get("format")) && options.namePrefix() != null) {
                    cell = options.namePrefix() + "/" + cell;
                }
                cells.add(cell);
            }
            if (options.showLabels()) {
                cells.add(labels(metadata));
            }
            result.add(cells.toArray(String[]::new));
        }
        return result;
    }

    /** Returns NAME and AGE rows for servers that send no Table. */
    public static List<String[]> nameAgeRows(List<Map<String, Object>> objects, TableOptions options, boolean header) {
        List<String[]> rows = new ArrayList<>();
        if (header) {
            rows.add(withExtras(List.of("NAME", "AGE"), options, "NAMESPACE", "LABELS"));
        }
        for (Map<String, Object> object : objects) {
            Map<String, Object> metadata = nonNull(Json.obj(object, "metadata"));
            String name = Json.str(metadata, "name");
            List<String> cells = new ArrayList<>();
            if (options.namespaceColumn()) {
                cells.add(text(metadata.get("namespace")));
            }
            cells.add(options.namePrefix() == null ? name : options.namePrefix() + "/" + name);
            cells.add(age(Json.str(metadata, "creationTimestamp"), Instant.now()));
            if (options.showLabels()) {
                cells.add(labels(metadata));
            }
            rows.add(cells.toArray(String[]::new));
        }
        return rows;
    }

    private static String[] withExtras(List<String> cells, TableOptions options, String namespace, String labels) {
        List<String> all = new ArrayList<>();
        if (options.namespaceColumn()) {
            all.add(namespace);
        }
        all.addAll(cells);
        if (options.showLabels()) {
            all.add(labels);
        }
        return all.toArray(String[]::new);
    }

    private static List<Map<String, Object>> visibleColumns(Map<String, Object> table, TableOptions options) {
        return maps(table.get("columnDefinitions")).stream().filter(column -> visible(column, options)).toList();
    }

    private static boolean visible(Map<String, Object> column, TableOptions options) {
        return options.wide() || Json.num(column, "priority", 0) == 0;
    }

    /** Formats labels as kubectl's LABELS column: key=value pairs sorted by key, or {@code <none>}. */
    static String labels(Map<String, Object> metadata) {
        Map<String, Object> labels = metadata == null ? null : Json.obj(metadata, "labels");
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        List<String> pairs = new ArrayList<>();
        new TreeMap<>(labels).forEach((key, value) -> pairs.add(key + "=" + value));
        return String.join(",", pairs);
    }

    /** Formats a cell value: {@code <none>} for null, plain text for everything else. */
    static String text(Object value) {
        if (value == null) {
            return "<none>";
        }
        return JsonPath.format(value);
    }

    /** Returns the rows of -o custom-columns=HEADER:PATH,...; a missing value prints {@code <none>}. */
    public static List<String[]> customColumns(String spec, List<Map<String, Object>> objects, boolean header) {
        List<String> headers = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String column : spec.split(",")) {
            int colon = column.indexOf(':');
            if (colon <= 0 || colon == column.length() - 1) {
                throw UserError.usage("invalid custom-columns column '" + column + "'",
                    "Write each column as HEADER:PATH, for example -o custom-columns=NAME:.metadata.name,DOMAIN:.spec.domainName.");
            }
            headers.add(column.substring(0, colon));
            paths.add(column.substring(colon + 1));
        }
        paths.forEach(path -> JsonPath.select(path, Map.of()));
        List<String[]> rows = new ArrayList<>();
        if (header) {
            rows.add(headers.toArray(String[]::new));
        }
        for (Map<String, Object> object : objects) {
            String[] cells = new String[paths.size()];
            for (int i = 0; i < paths.size(); i++) {
                List<Object> values = JsonPath.select(paths.get(i), object);
                cells[i] = values.isEmpty() ? "<none>" : String.join(",", values.stream().map(JsonPath::format).toList());
            }
            rows.add(cells);
        }
        return rows;
    }

    /**
     * Prepares an object for -o json, -o yaml and jsonpath as kubectl shows unstructured objects:
     * map keys sorted (Go's encoding/json sorts map keys), and metadata.managedFields left out
     * unless showManagedFields.
     */
    public static Object forOutput(Object value, boolean showManagedFields) {
        Object sorted = sortKeys(value);
        if (!showManagedFields) {
            removeManagedFields(sorted);
        }
        return sorted;
    }

    private static void removeManagedFields(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.get("metadata") instanceof Map<?, ?> metadata) {
                metadata.remove("managedFields");
            }
            if (map.get("items") instanceof List<?> items) {
                items.forEach(ResourcePrinter::removeManagedFields);
            }
        }
    }

    private static Object sortKeys(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, item) -> sorted.put(String.valueOf(key), sortKeys(item)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(sortKeys(item)));
            return copy;
        }
        return value;
    }

    /** Wraps objects in the v1 List kubectl prints for -o json and -o yaml of more than one object. */
    public static Map<String, Object> list(List<Map<String, Object>> items) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("items", items);
        list.put("kind", "List");
        list.put("metadata", Map.of("resourceVersion", ""));
        return list;
    }

    /** Formats the time since an RFC 3339 timestamp as kubectl's AGE column does. */
    public static String age(String timestamp, Instant now) {
        if (timestamp == null) {
            return "<unknown>";
        }
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

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> maps(Object value) {
        List<Map<String, Object>> maps = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map) {
                    maps.add((Map<String, Object>) item);
                }
            }
        }
        return maps;
    }

    private static Map<String, Object> nonNull(Map<String, Object> map) {
        return map == null ? Map.of() : map;
    }
}
