package lib;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Picks the control plane a command talks to, in this order: --organization or --project with the
 * active session; a kubeconfig context named with --context (or the current context of the file
 * --kubeconfig names); DATUM_ORGANIZATION or DATUM_PROJECT with the active session; the current
 * kubeconfig context when it is a Datum Cloud context; the current datumctl context. A Datum Cloud
 * context is one whose user runs `datumctl auth get-token`: its session comes from the plugin's
 * --session argument (else the active session), its server and CA from the cluster entry.
 */
public final class ControlPlaneResolver {

    /** The command-line choices; any may be null. */
    public record Flags(String kubeconfig, String context, String organization, String project) {
    }

    /**
     * A selected control plane: its base URL, an extra CA (PEM, or null), the session whose tokens
     * it takes (null for the active session), the default namespace, and where the choice came from.
     */
    public record Target(String server, String caPem, String sessionName, String namespace, String source) {
    }

    static final String DEFAULT_NAMESPACE = "default";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final String SETUP_HINT = "Run 'datumctl auth update-kubeconfig --organization ID' (or --project ID) "
        + "to create a Datum Cloud context, or pass --organization ID or --project ID.";

    private final Map<String, String> env;
    private final Path userHome;
    private final Sessions sessions;

    public ControlPlaneResolver(Map<String, String> env, Path userHome, Sessions sessions) {
        this.env = env;
        this.userHome = userHome;
        this.sessions = sessions;
    }

    public static ControlPlaneResolver standard() {
        return new ControlPlaneResolver(System.getenv(), Path.of(System.getProperty("user.home")), Sessions.open());
    }

    public Target resolve(Flags flags) {
        if (flags.organization() != null || flags.project() != null) {
            if (flags.context() != null) {
                throw UserError.usage("--context cannot be combined with --organization or --project",
                    "Use --context for a kubeconfig context, or --organization/--project for the active session.");
            }
            return fromScope(flags.organization(), flags.project(), "--organization", "--project");
        }
        KubeconfigContexts kubeconfig = KubeconfigContexts.load(
            Kubeconfig.searchPath(flags.kubeconfig(), env.get("KUBECONFIG"), userHome));
        if (flags.context() != null || flags.kubeconfig() != null) {
            String name = flags.context() != null ? flags.context() : kubeconfig.currentContext();
            if (name == null) {
                throw new UserError("the kubeconfig " + kubeconfig.files() + " has no current context", SETUP_HINT);
            }
            return fromContext(kubeconfig, name);
        }
        String organization = blankToNull(env.get("DATUM_ORGANIZATION"));
        String project = blankToNull(env.get("DATUM_PROJECT"));
        if (organization != null || project != null) {
            return fromScope(organization, project, "DATUM_ORGANIZATION", "DATUM_PROJECT");
        }
        return fromCurrentContexts(kubeconfig);
    }

    private Target fromCurrentContexts(KubeconfigContexts kubeconfig) {
        String current = kubeconfig.currentContext();
        if (current != null && kubeconfig.isDatumContext(current)) {
            return fromContext(kubeconfig, current);
        }
        Target fromConfig = fromDatumctlContext();
        if (fromConfig != null) {
            return fromConfig;
        }
        String why = current == null ? "the kubeconfig " + kubeconfig.files() + " has no current context"
            : "the current kubeconfig context '" + current + "' is not a Datum Cloud context";
        throw new UserError("no Datum Cloud control plane selected: " + why, SETUP_HINT);
    }

    private Target fromContext(KubeconfigContexts kubeconfig, String name) {
        KubeconfigContexts.DatumContext context = kubeconfig.datumContext(name);
        return new Target(context.server(), context.caPem(), context.sessionName(),
            context.namespace() == null ? DEFAULT_NAMESPACE : context.namespace(), "kubeconfig context " + name);
    }

    /** The current datumctl context (config file), or null when there is none. */
    private Target fromDatumctlContext() {
        SessionConfig config = SessionConfig.load();
        String name = config.currentContext();
        Map<String, Object> context = name == null ? null : config.context(name);
        if (context == null) {
            return null;
        }
        Object project = context.get("project-id");
        Object organization = context.get("organization-id");
        if (project == null && organization == null) {
            return null;
        }
        return project != null ? fromScope(null, project.toString(), null, "the datumctl context " + name)
            : fromScope(organization.toString(), null, "the datumctl context " + name, null);
    }

    private Target fromScope(String organization, String project, String organizationSource, String projectSource) {
        if (organization != null && project != null) {
            throw UserError.usage(organizationSource + " and " + projectSource + " are both set",
                "Set only one of them: a command talks to one control plane.");
        }
        boolean isOrganization = organization != null;
        String source = isOrganization ? organizationSource : projectSource;
        String id = isOrganization ? organization : project;
        if (!ID.matcher(id).matches()) {
            throw UserError.usage("invalid " + source + " value '" + id + "'",
                "Use the resource id: letters, digits, '-', '.' and '_', such as acme or demo-1234.");
        }
        StoredSession session = activeSession();
        String apiServer = Endpoints.baseUrl(session.apiHostname());
        String server = isOrganization ? Endpoints.organizationControlPlane(apiServer, id)
            : Endpoints.projectControlPlane(apiServer, id);
        return new Target(server, Http.pemFromData(session.certificateAuthorityData()), session.sessionName(),
            DEFAULT_NAMESPACE, (isOrganization ? "organization " : "project ") + id + " (from " + source + ")");
    }

    private StoredSession activeSession() {
        StoredSession session = sessions.active();
        if (session == null) {
            throw new UserError("you are not logged in", "Run 'datumctl login' to sign in.");
        }
        if (session.apiHostname() == null) {
            throw new UserError("the session " + session.sessionName() + " has no API host",
                "Run 'datumctl login' again.");
        }
        return session;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
