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

    /** Returns the base URL for --hostname: a bare host means https, a full https URL is kept. */
    public static String baseUrl(String hostOrUrl) {
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
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw UserError.usage("invalid host or URL " + hostOrUrl + ": only https is supported",
                "Pass a host such as auth.datum.net or a URL such as https://127.0.0.1:8443.");
        }
        return "https://" + uri.getRawAuthority();
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
