import lib.Json;
import org.yaml.snakeyaml.Yaml;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Goal 6: `datumctl get dnszones` on 5,000 zones of project demo beside `kubectl get dnszones`
 * with the same context, and the resident memory of `datumctl get -w` while 10,000 changes arrive.
 * Zones are created and patched through the emulator's HTTP API, as any client would.
 */
final class GetGoal {

    static final int ZONES = 5_000;
    static final int EVENTS = 10_000;
    private static final int BATCH = 500;
    private static final String COLLECTION = "/apis/dns.networking.miloapis.com/v1alpha1/namespaces/default/dnszones";

    private final Map<String, String> env;
    private final Path kubeconfig;
    private final List<String> java;
    private final List<String> withArchive;
    private final List<String> throughJbang;
    private HttpClient http;
    private String server;
    private String token;

    /**
     * java: the `java -cp ... datumctl` prefix JBang runs; withArchive: the same as `jbang --cds`
     * runs it once datumctl's CDS archive exists; throughJbang: the `./jbang datumctl.java` prefix.
     */
    GetGoal(Map<String, String> env, Path kubeconfig, List<String> java, List<String> withArchive, List<String> throughJbang) {
        this.env = env;
        this.kubeconfig = kubeconfig;
        this.java = java;
        this.withArchive = withArchive;
        this.throughJbang = throughJbang;
    }

    void run(Path caFile) throws Exception {
        connect(caFile);
        long start = System.nanoTime();
        send(ZONES, i -> post(zone(i)));
        System.out.printf(Locale.ROOT, "Created %d DNS zones in project demo through the API in %.1f s%n%n", ZONES,
            (System.nanoTime() - start) / 1e9);
        checkCount();
        tableSizes();
        List<String> kubectl = List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "dnszones");
        List<BenchSupport.Case> cases = List.of(
            new BenchSupport.Case("kubectl get dnszones", kubectl),
            new BenchSupport.Case("java <JBang's options and class path> datumctl get dnszones --project demo", datumctl(java)),
            new BenchSupport.Case("the same with datumctl's CDS archive (jbang --cds)", datumctl(withArchive)),
            new BenchSupport.Case("./jbang datumctl.java get dnszones --project demo", datumctl(throughJbang)));
        BenchSupport.table("get dnszones, " + ZONES + " objects (goal 6: median at most 1.5 x kubectl)",
            BenchSupport.time(cases, env, 2, Math.min(BenchSupport.runs(), 15)));
        watchMemory(false);
        watchMemory(true);
    }

    private List<String> datumctl(List<String> prefix) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("get", "dnszones", "--project", "demo"));
        return command;
    }

    /** Reads the server and token of the project's kubeconfig entry, and builds a client that trusts the emulator's CA. */
    @SuppressWarnings("unchecked")
    private void connect(Path caFile) throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(kubeconfig));
        Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) config.get("clusters")).get(0))
            .get("cluster");
        server = (String) cluster.get("server");
        String credential = BenchSupport.check(BenchSupport.run(Goals.command(Goals.execStanza(kubeconfig)), env, 60),
            "get-token").out();
        token = (String) Json.obj(Json.parseObject(credential.trim()), "status").get("token");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("emulator", CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caFile))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    }

    private static String zone(int i) {
        return "{\"apiVersion\":\"dns.networking.miloapis.com/v1alpha1\",\"kind\":\"DNSZone\",\"metadata\":{\"name\":\"bench-"
            + i + "\",\"labels\":{\"bench\":\"get\"}},\"spec\":{\"domainName\":\"bench-" + i
            + ".example.com\",\"dnsZoneClassName\":\"datum-external-global-dns\"}}";
    }

    private CompletableFuture<HttpResponse<String>> post(String body) {
        return http.sendAsync(request(COLLECTION).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> patch(int zone, int round) {
        String body = "{\"metadata\":{\"labels\":{\"round\":\"r" + round + "\"}}}";
        return http.sendAsync(request(COLLECTION + "/bench-" + zone).header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Prints the size of the Table kubectl requests (rows with metadata) and of the one datumctl requests. */
    private void tableSizes() throws Exception {
        String accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        long withMetadata = http.send(request(COLLECTION).setHeader("Accept", accept).build(),
            HttpResponse.BodyHandlers.ofByteArray()).body().length;
        long cellsOnly = http.send(request(COLLECTION + "?includeObject=None").setHeader("Accept", accept).build(),
            HttpResponse.BodyHandlers.ofByteArray()).body().length;
        System.out.printf(Locale.ROOT, "Table of %d zones: %,d bytes with each row's metadata (kubectl), %,d bytes "
            + "with includeObject=None (datumctl's plain table)%n%n", ZONES, withMetadata, cellsOnly);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    }

    /** Sends count requests, at most 16 at a time, and fails on the first non-2xx response. */
    private static void send(int count, java.util.function.IntFunction<CompletableFuture<HttpResponse<String>>> request)
        throws Exception {
        for (int from = 0; from < count; from += 16) {
            List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 16); i++) {
                pending.add(request.apply(i));
            }
            for (CompletableFuture<HttpResponse<String>> future : pending) {
                HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
                if (response.statusCode() / 100 != 2) {
                    throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " returned "
                        + response.statusCode() + ": " + response.body());
                }
            }
        }
    }

    private void checkCount() throws Exception {
        String names = BenchSupport.check(BenchSupport.run(datumctl(java), env, 120), "datumctl get dnszones").out();
        long rows = names.lines().filter(line -> line.startsWith("bench-")).count();
        if (rows != ZONES) {
            throw new IllegalStateException("datumctl get dnszones printed " + rows + " bench rows, expected " + ZONES);
        }
    }

    /**
     * Starts `datumctl get dnszones -w`, then patches zones in batches of 500. Each batch must be
     * printed before the next starts, because the emulator keeps only the last 1,000 events. After
     * every 1,000 events it takes the process's resident set size; with fullGc also the heap still
     * in use after a full collection, which a leak would grow.
     */
    private void watchMemory(boolean fullGc) throws Exception {
        List<String> command = new ArrayList<>(datumctl(java));
        command.add("-w");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process watcher = builder.start();
        AtomicLong lines = new AtomicLong();
        Thread reader = new Thread(() -> count(watcher, lines));
        reader.setDaemon(true);
        reader.start();
        try {
            awaitLines(lines, ZONES + 1);
            System.out.println("## get -w memory (goal 6: flat over " + EVENTS + " events)" + (fullGc
                ? ", a full GC (jcmd GC.run) before each sample" : ", no forced GC") + "\n");
            System.out.println("`" + Goals.line(command) + "`, resident set size (VmRSS) of the datumctl process\n");
            System.out.println("| events printed | VmRSS | heap in use after a full GC |\n|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| 0 (after the list of %d) | %s |%n", ZONES, sample(watcher.pid(), fullGc));
            for (int done = 0; done < EVENTS; done += BATCH) {
                int round = done / BATCH;
                send(BATCH, i -> patch((round * BATCH + i) % ZONES, round));
                awaitLines(lines, ZONES + 1 + done + BATCH);
                if ((done + BATCH) % 1000 == 0) {
                    System.out.printf(Locale.ROOT, "| %d | %s |%n", done + BATCH, sample(watcher.pid(), fullGc));
                }
            }
            System.out.println();
        } finally {
            watcher.destroy();
            watcher.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void count(Process process, AtomicLong lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                lines.incrementAndGet();
            }
        } catch (IOException e) {
            // The watcher was stopped.
        }
    }

    private static void awaitLines(AtomicLong lines, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lines.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("get -w printed " + lines.get() + " lines, expected " + expected);
            }
            Thread.sleep(5);
        }
    }

    private String sample(long pid, boolean fullGc) throws Exception {
        if (!fullGc) {
            return rss(pid) + " | not taken";
        }
        String heap = liveHeap(pid);
        return rss(pid) + " | " + heap;
    }

    /**
     * Returns the heap the watcher still uses after `jcmd PID GC.run`: what a leak would grow. The RSS
     * alone also grows while the JVM commits more of its default heap before collecting.
     */
    private String liveHeap(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        BenchSupport.check(BenchSupport.run(List.of(jcmd, Long.toString(pid), "GC.run"), Map.of(), 60), "jcmd GC.run");
        String info = BenchSupport.check(BenchSupport.run(List.of(jcmd, Long.toString(pid), "GC.heap_info"), Map.of(), 60),
            "jcmd GC.heap_info").out();
        // G1 prints one "garbage-first heap" line and the serial collector one line per
        // generation. The Metaspace lines also contain "used", so they are left out.
        long kib = 0;
        boolean found = false;
        for (String line : info.split("\n")) {
            Matcher used = Pattern.compile("used (\\d+)K").matcher(line);
            if ((line.contains("generation") || line.contains("garbage-first heap")) && used.find()) {
                kib += Long.parseLong(used.group(1));
                found = true;
            }
        }
        return found ? String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0) : "?";
    }

    private static String rss(long pid) throws Exception {
        String kib = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
            .findFirst().orElseThrow().replaceAll("[^0-9]", "");
        return String.format(Locale.ROOT, "%.1f MiB", Long.parseLong(kib) / 1024.0);
    }
}
