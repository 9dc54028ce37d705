package resources;

import auth.Cli;
import auth.Login;
import lib.ContextCache;
import lib.ContextDiscovery;
import lib.SessionConfig;
import lib.TabWriter;
import lib.Terminal;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** `datumctl ctx`: the organizations and projects of the active session, and the current one. */
@Command(name = "ctx",
    description = {"List the organizations and projects you can use, and mark the current context.",
        "Contexts are discovered for the active session (organizations from your memberships, projects from each "
            + "organization) and cached in the datumctl config; 'ctx refresh' discovers them again. Resource commands "
            + "use the current context when no --organization or --project is given."},
    subcommands = {Ctx.Use.class, Ctx.Refresh.class},
    footerHeading = "%nExamples:%n",
    footer = {"  # List contexts", "  datumctl ctx", "", "  # Work in project demo of organization acme",
        "  datumctl ctx use acme/demo", "", "  # Discover again after joining an organization", "  datumctl ctx refresh"})
public final class Ctx implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        ContextDiscovery discovery = ContextDiscovery.standard();
        List<ContextDiscovery.Found> found = ContextCache.cached(SessionConfig.load(), discovery.session().sessionName());
        if (found == null) {
            found = ContextCache.refresh(discovery);
        }
        print(found, SessionConfig.load().currentContext(), spec.commandLine().getOut());
        return 0;
    }

    static void print(List<ContextDiscovery.Found> found, String current, PrintWriter out) {
        TabWriter table = new TabWriter().add("CURRENT", "NAME", "DISPLAY NAME", "TYPE");
        for (ContextDiscovery.Found context : found) {
            table.add(context.name().equals(current) ? "*" : "", context.name(), context.displayName(),
                context.project() == null ? "organization" : "project");
        }
        table.print(out);
        if (found.isEmpty()) {
            out.println("(no organizations: ask an organization owner to invite you, then run 'datumctl ctx refresh')");
            out.flush();
        }
    }

    /** Finds ORG or ORG/PROJECT among found. */
    static ContextDiscovery.Found find(List<ContextDiscovery.Found> found, String name) {
        return found.stream().filter(context -> context.name().equals(name)).findFirst().orElse(null);
    }

    /** `datumctl ctx use ORG[/PROJECT]`. */
    @Command(name = "use", description = "Make ORG or ORG/PROJECT the current context.",
        footerHeading = "%nExamples:%n",
        footer = {"  # Choose from a numbered list", "  datumctl ctx use", "", "  # Work in organization acme", "  datumctl ctx use acme", "",
            "  # Work in project demo of organization acme", "  datumctl ctx use acme/demo"})
    static final class Use implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG[/PROJECT]", arity = "0..1",
            description = "An organization id, or organization id/project id. Without it, choose from a list at a terminal.")
        String name;

        @Override
        public Integer call() {
            ContextDiscovery discovery = ContextDiscovery.standard();
            String sessionName = discovery.session().sessionName();
            if (name == null) {
                return choose(discovery, sessionName, spec.commandLine().getOut());
            }
            List<ContextDiscovery.Found> found = ContextCache.cached(SessionConfig.load(), sessionName);
            ContextDiscovery.Found match = found == null ? null : find(found, name);
            if (match == null) {
                found = ContextCache.refresh(discovery);
                match = find(found, name);
            }
            if (match == null) {
                throw new UserError("no context named " + name + " for " + discovery.session().userEmail(),
                    found.isEmpty() ? "You belong to no organization yet." : "Choose one of: "
                        + String.join(", ", found.stream().map(ContextDiscovery.Found::name).toList()) + ".");
            }
            ContextCache.use(match, sessionName);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Switched to context \"" + match.name() + "\" (" + match.displayName() + ").");
            out.flush();
            return 0;
        }
    }

    /** `datumctl ctx refresh`. */
    @Command(name = "refresh", description = "Discover the organizations and projects again and update the cache.",
        footerHeading = "%nExamples:%n",
        footer = {"  # List contexts again after joining an organization", "  datumctl ctx refresh"})
    static final class Refresh implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<ContextDiscovery.Found> found = ContextCache.refresh(ContextDiscovery.standard());
            print(found, SessionConfig.load().currentContext(), spec.commandLine().getOut());
            return 0;
        }
    }

    /**
     * Discovers the contexts after a successful login. At a terminal the user picks one from a
     * list, elsewhere they are printed with the command that picks one. A failure is only a
     * warning, because the login itself succeeded.
     */
    public static void afterLogin(PrintWriter out, PrintWriter err) {
        List<ContextDiscovery.Found> found;
        try {
            found = ContextCache.refresh(ContextDiscovery.standard());
        } catch (UserError e) {
            err.println("warning: could not list your organizations and projects: " + e.getMessage());
            err.println("You are logged in; run 'datumctl ctx refresh' to try again.");
            err.flush();
            return;
        }
        if (found.isEmpty()) {
            return;
        }
        if (Terminal.interactive()) {
            out.println("Contexts you can use:");
            pick(found, SessionConfig.load().activeSession(), out, Login::readTypedLine);
            return;
        }
        out.println("Contexts you can use:");
        TabWriter table = new TabWriter();
        found.forEach(context -> table.add("  " + context.name(), context.displayName()));
        table.lines().forEach(out::println);
        out.println("Pick one with 'datumctl ctx use ORG[/PROJECT]'.");
        out.flush();
    }

    /** Reads one line of the user's input, or returns null at the end of input. */
    interface LineReader {
        String readLine() throws IOException;
    }

    private static int choose(ContextDiscovery discovery, String sessionName, PrintWriter out) {
        if (!Terminal.interactive()) {
            throw UserError.usage("name the context to use: " + Terminal.reason(),
                "Run 'datumctl ctx' to list contexts, then 'datumctl ctx use ORG[/PROJECT]'.");
        }
        List<ContextDiscovery.Found> found = ContextCache.cached(SessionConfig.load(), sessionName);
        if (found == null) {
            found = ContextCache.refresh(discovery);
        }
        if (found.isEmpty()) {
            throw new UserError("you belong to no organization yet", "Ask an organization owner to invite you, then run 'datumctl ctx refresh'.");
        }
        pick(found, sessionName, out, Ctx::readStdinLine);
        return 0;
    }

    private static String readStdinLine() throws IOException {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    private static void pick(List<ContextDiscovery.Found> found, String sessionName, PrintWriter out, LineReader in) {
        for (int i = 0; i < found.size(); i++) {
            out.println(String.format("  %2d) %s  %s", i + 1, found.get(i).name(), found.get(i).displayName()));
        }
        out.print("Choose a context by number (Enter to skip): ");
        out.flush();
        String answer;
        try {
            answer = in.readLine();
        } catch (IOException e) {
            return;
        }
        if (answer == null || answer.isBlank()) {
            out.println("No context chosen; pick one later with 'datumctl ctx use ORG[/PROJECT]'.");
            out.flush();
            return;
        }
        int index;
        try {
            index = Integer.parseInt(answer.trim()) - 1;
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= found.size()) {
            out.println("'" + answer.trim() + "' is not one of the numbers; pick later with 'datumctl ctx use ORG[/PROJECT]'.");
        } else {
            out.println("Switched to context \"" + ContextCache.use(found.get(index), sessionName) + "\".");
        }
        out.flush();
    }
}
