package lib;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `get` and `delete` ask for: TYPE arguments as kubectl reads them ({@code TYPE [NAME...]},
 * {@code TYPE1,TYPE2} and {@code TYPE/NAME ...}), and the fetch of each selection, as a server
 * Table or as objects, with not-found names collected instead of ending the command.
 */
public final class ResourceQuery {

    /** One type and the names asked for (empty: every object that matches the selectors). */
    public record Selection(String type, List<String> names) {
    }

    /** The objects of one selection, and the Table the server sent for them (null without one). */
    public record Fetched(ResourceApi api, Map<String, Object> table, List<Map<String, Object>> objects,
                          String resourceVersion) {

        public int count() {
            return table != null ? ResourcePrinter.maps(table.get("rows")).size() : objects.size();
        }
    }

    private ResourceQuery() {
    }

    /** Reads kubectl-style arguments into selections, keeping the order types were named in. */
    public static List<Selection> parse(List<String> args) {
        if (args.isEmpty()) {
            throw UserError.usage("you must specify the type of resource to get",
                "Name a type such as dnszones, or TYPE/NAME; 'datumctl api-resources' lists the types.");
        }
        boolean slashed = args.stream().anyMatch(arg -> arg.contains("/"));
        if (slashed) {
            Map<String, List<String>> byType = new LinkedHashMap<>();
            for (String arg : args) {
                int slash = arg.indexOf('/');
                if (slash <= 0 || slash == arg.length() - 1) {
                    throw UserError.usage("there is no need to specify a resource type as a separate argument when passing"
                        + " arguments in resource/name form (got '" + arg + "')", "Write every argument as TYPE/NAME.");
                }
                byType.computeIfAbsent(arg.substring(0, slash), t -> new ArrayList<>()).add(arg.substring(slash + 1));
            }
            List<Selection> selections = new ArrayList<>();
            byType.forEach((type, names) -> selections.add(new Selection(type, List.copyOf(names))));
            return selections;
        }
        // As kubectl: with several types and names, every name is looked up in every type.
        String[] types = args.get(0).split(",");
        List<String> names = args.subList(1, args.size());
        List<Selection> selections = new ArrayList<>();
        for (String type : types) {
            if (!type.isBlank()) {
                selections.add(new Selection(type.trim(), List.copyOf(names)));
            }
        }
        return selections;
    }

    /**
     * Fetches one selection. Names that do not exist are added to notFound as kubectl's message
     * and skipped; any other failure is thrown, worded by session.
     */
    public static Fetched fetch(ResourceSession session, ResourceApi api, Selection selection, String namespace,
                                String labelSelector, String fieldSelector, ResourceApi.Form form, List<String> notFound) {
        if (selection.names().isEmpty()) {
            Map<String, Object> response = call(session, api, "list", null, namespace,
                () -> api.list(namespace, labelSelector, fieldSelector, form));
            String resourceVersion = Json.str(Json.obj(response, "metadata"), "resourceVersion");
            if (ResourcePrinter.isTable(response)) {
                return new Fetched(api, response, List.of(), resourceVersion);
            }
            return new Fetched(api, null, ResourcePrinter.maps(response.get("items")), resourceVersion);
        }
        Map<String, Object> combined = null;
        List<Map<String, Object>> objects = new ArrayList<>();
        String resourceVersion = null;
        for (String name : selection.names()) {
            Map<String, Object> response;
            try {
                response = call(session, api, "get", name, namespace, () -> api.get(namespace, name, form));
            } catch (ResourceApi.ApiError e) {
                if (e.status() != 404) {
                    throw e;
                }
                notFound.add(e.kubectlMessage());
                continue;
            }
            resourceVersion = Json.str(Json.obj(response, "metadata"), "resourceVersion");
            if (ResourcePrinter.isTable(response)) {
                combined = appendRows(combined, response);
            } else {
                objects.add(response);
            }
        }
        return new Fetched(api, combined, objects, resourceVersion);
    }

    private static Map<String, Object> appendRows(Map<String, Object> combined, Map<String, Object> table) {
        if (combined == null) {
            Map<String, Object> copy = new LinkedHashMap<>(table);
            copy.put("rows", new ArrayList<>(ResourcePrinter.maps(table.get("rows"))));
            return copy;
        }
        @SuppressWarnings("unchecked")
        List<Object> rows = (List<Object>) combined.get("rows");
        rows.addAll(ResourcePrinter.maps(table.get("rows")));
        return combined;
    }

    /** Runs an API call and rewords a 403 with the verb, resource and scope. */
    public static <T> T call(ResourceSession session, ResourceApi api, String verb, String name, String namespace,
                             java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (ResourceApi.ApiError e) {
            UserError explained = session.explain(e, verb, api, name, namespace);
            throw explained == e ? e : explained;
        }
    }
}
