import emulator.Emulator;
import lib.Json;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The goals, each timed beside its anchor: a signed-in datumctl against the emulator, with a
 * java-mode and a jbang-mode kubeconfig entry for the organization acme.
 */
final class Goals {

    static final String EXEC_INFO = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
        + "\"spec\":{\"interactive\":false}}";
    static final String KUBECTL_VERSION = "kubectl version --client";
    static final List<String> KUBECTL_VERSION_COMMAND = List.of("kubectl", "version", "--client");
    static final String CDS_OPTION = "-XX:SharedArchiveFile=";

    private final Path repo;
    private final Path root;
    private final Emulator emulator;
    private final String java;
    private final String classPath;
    private final List<String> runtimeOptions;
    private final Map<String, String> env;
    private Map<String, Object> javaExec;
    private Map<String, Object> jbangExec;
    private Path cdsArchive;

    private Goals(Path repo, Path root, Emulator emulator, String classPath, List<String> runtimeOptions) {
        this.repo = repo;
        this.root = root;
        this.emulator = emulator;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.classPath = classPath;
        this.runtimeOptions = runtimeOptions;
        this.env = Bench.env("DATUMCTL_HOME", root.resolve("home").toString(),
            "KUBECONFIG", root.resolve("kube").resolve("config").toString(),
            "KUBECACHEDIR", root.resolve("kube-cache").toString(),
            "KUBERNETES_EXEC_INFO", EXEC_INFO,
            "JBANG_WRAPPER", repo.resolve("jbang").toString(),
            "BROWSER", "false");
    }

    /** Builds datumctl, logs in to the emulator and writes both kubeconfig entries. */
    static Goals prepare(Path repo, Path root, Emulator emulator) throws Exception {
        String jbang = repo.resolve("jbang").toString();
        BenchSupport.check(BenchSupport.run(List.of(jbang, "build", repo.resolve("datumctl.java").toString()), Map.of(), 600),
            "building datumctl");
        String classPath = BenchSupport.check(BenchSupport.run(List.of(jbang, "info", "classpath",
            repo.resolve("datumctl.java").toString()), Map.of(), 300), "jbang info classpath").out().trim();
        // The JVM options JBang adds when it runs datumctl (//JAVA_OPTIONS of its sources).
        String tools = BenchSupport.check(BenchSupport.run(List.of(jbang, "info", "tools",
            repo.resolve("datumctl.java").toString()), Map.of(), 300), "jbang info tools").out();
        List<String> runtimeOptions = new ArrayList<>();
        if (Json.parseObject(tools).get("runtimeOptions") instanceof List<?> options) {
            options.forEach(option -> runtimeOptions.add((String) option));
        }
        // With `jbang --cds`, JBang writes datumctl's class-data sharing archive beside its jar at the
        // end of the first run, and starts every later run with -XX:SharedArchiveFile pointing at it.
        Path archive = Path.of(classPath.split(File.pathSeparator)[0]).resolveSibling("datumctl.jsa");
        BenchSupport.check(BenchSupport.run(List.of(jbang, "--quiet", "--cds", repo.resolve("datumctl.java").toString(),
            "version"), Map.of(), 300), "the first datumctl run with --cds");
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("jbang --cds wrote no CDS archive for datumctl at " + archive);
        }
        Goals goals = new Goals(repo, root, emulator, classPath, runtimeOptions);
        goals.cdsArchive = archive;
        goals.datumctl("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        goals.datumctl("auth", "update-kubeconfig", "--organization", "acme", "--exec-mode", "java",
            "--kubeconfig", goals.kubeconfig("java").toString());
        goals.datumctl("auth", "update-kubeconfig", "--organization", "acme", "--exec-mode", "jbang",
            "--jbang-ref", "get-token@" + repo, "--kubeconfig", goals.kubeconfig("jbang").toString());
        goals.javaExec = execStanza(goals.kubeconfig("java"));
        goals.jbangExec = execStanza(goals.kubeconfig("jbang"));
        return goals;
    }

    void run(String goal) throws Exception {
        switch (goal) {
            case "get-token" -> getToken();
            case "flags" -> flags();
            case "jbang" -> jbang();
            case "kubectl" -> kubectl();
            case "kubeconfig" -> kubeconfig();
            case "parallel" -> new ParallelGoal(env, command(javaExec), emulator, root.resolve("home")).run();
            case "get" -> get();
            case "keyring" -> keyring();
            case "classlist" -> classList();
            default -> throw new IllegalArgumentException(goal);
        }
    }

    /** Goal 6: a kubeconfig entry for project demo, then `get dnszones` and `get -w` (bench/GetGoal.java). */
    private void get() throws Exception {
        Path project = kubeconfig("project-demo");
        datumctl("auth", "update-kubeconfig", "--project", "demo", "--exec-mode", "java", "--kubeconfig", project.toString());
        List<String> throughJbang = List.of(repo.resolve("jbang").toString(), "--quiet", repo.resolve("datumctl.java").toString());
        List<String> withArchive = datumctlCommand();
        withArchive.add(withArchive.indexOf("-cp"), CDS_OPTION + cdsArchive);
        new GetGoal(env, project, datumctlCommand(), withArchive, throughJbang).run(emulator.caFile());
    }

    /**
     * Not a goal: rewrites lib/archive-classes.txt, the classes lib/ArchiveTraining.java puts in
     * datumctl's CDS archive, from what everyday commands load against the emulator.
     */
    private void classList() throws Exception {
        Path zone = root.resolve("zone.yaml");
        BenchSupport.write(zone, "apiVersion: dns.networking.miloapis.com/v1alpha1\nkind: DNSZone\nmetadata:\n"
            + "  name: class-list\nspec:\n  domainName: class-list.example.com\n"
            + "  dnsZoneClassName: datum-external-global-dns\n");
        List<List<String>> commands = List.of(
            List.of("apply", "-f", zone.toString(), "--project", "demo"),
            List.of("get", "dnszones", "--project", "demo"),
            List.of("get", "dnszones", "--project", "demo", "-o", "yaml"),
            List.of("get", "dnszone", "class-list", "--project", "demo", "-o", "json"),
            List.of("describe", "dnszone", "class-list", "--project", "demo"),
            List.of("get", "projects", "--organization", "acme"),
            List.of("auth", "whoami", "--organization", "acme"),
            List.of("whoami"),
            List.of("delete", "dnszone", "class-list", "--project", "demo"));

        TreeSet<String> names = new TreeSet<>();
        Pattern loaded = Pattern.compile("\\] (\\S+) source: (.*)$");
        for (int i = 0; i < commands.size(); i++) {
            Path log = root.resolve("class-load-" + i + ".txt");
            List<String> command = datumctlCommand();
            command.add(command.indexOf("-cp"), "-Xlog:class+load=info:file=" + log);
            command.addAll(commands.get(i));
            BenchSupport.check(BenchSupport.run(command, env, 120), "datumctl " + String.join(" ", commands.get(i)));
            for (String line : Files.readAllLines(log)) {
                Matcher match = loaded.matcher(line);
                if (match.find() && archivable(match.group(1), match.group(2))) {
                    names.add(match.group(1));
                }
            }
        }

        List<String> lines = new ArrayList<>(List.of(
            "# The classes lib/ArchiveTraining.java loads when JBang writes datumctl's CDS archive.",
            "# Written by `bench/run-all classlist` from the classes these commands loaded; do not edit:"));
        commands.forEach(args -> lines.add("#   datumctl " + String.join(" ", args).replace(root.toString(), "<dir>")));
        lines.addAll(names);
        Path list = repo.resolve("lib").resolve("archive-classes.txt");
        BenchSupport.write(list, String.join("\n", lines) + "\n");
        System.out.println("Wrote " + names.size() + " class names to " + list + "\n");
    }

    /**
     * Tells whether a loaded class belongs in the list: a class the JDK's own archive lacks, from
     * the JDK or a jar, and not one of picocli's (Java 5 class files, which CDS cannot hold).
     * Lambda and other hidden classes are left out, because they cannot be loaded by name.
     */
    private static boolean archivable(String name, String source) {
        boolean fromJdkOrJar = source.startsWith("jrt:/") || source.startsWith("file:")
            || source.equals("shared objects file (top)");
        return fromJdkOrJar && !name.startsWith("picocli.") && !name.contains("/");
    }

    /**
     * Goal 1 with the session in a GNOME Keyring on a private D-Bus session instead of the file
     * store. Every case runs through /usr/bin/env, which sets its DATUMCTL_HOME, so all three pay
     * the same extra exec.
     */
    private void keyring() throws Exception {
        try (support.KeyringSession keyring = support.KeyringSession.start(root.resolve("keyring"))) {
            Map<String, String> keyringEnv = new LinkedHashMap<>(env);
            keyringEnv.putAll(keyring.env());
            Path home = root.resolve("home-keyring");
            keyringEnv.put("DATUMCTL_HOME", home.toString());
            datumctl(keyringEnv, "login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
                "--certificate-authority", emulator.caFile().toString(), "--no-browser");
            if (keyring.lookup("active_user") == null || Files.exists(home.resolve("credentials.json"))) {
                throw new IllegalStateException("login did not store the session in the keyring; secret-tool shows: " + keyring.search());
            }
            Path kubeconfig = kubeconfig("keyring");
            datumctl(keyringEnv, "auth", "update-kubeconfig", "--organization", "acme", "--exec-mode", "java",
                "--kubeconfig", kubeconfig.toString());
            List<String> fromKeyring = new ArrayList<>(List.of("/usr/bin/env", "DATUMCTL_HOME=" + home));
            fromKeyring.addAll(command(execStanza(kubeconfig)));
            List<String> fromFile = new ArrayList<>(List.of("/usr/bin/env", "DATUMCTL_HOME=" + env.get("DATUMCTL_HOME")));
            fromFile.addAll(command(javaExec));
            List<String> anchor = new ArrayList<>(List.of("/usr/bin/env"));
            anchor.addAll(KUBECTL_VERSION_COMMAND);

            // The stanza's archive comes from a training run on a file store. This one comes from a
            // run that read the keyring, to show what the keyring path's classes cost.
            Path trained = root.resolve("keyring-trained.jsa");
            BenchSupport.check(BenchSupport.run(replacePrefix(fromKeyring, CDS_OPTION, "-XX:ArchiveClassesAtExit=" + trained),
                keyringEnv, 60), "get-token writing an archive on the keyring path");
            List<String> keyringArchive = replacePrefix(fromKeyring, CDS_OPTION, CDS_OPTION + trained);

            BenchSupport.table("get-token, java mode, session in the keyring (goal 1 with the Secret Service)",
                BenchSupport.time(List.of(
                    new BenchSupport.Case(KUBECTL_VERSION, anchor),
                    new BenchSupport.Case("get-token, file store", fromFile),
                    new BenchSupport.Case("get-token, Secret Service keyring", fromKeyring),
                    new BenchSupport.Case("the same, archive trained on the keyring path", keyringArchive)),
                    keyringEnv, 5, BenchSupport.runs()));
            System.out.println("Keyring stanza: `" + line(fromKeyring) + "`\n");
            classesLoaded(fromKeyring, keyringEnv);
        }
    }

    private BenchSupport.Result datumctl(String... args) throws Exception {
        return datumctl(env, args);
    }

    private BenchSupport.Result datumctl(Map<String, String> environment, String... args) throws Exception {
        List<String> command = datumctlCommand();
        command.addAll(List.of(args));
        return BenchSupport.check(BenchSupport.run(command, environment, 600), "datumctl " + String.join(" ", args));
    }

    private Path kubeconfig(String name) {
        return root.resolve("kube").resolve(name + ".yaml");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> execStanza(Path kubeconfig) throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(kubeconfig));
        for (Object user : (List<Object>) config.get("users")) {
            Map<String, Object> body = (Map<String, Object>) ((Map<String, Object>) user).get("user");
            if (body != null && body.containsKey("exec")) {
                return (Map<String, Object>) body.get("exec");
            }
        }
        throw new IllegalStateException("no exec user in " + kubeconfig);
    }

    @SuppressWarnings("unchecked")
    static List<String> command(Map<String, Object> exec) {
        List<String> command = new ArrayList<>();
        command.add((String) exec.get("command"));
        command.addAll((List<String>) exec.get("args"));
        return command;
    }

    static String line(List<String> command) {
        return String.join(" ", command);
    }

    /** Goal 1: the java-mode stanza with a valid token, beside kubectl version --client. */
    private void getToken() throws Exception {
        List<String> stanza = command(javaExec);
        List<BenchSupport.Timing> timings = BenchSupport.time(List.of(
            new BenchSupport.Case(KUBECTL_VERSION, KUBECTL_VERSION_COMMAND),
            new BenchSupport.Case("get-token, java-mode stanza", stanza)), env, 5, BenchSupport.runs());
        BenchSupport.table("get-token, java mode (goal 1: median at most 1.5 x anchor)", timings);
        System.out.println("Stanza: `" + line(stanza) + "`\n");
        classesLoaded(stanza, env);
        memory(KUBECTL_VERSION_COMMAND, stanza);
    }

    private void classesLoaded(List<String> stanza, Map<String, String> environment) throws Exception {
        List<String> logged = new ArrayList<>(stanza);
        Path log = root.resolve("classes.txt");
        // After the stanza's own -Xlog:disable, which would switch this output off again.
        logged.add(logged.indexOf("-cp"), "-Xlog:class+load:file=" + log);
        BenchSupport.check(BenchSupport.run(logged, environment, 60), "get-token with -Xlog:class+load");
        List<String> lines = Files.readAllLines(log);
        long shared = lines.stream().filter(l -> l.contains("shared objects file")).count();
        long http = lines.stream().filter(l -> l.contains(" java.net.http.")).count();
        long regex = lines.stream().filter(l -> l.contains(" java.util.regex.")).count();
        long spun = lines.stream().filter(l -> l.contains("LambdaForm$MH") && l.contains("__JVM_LookupDefineClass__")).count();
        System.out.printf(Locale.ROOT, "Classes loaded: %d, %d of them from CDS archives; java.net.http: %d, "
            + "java.util.regex: %d, method-handle classes spun at run time: %d%n%n", lines.size(), shared, http, regex, spun);
    }

    /** Max RSS (GNU time) of each command, median of 11 runs. */
    private void memory(List<String> anchor, List<String> stanza) throws Exception {
        System.out.println("| command | max RSS, median of 11 runs |\n|---|---:|");
        for (List<String> command : List.of(anchor, stanza)) {
            List<Double> kib = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-f", "maxrss=%M"));
                timed.addAll(command);
                String err = BenchSupport.check(BenchSupport.run(timed, env, 60), "time " + command.get(0)).err();
                String last = err.lines().filter(l -> l.startsWith("maxrss=")).reduce((a, b) -> b).orElseThrow();
                kib.add(Double.parseDouble(last.substring("maxrss=".length())));
            }
            String label = command == anchor ? KUBECTL_VERSION : "get-token, java-mode stanza";
            System.out.printf(Locale.ROOT, "| %s | %.1f MiB |%n", label, BenchSupport.median(kib) / 1024);
        }
        System.out.println();
    }

    /** What each JVM option and the lean jar give, one change at a time from the stanza. */
    private void flags() throws Exception {
        List<String> stanza = command(javaExec);
        List<BenchSupport.Case> cases = new ArrayList<>();
        cases.add(new BenchSupport.Case(KUBECTL_VERSION, KUBECTL_VERSION_COMMAND));
        cases.add(new BenchSupport.Case("stanza as written", stanza));
        cases.add(new BenchSupport.Case("without the CDS archive", without(stanza, "-XX:SharedArchiveFile")));
        cases.add(new BenchSupport.Case("full datumctl jar, no archive (the stanza before)", fullJar(stanza)));
        cases.add(new BenchSupport.Case("-Xshare:off (no CDS at all)", replace(without(stanza, "-XX:SharedArchiveFile"),
            "-Xshare:auto", "-Xshare:off")));
        cases.add(new BenchSupport.Case("without -XX:-UsePerfData", without(stanza, "-XX:-UsePerfData")));
        cases.add(new BenchSupport.Case("+ -Xss256k", with(stanza, "-Xss256k")));
        cases.add(new BenchSupport.Case("+ -XX:CICompilerCount=1", with(stanza, "-XX:CICompilerCount=1")));
        cases.add(new BenchSupport.Case("+ -Xmx64m -Xms8m", with(with(stanza, "-Xmx64m"), "-Xms8m")));
        cases.add(new BenchSupport.Case("-Xint instead of -XX:TieredStopAtLevel=1",
            replace(stanza, "-XX:TieredStopAtLevel=1", "-Xint")));
        cases.add(new BenchSupport.Case("without -XX:TieredStopAtLevel=1 (C1 and C2)",
            without(stanza, "-XX:TieredStopAtLevel=1")));
        cases.add(new BenchSupport.Case("G1 instead of -XX:+UseSerialGC", without(stanza, "-XX:+UseSerialGC")));
        BenchSupport.table("get-token JVM options, one change at a time", BenchSupport.time(cases, env, 5,
            BenchSupport.runs()));
    }

    private static List<String> without(List<String> command, String prefix) {
        return command.stream().filter(word -> !word.startsWith(prefix)).toList();
    }

    private static List<String> replace(List<String> command, String from, String to) {
        return command.stream().map(word -> word.equals(from) ? to : word).toList();
    }

    private static List<String> replacePrefix(List<String> command, String prefix, String word) {
        return command.stream().map(each -> each.startsWith(prefix) ? word : each).toList();
    }

    private static List<String> with(List<String> command, String option) {
        List<String> changed = new ArrayList<>(command);
        changed.add(1, option);
        return changed;
    }

    /** The stanza as it was before the lean jar: the whole datumctl jar and jackson-core, no archive. */
    private List<String> fullJar(List<String> stanza) {
        List<String> changed = new ArrayList<>(without(stanza, "-XX:SharedArchiveFile"));
        int cp = changed.indexOf("-cp") + 1;
        String datumctlJar = classPath.split(File.pathSeparator)[0];
        String jackson = changed.get(cp).split(File.pathSeparator)[1];
        changed.set(cp, datumctlJar + File.pathSeparator + jackson);
        return changed;
    }

    /** Goal 2: the jbang-mode stanza, its launcher options, and what the wrapper itself costs. */
    @SuppressWarnings("unchecked")
    private void jbang() throws Exception {
        List<String> stanza = command(jbangExec);
        Map<String, String> stanzaEnv = new LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) jbangExec.get("env")) {
            stanzaEnv.put((String) variable.get("name"), (String) variable.get("value"));
        }
        Map<String, String> before = new LinkedHashMap<>(stanzaEnv);
        before.remove("JBANG_JAVA_OPTIONS");
        List<String> offline = new ArrayList<>(stanza);
        offline.add(2, "--offline");
        List<BenchSupport.Case> cases = List.of(
            new BenchSupport.Case(KUBECTL_VERSION, KUBECTL_VERSION_COMMAND),
            new BenchSupport.Case("jbang-mode stanza as written", stanza, stanzaEnv),
            new BenchSupport.Case("without JBANG_JAVA_OPTIONS (the stanza before)", stanza, before),
            new BenchSupport.Case("+ --offline", offline, stanzaEnv),
            new BenchSupport.Case("the wrapper script alone (java replaced by a no-op)", stanza,
                Bench.env("JAVA_HOME", fakeJavaHome().toString())),
            new BenchSupport.Case("the plugin JVM alone (the command JBang runs)", appCommand(stanza)));
        BenchSupport.table("get-token, jbang mode (goal 2: median at most 0.7 s)",
            BenchSupport.time(cases, env, 3, Math.min(BenchSupport.runs(), 15)));
        System.out.println("Stanza: `" + line(stanza) + "` with environment " + stanzaEnv + "\n");
    }

    /** A JAVA_HOME whose java does nothing, to time the wrapper script on its own. */
    private Path fakeJavaHome() throws Exception {
        Path home = root.resolve("no-op-jdk");
        BenchSupport.write(home.resolve("release"), "JAVA_VERSION=\"17.0.0\"\n");
        Path fake = home.resolve("bin").resolve("java");
        BenchSupport.write(fake, "#!/bin/sh\nexit 0\n");
        fake.toFile().setExecutable(true);
        return home;
    }

    /** Asks JBang's launcher for the command it would run (it prints it and exits with 255). */
    private List<String> appCommand(List<String> stanza) throws Exception {
        Path cache = Path.of(System.getProperty("user.home"), ".jbang", "wrapper", "0.127.18");
        List<String> launcher = new ArrayList<>(List.of(java, "-cp", cache + "/*", "dev.jbang.Main"));
        launcher.addAll(stanza.subList(1, stanza.size()));
        Map<String, String> launcherEnv = new LinkedHashMap<>(env);
        launcherEnv.put("JBANG_RUNTIME_SHELL", "bash");
        BenchSupport.Result printed = BenchSupport.run(launcher, launcherEnv, 120);
        if (printed.exitCode() != 255) {
            throw new IllegalStateException("JBang did not print a command (exit " + printed.exitCode() + "): " + printed.err());
        }
        return shellWords(printed.out().trim());
    }

    /** Splits a command line JBang printed for a POSIX shell: words split at spaces, '...' quoting removed. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean started = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                started = true;
            } else if (c == ' ' && !quoted) {
                if (started) {
                    words.add(word.toString());
                    word.setLength(0);
                    started = false;
                }
            } else {
                word.append(c);
                started = true;
            }
        }
        if (started) {
            words.add(word.toString());
        }
        return words;
    }

    /** Goal 3: kubectl get projects through the java-mode plugin and with a static token. */
    @SuppressWarnings("unchecked")
    private void kubectl() throws Exception {
        String credential = BenchSupport.check(BenchSupport.run(command(javaExec), env, 60), "get-token").out();
        String token = (String) Json.obj(Json.parseObject(credential.trim()), "status").get("token");
        Map<String, Object> config = new Yaml().load(Files.readString(kubeconfig("java")));
        for (Object user : (List<Object>) config.get("users")) {
            ((Map<String, Object>) user).put("user", Map.of("token", token));
        }
        Path staticConfig = kubeconfig("static-token");
        BenchSupport.write(staticConfig, new Yaml().dump(config));
        List<BenchSupport.Case> cases = List.of(
            new BenchSupport.Case("kubectl get projects, static bearer token",
                List.of("kubectl", "--kubeconfig", staticConfig.toString(), "get", "projects")),
            new BenchSupport.Case("kubectl get projects, java-mode exec plugin",
                List.of("kubectl", "--kubeconfig", kubeconfig("java").toString(), "get", "projects")),
            new BenchSupport.Case(KUBECTL_VERSION, KUBECTL_VERSION_COMMAND));
        List<BenchSupport.Timing> timings = BenchSupport.time(cases, env, 5, BenchSupport.runs());
        BenchSupport.table("kubectl get projects (goal 3: exec plugin at most 60 ms slower than a static token)", timings);
        System.out.printf(Locale.ROOT, "Difference of medians: %s%n%n",
            BenchSupport.ms(timings.get(1).median() - timings.get(0).median()));
    }

    /** Goal 4: update-kubeconfig on files with 200, 2,000 and 20,000 clusters, users and contexts. */
    private void kubeconfig() throws Exception {
        int[] sizes = {200, 2_000, 20_000};
        List<BenchSupport.Case> cases = new ArrayList<>();
        for (int size : sizes) {
            Path file = largeFile(size, "");
            Path anchorFile = largeFile(size, "-kubectl");
            cases.add(new BenchSupport.Case("kubectl config set-context, " + size + " entries", List.of("kubectl", "config",
                "set-context", "bench-new", "--cluster=bench-1", "--user=bench-1", "--kubeconfig", anchorFile.toString())));
            cases.add(new BenchSupport.Case("datumctl auth update-kubeconfig, " + size + " entries", updateKubeconfig(file)));
        }
        for (int size : new int[] {2_000, 20_000}) {
            cases.add(new BenchSupport.Case("same, " + size + " entries, KUBECONFIG naming a second, missing file",
                twoFileUpdate(largeFile(size, "-two-files"))));
        }
        List<BenchSupport.Timing> timings = BenchSupport.time(cases, env, 2, Math.min(BenchSupport.runs(), 10));
        BenchSupport.table("update-kubeconfig (goal 4: at most 1.5 s at 2,000 entries, growth no worse than linear)", timings);
        for (int size : sizes) {
            System.out.println("- " + size + " entries: " + LargeKubeconfig.countKept(largeFile(size, null), size)
                + " generated entries still in the file after the runs");
        }
        System.out.println();

        Path file = largeFile(2_000, null);
        List<String> throughJbang = List.of(repo.resolve("jbang").toString(), "--quiet", repo.resolve("datumctl.java").toString(),
            "auth", "update-kubeconfig", "--organization", "acme", "--kubeconfig", file.toString());
        BenchSupport.table("update-kubeconfig, 2,000 entries, through the JBang launcher", BenchSupport.time(List.of(
            new BenchSupport.Case("java -cp ... datumctl (as above)", updateKubeconfig(file)),
            new BenchSupport.Case("./jbang datumctl.java", throughJbang)), env, 2, Math.min(BenchSupport.runs(), 10)));
    }

    /** The generated file of this size; a null suffix only names the existing datumctl file. */
    private Path largeFile(int size, String suffix) {
        Path file = root.resolve("kube").resolve("large-" + size + (suffix == null ? "" : suffix) + ".yaml");
        if (suffix != null) {
            BenchSupport.write(file, LargeKubeconfig.text(size));
        }
        return file;
    }

    /**
     * update-kubeconfig through a two-file KUBECONFIG: the code path that parses each file once
     * to plan and again under its lock, as every write did before single files skipped the plan.
     */
    private List<String> twoFileUpdate(Path file) {
        String kubeconfigs = file + File.pathSeparator + file.resolveSibling("missing-second.yaml");
        List<String> command = new ArrayList<>(List.of("env", "KUBECONFIG=" + kubeconfigs));
        command.addAll(datumctlCommand());
        command.addAll(List.of("auth", "update-kubeconfig", "--organization", "acme"));
        return command;
    }

    private List<String> updateKubeconfig(Path file) {
        List<String> command = datumctlCommand();
        command.addAll(List.of("auth", "update-kubeconfig", "--organization", "acme", "--kubeconfig", file.toString()));
        return command;
    }

    /** Returns `java <JBang's runtime options> -cp <JBang's class path> datumctl`, datumctl as JBang starts it. */
    private List<String> datumctlCommand() {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(runtimeOptions);
        command.addAll(List.of("-cp", classPath, "datumctl"));
        return command;
    }
}
