package emulator;

import java.util.List;

/** One API resource a control plane serves, as discovery documents describe it. */
record ResourceType(String group, String version, String resource, String singular, String kind, boolean namespaced,
        List<String> verbs, List<String> shortNames, List<String> categories) {

    static final List<String> READ_VERBS = List.of("get", "list", "watch");
    static final List<String> CREATE_ONLY = List.of("create");
    static final List<String> ALL_VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");

    static final ResourceType PROJECTS = new ResourceType("resourcemanager.miloapis.com", "v1alpha1", "projects",
            "project", "Project", false, READ_VERBS, List.of());
    static final ResourceType ORGANIZATION_MEMBERSHIPS = new ResourceType("resourcemanager.miloapis.com", "v1alpha1",
            "organizationmemberships", "organizationmembership", "OrganizationMembership", true, READ_VERBS, List.of());
    static final ResourceType SELF_SUBJECT_REVIEWS = new ResourceType("authentication.k8s.io", "v1",
            "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, CREATE_ONLY, List.of());
    static final ResourceType SELF_SUBJECT_ACCESS_REVIEWS = new ResourceType("authorization.k8s.io", "v1",
            "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, CREATE_ONLY, List.of());
    static final ResourceType SELF_SUBJECT_RULES_REVIEWS = new ResourceType("authorization.k8s.io", "v1",
            "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, CREATE_ONLY, List.of());

    // The resources of a project control plane, which users create, change and delete.
    static final ResourceType DOMAINS = new ResourceType("networking.datumapis.com", "v1alpha", "domains",
            "domain", "Domain", true, ALL_VERBS, List.of(), List.of("datum", "networking"));
    static final ResourceType HTTP_PROXIES = new ResourceType("networking.datumapis.com", "v1alpha", "httpproxies",
            "httpproxy", "HTTPProxy", true, ALL_VERBS, List.of("proxy"), List.of("datum", "networking"));
    static final ResourceType DNS_ZONES = new ResourceType("dns.networking.miloapis.com", "v1alpha1", "dnszones",
            "dnszone", "DNSZone", true, ALL_VERBS, List.of("dz"), List.of("datum", "dns"));

    /** A resource in no category. */
    ResourceType(String group, String version, String resource, String singular, String kind, boolean namespaced,
            List<String> verbs, List<String> shortNames) {
        this(group, version, resource, singular, kind, namespaced, verbs, shortNames, List.of());
    }

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }
}
