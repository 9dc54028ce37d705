package lib;

import java.net.URI;
import java.util.Locale;

/**
 * Datum Cloud addresses: auth and API hosts, the public OAuth client ids, and the control-plane
 * URLs under the API server.
 */
public final class Endpoints {

    public static final String DEFAULT_AUTH_HOST = "auth.datum.net";
    public static final String PRODUCTION_CLIENT_ID = "328728232771788043";
    public static final String STAGING_CLIENT_ID = "325848904128073754";

    private static final String RESOURCE_MANAGER = "/apis/resourcemanager.miloapis.com/v1alpha1";

    private Endpoints() {
    }

    /**
     * Returns the base URL for --hostname: a bare host means https, and a full URL keeps its scheme
     * and authority but drops any path. Plain http is accepted for loopback hosts only
     * (127.0.0.0/8, localhost, [::1]) because that traffic never leaves the machine. OAuth for
     * native apps (RFC 8252) relies on the same for its redirects, and local test identity
     * providers such as Keycloak in development mode serve plain http. Other hosts need https.
     */
    public static String baseUrl(String hostOrUrl) {
        URI uri = parse(hostOrUrl);
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
    }

    /**
     * Returns the OIDC issuer URL for --hostname: the base URL plus the path, without a trailing
     * slash. Datum Cloud's issuer has no path, but others do, such as Keycloak's /realms/NAME.
     */
    public static String issuerUrl(String hostOrUrl) {
        URI uri = parse(hostOrUrl);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return baseUrl(hostOrUrl) + path;
    }

    private static URI parse(String hostOrUrl) {
        String value = hostOrUrl.trim();
        if (!value.contains("://")) {
            value = "https://" + value;
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw UserError.usage("invalid host or URL " + hostOrUrl, "Pass a host such as auth.datum.net or a URL such as https://127.0.0.1:8443.");
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw UserError.usage("invalid host or URL " + hostOrUrl + ": no host name found",
                "Pass a host such as auth.datum.net or a URL such as https://127.0.0.1:8443.");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean loopbackHttp = scheme.equals("http") && isLoopbackLiteral(uri.getHost());
        if (!scheme.equals("https") && !loopbackHttp) {
            throw UserError.usage("invalid host or URL " + hostOrUrl + ": only https is supported, and plain http only for loopback hosts",
                "Pass a host such as auth.datum.net or a URL such as https://127.0.0.1:8443.");
        }
        return uri;
    }

    /** Returns the host[:port] part of a host or URL, as used in storage keys and session names. */
    public static String hostKey(String hostOrUrl) {
        return URI.create(baseUrl(hostOrUrl)).getRawAuthority().toLowerCase(Locale.ROOT);
    }

    /**
     * Returns the API host that goes with an auth host: "auth." becomes "api.", and a loopback auth server
     * (the emulator, a local sandbox) serves the API on the same origin. Null when unknown.
     */
    public static String defaultApiHost(String authHostKey) {
        if (authHostKey.startsWith("auth.")) {
            return "api." + authHostKey.substring("auth.".length());
        }
        if (isLoopback(authHostKey)) {
            return authHostKey;
        }
        return null;
    }

    /** Returns the public client id for Datum Cloud's auth hosts, or null for any other host. */
    public static String defaultClientId(String authHostKey) {
        String host = URI.create("https://" + authHostKey).getHost();
        if (host.endsWith(".staging.env.datum.net")) {
            return STAGING_CLIENT_ID;
        }
        if (host.equals("datum.net") || host.endsWith(".datum.net")) {
            return PRODUCTION_CLIENT_ID;
        }
        return null;
    }

    /**
     * True for localhost, [::1] and IPv4 literals in 127.0.0.0/8. Unlike isLoopback, a DNS name such
     * as 127.example.com does not count, because it may resolve to any address.
     */
    static boolean isLoopbackLiteral(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.equals("localhost") || lower.equals("[::1]") || lower.equals("::1")
            || lower.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    public static boolean isLoopback(String hostKey) {
        String host = URI.create("https://" + hostKey).getHost();
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    public static String organizationControlPlane(String apiServer, String organization) {
        return apiServer + RESOURCE_MANAGER + "/organizations/" + organization + "/control-plane";
    }

    public static String projectControlPlane(String apiServer, String project) {
        return apiServer + RESOURCE_MANAGER + "/projects/" + project + "/control-plane";
    }

    public static String userControlPlane(String apiServer, String subject) {
        return apiServer + "/apis/iam.miloapis.com/v1alpha1/users/" + subject + "/control-plane";
    }
}
