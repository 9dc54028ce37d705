package auth;

import lib.AccessReviews;
import lib.AccessRules;
import lib.Discovery;
import lib.KubeClient;
import lib.ResourceResolver;
import lib.TabWriter;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import resources.ControlPlaneOptions;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `datumctl auth can-i`: asks the control plane whether an action is allowed, like kubectl auth can-i. */
@Command(name = "can-i",
    description = {"Check whether you may perform an action on the control plane.",
        "Prints yes (exit code 0) or no (exit code 1, with the server's reason). VERB is one of get, list, watch, "
            + "create, update, patch, delete, deletecollection or '*'. TYPE is a resource type: plural, singular, "
            + "kind or short name, optionally with its group (projects.resourcemanager.miloapis.com), or '*'; "
            + "a path starting with '/' asks about a non-resource URL. With --list, prints every rule you have."},
    footerHeading = "%nExamples:%n",
    footer = {"  # May I create projects in the current Datum Cloud context?", "  datumctl auth can-i create projects", "",
        "  # May I delete the domain example-com in namespace default of project demo?",
        "  datumctl auth can-i delete domains/example-com -n default --project demo", "",
        "  # Only the exit code, for scripts", "  datumctl auth can-i list dnszones -q && echo allowed", "",
        "  # Everything I may do in namespace default", "  datumctl auth can-i --list -n default"})
public final class CanI implements Callable<Integer> {

    static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete",
        "deletecollection", "*");

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "0..3", paramLabel = "VERB TYPE[/NAME] [NAME]", description = "The action to check.")
    List<String> args = List.of();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace to check in. Default: the context's, else default.")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "Check the action in all namespaces.")
    boolean allNamespaces;

    @Option(names = "--subresource", paramLabel = "S", description = "Subresource to check, such as status.")
    String subresource;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing; the exit code gives the result.")
    boolean quiet;

    @Option(names = "--list", description = "List every action you may perform.")
    boolean list;

    @Option(names = "--no-headers", description = "With --list, print the rules without the header row.")
    boolean noHeaders;

    @Override
    public Integer call() {
        validate();
        KubeClient client = controlPlane.connect();
        String defaultNamespace = namespace != null ? namespace : controlPlane.target().namespace();
        if (list) {
            return printRules(new AccessReviews(client).rules(defaultNamespace));
        }
        AccessReviews.Request request = request(client, allNamespaces ? "" : defaultNamespace);
        AccessReviews.Decision decision = new AccessReviews(client).canI(request);
        if (!quiet) {
            printDecision(decision, spec.commandLine().getOut());
        }
        return decision.allowed() ? 0 : 1;
    }

    private void validate() {
        if (list) {
            if (!args.isEmpty() || quiet || allNamespaces || subresource != null) {
                throw UserError.usage("--list takes no VERB or TYPE and cannot be combined with -q, -A or --subresource",
                    "Run 'datumctl auth can-i --list [-n NS]'.");
            }
            return;
        }
        if (noHeaders) {
            throw UserError.usage("--no-headers needs --list", null);
        }
        if (args.size() < 2) {
            throw UserError.usage("can-i needs a VERB and a TYPE (or --list)", "For example: datumctl auth can-i list projects");
        }
        if (!VERBS.contains(args.get(0))) {
            throw UserError.usage("invalid verb '" + args.get(0) + "'", "Use one of " + String.join(", ", VERBS) + ".");
        }
        if (args.get(1).startsWith("/") && (subresource != null || args.size() > 2)) {
            throw UserError.usage("a non-resource URL takes no NAME or --subresource", null);
        }
    }

    private AccessReviews.Request request(KubeClient client, String checkedNamespace) {
        String verb = args.get(0);
        String type = args.get(1);
        if (type.startsWith("/")) {
            return new AccessReviews.Request(verb, "", "", "", "", "", type);
        }
        String[] typeAndName = type.split("/", 2);
        if (typeAndName.length == 2 && args.size() == 3) {
            throw UserError.usage("the name is given twice: in " + type + " and as " + args.get(2), "Give NAME only once.");
        }
        String name = typeAndName.length == 2 ? typeAndName[1] : args.size() == 3 ? args.get(2) : "";
        String sub = subresource == null ? "" : subresource;
        if (typeAndName[0].equals("*")) {
            return new AccessReviews.Request(verb, "", "*", sub, name, checkedNamespace, null);
        }
        Discovery.ApiResource resource = new ResourceResolver(Discovery.standard(client)).resolve(typeAndName[0]);
        if (namespace != null && !resource.namespaced()) {
            spec.commandLine().getErr().println("Warning: resource '" + resource.name() + "' is not namespace scoped"
                + (resource.group().isEmpty() ? "" : " in group '" + resource.group() + "'"));
            spec.commandLine().getErr().println();
        }
        return new AccessReviews.Request(verb, resource.group(), resource.name(), sub, name, checkedNamespace, null);
    }

    private static void printDecision(AccessReviews.Decision decision, PrintWriter out) {
        if (decision.allowed()) {
            out.println("yes");
        } else {
            StringBuilder line = new StringBuilder("no");
            if (!decision.reason().isEmpty()) {
                line.append(" - ").append(decision.reason());
            }
            if (!decision.evaluationError().isEmpty()) {
                line.append(" - ").append(decision.evaluationError());
            }
            out.println(line);
        }
        out.flush();
    }

    private int printRules(Map<String, Object> status) {
        if (Boolean.TRUE.equals(status.get("incomplete"))) {
            spec.commandLine().getErr().println("warning: the list may be incomplete: " + status.get("evaluationError"));
        }
        TabWriter table = new TabWriter();
        if (!noHeaders) {
            table.add("Resources", "Non-Resource URLs", "Resource Names", "Verbs");
        }
        table.addAll(AccessRules.rows(status));
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
