package lib;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Whether a person can answer prompts. A command that would prompt or open a browser checks
 * {@link #interactive()} first: CI runners and scripts have no terminal on stdin or set CI, and
 * a prompt there would hang the job or a browser would open on nobody's screen.
 */
public final class Terminal {

    private Terminal() {
    }

    /** True when stdin is a terminal and the CI variable is not set. */
    public static boolean interactive() {
        return interactive(System.getenv(), stdinIsTerminal());
    }

    public static boolean interactive(Map<String, String> env, boolean stdinIsTerminal) {
        return stdinIsTerminal && !ciSet(env);
    }

    /** Returns why no person can be asked, for error messages, or null when {@link #interactive()} holds. */
    public static String reason() {
        return reason(System.getenv(), stdinIsTerminal());
    }

    public static String reason(Map<String, String> env, boolean stdinIsTerminal) {
        if (ciSet(env)) {
            return "the CI environment variable is set";
        }
        return stdinIsTerminal ? null : "stdin is not a terminal";
    }

    /**
     * True when CI is set to anything but an empty string, "false" or "0". CI services set it to
     * "true" (GitHub Actions, GitLab CI, Travis CI and others); the exceptions let a user switch it off.
     */
    public static boolean ciSet(Map<String, String> env) {
        String value = env.get("CI");
        if (value == null) {
            return false;
        }
        String trimmed = value.trim();
        return !trimmed.isEmpty() && !trimmed.equalsIgnoreCase("false") && !trimmed.equals("0");
    }

    /**
     * True when stdin (and, on JDK 17 to 21, stdout too) is a terminal: System.console() is null
     * otherwise. JDK 22 and later return a console for pipes as well, so Console.isTerminal() decides there.
     */
    public static boolean stdinIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
