///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//SOURCES ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java ../lib/ExecCredential.java
//SOURCES ../lib/Http.java ../lib/Json.java ../lib/JwtClaims.java ../lib/OAuthError.java ../lib/Oidc.java
//SOURCES ../lib/StoredSession.java ../lib/TokenResponse.java ../lib/TokenSource.java ../lib/UserError.java
//SOURCES ../lib/JwtBearer.java ../lib/ServiceAccountSession.java ../lib/HttpThreads.java
// Plain StringBuilder concatenation: it skips the invokedynamic bootstrap, which spins classes at start-up.
//JAVAC_OPTIONS -XDstringConcat=inline
// JBang runs the plugin, and datumctl (whose //SOURCES take in this file), with these options.
// C1 only and the serial collector suit a run of a fraction of a second. The -Xlog pair keeps JVM
// warnings off stdout, which kubectl reads as the credential. The last option silences the CDS
// log, because the first run of `jbang --cds datumctl` writes an archive and would warn once per
// class CDS cannot hold (picocli's Java 5 class files): about 200 lines that no user needs.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds*=off:stderr

package auth;

import lib.ExecCredential;
import lib.HttpThreads;
import lib.StoredSession;
import lib.TokenSource;
import lib.UserError;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kubectl exec credential plugin: `datumctl auth get-token`.
 *
 * <p>kubectl starts it on every call, so it stays lean: the JDK and jackson-core only, arguments
 * parsed by hand instead of by picocli, and no network while the stored token is still valid.
 * The keyring's D-Bus client classes load only when the session is in the keyring.
 * stdout carries exactly one document, the credential; every message goes to stderr.
 */
public final class GetToken {

    static final String USAGE = String.join("\n",
        "Print a token for kubectl, as an exec credential plugin or as a raw bearer token.",
        "",
        "Usage: datumctl auth get-token [-o token|client.authentication.k8s.io/v1] [--session NAME]",
        "",
        "Options:",
        "  -o, --output FORMAT   token (default): the raw token; client.authentication.k8s.io/v1",
        "                        (or v1beta1): an ExecCredential for kubectl",
        "      --session NAME    use this session (<email>@<api host>) instead of the active one",
        "  -v, --verbose         show the cause of a failure",
        "  -h, --help            show this help",
        "",
        "Examples:",
        "  # Call the Datum Cloud API with curl",
        "  curl -H \"Authorization: Bearer $(datumctl auth get-token)\" https://api.datum.net/...",
        "",
        "  # What kubectl runs (written by 'datumctl auth update-kubeconfig')",
        "  datumctl auth get-token --output=client.authentication.k8s.io/v1 --session=ada@example.com@api.datum.net",
        "");

    record Options(String output, String session, boolean verbose, boolean help) {
    }

    private GetToken() {
    }

    public static void main(String[] args) {
        int code = run(Arrays.asList(args), System.getenv("KUBERNETES_EXEC_INFO"),
            System.out, System.err, TokenSource.standard(), Clock.systemUTC());
        HttpThreads.stopSelectors();
        System.exit(code);
    }

    /** Runs the plugin and returns the exit code: 0 success, 1 failure, 2 usage error. */
    public static int run(List<String> args, String execInfoEnv, PrintStream out, PrintStream err,
                          TokenSource tokens, Clock clock) {
        Options options;
        try {
            options = parse(args);
        } catch (UserError e) {
            err.println(e.describe());
            return e.exitCode();
        }
        if (options.help()) {
            out.print(USAGE);
            return 0;
        }
        try {
            out.println(credential(options, ExecCredential.readExecInfo(execInfoEnv), tokens, clock));
            out.flush();
            return 0;
        } catch (UserError e) {
            err.println(e.describe());
            if (options.verbose() && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return e.exitCode();
        }
    }

    private static String credential(Options options, ExecCredential.ExecInfo info, TokenSource tokens, Clock clock) {
        // NOTE: when the session cannot be refreshed and KUBERNETES_EXEC_INFO marks the
        // terminal as interactive, the plugin could run the login flow here. It reports the error and
        // names the command instead, because the login flows need libraries the lean plugin omits.
        StoredSession session = tokens.valid(options.session());
        String token = TokenSource.credentialToken(session);
        if (options.output().equals("token")) {
            return token;
        }
        String apiVersion = ExecCredential.supported(info.apiVersion()) ? info.apiVersion() : options.output();
        return ExecCredential.toJson(apiVersion, token, TokenSource.credentialExpiry(session), clock.instant());
    }

    static Options parse(List<String> args) {
        List<String> rest = new ArrayList<>(args);

        // The kubeconfig entry runs this class with the full command line, "auth get-token ...".
        if (rest.size() >= 2 && rest.get(0).equals("auth") && rest.get(1).equals("get-token")) {
            rest = rest.subList(2, rest.size());
        }
        String output = "token";
        String session = null;
        boolean verbose = false;
        boolean help = false;
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (name) {
                case "-o", "--output" -> output = value(rest, i, arg, name);
                case "--session" -> session = value(rest, i, arg, name);
                case "-v", "--verbose" -> verbose = true;
                case "-h", "--help" -> help = true;
                default -> throw UserError.usage("unknown argument " + arg + " for get-token",
                    "See 'datumctl auth get-token --help'.");
            }
            if (!arg.contains("=") && (name.equals("-o") || name.equals("--output") || name.equals("--session"))) {
                i++;
            }
        }
        if (!output.equals("token") && !ExecCredential.supported(output)) {
            throw UserError.usage("unsupported output format " + output,
                "Use -o token or -o " + ExecCredential.V1 + ".");
        }
        return new Options(output, session, verbose, help);
    }

    private static String value(List<String> args, int i, String arg, String name) {
        if (arg.contains("=")) {
            return arg.substring(arg.indexOf('=') + 1);
        }
        if (i + 1 >= args.size()) {
            throw UserError.usage("flag " + name + " needs a value", "See 'datumctl auth get-token --help'.");
        }
        return args.get(i + 1);
    }
}
