package resources;

import lib.Manifests;
import picocli.CommandLine.Option;

import java.util.List;

/** The manifest options that apply and create share: -f, -R and the default namespace. */
public final class ManifestOptions {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
        description = "Manifest file, folder of .yaml/.yml/.json files, or - for stdin; may be repeated.")
    List<String> files;

    @Option(names = {"-R", "--recursive"}, description = "Also read the subfolders of folders given with -f.")
    boolean recursive;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
        description = "Namespace for objects that name none. Default: the context's namespace, else default.")
    String namespace;

    /** Reads every document the -f arguments name, from stdin for "-". */
    List<Manifests.Document> read() {
        return Manifests.read(files, recursive, System.in);
    }

    String namespace() {
        return namespace;
    }
}
