package resources;

import auth.Cli;
import lib.ApiResourceList;
import lib.Discovery;
import lib.TabWriter;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** `datumctl api-resources`: the resource types of a control plane, with kubectl api-resources' columns. */
@Command(name = "api-resources",
    description = {"Print the resource types the control plane serves.",
        "The control plane is the one of the current kubeconfig context unless --context, --organization or "
            + "--project selects another. Discovery is cached for 10 minutes under $DATUMCTL_HOME/cache; this "
            + "command refreshes the cache unless --cached is given."},
    footerHeading = "%nExamples:%n",
    footer = {"  # The resource types of the current Datum Cloud context", "  datumctl api-resources", "",
        "  # With verbs and categories", "  datumctl api-resources -o wide", "",
        "  # Namespaced types of the networking group, by kind", "  datumctl api-resources --namespaced=true "
            + "--api-group networking.datumapis.com --sort-by kind", "",
        "  # Types you can list in project demo, as TYPE.GROUP names",
        "  datumctl api-resources --project demo --verbs list -o name"})
public final class ApiResources implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "Output format: wide or name. Default: a table.")
    String output;

    @Option(names = "--namespaced", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
        description = "Only namespaced types (true) or only cluster-scoped types (false). Default: both.")
    Boolean namespaced;

    @Option(names = "--api-group", paramLabel = "GROUP", description = "Only types of this API group; \"\" is the core group.")
    String apiGroup;

    @Option(names = "--verbs", split = ",", paramLabel = "VERB", description = "Only types that support all of these verbs.")
    List<String> verbs;

    @Option(names = "--categories", split = ",", paramLabel = "CATEGORY", description = "Only types in all of these categories.")
    List<String> categories;

    @Option(names = "--sort-by", paramLabel = "FIELD", description = "Sort by name or kind. Default: by API group, then name.")
    String sortBy;

    @Option(names = "--no-headers", description = "Print the table without its header row.")
    boolean noHeaders;

    @Option(names = "--cached", description = "Use the cached discovery when it is younger than 10 minutes.")
    boolean cached;

    @Override
    public Integer call() {
        if (output != null && !output.equals("wide") && !output.equals("name")) {
            throw UserError.usage("invalid output format '" + output + "'", "Use -o wide or -o name, or leave -o out for a table.");
        }
        if (sortBy != null && !sortBy.equals("name") && !sortBy.equals("kind")) {
            throw UserError.usage("--sort-by accepts only name or kind, not '" + sortBy + "'", null);
        }
        Discovery discovery = Discovery.standard(controlPlane.connect());
        Discovery.Snapshot snapshot = cached ? discovery.load() : discovery.fetch();
        List<Discovery.ApiResource> selected = ApiResourceList.select(snapshot.resources(),
            new ApiResourceList.Query(apiGroup, namespaced, verbs, categories, sortBy));
        print(selected, spec.commandLine().getOut());
        return 0;
    }

    private void print(List<Discovery.ApiResource> selected, PrintWriter out) {
        if ("name".equals(output)) {
            selected.forEach(resource -> out.println(resource.qualifiedName()));
            out.flush();
            return;
        }
        boolean wide = "wide".equals(output);
        TabWriter table = new TabWriter();
        if (!noHeaders) {
            table.add(ApiResourceList.header(wide));
        }
        selected.forEach(resource -> table.add(ApiResourceList.row(resource, wide)));
        table.print(out);
    }
}
