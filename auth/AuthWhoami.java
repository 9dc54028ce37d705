package auth;

import lib.AccessReviews;
import lib.Json;
import lib.ObjectPrinter;
import lib.TabWriter;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import resources.ControlPlaneOptions;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** `datumctl auth whoami`: the user attributes the control plane sees, from a SelfSubjectReview. */
@Command(name = "whoami",
    description = {"Show the user the control plane sees: username, UID, groups and extra attributes.",
        "Asks the control plane of the current kubeconfig context (or of --context, --organization or "
            + "--project) with a SelfSubjectReview, like 'kubectl auth whoami'."},
    footerHeading = "%nExamples:%n",
    footer = {"  # Who the current Datum Cloud context signs you in as", "  datumctl auth whoami", "",
        "  # The whole review as JSON, against organization acme", "  datumctl auth whoami --organization acme -o json"})
public final class AuthWhoami implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Mixin
    ControlPlaneOptions controlPlane;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "Output format: json or yaml. Default: a table.")
    String output;

    @Override
    public Integer call() {
        if (output != null && !output.equals("json") && !output.equals("yaml")) {
            throw UserError.usage("invalid output format '" + output + "'", "Use -o json or -o yaml, or leave -o out for a table.");
        }
        Map<String, Object> review = new AccessReviews(controlPlane.connect()).whoami();
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
            out.print(output.equals("json") ? ObjectPrinter.json(review) : ObjectPrinter.yaml(review));
            out.flush();
            return 0;
        }
        attributes(Json.obj(Json.obj(review, "status"), "userInfo")).print(out);
        return 0;
    }

    /** Builds the ATTRIBUTE/VALUE rows kubectl prints, leaving out empty attributes as kubectl does. */
    static TabWriter attributes(Map<String, Object> userInfo) {
        TabWriter table = new TabWriter().add("ATTRIBUTE", "VALUE");
        String username = Json.str(userInfo, "username");
        String uid = Json.str(userInfo, "uid");
        if (username != null && !username.isEmpty()) {
            table.add("Username", username);
        }
        if (uid != null && !uid.isEmpty()) {
            table.add("UID", uid);
        }
        if (userInfo != null && userInfo.get("groups") instanceof List<?> groups && !groups.isEmpty()) {
            table.add("Groups", goList(groups));
        }
        Map<String, Object> extra = Json.obj(userInfo, "extra");
        if (extra != null) {
            new TreeMap<>(extra).forEach((key, values) ->
                table.add("Extra: " + key, values instanceof List<?> list ? goList(list) : String.valueOf(values)));
        }
        return table;
    }

    private static String goList(List<?> values) {
        return "[" + String.join(" ", values.stream().map(String::valueOf).toList()) + "]";
    }
}
