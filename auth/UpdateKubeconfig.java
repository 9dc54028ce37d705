///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//SOURCES Cli.java GetToken.java
//SOURCES ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java ../lib/Endpoints.java
//SOURCES ../lib/ExecCredential.java ../lib/ExecEntry.java ../lib/Http.java ../lib/Json.java ../lib/JwtClaims.java
//SOURCES ../lib/Kubeconfig.java ../lib/OAuthError.java ../lib/Oidc.java ../lib/SessionConfig.java
//SOURCES ../lib/Sessions.java ../lib/StoredSession.java ../lib/TokenResponse.java ../lib/TokenSource.java
//SOURCES ../lib/UserError.java ../lib/LeanJar.java ../lib/CdsArchive.java
//SOURCES ../lib/JwtBearer.java ../lib/ServiceAccountSession.java
// Plain StringBuilder concatenation: it skips the invokedynamic bootstrap, which spins classes at start-up.
//JAVAC_OPTIONS -XDstringConcat=inline

package auth;

import com.fasterxml.jackson.core.JsonFactory;
import lib.AtomicFiles;
import lib.DatumHome;
import lib.Endpoints;
import lib.ExecEntry;
import lib.Kubeconfig;
import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** `datumctl auth update-kubeconfig`: a kubeconfig entry whose user runs get-token for kubectl. */
@Command(name = "update-kubeconfig",
    description = {
        "Write a kubeconfig cluster, user and context for a Datum Cloud organization or project "
            + "control plane, and make the context current.",
        "The user runs 'datumctl auth get-token' as a kubectl exec credential plugin for your session. "
            + "Other entries and settings in the kubeconfig are kept, and so are fields you added to "
            + "datumctl's entries (proxy-url, a CA, a context namespace)."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  # Use kubectl with organization acme, signed in with the active session",
        "  datumctl auth update-kubeconfig --organization acme",
        "  kubectl get projects",
        "",
        "  # A project, written to a separate kubeconfig file",
        "  datumctl auth update-kubeconfig --project demo --kubeconfig ~/.kube/datum-demo",
        "",
        "  # Start the plugin through JBang, and never prompt (for CI)",
        "  datumctl auth update-kubeconfig --organization acme --exec-mode jbang \\",
        "      --exec-interactive-mode Never"})
public final class UpdateKubeconfig implements Callable<Integer> {

    // Control-plane ids end up in a URL path and in kubeconfig names.
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");

    /** The user entry when no session is pinned: get-token then uses whichever session is active. */
    static final String SESSIONLESS_USER = "datum-active-session";

    @Spec
    CommandSpec spec;

    @Mixin
    Cli.Verbosity verbosity;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    static final class Scope {
        @Option(names = "--organization", paramLabel = "ID", description = "Organization whose control plane kubectl talks to.")
        String organization;

        @Option(names = "--project", paramLabel = "ID", description = "Project whose control plane kubectl talks to.")
        String project;
    }

    @Option(names = "--kubeconfig", paramLabel = "PATH",
        description = "Kubeconfig file to write. Default: as kubectl chooses from $KUBECONFIG, else ~/.kube/config.")
    String kubeconfig;

    @Option(names = "--hostname", paramLabel = "URL",
        description = "API server (host or https URL). Default: the API server of the session.")
    String hostname;

    @Option(names = "--session", paramLabel = "NAME",
        description = "Session (<email>@<api host>) the entry signs in with. Default: the active session.")
    String session;

    @Option(names = "--exec-interactive-mode", paramLabel = "MODE", defaultValue = "IfAvailable",
        description = "When kubectl lets get-token use the terminal: Never, IfAvailable or Always. Default: ${DEFAULT-VALUE}.")
    String interactiveMode;

    @Option(names = "--exec-mode", paramLabel = "MODE", defaultValue = "java",
        description = {"How kubectl starts get-token. Default: ${DEFAULT-VALUE}.",
            "java: with this JDK, from a copy of the plugin jars under $DATUMCTL_HOME/exec (fast start).",
            "jbang: through JBang with --jbang-ref (slower start; follows catalog updates)."})
    String execMode;

    @Option(names = "--jbang-ref", paramLabel = "REF", defaultValue = ExecEntry.DEFAULT_JBANG_REF,
        description = "JBang script reference of get-token for --exec-mode jbang. Default: ${DEFAULT-VALUE}.")
    String jbangRef;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new UpdateKubeconfig(), args));
    }

    @Override
    public Integer call() throws IOException {
        ExecEntry.InteractiveMode mode = ExecEntry.InteractiveMode.parse(interactiveMode);
        ExecEntry.Mode launch = ExecEntry.Mode.parse(execMode);
        boolean organization = scope.organization != null;
        String id = requireId(organization ? "--organization" : "--project", organization ? scope.organization : scope.project);

        StoredSession stored = findSession();
        String apiServer = apiServer(stored);
        String server = organization ? Endpoints.organizationControlPlane(apiServer, id) : Endpoints.projectControlPlane(apiServer, id);
        String sessionName = stored == null ? null : stored.sessionName();
        String name = (organization ? "datum-organization-" : "datum-project-") + id;
        String user = sessionName == null ? SESSIONLESS_USER : "datum-" + sessionName;

        Kubeconfig.Entry entry = new Kubeconfig.Entry(name, server, certificateAuthority(stored, apiServer),
            user, exec(launch, sessionName, mode), name);
        Kubeconfig target = new Kubeconfig(Kubeconfig.searchPath(kubeconfig, System.getenv("KUBECONFIG"),
            Path.of(System.getProperty("user.home"))), Kubeconfig.LOCK_WAIT);
        report(target.write(entry), entry, sessionName);
        return 0;
    }

    private static String requireId(String flag, String value) {
        if (!ID.matcher(value).matches()) {
            throw UserError.usage("invalid " + flag + " value '" + value + "'",
                "Use the resource id: letters, digits, '-', '.' and '_', such as acme or demo-1234.");
        }
        return value;
    }

    /** Finds the pinned session, else the active one. Returns null only when --hostname makes a session optional. */
    private StoredSession findSession() {
        Sessions sessions = Sessions.open();
        if (session != null) {
            for (StoredSession candidate : sessions.list()) {
                if (session.equals(candidate.sessionName()) || session.equals(candidate.userKey())) {
                    return candidate;
                }
            }
            throw new UserError("no stored session named " + session,
                "Run 'datumctl auth list' to see your sessions, or 'datumctl login' to add one.");
        }
        StoredSession active = sessions.active();
        if (active == null && hostname == null) {
            throw new UserError("no active session to write a kubeconfig entry for",
                "Run 'datumctl login' first, or pass --hostname to write an entry that uses whichever session is active later.");
        }
        return active;
    }

    private String apiServer(StoredSession stored) {
        if (hostname != null) {
            return Endpoints.baseUrl(hostname);
        }
        if (stored.apiHostname() == null) {
            throw new UserError("the session " + stored.sessionName() + " has no API host",
                "Pass --hostname with the API server, or run 'datumctl login' again.");
        }
        return Endpoints.baseUrl(stored.apiHostname());
    }

    /**
     * Returns the session's CA, but only for the session's own API server. kubectl then trusts
     * that CA alone, so handing it to another server given with --hostname would break TLS there.
     */
    private static String certificateAuthority(StoredSession stored, String apiServer) {
        if (stored == null || stored.certificateAuthorityData() == null || stored.apiHostname() == null) {
            return null;
        }
        String sessionServer = Endpoints.baseUrl(stored.apiHostname());
        boolean same = URI.create(sessionServer).getRawAuthority().equalsIgnoreCase(URI.create(apiServer).getRawAuthority());
        return same ? stored.certificateAuthorityData() : null;
    }

    private Map<String, Object> exec(ExecEntry.Mode launch, String sessionName, ExecEntry.InteractiveMode mode) throws IOException {
        if (launch == ExecEntry.Mode.JBANG) {
            return ExecEntry.jbangStanza(jbangCommand(), jbangRef, sessionName, mode);
        }
        Path java = ExecEntry.currentJava();
        AtomicFiles.createPrivateDir(DatumHome.dir());
        ExecEntry.JavaPlugin plugin = ExecEntry.installJavaPlugin(DatumHome.dir().resolve("exec"), java,
            GetToken.class, List.of(JsonFactory.class));
        if (verbosity.on()) {
            spec.commandLine().getErr().println("Exec plugin jars: " + plugin.classPath());
            spec.commandLine().getErr().println("Exec plugin CDS archive: "
                + (plugin.archive() != null ? plugin.archive() : "none, " + plugin.archiveProblem()));
        }
        return ExecEntry.javaStanza(java, plugin.classPath(), plugin.archive(), GetToken.class.getName(), sessionName, mode);
    }

    /**
     * JBANG_WRAPPER (set by the repository's ./jbang wrapper), else jbang from PATH. kubectl
     * resolves a relative command against the kubeconfig's folder, so a path is made absolute.
     */
    private static String jbangCommand() {
        String wrapper = System.getenv("JBANG_WRAPPER");
        if (wrapper == null || wrapper.isBlank()) {
            return "jbang";
        }
        return wrapper.contains("/") || wrapper.contains("\\") ? Path.of(wrapper).toAbsolutePath().toString() : wrapper;
    }

    private void report(List<Kubeconfig.Written> written, Kubeconfig.Entry entry, String sessionName) {
        PrintWriter out = spec.commandLine().getOut();
        for (Kubeconfig.Written file : written) {
            out.println((file.created() ? "Created " : "Updated ") + file.file() + " (" + String.join(", ", file.entries()) + ")");
        }
        out.println("Context:    " + entry.context() + " (current)");
        out.println("User:       " + entry.user() + (sessionName == null ? " (the active session at run time)" : ""));
        out.println("API server: " + entry.server());
        out.flush();
    }
}
