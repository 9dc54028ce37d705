package lib;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Resolves a TYPE argument to a resource the way kubectl does: by plural name, singular name,
 * short name or kind, in any letter case, optionally qualified by group
 * ({@code projects.resourcemanager.miloapis.com}) or by version and group
 * ({@code projects.v1alpha1.resourcemanager.miloapis.com}). A miss in cached discovery refreshes
 * the cache once before it is reported.
 */
public final class ResourceResolver {

    private final Discovery discovery;

    public ResourceResolver(Discovery discovery) {
        this.discovery = discovery;
    }

    public Discovery.ApiResource resolve(String type) {
        Optional<Discovery.ApiResource> found = find(discovery.load().resources(), type);
        if (found.isEmpty() && !discovery.fetchedFromServer()) {
            found = find(discovery.fetch().resources(), type);
        }
        return found.orElseThrow(() -> new UserError("the server doesn't have a resource type \"" + type + "\"",
            "Run 'datumctl api-resources' to list the resource types this control plane serves."));
    }

    /**
     * Finds type among resources. When several groups serve a matching type, the first in
     * discovery order wins, as a plain name is meant to be the common case.
     */
    public static Optional<Discovery.ApiResource> find(List<Discovery.ApiResource> resources, String type) {
        String wanted = type.toLowerCase(Locale.ROOT);
        Optional<Discovery.ApiResource> plain = resources.stream().filter(r -> names(r, wanted)).findFirst();
        if (plain.isPresent() || !wanted.contains(".")) {
            return plain;
        }
        String name = wanted.substring(0, wanted.indexOf('.'));
        String qualifier = wanted.substring(wanted.indexOf('.') + 1);
        return resources.stream()
            .filter(r -> names(r, name))
            .filter(r -> qualifier.equals(r.group()) || qualifier.equals(r.version() + "." + r.group()))
            .findFirst();
    }

    private static boolean names(Discovery.ApiResource resource, String wanted) {
        return wanted.equals(resource.name())
            || wanted.equals(resource.singularName())
            || wanted.equals(resource.kind().toLowerCase(Locale.ROOT))
            || resource.shortNames().contains(wanted);
    }
}
