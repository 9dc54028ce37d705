package resources;

import lib.ControlPlaneResolver;
import lib.KubeClient;
import lib.TokenSource;
import picocli.CommandLine.Option;

/** The options that pick a control plane, shared by every command that talks to one. */
public final class ControlPlaneOptions {

    @Option(names = "--kubeconfig", paramLabel = "PATH",
        description = "Kubeconfig file to read. Default: as kubectl chooses from $KUBECONFIG, else ~/.kube/config.")
    String kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
        description = "Kubeconfig context to use instead of the current one; it must be a Datum Cloud context.")
    String context;

    @Option(names = "--organization", paramLabel = "ID",
        description = "Talk to this organization's control plane with the active session (or set DATUM_ORGANIZATION).")
    String organization;

    @Option(names = "--project", paramLabel = "ID",
        description = "Talk to this project's control plane with the active session (or set DATUM_PROJECT).")
    String project;

    public ControlPlaneResolver.Target target() {
        return ControlPlaneResolver.standard().resolve(
            new ControlPlaneResolver.Flags(kubeconfig, context, organization, project));
    }

    /** Connects to the selected control plane, with tokens from the same session logic as get-token. */
    public KubeClient connect() {
        return KubeClient.connect(target(), TokenSource.standard());
    }
}
