package emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The user, organization and project control planes built from the seed, found by URL prefix. */
final class ControlPlanes {

    enum Scope { USER, ORGANIZATION, PROJECT }

    /** One control plane: its scope and id, the resources it serves, and its own object store. */
    record ControlPlane(Scope scope, String id, String organizationId, List<ResourceType> types, ResourceStore store) {

        Optional<ResourceType> type(String group, String version, String resource) {
            return types.stream().filter(t -> t.group().equals(group) && t.version().equals(version)
                    && t.resource().equals(resource)).findFirst();
        }
    }

    /** A request path split into its control plane and the Kubernetes path below the prefix. */
    record Match(ControlPlane controlPlane, String rest) {}

    static final String DISPLAY_NAME = "kubernetes.io/display-name";
    private static final Pattern PREFIX = Pattern.compile(
            "^/apis/(iam\\.miloapis\\.com/v1alpha1/users|resourcemanager\\.miloapis\\.com/v1alpha1/(?:organizations|projects))"
                    + "/([^/]+)/control-plane(/.*)?$");
    private static final List<ResourceType> REVIEWS = List.of(ResourceType.SELF_SUBJECT_REVIEWS,
            ResourceType.SELF_SUBJECT_ACCESS_REVIEWS, ResourceType.SELF_SUBJECT_RULES_REVIEWS);

    private final Map<String, ControlPlane> users = new HashMap<>();
    private final Map<String, ControlPlane> organizations = new HashMap<>();
    private final Map<String, ControlPlane> projects = new HashMap<>();

    ControlPlanes(Seed seed) {
        for (Seed.Organization org : seed.organizations()) {
            ControlPlane plane = new ControlPlane(Scope.ORGANIZATION, org.id(), org.id(),
                    withReviews(ResourceType.PROJECTS), new ResourceStore());
            seed.projects().stream().filter(p -> p.organization().equals(org.id()))
                    .forEach(p -> plane.store().add(ResourceType.PROJECTS, project(p)));
            organizations.put(org.id(), plane);
        }
        for (Seed.Project project : seed.projects()) {
            projects.put(project.id(), new ControlPlane(Scope.PROJECT, project.id(), project.organization(),
                    withReviews(ResourceType.DOMAINS, ResourceType.HTTP_PROXIES, ResourceType.DNS_ZONES),
                    new ResourceStore()));
        }
        for (Seed.User user : seed.users()) {
            ControlPlane plane = new ControlPlane(Scope.USER, user.sub(), null,
                    withReviews(ResourceType.ORGANIZATION_MEMBERSHIPS), new ResourceStore());
            for (Seed.Organization org : seed.organizations()) {
                org.member(user.email()).ifPresent(m ->
                        plane.store().add(ResourceType.ORGANIZATION_MEMBERSHIPS, membership(org, user)));
            }
            users.put(user.sub(), plane);
        }
    }

    private static List<ResourceType> withReviews(ResourceType... types) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(types), REVIEWS.stream()).toList();
    }

    /**
     * Finds the control plane of a path. Returns empty when the path is outside every control
     * plane. Throws a 404 Status when the path names an organization, project or user that does not exist.
     */
    Optional<Match> resolve(String path) throws KubeStatus {
        Matcher matcher = PREFIX.matcher(path);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String kind = matcher.group(1);
        String id = matcher.group(2);
        String rest = matcher.group(3) == null ? "" : matcher.group(3);
        ControlPlane plane;
        if (kind.endsWith("users")) {
            plane = require(users, id, "users", "iam.miloapis.com");
        } else if (kind.endsWith("organizations")) {
            plane = require(organizations, id, "organizations", "resourcemanager.miloapis.com");
        } else {
            plane = require(projects, id, "projects", "resourcemanager.miloapis.com");
        }
        return Optional.of(new Match(plane, rest));
    }

    private static ControlPlane require(Map<String, ControlPlane> planes, String id, String resource, String group)
            throws KubeStatus {
        ControlPlane plane = planes.get(id);
        if (plane == null) {
            throw KubeStatus.notFound(resource, group, id);
        }
        return plane;
    }

    private static Map<String, Object> project(Seed.Project project) {
        Map<String, Object> object = ResourceStore.newObject(ResourceType.PROJECTS, null, project.id());
        Map<String, Object> metadata = metadata(object, project.created());
        metadata.put("annotations", Map.of(DISPLAY_NAME, project.displayName()));
        metadata.put("labels", Map.of("resourcemanager.miloapis.com/organization-name", project.organization()));
        Map<String, Object> ownerRef = new LinkedHashMap<>();
        ownerRef.put("kind", "Organization");
        ownerRef.put("name", project.organization());
        object.put("spec", Map.of("ownerRef", ownerRef));
        object.put("status", Map.of("conditions", List.of(readyCondition(project.created()))));
        return object;
    }

    private static Map<String, Object> membership(Seed.Organization org, Seed.User user) {
        Map<String, Object> object = ResourceStore.newObject(ResourceType.ORGANIZATION_MEMBERSHIPS,
                "organization-" + org.id(), "member-" + user.sub());
        metadata(object, org.created());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("organizationRef", Map.of("name", org.id()));
        spec.put("userRef", Map.of("name", user.sub()));
        object.put("spec", spec);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("organization", Map.of("displayName", org.displayName()));
        status.put("user", Map.of("email", user.email(), "displayName", user.name()));
        object.put("status", status);
        return object;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> object, Instant created) {
        Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
        metadata.put("creationTimestamp", created.truncatedTo(ChronoUnit.SECONDS).toString());
        return metadata;
    }

    private static Map<String, Object> readyCondition(Instant since) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "Ready");
        condition.put("status", "True");
        condition.put("reason", "Ready");
        condition.put("message", "The project is ready");
        condition.put("lastTransitionTime", since.truncatedTo(ChronoUnit.SECONDS).toString());
        return condition;
    }
}
