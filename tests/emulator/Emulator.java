///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//DEPS com.nimbusds:nimbus-jose-jwt:9.47
//DEPS org.bouncycastle:bcprov-jdk18on:1.79
//DEPS org.bouncycastle:bcpkix-jdk18on:1.79
//SOURCES ApiServer.java AuthorizeEndpoint.java ControlPlaneRequest.java ControlPlanes.java DeviceFlow.java
//SOURCES Discovery.java EmulatorCli.java HttpIo.java KubeProtobuf.java KubeStatus.java OAuthError.java OAuthState.java
//SOURCES OidcProvider.java Pages.java ResourceRequest.java ResourceStore.java ResourceType.java Reviews.java RolePolicy.java
//SOURCES Scopes.java Seed.java TestHooks.java TlsMaterial.java TokenEndpoint.java TokenSigner.java
//SOURCES Documents.java ManagedFields.java OpenApi.java Tables.java WatchStream.java
//FILES emulator/seed.yaml=seed.yaml
package emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.nimbusds.jose.JOSEException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The Datum Cloud emulator: an OIDC provider at Zitadel's paths and the user, organization and
 * project control planes, served over HTTPS on 127.0.0.1 with a CA of its own. Tests start it
 * in-process with {@link #start(Options)}, and scripts run it as a JBang script (see {@link EmulatorCli}).
 */
public final class Emulator implements AutoCloseable {

    /**
     * Start options. A null {@code seed} selects the default seed. A null {@code tlsDir} selects a new
     * temporary folder, deleted on close. A null {@code approveAs} shows the sign-in and device pages
     * instead of approving every request as that seeded user.
     */
    public record Options(int port, Path seed, long tokenTtlSeconds, String approveAs, Path tlsDir,
            long deviceIntervalSeconds, long deviceCodeTtlSeconds, TrustedIssuer trustedIssuer) {

        public static Options defaults() {
            return new Options(0, null, 3600, null, null, 5, 600, null);
        }

        public Options withPort(int value) {
            return new Options(value, seed, tokenTtlSeconds, approveAs, tlsDir, deviceIntervalSeconds, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withSeed(Path value) {
            return new Options(port, value, tokenTtlSeconds, approveAs, tlsDir, deviceIntervalSeconds, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withTokenTtlSeconds(long value) {
            return new Options(port, seed, value, approveAs, tlsDir, deviceIntervalSeconds, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withApproveAs(String value) {
            return new Options(port, seed, tokenTtlSeconds, value, tlsDir, deviceIntervalSeconds, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withTlsDir(Path value) {
            return new Options(port, seed, tokenTtlSeconds, approveAs, value, deviceIntervalSeconds, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withDeviceIntervalSeconds(long value) {
            return new Options(port, seed, tokenTtlSeconds, approveAs, tlsDir, value, deviceCodeTtlSeconds, trustedIssuer);
        }

        public Options withDeviceCodeTtlSeconds(long value) {
            return new Options(port, seed, tokenTtlSeconds, approveAs, tlsDir, deviceIntervalSeconds, value, trustedIssuer);
        }

        /**
         * Makes the API server also accept tokens of another OIDC provider, such as a Keycloak
         * under test. Its users are matched to seeded users by their email claim.
         */
        public Options withTrustedIssuer(String issuer, String jwksUrl, String audience) {
            return new Options(port, seed, tokenTtlSeconds, approveAs, tlsDir, deviceIntervalSeconds, deviceCodeTtlSeconds,
                    new TrustedIssuer(issuer, jwksUrl, audience));
        }

        void validate() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range; use 0 to 65535 (0 picks a free port)");
            }
            if (tokenTtlSeconds < 1 || deviceCodeTtlSeconds < 1) {
                throw new IllegalArgumentException("token and device-code lifetimes must be at least 1 second");
            }
            if (deviceIntervalSeconds < 0) {
                throw new IllegalArgumentException("device polling interval " + deviceIntervalSeconds + " must not be negative");
            }
        }
    }

    /** Another OIDC provider whose tokens the API server accepts: its issuer, JWKS URL and the audience required. */
    public record TrustedIssuer(String issuer, String jwksUrl, String audience) {}

    private final HttpsServer server;
    private final ExecutorService executor;
    private final TlsMaterial tls;
    private final Path temporaryTlsDir;
    private final String baseUrl;
    private final Seed seed;
    private final OAuthState state = new OAuthState();
    private final DeviceFlow deviceFlow;
    private final OidcProvider oidc;
    private final ApiServer api;
    private final TestHooks hooks = new TestHooks(this);

    private Emulator(Options options, Seed seed, TlsMaterial tls, Path temporaryTlsDir, HttpsServer server)
            throws JOSEException {
        this.seed = seed;
        this.tls = tls;
        this.temporaryTlsDir = temporaryTlsDir;
        this.server = server;
        int port = server.getAddress().getPort();
        this.baseUrl = "https://127.0.0.1:" + port;
        String approveAsSub = options.approveAs() == null ? null : seed.userByEmail(options.approveAs())
                .orElseThrow(() -> new IllegalArgumentException("--approve-as " + options.approveAs()
                        + " is not a user of the seed; use one of " + emails(seed))).sub();
        TokenSigner signer = new TokenSigner(baseUrl);
        this.deviceFlow = new DeviceFlow(seed, state, baseUrl, options.deviceIntervalSeconds(),
                options.deviceCodeTtlSeconds(), approveAsSub);
        TokenEndpoint token = new TokenEndpoint(seed, state, signer, deviceFlow, options.tokenTtlSeconds());
        this.oidc = new OidcProvider(seed, state, signer, new AuthorizeEndpoint(seed, state, approveAsSub), token, deviceFlow);
        this.api = new ApiServer(seed, signer, oidc, new ControlPlanes(seed), "127.0.0.1:" + port);
        if (options.trustedIssuer() != null) {
            api.trust(options.trustedIssuer());
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "emulator-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the emulator, which serves until {@link #close()}. */
    public static Emulator start(Options options) throws IOException {
        options.validate();
        Seed seed = Seed.load(options.seed(), Instant.now());
        Path temporaryTlsDir = options.tlsDir() == null ? Files.createTempDirectory("datum-emulator-tls-") : null;
        TlsMaterial tls = TlsMaterial.loadOrCreate(options.tlsDir() == null ? temporaryTlsDir : options.tlsDir());
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), options.port()), 0);
        try {
            server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
            Emulator emulator = new Emulator(options, seed, tls, temporaryTlsDir, server);
            server.createContext("/", emulator::dispatch);
            server.setExecutor(emulator.executor);
            server.start();
            return emulator;
        } catch (GeneralSecurityException | JOSEException | RuntimeException e) {
            server.stop(0);
            if (temporaryTlsDir != null) {
                deleteTree(temporaryTlsDir);
            }
            throw new IOException("failed to start the emulator: " + e.getMessage(), e);
        }
    }

    private static String emails(Seed seed) {
        return String.join(", ", seed.users().stream().map(Seed.User::email).toList());
    }

    /** Routes a request and logs method, path and status to stderr. Queries may carry codes, so they are not logged. */
    private void dispatch(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        try {
            if (path.startsWith(TestHooks.PREFIX)) {
                hooks.handle(exchange, path);
            } else if (!oidc.handle(exchange, path)) {
                api.handle(exchange, path);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("emulator: " + exchange.getRequestMethod() + " " + path + " failed: " + e);
            sendInternalError(exchange);
        } finally {
            // The test launcher sets emulator.quiet: a request log per test would bury the results.
            if (System.getProperty("emulator.quiet") == null) {
                System.err.println("emulator: " + exchange.getRequestMethod() + " " + path + " " + exchange.getResponseCode());
            }
            exchange.close();
        }
    }

    private static void sendInternalError(HttpExchange exchange) {
        if (exchange.getResponseCode() != -1) {
            return;
        }
        try {
            KubeStatus status = new KubeStatus(500, "InternalError", "the emulator failed on this request; see its stderr", null);
            ApiServer.sendStatus(exchange, status);
        } catch (IOException e) {
            System.err.println("emulator: failed to send an error response: " + e);
        }
    }

    /** Returns {@code https://127.0.0.1:PORT}, the issuer and API server URL. */
    public String baseUrl() {
        return baseUrl;
    }

    public Path caFile() {
        return tls.caFile();
    }

    public String caPem() {
        return tls.caPem();
    }

    /** Counts token endpoint requests of a grant type since start, whatever their outcome. */
    public int tokenRequestCount(String grantType) {
        return state.tokenRequestCount(grantType);
    }

    Map<String, Integer> tokenRequestCounts() {
        return state.tokenRequestCounts();
    }

    /** Every access, ID and refresh token and device code issued so far, oldest first. */
    public java.util.List<String> issuedTokens() {
        synchronized (state.issued) {
            return java.util.List.copyOf(state.issued);
        }
    }

    /** Ends every session of a seeded user: refresh tokens, unused codes and approved device codes. */
    public void revokeUser(String email) {
        Seed.User user = seed.userByEmail(email).orElseThrow(() ->
                new IllegalArgumentException("user " + email + " is not in the seed; use one of " + emails(seed)));
        state.revokeUser(user.sub());
    }

    /** Approves a pending device login as a seeded user, as the /device page does. */
    public void approveDevice(String userCode, String email) {
        deviceFlow.decide(userCode, email, true);
    }

    public void denyDevice(String userCode) {
        deviceFlow.decide(userCode, null, false);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        if (temporaryTlsDir != null) {
            deleteTree(temporaryTlsDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("failed to delete the temporary TLS folder " + dir, e);
        }
    }

    public static void main(String[] args) {
        EmulatorCli.run(args);
    }
}
