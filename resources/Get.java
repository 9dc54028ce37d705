package resources;

import auth.Cli;
import lib.ContextDiscovery;
import lib.Json;
import lib.JsonPath;
import lib.ObjectPrinter;
import lib.ResourceApi;
import lib.ResourcePrinter;
import lib.ResourceQuery;
import lib.ResourceSession;
import lib.TabWriter;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** `datumctl get`: lists or shows resources as kubectl get does. */
@Command(name = "get",
    description = {"Display one or many resources of the selected control plane.",
        "Prints the server's table for the type (NAME and AGE when it has none), or the objects with -o. "
            + "'datumctl get organizations' lists the organizations you belong to, without a scope flag."},
    footerHeading = "%nExamples:%n",
    footer = {"  # DNS zones in project demo", "  datumctl get dnszones --project demo", "",
        "  # One zone as YAML", "  datumctl get dnszone example-com -o yaml --project demo", "",
        "  # Names only, with a label selector, across all namespaces", "  datumctl get dz -l app=web -A -o name", "",
        "  # Chosen fields", "  datumctl get dz -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'", "",
        "  # Watch for changes until Ctrl-C", "  datumctl get dnszones -w"})
public final class Get implements Callable<Integer> {

    private static final Set<String> ORGANIZATION_TYPES = Set.of("organizations", "organization", "orgs", "org");

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Mixin
    NamespaceOptions namespaces;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "TYPE[/NAME]", arity = "0..*",
        description = "One type, or several separated by commas, then names; or TYPE/NAME arguments. A type is"
            + " a plural, singular or short name, with .GROUP where two groups share it, such as:%n"
            + "dnszones, dz or dnszones.dns.networking.miloapis.com")
    List<String> args = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
        description = "json, yaml, name, wide, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,...")
    String output;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, such as app=web,tier!=db.")
    String labelSelector;

    @Option(names = "--field-selector", paramLabel = "SELECTOR",
        description = "Field selector, such as metadata.name=example-com.%nFields: metadata.name, metadata.namespace.")
    String fieldSelector;

    @Option(names = {"-w", "--watch"}, description = "After listing, print each change until Ctrl-C.")
    boolean watch;

    /** With -w, the writer of the list and of every event row after it, so they share column widths. */
    private final TabWriter watchTable = new TabWriter().rememberWidths();

    @Option(names = "--ignore-not-found",
        description = "Treat names that do not exist as absent: no error, exit code 0, and no output when nothing is found.")
    boolean ignoreNotFound;

    @Option(names = "--show-labels", description = "Add a LABELS column to the table.")
    boolean showLabels;

    @Option(names = "--no-headers", description = "Print tables without their header row.")
    boolean noHeaders;

    @Option(names = "--show-managed-fields", description = "Keep metadata.managedFields in json, yaml and jsonpath output.")
    boolean showManagedFields;

    @Override
    public Integer call() {
        namespaces.check();
        OutputFormat format = OutputFormat.parse(output);
        PrintWriter out = spec.commandLine().getOut();
        if (isOrganizations()) {
            printOrganizations(out, format);
            return 0;
        }
        List<ResourceQuery.Selection> selections = ResourceQuery.parse(args);
        if (watch && (selections.size() != 1 || selections.get(0).names().size() > 1)) {
            throw UserError.usage("watch is only supported on a single resource type and at most one name",
                "Name one type, and optionally one object, with -w.");
        }
        if (namespaces.allNamespaces() && selections.stream().anyMatch(selection -> !selection.names().isEmpty())) {
            throw new UserError("a resource cannot be retrieved by name across all namespaces",
                "Drop -A and name the namespace with -n NAMESPACE, or drop the names.");
        }
        ResourceSession session = ResourceSession.connect(controlPlane.target());
        String namespace = namespaces.allNamespaces() ? null : session.namespace(namespaces.namespace());
        List<String> notFound = new ArrayList<>();
        List<ResourceQuery.Fetched> results = new ArrayList<>();
        for (ResourceQuery.Selection selection : selections) {
            ResourceApi api = session.api(selection.type());
            results.add(ResourceQuery.fetch(session, api, selection, namespace, labelSelector, fieldSelector,
                form(format, api), notFound));
        }
        boolean nothing = results.stream().allMatch(r -> r.count() == 0);
        // As kubectl: when every name asked for is missing, only the errors are printed, not an
        // empty List, and with --ignore-not-found nothing at all.
        boolean silent = nothing && (!notFound.isEmpty() || ignoreNotFound);
        if (ignoreNotFound) {
            notFound.clear();
        }
        if (!silent) {
            print(results, severalTypes(selections, results), format, out);
        }
        PrintWriter err = spec.commandLine().getErr();
        notFound.forEach(err::println);
        boolean tableOutput = format.kind() == OutputFormat.Kind.TABLE;
        if (nothing && !silent && selections.stream().allMatch(s -> s.names().isEmpty()) && !watch && tableOutput) {
            err.println(noResourcesMessage(results, namespace));
        }
        err.flush();
        if (watch) {
            List<String> names = selections.get(0).names();
            String fields = names.isEmpty() ? fieldSelector : joinSelectors(fieldSelector, "metadata.name=" + names.get(0));
            new Watcher(results.get(0), format, out, new ResourcePrinter.TableOptions(format.wide(), showLabels,
                namespaceColumn(results.get(0)), null), watchTable).run(namespace, labelSelector, fields);
        }
        return notFound.isEmpty() ? 0 : 1;
    }

    private static String joinSelectors(String first, String second) {
        return first == null || first.isBlank() ? second : first + "," + second;
    }

    private boolean isOrganizations() {
        return args.size() == 1 && ORGANIZATION_TYPES.contains(args.get(0).toLowerCase(java.util.Locale.ROOT))
            && controlPlane.organization == null && controlPlane.project == null;
    }

    private void printOrganizations(PrintWriter out, OutputFormat format) {
        List<ContextDiscovery.Found> organizations = ContextDiscovery.standard().organizations();
        if (format.kind() == OutputFormat.Kind.NAME) {
            organizations.forEach(org -> out.println("organization/" + org.organization()));
        } else {
            TabWriter table = new TabWriter();
            if (!noHeaders) {
                table.add("NAME", "DISPLAY NAME");
            }
            organizations.forEach(org -> table.add(org.organization(), org.organizationDisplayName()));
            table.print(out);
        }
        out.flush();
        if (organizations.isEmpty()) {
            spec.commandLine().getErr().println("No organizations found for " + ContextDiscovery.standard().session().userEmail());
            spec.commandLine().getErr().flush();
        }
    }

    /**
     * Tells whether table rows need a TYPE/ prefix, as kubectl decides it: more than one type came
     * back. A listed type counts even when empty. A type asked for by name counts only when one
     * of its names was found.
     */
    private static boolean severalTypes(List<ResourceQuery.Selection> selections, List<ResourceQuery.Fetched> results) {
        int types = 0;
        for (int i = 0; i < results.size(); i++) {
            if (selections.get(i).names().isEmpty() || results.get(i).count() > 0) {
                types++;
            }
        }
        return types > 1;
    }

    private void print(List<ResourceQuery.Fetched> results, boolean severalTypes, OutputFormat format, PrintWriter out) {
        switch (format.kind()) {
            case TABLE -> printTables(results, format, severalTypes, out);
            case NAME -> results.forEach(r -> objects(r).forEach(object -> out.println(r.api().typeName() + "/" + name(object))));
            case CUSTOM_COLUMNS -> {
                TabWriter table = new TabWriter();
                table.addAll(ResourcePrinter.customColumns(format.argument(), allObjects(results), !noHeaders));
                table.print(out);
            }
            default -> out.print(format.render(ResourcePrinter.forOutput(single(results), showManagedFields)));
        }
        out.flush();
    }

    private void printTables(List<ResourceQuery.Fetched> results, OutputFormat format, boolean severalTypes, PrintWriter out) {
        boolean first = true;
        for (ResourceQuery.Fetched result : results) {
            if (result.count() == 0) {
                continue;
            }
            if (!first) {
                out.println();
            }
            first = false;
            ResourcePrinter.TableOptions options = new ResourcePrinter.TableOptions(format.wide(), showLabels,
                namespaceColumn(result), severalTypes ? result.api().typeName() : null);
            TabWriter table = watch ? watchTable : new TabWriter();
            if (result.table() != null) {
                if (!noHeaders) {
                    table.add(ResourcePrinter.header(result.table(), options));
                }
                table.addAll(ResourcePrinter.rows(result.table(), options));
            } else {
                table.addAll(ResourcePrinter.nameAgeRows(result.objects(), options, !noHeaders));
            }
            table.print(out);
        }
    }

    private boolean namespaceColumn(ResourceQuery.Fetched result) {
        return namespaceColumn(result.api());
    }

    private boolean namespaceColumn(ResourceApi api) {
        return namespaces.allNamespaces() && api.resource().namespaced();
    }

    /**
     * Returns the form to request: a Table for the table output, with each row's metadata only
     * when a namespace or label column, or a watch, reads it.
     */
    private ResourceApi.Form form(OutputFormat format, ResourceApi api) {
        if (!format.table()) {
            return ResourceApi.Form.OBJECTS;
        }
        return showLabels || watch || namespaceColumn(api) ? ResourceApi.Form.TABLE : ResourceApi.Form.TABLE_CELLS;
    }

    /** Returns the one object asked for by name, else every object wrapped in a List, as kubectl prints them. */
    private Object single(List<ResourceQuery.Fetched> results) {
        List<Map<String, Object>> all = allObjects(results);
        int names = ResourceQuery.parse(args).stream().mapToInt(selection -> selection.names().size()).sum();
        return names == 1 && all.size() == 1 ? all.get(0) : ResourcePrinter.list(all);
    }

    private static List<Map<String, Object>> allObjects(List<ResourceQuery.Fetched> results) {
        List<Map<String, Object>> all = new ArrayList<>();
        results.forEach(r -> all.addAll(objects(r)));
        return all;
    }

    private static List<Map<String, Object>> objects(ResourceQuery.Fetched result) {
        return result.objects();
    }

    private static String name(Map<String, Object> object) {
        return Json.str(Json.obj(object, "metadata"), "name");
    }

    private String noResourcesMessage(List<ResourceQuery.Fetched> results, String namespace) {
        boolean namespaced = results.stream().anyMatch(r -> r.api().resource().namespaced());
        return namespaced && namespace != null ? "No resources found in " + namespace + " namespace." : "No resources found";
    }

    /** The -o choice: a table (plain or wide), names, custom columns, or a document format. */
    record OutputFormat(Kind kind, String argument) {

        enum Kind { TABLE, NAME, JSON, YAML, JSONPATH, CUSTOM_COLUMNS }

        static OutputFormat parse(String output) {
            if (output == null || output.isEmpty()) {
                return new OutputFormat(Kind.TABLE, null);
            }
            if (output.equals("wide")) {
                return new OutputFormat(Kind.TABLE, "wide");
            }
            if (output.startsWith("jsonpath=")) {
                String template = output.substring("jsonpath=".length());
                JsonPath.parse(template);
                return new OutputFormat(Kind.JSONPATH, template);
            }
            if (output.startsWith("custom-columns=")) {
                return new OutputFormat(Kind.CUSTOM_COLUMNS, output.substring("custom-columns=".length()));
            }
            return switch (output) {
                case "name" -> new OutputFormat(Kind.NAME, null);
                case "json" -> new OutputFormat(Kind.JSON, null);
                case "yaml" -> new OutputFormat(Kind.YAML, null);
                default -> throw UserError.usage("unable to match a printer suitable for the output format \"" + output + "\"",
                    "Use -o json, yaml, name, wide, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,...");
            };
        }

        boolean table() {
            return kind == Kind.TABLE;
        }

        boolean wide() {
            return "wide".equals(argument) && kind == Kind.TABLE;
        }

        String render(Object value) {
            return switch (kind) {
                case JSON -> ObjectPrinter.json(value);
                case YAML -> ObjectPrinter.yaml(value);
                case JSONPATH -> JsonPath.parse(argument).render(value);
                default -> throw new IllegalStateException("no document format " + kind);
            };
        }
    }
}
