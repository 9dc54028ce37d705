package unit;

import lib.Terminal;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When datumctl may prompt or open a browser. */
class TerminalTest {

    @Test
    void terminalWithoutCiIsInteractive() {
        assertTrue(Terminal.interactive(Map.of(), true));
        assertNull(Terminal.reason(Map.of(), true));
    }

    @Test
    void missingTerminalIsNotInteractive() {
        assertFalse(Terminal.interactive(Map.of(), false));
        assertEquals("stdin is not a terminal", Terminal.reason(Map.of(), false));
    }

    @Test
    void ciVariableWinsOverTerminal() {
        assertFalse(Terminal.interactive(Map.of("CI", "true"), true));
        assertFalse(Terminal.interactive(Map.of("CI", "1"), true));
        assertEquals("the CI environment variable is set", Terminal.reason(Map.of("CI", "true"), true));
    }

    @Test
    void ciSwitchedOffCountsAsUnset() {
        assertTrue(Terminal.interactive(Map.of("CI", ""), true));
        assertTrue(Terminal.interactive(Map.of("CI", "false"), true));
        assertTrue(Terminal.interactive(Map.of("CI", "0"), true));
    }
}
