//SOURCES ../lib/HttpThreads.java ../lib/Http.java ../lib/UserError.java

package auth;

import lib.HttpThreads;
import lib.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * The parts every datumctl command shares: the --verbose flag, and one place that turns failures
 * into a message and an exit code (0 success, 1 failure, 2 usage error, 130 interrupted).
 */
public final class Cli {

    public static final int INTERRUPTED = 130;

    private Cli() {
    }

    /** The --verbose flag; inherited by every subcommand, so it may appear anywhere. */
    public static final class Verbosity {

        @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show each step and, on failure, the cause.")
        boolean verbose;

        // Read from the raw arguments in traceThenRun, before any HTTP client exists.
        @Option(names = "--insecure-skip-tls-verify", scope = ScopeType.INHERIT,
            description = "Do not verify the servers' TLS certificates (unsafe; test servers only). "
                + "Prefer trusting a private CA with 'datumctl login --certificate-authority FILE'.")
        boolean insecureSkipTlsVerify;

        public boolean on() {
            return verbose;
        }
    }

    /** Builds the picocli command line with datumctl's error handling and help style. */
    public static CommandLine commandLine(Object command) {
        CommandLine line = new CommandLine(command);
        addHelpOption(line);
        addListHeadings(line);
        line.setExecutionExceptionHandler(Cli::handle);
        line.setExecutionStrategy(Cli::traceThenRun);
        line.setParameterExceptionHandler(Cli::handleUsage);
        line.setUsageHelpAutoWidth(true);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        return line;
    }

    /** Gives every command that lacks one a -h/--help option, as kubectl and gh users expect. */
    private static void addHelpOption(CommandLine line) {
        CommandSpec spec = line.getCommandSpec();
        if (spec.findOption("--help") == null && spec.findOption("-h") == null) {
            spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        }
        for (CommandLine sub : line.getSubcommands().values()) {
            addHelpOption(sub);
        }
    }

    /**
     * Puts a blank line and a heading before the arguments, the options and the subcommands of
     * every command's help, as kubectl's help separates them, where a command sets none itself.
     */
    private static void addListHeadings(CommandLine line) {
        CommandLine.Model.UsageMessageSpec usage = line.getCommandSpec().usageMessage();
        if (usage.parameterListHeading().isEmpty() && !line.getCommandSpec().positionalParameters().isEmpty()) {
            usage.parameterListHeading("%nArguments:%n");
        }
        if (usage.optionListHeading().isEmpty()) {
            usage.optionListHeading("%nOptions:%n");
        }
        if (usage.commandListHeading().equals("Commands:%n")) {
            usage.commandListHeading("%nCommands:%n");
        }
        for (CommandLine sub : line.getSubcommands().values()) {
            addListHeadings(sub);
        }
    }

    /** Prints a usage error in two lines, the problem and where to read more, and returns 2. */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        // picocli starts some of its own messages with "Error: "; keep one prefix.
        String message = e.getMessage().replaceFirst("^Error: ", "");
        err.println("error: " + message);
        err.println("See '" + failed.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return UserError.USAGE;
    }

    /** Runs a command as a program: parse, execute, map the outcome to an exit code. */
    /** Stops the HTTP client threads and exits the JVM with code; for the main method of a command. */
    public static void exit(int code) {
        HttpThreads.stopSelectors();
        System.exit(code);
    }

    public static int run(Object command, String[] args) {
        return commandLine(command).execute(args);
    }

    /**
     * With --verbose anywhere on the line, every HTTP request is traced to stderr, secrets masked.
     * With --insecure-skip-tls-verify, certificates go unchecked, and each run prints a warning.
     */
    private static int traceThenRun(CommandLine.ParseResult parsed) {
        if (parsed.expandedArgs().stream().anyMatch(arg -> arg.equals("-v") || arg.equals("--verbose"))) {
            lib.Http.traceTo(System.err);
        }
        if (parsed.expandedArgs().contains("--insecure-skip-tls-verify")) {
            System.err.println("WARNING: --insecure-skip-tls-verify: TLS certificates are NOT verified. Anyone between"
                + " you and the server can read and change this traffic, tokens included. Pass the server's CA with"
                + " --certificate-authority FILE instead.");
            lib.Http.skipTlsVerification();
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    private static int handle(Exception e, CommandLine line, CommandLine.ParseResult parsed) {
        PrintWriter err = line.getErr();
        boolean verbose = parsed != null && parsed.expandedArgs().stream()
            .anyMatch(arg -> arg.equals("-v") || arg.equals("--verbose"));
        if (e instanceof UserError user) {
            err.println(user.describe());
            if (verbose && user.getCause() != null) {
                user.getCause().printStackTrace(err);
            }
            err.flush();
            return user.exitCode();
        }
        if (e instanceof InterruptedException) {
            err.println("Interrupted.");
            err.flush();
            return INTERRUPTED;
        }
        err.println("error: " + e);
        err.println(verbose ? "" : "Run again with --verbose to see where it failed.");
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return UserError.FAILURE;
    }
}
