package resources;

import lib.UserError;
import picocli.CommandLine.Option;

/** The namespace options of resource commands: -n/--namespace and -A/--all-namespaces. */
public final class NamespaceOptions {

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
        description = "Namespace of namespaced resources. Default: the context's namespace, else default.")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"},
        description = "List across all namespaces (namespaced resources only).")
    boolean allNamespaces;

    String namespace() {
        return namespace;
    }

    boolean allNamespaces() {
        return allNamespaces;
    }

    /** Rejects -A with -n, as kubectl does not take both. */
    void check() {
        if (allNamespaces && namespace != null) {
            throw UserError.usage("--all-namespaces and --namespace cannot be combined",
                "Use -A to list every namespace, or -n NAMESPACE for one.");
        }
    }
}
