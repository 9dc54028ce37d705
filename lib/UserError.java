package lib;

/**
 * A failure the user can act on: what failed, and what to do next.
 * Printed without a stack trace unless --verbose is given.
 */
public class UserError extends RuntimeException {

    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final String hint;
    private final int exitCode;

    public UserError(String message, String hint) {
        this(message, hint, FAILURE, null);
    }

    public UserError(String message, String hint, Throwable cause) {
        this(message, hint, FAILURE, cause);
    }

    public UserError(String message, String hint, int exitCode, Throwable cause) {
        super(message, cause);
        this.hint = hint;
        this.exitCode = exitCode;
    }

    public static UserError usage(String message, String hint) {
        return new UserError(message, hint, USAGE, null);
    }

    public String hint() {
        return hint;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The text shown to the user: the message, then the hint on its own line. */
    public String describe() {
        if (hint == null || hint.isBlank()) {
            return "error: " + getMessage();
        }
        return "error: " + getMessage() + "\n" + hint;
    }
}
