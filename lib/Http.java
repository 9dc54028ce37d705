package lib;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * HTTP clients for the auth and API servers: timeouts everywhere, the proxy variables honoured
 * (java.net.http ignores them by itself), and an optional extra CA trusted beside the system ones.
 */
public final class Http {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private Http() {
    }

    /** Builds a client that trusts the system CAs plus caPem (PEM text, may be null). */
    public static HttpClient client(String caPem) {
        HttpClient.Builder builder = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(new EnvironmentProxySelector(System.getenv()));
        if (caPem != null && !caPem.isBlank()) {
            builder.sslContext(sslContext(caPem));
        }
        return builder.build();
    }

    public static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("User-Agent", "datumctl-jbang");
    }

    /** Sends an application/x-www-form-urlencoded POST and returns the response body as text. */
    public static HttpResponse<String> postForm(HttpClient client, String url, Map<String, String> form)
            throws IOException, InterruptedException {
        HttpRequest request = request(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
            .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static String formEncode(Map<String, String> form) {
        StringJoiner joined = new StringJoiner("&");
        form.forEach((name, value) -> {
            if (value != null) {
                joined.add(encode(name) + "=" + encode(value));
            }
        });
        return joined.toString();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Decodes "certificate-authority-data" style input: PEM text, or base64 of PEM. */
    public static String pemFromData(String data) {
        if (data == null || data.contains("-----BEGIN")) {
            return data;
        }
        return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.UTF_8);
    }

    /** Parses every certificate in PEM text; throws CertificateException when there is none. */
    public static List<X509Certificate> parseCertificates(String pem) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> certs =
            factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> result = new ArrayList<>();
        for (java.security.cert.Certificate cert : certs) {
            result.add((X509Certificate) cert);
        }
        if (result.isEmpty()) {
            throw new CertificateException("no PEM certificate found");
        }
        return result;
    }

    private static SSLContext sslContext(String caPem) {
        try {
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            int i = 0;
            for (X509Certificate cert : parseCertificates(caPem)) {
                extra.setCertificateEntry("extra-" + i++, cert);
            }
            X509TrustManager extraTrust = trustManager(extra);
            X509TrustManager systemTrust = trustManager(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new EitherTrustManager(extraTrust, systemTrust)}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new UserError("cannot use the certificate authority: " + e.getMessage(),
                "Pass a PEM file with --certificate-authority.", e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    /** Trusts a server chain that either the extra CA or the system CAs accept. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            second.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = new X509Certificate[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /**
     * HTTPS_PROXY / HTTP_PROXY / NO_PROXY in either case, with Go's rules: loopback hosts never
     * go through a proxy, and a NO_PROXY entry matches the host and its subdomains.
     */
    static final class EnvironmentProxySelector extends ProxySelector {

        private final Map<String, String> env;

        EnvironmentProxySelector(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public List<Proxy> select(URI uri) {
            String proxy = "https".equalsIgnoreCase(uri.getScheme()) ? variable("HTTPS_PROXY") : variable("HTTP_PROXY");
            if (proxy == null || proxy.isBlank() || bypass(uri.getHost())) {
                return List.of(Proxy.NO_PROXY);
            }
            URI proxyUri = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
            int port = proxyUri.getPort() > 0 ? proxyUri.getPort() : 80;
            return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxyUri.getHost(), port)));
        }

        boolean bypass(String host) {
            if (host == null) {
                return true;
            }
            String h = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
            if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1")) {
                return true;
            }
            String noProxy = variable("NO_PROXY");
            if (noProxy == null) {
                return false;
            }
            for (String entry : noProxy.split(",")) {
                String e = entry.trim().toLowerCase(Locale.ROOT);
                if (e.equals("*")) {
                    return true;
                }
                e = e.startsWith(".") ? e.substring(1) : e;
                if (!e.isEmpty() && (h.equals(e) || h.endsWith("." + e))) {
                    return true;
                }
            }
            return false;
        }

        private String variable(String name) {
            String upper = env.get(name);
            return upper != null ? upper : env.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {
            // Nothing to remember: the request fails with e and the caller reports it.
        }
    }
}
