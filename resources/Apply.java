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

/** `datumctl apply -f`: server-side apply of every object in the manifests, with field manager datumctl. */
@Command(name = "apply",
    description = {"Create or update resources from manifests with server-side apply (field manager datumctl).",
        "Reads YAML (several documents separated by ---) and JSON from files, folders and stdin, and prints "
            + "TYPE/NAME created, configured or unchanged per object. An invalid document is reported with its file "
            + "and index and the others are still applied; the exit code is then 1. A field another manager owns "
            + "is a conflict unless --force-conflicts is given."},
    footerHeading = "%nExamples:%n",
    footer = {"  # Apply a DNS zone to project demo", "  datumctl apply -f zone.yaml --project demo", "",
        "  # Apply every manifest under a folder, checking with the server first",
        "  datumctl apply -f manifests/ -R --dry-run=server", "",
        "  # Apply from stdin", "  cat zone.yaml | datumctl apply -f -"})
public final class Apply implements Callable<Integer> {

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
        description = "server: the server checks the change and discards it; client: only print what would be sent.")
    String dryRun;

    @Option(names = "--force-conflicts", description = "Take over fields that other field managers own.")
    boolean forceConflicts;

    @Override
    public Integer call() {
        ObjectChanges.DryRun mode = ObjectChanges.DryRun.parse(dryRun);
        List<Manifests.Document> documents = manifests.read();
        ObjectChanges changes = new ObjectChanges(ResourceSession.connect(controlPlane.target()), manifests.namespace(), mode);
        return Outcomes.print(documents, document -> changes.apply(document, forceConflicts), spec);
    }
}
