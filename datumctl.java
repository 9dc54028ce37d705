///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//DEPS com.nimbusds:nimbus-jose-jwt:9.47
//SOURCES auth/*.java
//SOURCES lib/*.java
//SOURCES resources/*.java
// Plain StringBuilder concatenation: it skips the invokedynamic bootstrap, which spins classes at
// start-up and which the exec plugin, copied out of this jar, would pay on every kubectl call.
//JAVAC_OPTIONS -XDstringConcat=inline
// The JVM options come from auth/GetToken.java.
// NOTE: no //CDS here. With it, JBang starts the first run with -XX:ArchiveClassesAtExit. When
// the archive cannot be written beside the jar (a read-only JBang cache, a full disk), the JDK 17
// JVM ends that run, and every later one, with exit code 1 and an error on stdout. Users opt in
// with `jbang --cds`, and lib/ArchiveTraining.java keeps that archive full and current.
//FILES archive-classes.txt=lib/archive-classes.txt


import auth.Auth;
import auth.Cli;
import auth.GetToken;
import auth.Login;
import auth.Logout;
import auth.Whoami;
import lib.ArchiveTraining;
import lib.HttpThreads;
import lib.TokenSource;
import resources.ApiResources;
import resources.ApiVersions;
import resources.Apply;
import resources.Create;
import resources.Ctx;
import resources.Delete;
import resources.Describe;
import resources.Get;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** datumctl, the Datum Cloud command-line client: the root command and the program's entry. */
@Command(name = "datumctl",
    description = "Log in to Datum Cloud, connect kubectl to its control planes, and manage resources.",
    mixinStandardHelpOptions = true,
    versionProvider = datumctl.Version.class,
    subcommands = {Login.class, Logout.class, Whoami.class, Auth.class, ApiResources.class, ApiVersions.class,
        Get.class, Describe.class, Apply.class, Create.class, Delete.class, Ctx.class,
        datumctl.Version.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {"  # Log in with your browser, then point kubectl at an organization",
        "  datumctl login",
        "  datumctl auth update-kubeconfig --organization <org-id>",
        "  kubectl get projects", "",
        "  # Log in from a shell without a browser (device code)",
        "  datumctl login --no-browser", "",
        "Run 'datumctl COMMAND --help' for the options of a command."})
public final class datumctl implements Callable<Integer> {

    static final String VERSION = "0.1.0";

    /** Help sections: command name -> group heading, in display order. */
    static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("login", "Authentication");
        GROUPS.put("logout", "Authentication");
        GROUPS.put("auth", "Authentication");
        GROUPS.put("whoami", "Context");
        GROUPS.put("ctx", "Context");
        GROUPS.put("api-resources", "Resource Management");
        GROUPS.put("api-versions", "Resource Management");
        GROUPS.put("get", "Resource Management");
        GROUPS.put("describe", "Resource Management");
        GROUPS.put("apply", "Resource Management");
        GROUPS.put("create", "Resource Management");
        GROUPS.put("delete", "Resource Management");
        GROUPS.put("version", "Other");
        GROUPS.put("help", "Other");
    }

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // Before the get-token path too: a first `jbang --cds` run of get-token must stamp its archive.
        ArchiveTraining.install();
        int code = run(args);
        HttpThreads.stopSelectors();
        ArchiveTraining.atExit();
        System.exit(code);
    }

    static int run(String[] args) {
        // kubectl runs get-token on every call: skip picocli's start-up cost for it.
        if (args.length >= 2 && args[0].equals("auth") && args[1].equals("get-token")) {
            return GetToken.run(Arrays.asList(args), System.getenv("KUBERNETES_EXEC_INFO"),
                System.out, System.err, TokenSource.standard(), Clock.systemUTC());
        }
        Login.afterLogin = Ctx::afterLogin;
        CommandLine line = Cli.commandLine(new datumctl());
        line.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, datumctl::commandList);
        line.getHelpSectionMap().remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING);
        return line.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Lists the subcommands under group headings instead of picocli's single list. */
    static String commandList(Help help) {
        Map<String, StringBuilder> sections = new LinkedHashMap<>();
        for (String group : List.of("Authentication", "Context", "Resource Management", "Other")) {
            sections.put(group, new StringBuilder());
        }
        int width = help.commandSpec().usageMessage().width();
        help.subcommands().forEach((name, sub) -> {
            if (!name.equals(sub.commandSpec().name())) {
                return;
            }
            String group = GROUPS.getOrDefault(name, "Other");
            sections.get(group).append(entry(name, summary(sub.commandSpec()), width));
        });
        StringBuilder text = new StringBuilder();
        sections.forEach((group, lines) -> {
            if (lines.length() > 0) {
                text.append(String.format("%n%s:%n", group)).append(lines);
            }
        });
        return text.toString();
    }

    /** Returns one command's lines in the list: its name, then its summary wrapped to width columns. */
    static String entry(String name, String summary, int width) {
        String indent = " ".repeat(17);
        StringBuilder text = new StringBuilder(String.format("  %-14s", name));
        int column = text.length();
        for (String word : summary.split(" ")) {
            if (column + 1 + word.length() > width && column > indent.length()) {
                text.append(String.format("%n")).append(indent).append(word);
                column = indent.length() + word.length();
            } else {
                text.append(' ').append(word);
                column += 1 + word.length();
            }
        }
        return text.append(String.format("%n")).toString();
    }

    /** Returns a command's one-line summary: its header, else the first line of its description. */
    static String summary(CommandSpec command) {
        String[] header = command.usageMessage().header();
        String[] description = command.usageMessage().description();
        String text = "";
        if (header.length > 0) {
            text = header[0];
        } else if (description.length > 0) {
            text = description[0];
        }
        return String.format(text).strip();
    }

    /** `datumctl version` and `--version`. */
    @Command(name = "version", description = "Show the datumctl version and the Java runtime.")
    static final class Version implements Callable<Integer>, CommandLine.IVersionProvider {

        @Spec
        CommandSpec spec;

        @Override
        public String[] getVersion() {
            return new String[] {"datumctl " + VERSION + " (JBang edition)",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }

        @Override
        public Integer call() {
            for (String line : getVersion()) {
                spec.commandLine().getOut().println(line);
            }
            return 0;
        }
    }
}
