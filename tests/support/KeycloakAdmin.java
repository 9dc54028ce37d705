package support;

import lib.Http;
import lib.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small client of Keycloak's admin REST API: users, consents and the event log of one realm. */
public final class KeycloakAdmin {

    /** One entry of the realm's event log, with the server's time in epoch milliseconds. */
    public record Event(String type, long time, String clientId, String userId, String error) {
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String realm;
    private final String user;
    private final String password;

    KeycloakAdmin(HttpClient http, String baseUrl, String realm, String user, String password) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.realm = realm;
        this.user = user;
        this.password = password;
    }

    /** Returns the Keycloak user id (the `sub` of its tokens) of the user with this email. */
    public String userId(String email) throws IOException, InterruptedException {
        List<Object> users = asList(get("/users?exact=true&email=" + encode(email)));
        if (users.size() != 1) {
            throw new AssertionError("expected one Keycloak user with email " + email + ", found " + users.size());
        }
        return Json.str(asMap(users.get(0)), "id");
    }

    /** Withdraws every consent the user gave, so the next login requests consent again. */
    public void revokeConsents(String userId, String clientId) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request("/users/" + userId + "/consents/" + encode(clientId)).DELETE().build());
        if (response.statusCode() != 204 && response.statusCode() != 404) {
            throw new AssertionError("revoking the consents of " + userId + " returned HTTP " + response.statusCode()
                + ": " + response.body());
        }
    }

    /** Returns the realm's events of one type for one user, newest first, as the admin API lists them. */
    public List<Event> events(String type, String userId) throws IOException, InterruptedException {
        return eventList("type=" + encode(type) + "&user=" + encode(userId));
    }

    /** Returns the realm's events of one type for one client, newest first. */
    public List<Event> clientEvents(String type, String clientId) throws IOException, InterruptedException {
        return eventList("type=" + encode(type) + "&client=" + encode(clientId));
    }

    private List<Event> eventList(String query) throws IOException, InterruptedException {
        Object body = get("/events?max=1000&" + query);
        return asList(body).stream().map(KeycloakAdmin::asMap).map(KeycloakAdmin::event).toList();
    }

    private static Event event(Map<String, Object> entry) {
        Map<String, Object> details = entry.get("details") instanceof Map<?, ?> ? asMap(entry.get("details")) : Map.of();
        return new Event(Json.str(entry, "type"), Json.num(entry, "time", 0), Json.str(entry, "clientId"),
            Json.str(entry, "userId"), Json.str(entry, "error") != null ? Json.str(entry, "error") : Json.str(details, "reason"));
    }

    private Object get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request(path).GET().build());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " on Keycloak's admin API returned HTTP " + response.statusCode()
                + ": " + response.body());
        }
        return Json.parse(response.body());
    }

    private HttpRequest.Builder request(String path) throws IOException, InterruptedException {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + realm + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + accessToken())
            .header("Accept", "application/json");
    }

    /** Signs in to the master realm with the password grant of the built-in admin-cli client. */
    private String accessToken() throws IOException, InterruptedException {
        String form = Http.formEncode(Map.of("grant_type", "password", "client_id", "admin-cli",
            "username", user, "password", password));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/realms/master/protocol/openid-connect/token"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) {
            throw new AssertionError("signing in to Keycloak's admin API returned HTTP " + response.statusCode());
        }
        return Json.str(Json.parseObject(response.body()), "access_token");
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
