package lib;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds what the active session can reach: its organizations, from the organizationmemberships
 * on the user's control plane (id spec.organizationRef.name, display name
 * status.organization.displayName), and each organization's projects, from the projects on the
 * organization's control plane (display name in annotation kubernetes.io/display-name).
 */
public final class ContextDiscovery {

    static final String MEMBERSHIPS = "/apis/resourcemanager.miloapis.com/v1alpha1/organizationmemberships";
    static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    static final String DISPLAY_NAME = "kubernetes.io/display-name";

    /** An organization, or a project of one (project non-null), with display names. */
    public record Found(String organization, String organizationDisplayName, String project, String projectDisplayName) {

        /** Returns the context name: ORG or ORG/PROJECT. */
        public String name() {
            return project == null ? organization : organization + "/" + project;
        }

        public String displayName() {
            return project == null ? organizationDisplayName : projectDisplayName;
        }
    }

    private final StoredSession session;
    private final TokenSource tokens;

    public ContextDiscovery(StoredSession session, TokenSource tokens) {
        this.session = session;
        this.tokens = tokens;
    }

    /** Discovery for the active session; an error when no user is logged in. */
    public static ContextDiscovery standard() {
        StoredSession session = Sessions.open().active();
        if (session == null || session.apiHostname() == null) {
            throw new UserError("you are not logged in", "Run 'datumctl login' to sign in.");
        }
        return new ContextDiscovery(session, TokenSource.standard());
    }

    public StoredSession session() {
        return session;
    }

    /** Returns the organizations the user belongs to, in the order the server lists them. */
    public List<Found> organizations() {
        String server = Endpoints.userControlPlane(Endpoints.baseUrl(session.apiHostname()), session.subject());
        Map<String, Object> list = client(server, "your user control plane").get(MEMBERSHIPS);
        List<Found> found = new ArrayList<>();
        for (Map<String, Object> membership : ResourcePrinter.maps(list.get("items"))) {
            String id = Json.str(Json.obj(Json.obj(membership, "spec"), "organizationRef"), "name");
            String displayName = Json.str(Json.obj(Json.obj(membership, "status"), "organization"), "displayName");
            if (id != null) {
                found.add(new Found(id, displayName == null ? "" : displayName, null, null));
            }
        }
        return found;
    }

    /** Returns the projects of one organization. */
    public List<Found> projects(Found organization) {
        String server = Endpoints.organizationControlPlane(Endpoints.baseUrl(session.apiHostname()), organization.organization());
        Map<String, Object> list = client(server, "organization " + organization.organization()).get(PROJECTS);
        List<Found> found = new ArrayList<>();
        for (Map<String, Object> project : ResourcePrinter.maps(list.get("items"))) {
            Map<String, Object> metadata = Json.obj(project, "metadata");
            Map<String, Object> annotations = metadata == null ? null : Json.obj(metadata, "annotations");
            String displayName = annotations == null ? null : Json.str(annotations, DISPLAY_NAME);
            String id = metadata == null ? null : Json.str(metadata, "name");
            if (id != null) {
                found.add(new Found(organization.organization(), organization.organizationDisplayName(), id,
                    displayName == null ? "" : displayName));
            }
        }
        return found;
    }

    /** Returns every organization followed by its projects. An organization whose projects cannot be listed keeps its own entry. */
    public List<Found> all() {
        List<Found> found = new ArrayList<>();
        for (Found organization : organizations()) {
            found.add(organization);
            try {
                found.addAll(projects(organization));
            } catch (UserError e) {
                // NOTE: a member without list permission on projects still gets the organization itself.
            }
        }
        return found;
    }

    private KubeClient client(String server, String source) {
        ControlPlaneResolver.Target target = new ControlPlaneResolver.Target(server,
            Http.pemFromData(session.certificateAuthorityData()), session.sessionName(),
            ControlPlaneResolver.DEFAULT_NAMESPACE, source);
        return KubeClient.connect(target, tokens);
    }
}
