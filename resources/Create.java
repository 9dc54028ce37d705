package resources;

import auth.Cli;
import lib.Manifests;
import lib.ObjectChanges;
import lib.ResourceSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** `datumctl create -f`: creates every object in the manifests; an existing object is an error. */
@Command(name = "create",
    description = {"Create resources from manifests; an object that already exists is an error.",
        "Reads the same files, folders and stdin as apply and prints TYPE/NAME created per object."},
    footerHeading = "%nExamples:%n",
    footer = {"  # Create a DNS zone in project demo", "  datumctl create -f zone.yaml --project demo"})
public final class Create implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Mixin
    ManifestOptions manifests;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--dry-run", paramLabel = "MODE", arity = "0..1", fallbackValue = "client",
        description = "server: the server checks the request and discards it; client: only print what would be sent.")
    String dryRun;

    @Override
    public Integer call() {
        ObjectChanges.DryRun mode = ObjectChanges.DryRun.parse(dryRun);
        List<Manifests.Document> documents = manifests.read();
        ObjectChanges changes = new ObjectChanges(ResourceSession.connect(controlPlane.target()), manifests.namespace(), mode);
        return Outcomes.print(documents, changes::create, spec);
    }
}
