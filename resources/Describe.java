package resources;

import auth.Cli;
import lib.Describer;
import lib.Discovery;
import lib.Json;
import lib.ResourceApi;
import lib.ResourcePrinter;
import lib.ResourceQuery;
import lib.ResourceResolver;
import lib.ResourceSession;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/** `datumctl describe TYPE NAME`: a readable view of one or more objects, with conditions and events. */
@Command(name = "describe",
    description = {"Show details of resources: metadata, spec, status conditions and, when the server keeps them, events."},
    footerHeading = "%nExamples:%n",
    footer = {"  # Describe a DNS zone of project demo", "  datumctl describe dnszone example-com --project demo"})
public final class Describe implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
        description = "Namespace of namespaced resources. Default: the context's namespace, else default.")
    String namespace;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "TYPE[/NAME]", arity = "1..*", description = "A type and names, or TYPE/NAME arguments.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        ResourceSession session = ResourceSession.connect(controlPlane.target());
        String ns = session.namespace(namespace);
        PrintWriter out = spec.commandLine().getOut();
        List<String> notFound = new ArrayList<>();
        boolean first = true;
        for (ResourceQuery.Selection selection : ResourceQuery.parse(args)) {
            if (selection.names().isEmpty()) {
                throw UserError.usage("describe needs a name after the type " + selection.type(),
                    "Run 'datumctl get " + selection.type() + "' to list the names.");
            }
            ResourceApi api = session.api(selection.type());
            ResourceQuery.Fetched fetched = ResourceQuery.fetch(session, api, selection, ns, null, null, ResourceApi.Form.OBJECTS, notFound);
            for (Map<String, Object> object : fetched.objects()) {
                out.print((first ? "" : "\n\n") + Describer.describe(object, events(session, object)));
                first = false;
            }
        }
        out.flush();
        notFound.forEach(spec.commandLine().getErr()::println);
        spec.commandLine().getErr().flush();
        return notFound.isEmpty() ? 0 : 1;
    }

    /** Lists the core events about object when the control plane serves events; else none. */
    private static List<Map<String, Object>> events(ResourceSession session, Map<String, Object> object) {
        Optional<Discovery.ApiResource> events = ResourceResolver.find(Discovery.standard(session.client()).load().resources(), "events")
            .filter(resource -> resource.group().isEmpty());
        if (events.isEmpty()) {
            return List.of();
        }
        Map<String, Object> metadata = Json.obj(object, "metadata");
        ResourceApi api = new ResourceApi(session.client(), events.get());
        String uid = Json.str(metadata, "uid");
        Map<String, Object> list = api.list(Json.str(metadata, "namespace"), null,
            "involvedObject.name=" + Json.str(metadata, "name") + (uid == null ? "" : ",involvedObject.uid=" + uid), ResourceApi.Form.OBJECTS);
        return ResourcePrinter.maps(list.get("items"));
    }
}
