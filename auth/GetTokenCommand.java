package auth;

import lib.TokenSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The picocli declaration of `auth get-token`, for help and completion. datumctl's main sends the
 * command straight to the lean {@link GetToken} before picocli starts, to keep kubectl fast.
 */
@Command(name = "get-token",
    description = "Print a token for kubectl (the exec credential plugin) or for scripts.",
    footerHeading = "%nExamples:%n",
    footer = {"  # A raw bearer token for the active session", "  datumctl auth get-token", "",
        "  # What kubectl runs (written by 'datumctl auth update-kubeconfig')",
        "  datumctl auth get-token --output=client.authentication.k8s.io/v1 --session=ada@example.com@api.datum.net"})
public final class GetTokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, defaultValue = "token", paramLabel = "FORMAT",
        description = "token (default), or client.authentication.k8s.io/v1 (or v1beta1) for an ExecCredential.")
    String output;

    @Option(names = "--session", paramLabel = "NAME",
        description = "Use this session (<email>@<api host>) instead of the active one.")
    String session;

    @Option(names = {"-v", "--verbose"}, description = "Show the cause of a failure.")
    boolean verbose;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("--output", output));
        if (session != null) {
            args.addAll(List.of("--session", session));
        }
        if (verbose) {
            args.add("--verbose");
        }
        return GetToken.run(args, System.getenv("KUBERNETES_EXEC_INFO"), System.out, System.err,
            TokenSource.standard(), Clock.systemUTC());
    }
}
