package resources;

import auth.Cli;
import lib.Json;
import lib.Manifests;
import lib.ObjectChanges;
import lib.ResourceApi;
import lib.ResourcePrinter;
import lib.ResourceQuery;
import lib.ResourceSession;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `datumctl delete`: deletes objects by TYPE and NAME, by manifest, or by label selector, as kubectl delete does. */
@Command(name = "delete",
    description = {"Delete resources by type and name, by the objects of a manifest, or by label selector.",
        "Prints TYPE \"NAME\" deleted per object. A name that does not exist is an error (exit 1) unless "
            + "--ignore-not-found is given. By default waits until each object is gone."},
    footerHeading = "%nExamples:%n",
    footer = {"  # Delete one DNS zone of project demo", "  datumctl delete dnszone example-com --project demo", "",
        "  # Delete the objects of a manifest", "  datumctl delete -f zone.yaml", "",
        "  # Delete every zone labelled app=web, checking with the server first",
        "  datumctl delete dnszones -l app=web --dry-run=server"})
public final class Delete implements Callable<Integer> {

    static final Duration WAIT_TIMEOUT = Duration.ofSeconds(60);

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

    @Parameters(paramLabel = "TYPE[/NAME]", arity = "0..*", description = "A type and names, or TYPE/NAME arguments.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-", description = "Delete the objects this manifest names.")
    List<String> files;

    @Option(names = {"-R", "--recursive"}, description = "Also read the subfolders of folders given with -f.")
    boolean recursive;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Delete the objects of TYPE with these labels.")
    String labelSelector;

    @Option(names = "--dry-run", paramLabel = "MODE", arity = "0..1", fallbackValue = "client",
        description = "server: the server checks the deletion and discards it; client: only print what would be deleted.")
    String dryRun;

    @Option(names = "--wait", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
        description = "Wait until each object is gone (default true; up to 60 s).")
    boolean waitForDeletion = true;

    @Option(names = "--ignore-not-found", description = "Treat objects that do not exist as deleted, silently.")
    boolean ignoreNotFound;

    @Override
    public Integer call() throws InterruptedException {
        boolean byFile = files != null && !files.isEmpty();
        if (byFile == !args.isEmpty()) {
            throw UserError.usage(byFile ? "-f cannot be combined with TYPE arguments" : "you must provide TYPE NAME, TYPE -l SELECTOR or -f FILE",
                "Examples: 'datumctl delete dnszone example-com', 'datumctl delete dnszones -l app=web', 'datumctl delete -f zone.yaml'.");
        }
        ObjectChanges.DryRun mode = ObjectChanges.DryRun.parse(dryRun);
        ResourceSession session = ResourceSession.connect(controlPlane.target());
        ObjectChanges changes = new ObjectChanges(session, namespace, mode);
        List<Target> targets = byFile ? fromManifests(session, changes) : fromArguments(session);
        if (targets.isEmpty()) {
            spec.commandLine().getErr().println("No resources found");
            spec.commandLine().getErr().flush();
            return 0;
        }
        boolean failed = false;
        for (Target target : targets) {
            ObjectChanges.Outcome outcome = changes.delete(target.api(), target.namespace(), target.name(), ignoreNotFound);
            failed |= !Outcomes.print(outcome, spec);
            if (outcome.line() != null && waitForDeletion && mode == ObjectChanges.DryRun.NONE) {
                changes.awaitDeletion(target.api(), target.namespace(), target.name(), WAIT_TIMEOUT);
            }
        }
        return failed ? 1 : 0;
    }

    private record Target(ResourceApi api, String namespace, String name) {
    }

    private List<Target> fromArguments(ResourceSession session) {
        List<Target> targets = new ArrayList<>();
        String ns = session.namespace(namespace);
        for (ResourceQuery.Selection selection : ResourceQuery.parse(args)) {
            ResourceApi api = session.api(selection.type());
            if (!selection.names().isEmpty()) {
                if (labelSelector != null) {
                    throw UserError.usage("names cannot be combined with --selector", "Pass either names or -l SELECTOR.");
                }
                selection.names().forEach(name -> targets.add(new Target(api, ns, name)));
                continue;
            }
            if (labelSelector == null) {
                throw UserError.usage("resource(s) were provided, but no name was specified",
                    "Name the objects to delete, or select them with -l SELECTOR.");
            }
            Map<String, Object> list = ResourceQuery.call(session, api, "list", null, ns,
                () -> api.list(ns, labelSelector, null, ResourceApi.Form.OBJECTS));
            for (Map<String, Object> item : ResourcePrinter.maps(list.get("items"))) {
                Map<String, Object> metadata = Json.obj(item, "metadata");
                targets.add(new Target(api, Json.str(metadata, "namespace"), Json.str(metadata, "name")));
            }
        }
        return targets;
    }

    private List<Target> fromManifests(ResourceSession session, ObjectChanges changes) {
        List<Target> targets = new ArrayList<>();
        for (Manifests.Document document : Manifests.read(files, recursive, System.in)) {
            if (document.error() != null) {
                throw new UserError(document.where() + ": " + document.error(), "Fix the manifest; nothing was deleted.");
            }
            ResourceApi api = session.apiFor(document.apiVersion(), document.kind());
            targets.add(new Target(api, changes.namespaceOf(api, document), document.name()));
        }
        return targets;
    }
}
