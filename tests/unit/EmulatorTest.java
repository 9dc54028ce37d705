//SOURCES ../emulator/Emulator.java
package unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import emulator.Emulator;

/** Drives the emulator over HTTPS the way datumctl and kubectl do, checking its strict behaviours. */
class EmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private static final String CLIENT_ID = "datumctl-local";
    private static final String REDIRECT_URI = "http://127.0.0.1:18080/datumctl/auth/callback";
    private static final String SCOPE = "openid profile email offline_access";
    private static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final String ORG_PLANE = "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane";
    private static final String ADA_SUB = "310000000000000001";

    /** Approves every sign-in as ada and lets device codes be polled without waiting. */
    private static Emulator shared;
    private static HttpClient sharedClient;

    @BeforeAll
    static void startShared() throws Exception {
        shared = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com").withDeviceIntervalSeconds(0));
        sharedClient = client(shared);
    }

    @AfterAll
    static void stopShared() {
        shared.close();
    }

    @Test
    void discoveryListsZitadelEndpoints() throws Exception {
        Map<String, Object> document = json(get(shared, "/.well-known/openid-configuration", null), 200);

        String base = shared.baseUrl();
        assertEquals(base, document.get("issuer"));
        assertEquals(base + "/oauth/v2/authorize", document.get("authorization_endpoint"));
        assertEquals(base + "/oauth/v2/token", document.get("token_endpoint"));
        assertEquals(base + "/oauth/v2/device_authorization", document.get("device_authorization_endpoint"));
        assertEquals(base + "/oauth/v2/keys", document.get("jwks_uri"));
        assertEquals(List.of("S256"), document.get("code_challenge_methods_supported"));
        assertEquals(List.of("RS256"), document.get("id_token_signing_alg_values_supported"));
        assertEquals(List.of("none", "private_key_jwt"), document.get("token_endpoint_auth_methods_supported"));
    }

    @Test
    void jwksPublishesRs256Key() throws Exception {
        Map<String, Object> jwks = json(get(shared, "/oauth/v2/keys", null), 200);

        Map<?, ?> key = (Map<?, ?>) ((List<?>) jwks.get("keys")).get(0);
        assertEquals("RSA", key.get("kty"));
        assertEquals("RS256", key.get("alg"));
        assertNotNull(key.get("kid"));
        assertNull(key.get("d"), "the JWKS must not contain the private exponent");
    }

    @Test
    void authorizeRejectsUnregisteredRedirect() throws Exception {
        HttpResponse<String> response = get(shared, "/oauth/v2/authorize?client_id=" + CLIENT_ID
                + "&response_type=code&scope=openid&state=s1&code_challenge=" + challenge(verifier())
                + "&code_challenge_method=S256&redirect_uri=" + enc("http://evil.example:8080/datumctl/auth/callback"), null);

        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("Location").isEmpty(), "must not redirect to an unregistered URI");
        assertTrue(response.body().contains("is not registered"), response.body());
    }

    @Test
    void authorizeRedirectsPlainPkceError() throws Exception {
        HttpResponse<String> response = get(shared, "/oauth/v2/authorize?client_id=" + CLIENT_ID
                + "&response_type=code&scope=openid&state=s2&code_challenge=abc&code_challenge_method=plain&redirect_uri="
                + enc(REDIRECT_URI), null);

        assertEquals(302, response.statusCode());
        Map<String, String> callback = callbackParameters(response);
        assertEquals("invalid_request", callback.get("error"));
        assertEquals("s2", callback.get("state"));
        assertNull(callback.get("code"));
    }

    @Test
    void codeExchangeRejectsWrongVerifier() throws Exception {
        String verifier = verifier();
        String code = authorize(shared, verifier, "state-1");

        HttpResponse<String> wrong = exchangeCode(shared, code, verifier());

        assertEquals("invalid_grant", json(wrong, 400).get("error"));
        assertEquals("no-store", wrong.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void codeExchangeIssuesSignedTokens() throws Exception {
        String verifier = verifier();
        Map<String, Object> tokens = json(exchangeCode(shared, authorize(shared, verifier, "state-2"), verifier), 200);

        assertEquals("Bearer", tokens.get("token_type"));
        assertEquals(3600, tokens.get("expires_in"));
        assertNotNull(tokens.get("refresh_token"));
        Map<String, Object> idToken = claims((String) tokens.get("id_token"));
        assertEquals(shared.baseUrl(), idToken.get("iss"));
        assertEquals(CLIENT_ID, idToken.get("aud"));
        assertEquals(ADA_SUB, idToken.get("sub"));
        assertEquals("ada@example.com", idToken.get("email"));
        assertEquals("Ada Lovelace", idToken.get("name"));
        assertEquals("n-123", idToken.get("nonce"));
        assertEquals(List.of(CLIENT_ID), claims((String) tokens.get("access_token")).get("aud"));
    }

    @Test
    void replayedCodeIsRejected() throws Exception {
        String verifier = verifier();
        String code = authorize(shared, verifier, "state-3");
        Map<String, Object> first = json(exchangeCode(shared, code, verifier), 200);

        Map<String, Object> replay = json(exchangeCode(shared, code, verifier), 400);

        assertEquals("invalid_grant", replay.get("error"));
        Map<String, Object> refresh = json(refresh(shared, (String) first.get("refresh_token")), 400);
        assertEquals("invalid_grant", refresh.get("error"), "tokens issued for a replayed code must be revoked");
    }

    @Test
    void refreshRotatesAndDetectsReuse() throws Exception {
        String verifier = verifier();
        Map<String, Object> tokens = json(exchangeCode(shared, authorize(shared, verifier, "state-4"), verifier), 200);
        String first = (String) tokens.get("refresh_token");
        int refreshesBefore = shared.tokenRequestCount("refresh_token");

        Map<String, Object> rotated = json(refresh(shared, first), 200);
        String second = (String) rotated.get("refresh_token");
        Map<String, Object> reuse = json(refresh(shared, first), 400);
        Map<String, Object> afterReuse = json(refresh(shared, second), 400);

        assertNotNull(second);
        assertNotEquals(first, second);
        assertNotNull(rotated.get("id_token"));
        assertEquals("invalid_grant", reuse.get("error"));
        assertEquals("invalid_grant", afterReuse.get("error"), "reuse must revoke the whole token family");
        assertEquals(refreshesBefore + 3, shared.tokenRequestCount("refresh_token"));
    }

    @Test
    void revokedUserCannotRefresh() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com"))) {
            String verifier = verifier();
            Map<String, Object> tokens = json(exchangeCode(emulator, authorize(emulator, verifier, "s5"), verifier), 200);

            emulator.revokeUser("ada@example.com");

            assertEquals("invalid_grant", json(refresh(emulator, (String) tokens.get("refresh_token")), 400).get("error"));
        }
    }

    @Test
    void signInPageApprovesChosenUser() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults())) {
            String verifier = verifier();
            HttpResponse<String> page = get(emulator, authorizePath(verifier, "s6"), null);
            assertEquals(200, page.statusCode());
            Matcher requestId = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"").matcher(page.body());
            assertTrue(requestId.find(), page.body());

            HttpResponse<String> decision = postForm(emulator, "/oauth/v2/authorize/decision",
                    Map.of("request_id", requestId.group(1), "email", "bob@example.com", "decision", "approve"));

            Map<String, String> callback = callbackParameters(decision);
            assertEquals("s6", callback.get("state"));
            Map<String, Object> tokens = json(exchangeCode(emulator, callback.get("code"), verifier), 200);
            assertEquals("bob@example.com", claims((String) tokens.get("id_token")).get("email"));
        }
    }

    @Test
    void devicePollingPendingThenSlowDown() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withDeviceIntervalSeconds(5))) {
            Map<String, Object> device = deviceAuthorization(emulator);
            assertEquals(5, device.get("interval"));
            assertTrue(((String) device.get("user_code")).matches("[A-Z]{4}-[A-Z]{4}"));
            assertEquals(emulator.baseUrl() + "/device", device.get("verification_uri"));

            Map<String, Object> first = json(pollDevice(emulator, device), 400);
            Map<String, Object> second = json(pollDevice(emulator, device), 400);

            assertEquals("authorization_pending", first.get("error"));
            assertEquals("slow_down", second.get("error"));
            assertTrue(((String) second.get("error_description")).contains("every 10 s"), second.toString());
        }
    }

    @Test
    void deviceApprovalIssuesTokensOnce() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withDeviceIntervalSeconds(0))) {
            Map<String, Object> device = deviceAuthorization(emulator);
            assertEquals("authorization_pending", json(pollDevice(emulator, device), 400).get("error"));

            emulator.approveDevice((String) device.get("user_code"), "bob@example.com");
            Map<String, Object> tokens = json(pollDevice(emulator, device), 200);
            Map<String, Object> again = json(pollDevice(emulator, device), 400);

            assertEquals("bob@example.com", claims((String) tokens.get("id_token")).get("email"));
            assertEquals("invalid_grant", again.get("error"));
        }
    }

    @Test
    void approveAsApprovesAfterFirstPoll() throws Exception {
        Map<String, Object> device = deviceAuthorization(shared);

        Map<String, Object> first = json(pollDevice(shared, device), 400);
        Map<String, Object> tokens = json(pollDevice(shared, device), 200);

        assertEquals("authorization_pending", first.get("error"));
        assertEquals("ada@example.com", claims((String) tokens.get("id_token")).get("email"));
    }

    @Test
    void deniedDeviceCodeReturnsAccessDenied() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withDeviceIntervalSeconds(0))) {
            Map<String, Object> device = deviceAuthorization(emulator);

            emulator.denyDevice((String) device.get("user_code"));

            assertEquals("access_denied", json(pollDevice(emulator, device), 400).get("error"));
        }
    }

    @Test
    void devicePageApprovesUserCode() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withDeviceIntervalSeconds(0))) {
            Map<String, Object> device = deviceAuthorization(emulator);
            HttpResponse<String> page = get(emulator, "/device?user_code=" + device.get("user_code"), null);
            assertTrue(page.body().contains("name=\"user_code\" value=\"" + device.get("user_code") + "\""), page.body());

            String typed = ((String) device.get("user_code")).toLowerCase().replace("-", "");
            HttpResponse<String> result = postForm(emulator, "/device",
                    Map.of("user_code", typed, "email", "ada@example.com", "decision", "approve"));

            assertEquals(200, result.statusCode(), result.body());
            assertEquals(ADA_SUB, claims((String) json(pollDevice(emulator, device), 200).get("id_token")).get("sub"));
        }
    }

    @Test
    void expiredDeviceCodeReturnsExpiredToken() throws Exception {
        Emulator.Options options = Emulator.Options.defaults().withDeviceIntervalSeconds(0).withDeviceCodeTtlSeconds(1);
        try (Emulator emulator = Emulator.start(options)) {
            Map<String, Object> device = deviceAuthorization(emulator);

            Thread.sleep(1500);

            assertEquals("expired_token", json(pollDevice(emulator, device), 400).get("error"));
        }
    }

    @Test
    void apiWithoutTokenReturns401Status() throws Exception {
        Map<String, Object> status = json(get(shared, ORG_PLANE + "/apis", null), 401);

        assertEquals("Status", status.get("kind"));
        assertEquals("v1", status.get("apiVersion"));
        assertEquals("Failure", status.get("status"));
        assertEquals("Unauthorized", status.get("reason"));
        assertEquals(401, status.get("code"));
    }

    @Test
    void apiRejectsExpiredToken() throws Exception {
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com")
                .withTokenTtlSeconds(1))) {
            String verifier = verifier();
            Map<String, Object> tokens = json(exchangeCode(emulator, authorize(emulator, verifier, "s7"), verifier), 200);
            String idToken = (String) tokens.get("id_token");
            assertEquals(200, get(emulator, ORG_PLANE + "/apis", idToken).statusCode());

            Thread.sleep(3500);

            Map<String, Object> status = json(get(emulator, ORG_PLANE + "/apis", idToken), 401);
            assertTrue(((String) status.get("message")).contains("expired"), status.toString());
        }
    }

    @Test
    void selfSubjectReviewReturnsUser() throws Exception {
        String token = adaIdToken();
        String body = "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"metadata\":{}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(shared.baseUrl() + ORG_PLANE
                        + "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();

        Map<String, Object> review = json(sharedClient.send(request, HttpResponse.BodyHandlers.ofString()), 201);

        Map<?, ?> userInfo = (Map<?, ?>) ((Map<?, ?>) review.get("status")).get("userInfo");
        assertEquals("ada@example.com", userInfo.get("username"));
        assertEquals(ADA_SUB, userInfo.get("uid"));
        assertTrue(((List<?>) userInfo.get("groups")).contains("system:authenticated"));
    }

    @Test
    void organizationListsSeededProjects() throws Exception {
        Map<String, Object> list = json(get(shared, ORG_PLANE + "/apis/resourcemanager.miloapis.com/v1alpha1/projects",
                adaIdToken()), 200);

        assertEquals("ProjectList", list.get("kind"));
        Map<?, ?> project = (Map<?, ?>) ((List<?>) list.get("items")).get(0);
        Map<?, ?> metadata = (Map<?, ?>) project.get("metadata");
        assertEquals("demo", metadata.get("name"));
        assertEquals("Demo", ((Map<?, ?>) metadata.get("annotations")).get("kubernetes.io/display-name"));
        assertNotNull(metadata.get("uid"));
        assertNotNull(metadata.get("resourceVersion"));
    }

    @Test
    void tableRowsFollowIncludeObject() throws Exception {
        String projects = ORG_PLANE + "/apis/resourcemanager.miloapis.com/v1alpha1/projects";

        Map<?, ?> metadataRow = tableRow(projects);
        assertEquals("PartialObjectMetadata", ((Map<?, ?>) metadataRow.get("object")).get("kind"));
        Map<?, ?> cellsRow = tableRow(projects + "?includeObject=None");
        assertEquals(List.of("cells"), List.copyOf(cellsRow.keySet()));
        assertEquals(metadataRow.get("cells"), cellsRow.get("cells"));

        Map<String, Object> status = json(get(shared, projects + "?includeObject=All", adaIdToken(), TABLE), 400);
        assertEquals("BadRequest", status.get("reason"));
        assertTrue(((String) status.get("message")).contains("Unsupported value: \"All\""), status.toString());
    }

    private static Map<?, ?> tableRow(String path) throws Exception {
        Map<String, Object> table = json(get(shared, path, adaIdToken(), TABLE), 200);
        assertEquals("Table", table.get("kind"));
        return (Map<?, ?>) ((List<?>) table.get("rows")).get(0);
    }

    @Test
    void unknownProjectReturns404Status() throws Exception {
        Map<String, Object> status = json(get(shared, ORG_PLANE
                + "/apis/resourcemanager.miloapis.com/v1alpha1/projects/nope", adaIdToken()), 404);

        assertEquals("NotFound", status.get("reason"));
        assertEquals("projects.resourcemanager.miloapis.com \"nope\" not found", status.get("message"));
    }

    @Test
    void nonMemberGets403Status() throws Exception {
        Map<String, Object> device = deviceAuthorization(shared);
        shared.approveDevice((String) device.get("user_code"), "bob@example.com");
        String bobToken = (String) json(pollDevice(shared, device), 200).get("id_token");

        Map<String, Object> status = json(get(shared, ORG_PLANE + "/apis", bobToken), 403);

        assertEquals("Forbidden", status.get("reason"));
        assertTrue(((String) status.get("message")).contains("User \"bob@example.com\""), status.toString());
    }

    @Test
    void userPlaneListsMemberships() throws Exception {
        String path = "/apis/iam.miloapis.com/v1alpha1/users/" + ADA_SUB
                + "/control-plane/apis/resourcemanager.miloapis.com/v1alpha1/organizationmemberships";

        Map<String, Object> list = json(get(shared, path, adaIdToken()), 200);

        Map<?, ?> membership = (Map<?, ?>) ((List<?>) list.get("items")).get(0);
        assertEquals("acme", ((Map<?, ?>) ((Map<?, ?>) membership.get("spec")).get("organizationRef")).get("name"));
        assertEquals("Acme Corp", ((Map<?, ?>) ((Map<?, ?>) membership.get("status")).get("organization")).get("displayName"));
    }

    @Test
    void aggregatedDiscoveryWhenRequested() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(shared.baseUrl() + ORG_PLANE + "/apis"))
                .header("Authorization", "Bearer " + adaIdToken())
                .header("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
                .build();

        HttpResponse<String> response = sharedClient.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                response.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> document = json(response, 200);
        assertEquals("APIGroupDiscoveryList", document.get("kind"));
        assertTrue(response.body().contains("\"resource\":\"projects\""), response.body());
    }

    @Test
    void tlsDirIsReused(@TempDir Path dir) throws Exception {
        String firstCa;
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withTlsDir(dir))) {
            firstCa = emulator.caPem();
            assertEquals(dir.resolve("ca.pem").toAbsolutePath(), emulator.caFile());
        }
        try (Emulator emulator = Emulator.start(Emulator.Options.defaults().withTlsDir(dir))) {
            assertEquals(firstCa, emulator.caPem());
            assertEquals(200, get(emulator, "/oauth/v2/keys", null).statusCode());
        }
        assertTrue(Files.exists(dir.resolve("server-key.pem")));
    }

    @Test
    void unknownApproveAsUserIsRejected() {
        IOException error = assertThrows(IOException.class,
                () -> Emulator.start(Emulator.Options.defaults().withApproveAs("nobody@example.com")));

        assertTrue(error.getMessage().contains("nobody@example.com"), error.getMessage());
    }

    // Helpers

    private static String adaIdToken() throws Exception {
        String verifier = verifier();
        return (String) json(exchangeCode(shared, authorize(shared, verifier, "helper"), verifier), 200).get("id_token");
    }

    private static String authorizePath(String verifier, String state) throws Exception {
        return "/oauth/v2/authorize?client_id=" + CLIENT_ID + "&response_type=code&scope=" + enc(SCOPE)
                + "&redirect_uri=" + enc(REDIRECT_URI) + "&state=" + state + "&nonce=n-123"
                + "&code_challenge=" + challenge(verifier) + "&code_challenge_method=S256";
    }

    /** Runs the authorize step on an emulator started with approveAs and returns the code. */
    private static String authorize(Emulator emulator, String verifier, String state) throws Exception {
        Map<String, String> callback = callbackParameters(get(emulator, authorizePath(verifier, state), null));
        assertEquals(state, callback.get("state"));
        return callback.get("code");
    }

    private static HttpResponse<String> exchangeCode(Emulator emulator, String code, String verifier) throws Exception {
        return postForm(emulator, "/oauth/v2/token", Map.of("grant_type", "authorization_code", "client_id", CLIENT_ID,
                "code", code, "redirect_uri", REDIRECT_URI, "code_verifier", verifier));
    }

    private static HttpResponse<String> refresh(Emulator emulator, String refreshToken) throws Exception {
        return postForm(emulator, "/oauth/v2/token",
                Map.of("grant_type", "refresh_token", "client_id", CLIENT_ID, "refresh_token", refreshToken));
    }

    private static Map<String, Object> deviceAuthorization(Emulator emulator) throws Exception {
        return json(postForm(emulator, "/oauth/v2/device_authorization", Map.of("client_id", CLIENT_ID, "scope", SCOPE)), 200);
    }

    private static HttpResponse<String> pollDevice(Emulator emulator, Map<String, Object> device) throws Exception {
        return postForm(emulator, "/oauth/v2/token", Map.of("grant_type", DEVICE_GRANT, "client_id", CLIENT_ID,
                "device_code", (String) device.get("device_code")));
    }

    private static Map<String, String> callbackParameters(HttpResponse<String> response) {
        assertEquals(302, response.statusCode(), response.body());
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertEquals(REDIRECT_URI, location.getScheme() + "://" + location.getAuthority() + location.getPath());
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            parameters.put(parts[0], java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static HttpResponse<String> get(Emulator emulator, String path, String bearer) throws Exception {
        return get(emulator, path, bearer, "application/json");
    }

    private static HttpResponse<String> get(Emulator emulator, String path, String bearer, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Accept", accept);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client(emulator).send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postForm(Emulator emulator, String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client(emulator).send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Builds an HTTPS client that trusts only the emulator's CA and never follows redirects. */
    private static HttpClient client(Emulator emulator) throws Exception {
        if (emulator == shared && sharedClient != null) {
            return sharedClient;
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("emulator-ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(emulator.caPem().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response, int expectedStatus) throws IOException {
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return JSON.readValue(response.body(), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> claims(String jwt) throws IOException {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "a JWT has three parts");
        return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
    }

    private static String verifier() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String challenge(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
