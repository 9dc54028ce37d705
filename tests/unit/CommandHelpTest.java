package unit;

import auth.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command answers --help and -h with its usage and examples, and rejects unknown flags briefly. */
class CommandHelpTest {

    /** Builds the root command line the way datumctl's main does; the root class is in the default package. */
    static CommandLine root() throws ReflectiveOperationException {
        Object command = Class.forName("datumctl").getDeclaredConstructor().newInstance();
        return Cli.commandLine(command);
    }

    static List<CommandLine> allCommands(CommandLine line) {
        List<CommandLine> all = new ArrayList<>();
        all.add(line);
        for (CommandLine sub : line.getSubcommands().values()) {
            if (sub.getCommandName().equals(sub.getCommandSpec().name()) && !all.contains(sub)) {
                all.addAll(allCommands(sub));
            }
        }
        return all;
    }

    record Run(int exitCode, String out, String err) {
    }

    static Run run(CommandLine line, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelpWithExamples() throws Exception {
        List<CommandLine> commands = allCommands(root());
        assertTrue(commands.size() >= 10, "expected the whole command tree, got " + commands.size());

        for (CommandLine command : commands) {
            String name = command.getCommandSpec().qualifiedName();
            if (name.endsWith(" help") || name.endsWith(" version")) {
                continue;
            }
            for (String flag : List.of("--help", "-h")) {
                Run run = run(command, flag);
                assertEquals(0, run.exitCode(), name + " " + flag + ": " + run.err());
                assertTrue(run.out().contains("Usage: " + name), name + " " + flag + " printed:\n" + run.out());
                assertTrue(run.out().contains("Examples:"), name + " has no examples:\n" + run.out());
            }
        }
    }

    @Test
    void unknownFlagIsShortUsageError() throws Exception {
        Run run = run(root(), "logout", "--bogus");

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("error: Unknown option: '--bogus'"), run.err());
        assertTrue(run.err().contains("See 'datumctl logout --help'."), run.err());
        assertFalse(run.err().contains("Usage:"), "the full usage buries the error:\n" + run.err());
    }
}
