package auth;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** The `auth` group: sessions and the bridge to kubectl. */
@Command(name = "auth",
    description = "Manage sessions and the kubectl credentials that use them.",
    subcommands = {GetTokenCommand.class, UpdateKubeconfig.class, AuthList.class, Switch.class, AuthWhoami.class,
        CanI.class},
    footerHeading = "%nExamples:%n",
    footer = {"  # Point kubectl at an organization's control plane",
        "  datumctl auth update-kubeconfig --organization acme", "",
        "  # See the accounts you are logged in with", "  datumctl auth list"})
public final class Auth implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "auth needs a command: get-token, update-kubeconfig, list or switch");
    }
}
