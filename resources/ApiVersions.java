package resources;

import auth.Cli;
import lib.Discovery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** `datumctl api-versions`: every group version the control plane serves, as kubectl api-versions prints them. */
@Command(name = "api-versions",
    description = {"Print the API versions the control plane serves, in the form \"group/version\".",
        "The control plane is the one of the current kubeconfig context unless --context, --organization or "
            + "--project selects another."},
    footerHeading = "%nExamples:%n",
    footer = {"  # The API versions of the current Datum Cloud context", "  datumctl api-versions", "",
        "  # The API versions of project demo, with the active session", "  datumctl api-versions --project demo"})
public final class ApiVersions implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        // Like kubectl, always ask the server. The fresh response also refreshes the discovery cache.
        List<String> versions = Discovery.standard(controlPlane.connect()).fetch().groupVersions().stream()
            .sorted().toList();
        PrintWriter out = spec.commandLine().getOut();
        versions.forEach(out::println);
        out.flush();
        return 0;
    }
}
