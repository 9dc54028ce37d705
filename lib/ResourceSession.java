package lib;

import java.util.Locale;
import java.util.Optional;

/**
 * One resource command's connection: the selected control plane, its client, and type lookup
 * through cached discovery. Also words API failures for the user with the scope they happened in.
 */
public final class ResourceSession {

    private final ControlPlaneResolver.Target target;
    private final KubeClient client;
    private final Discovery discovery;
    private final ResourceResolver resolver;

    public ResourceSession(ControlPlaneResolver.Target target, KubeClient client) {
        this.target = target;
        this.client = client;
        this.discovery = Discovery.standard(client);
        this.resolver = new ResourceResolver(discovery);
    }

    /** Connects to target with tokens from the same session logic as get-token. */
    public static ResourceSession connect(ControlPlaneResolver.Target target) {
        return new ResourceSession(target, KubeClient.connect(target, TokenSource.standard()));
    }

    public ControlPlaneResolver.Target target() {
        return target;
    }

    public KubeClient client() {
        return client;
    }

    /** Returns the namespace flag's value, else the namespace of the selected context. */
    public String namespace(String flag) {
        return flag != null && !flag.isBlank() ? flag : target.namespace();
    }

    /** Resolves a TYPE argument (plural, singular, short name or kind, optionally with group). */
    public ResourceApi api(String type) {
        return new ResourceApi(client, resolver.resolve(type));
    }

    /**
     * Finds the resource of a manifest's apiVersion and kind. Discovery keeps only each group's
     * preferred version, so another version of a known kind is served under that version's path.
     */
    public ResourceApi apiFor(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        Optional<Discovery.ApiResource> found = find(discovery.load(), group, kind);
        if (found.isEmpty() && !discovery.fetchedFromServer()) {
            found = find(discovery.fetch(), group, kind);
        }
        Discovery.ApiResource resource = found.orElseThrow(() -> new UserError("the control plane " + scope()
            + " has no resource of kind " + kind + " in " + apiVersion,
            "Check apiVersion and kind; 'datumctl api-resources' lists the types this control plane serves."));
        if (!resource.version().equals(version)) {
            resource = new Discovery.ApiResource(resource.group(), version, resource.name(), resource.singularName(),
                resource.kind(), resource.namespaced(), resource.verbs(), resource.shortNames(), resource.categories());
        }
        return new ResourceApi(client, resource);
    }

    private static Optional<Discovery.ApiResource> find(Discovery.Snapshot snapshot, String group, String kind) {
        return snapshot.resources().stream()
            .filter(r -> r.group().equals(group) && r.kind().equalsIgnoreCase(kind))
            .findFirst();
    }

    /** Describes the control plane for messages, such as "project demo (from --project)". */
    public String scope() {
        return target.source();
    }

    /**
     * Rewords a 403 so it names the verb, the resource and the scope that were denied, and
     * passes other failures through unchanged.
     */
    public UserError explain(ResourceApi.ApiError error, String verb, ResourceApi api, String name, String namespace) {
        if (error.status() != 403) {
            return error;
        }
        String object = api.resourceName() + (name == null ? "" : " \"" + name + "\"");
        String where = api.resource().namespaced() && namespace != null ? " in namespace " + namespace + " of " : " in ";
        return new UserError("you may not " + verb + " " + object + where + scope() + ": " + error.getMessage(),
            "Ask an owner of the organization or project for access; 'datumctl auth can-i " + verb + " "
                + api.resource().name() + "' checks a permission.");
    }

    /** Returns kind in lower case with its group: the TYPE part kubectl prints before a name. */
    public static String typeName(String kind, String group) {
        String lower = kind.toLowerCase(Locale.ROOT);
        return group == null || group.isEmpty() ? lower : lower + "." + group;
    }
}
