package lib;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The filtering, order and columns of `api-resources`, as kubectl applies them to discovery. */
public final class ApiResourceList {

    /** Filters; a null field does not filter. sortBy is null (by group), "name" or "kind". */
    public record Query(String apiGroup, Boolean namespaced, List<String> verbs, List<String> categories, String sortBy) {
    }

    private ApiResourceList() {
    }

    /** Returns the resources that pass every filter, sorted by the sort column and then by name. */
    public static List<Discovery.ApiResource> select(List<Discovery.ApiResource> all, Query query) {
        List<Discovery.ApiResource> selected = new ArrayList<>();
        for (Discovery.ApiResource resource : all) {
            boolean keep = !resource.verbs().isEmpty()
                && (query.apiGroup() == null || query.apiGroup().equals(resource.group()))
                && (query.namespaced() == null || query.namespaced() == resource.namespaced())
                && (query.verbs() == null || resource.verbs().containsAll(query.verbs()))
                && (query.categories() == null || resource.categories().containsAll(query.categories()));
            if (keep) {
                selected.add(resource);
            }
        }
        Comparator<Discovery.ApiResource> column = switch (query.sortBy() == null ? "" : query.sortBy()) {
            case "name" -> Comparator.comparing(Discovery.ApiResource::name);
            case "kind" -> Comparator.comparing(Discovery.ApiResource::kind);
            default -> Comparator.comparing(Discovery.ApiResource::group);
        };
        selected.sort(column.thenComparing(Discovery.ApiResource::name));
        return selected;
    }

    public static String[] header(boolean wide) {
        return wide ? new String[] {"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"}
            : new String[] {"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"};
    }

    public static String[] row(Discovery.ApiResource resource, boolean wide) {
        String[] row = {resource.name(), String.join(",", resource.shortNames()), resource.groupVersion(),
            Boolean.toString(resource.namespaced()), resource.kind()};
        if (!wide) {
            return row;
        }
        return new String[] {row[0], row[1], row[2], row[3], row[4], String.join(",", resource.verbs()),
            String.join(",", resource.categories())};
    }
}
