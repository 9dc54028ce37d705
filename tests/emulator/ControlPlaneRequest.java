package emulator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** One authorized request below a control-plane prefix: discovery, version, list, get and reviews. */
final class ControlPlaneRequest {

    private static final String CORE_VERSION = "v1";

    private final HttpExchange exchange;
    private final ControlPlanes.ControlPlane plane;
    private final ApiServer.Principal principal;
    private final String serverAddress;
    private final String method;

    ControlPlaneRequest(HttpExchange exchange, ControlPlanes.ControlPlane plane, ApiServer.Principal principal,
            String serverAddress) {
        this.exchange = exchange;
        this.plane = plane;
        this.principal = principal;
        this.serverAddress = serverAddress;
        this.method = exchange.getRequestMethod();
    }

    void serve(String rest) throws IOException, KubeStatus {
        // NOTE: discovery and /version are served to every member; role rules on non-resource URLs
        // are only reported by the review APIs, not enforced here.
        switch (rest) {
            case "", "/" -> sendRead(Map.of("paths", List.of("/api", "/api/v1", "/apis", "/version")));
            case "/version" -> sendRead(version());
            case "/api" -> sendDiscovery(true, Discovery.apiVersions(serverAddress));
            case "/api/v1" -> sendRead(Discovery.resourceList(CORE_VERSION, List.of()));
            case "/apis" -> sendDiscovery(false, Discovery.groupList(plane.types()));
            case OpenApi.PREFIX -> sendRead(OpenApi.root(plane.types()));
            default -> {
                if (rest.startsWith(OpenApi.PREFIX + "/apis/")) {
                    Map<String, Object> document = OpenApi.groupVersion(plane.types(),
                            rest.substring((OpenApi.PREFIX + "/apis/").length()));
                    if (document == null) {
                        throw KubeStatus.pathNotFound();
                    }
                    sendRead(document);
                    return;
                }
                if (!rest.startsWith("/apis/")) {
                    // Includes /openapi/v2: kubectl falls back to it only when OpenAPI v3 is missing.
                    throw KubeStatus.pathNotFound();
                }
                serveGroupPath(rest.substring("/apis/".length()).split("/", -1));
            }
        }
    }

    private void sendRead(Object body) throws IOException, KubeStatus {
        requireMethod("GET");
        HttpIo.sendJson(exchange, 200, body);
    }

    private void requireMethod(String allowed) throws KubeStatus {
        boolean head = allowed.equals("GET") && method.equals("HEAD");
        if (!method.equals(allowed) && !head) {
            exchange.getResponseHeaders().set("Allow", allowed);
            throw KubeStatus.methodNotAllowed(method, allowed);
        }
    }

    /** Sends aggregated discovery when the Accept header requests it, else the legacy document. */
    private void sendDiscovery(boolean core, Object legacy) throws IOException, KubeStatus {
        requireMethod("GET");
        exchange.getResponseHeaders().set("Vary", "Accept");
        String version = Discovery.aggregatedVersion(HttpIo.header(exchange, "Accept"));
        if (version == null) {
            HttpIo.sendJson(exchange, 200, legacy);
            return;
        }
        HttpIo.sendJson(exchange, 200, Discovery.aggregated(version, plane.types(), core),
                Discovery.aggregatedContentType(version));
    }

    private static Map<String, Object> version() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("major", "1");
        version.put("minor", "32");
        version.put("gitVersion", "v1.32.0-datum-emulator");
        version.put("gitCommit", "");
        version.put("gitTreeState", "clean");
        version.put("buildDate", "1970-01-01T00:00:00Z");
        version.put("goVersion", "none");
        version.put("compiler", "none");
        version.put("platform", "java/any");
        return version;
    }

    /** Serves {@code <group>[/<version>[/namespaces/<ns>]/<resource>[/<name>]]}. */
    private void serveGroupPath(String[] segments) throws IOException, KubeStatus {
        String group = segments[0];
        if (plane.types().stream().noneMatch(t -> t.group().equals(group))) {
            throw KubeStatus.pathNotFound();
        }
        if (segments.length == 1) {
            sendRead(Discovery.group(group, plane.types()));
            return;
        }

        String groupVersion = group + "/" + segments[1];
        if (plane.types().stream().noneMatch(t -> t.groupVersion().equals(groupVersion))) {
            throw KubeStatus.pathNotFound();
        }
        if (segments.length == 2) {
            sendRead(Discovery.resourceList(groupVersion, plane.types()));
            return;
        }

        serveResourcePath(group, segments[1], segments);
    }

    /** Serves the resource part: segments 2 and on are {@code [namespaces/<ns>/]<resource>[/<name>]}. */
    private void serveResourcePath(String group, String version, String[] segments) throws IOException, KubeStatus {
        boolean namespaced = segments[2].equals("namespaces") && segments.length >= 5;
        int resourceIndex = namespaced ? 4 : 2;
        if (segments.length > resourceIndex + 2) {
            // Subresources such as /status are not served.
            throw KubeStatus.pathNotFound();
        }
        ResourceType type = plane.type(group, version, segments[resourceIndex]).orElseThrow(KubeStatus::pathNotFound);
        if (namespaced && !type.namespaced()) {
            throw KubeStatus.pathNotFound();
        }

        String namespace = namespaced ? segments[3] : null;
        String name = segments.length == resourceIndex + 2 ? segments[resourceIndex + 1] : null;
        boolean namespaceMissing = name != null && type.namespaced() && namespace == null;
        if (namespaceMissing || name != null && name.isEmpty()) {
            throw KubeStatus.pathNotFound();
        }
        new ResourceRequest(exchange, plane, principal, type, namespace).serve(name);
    }
}
