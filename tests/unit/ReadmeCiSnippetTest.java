package unit;

import org.junit.jupiter.api.Test;
import support.Sandbox;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's CI snippet must be the script that the end-to-end test runs, byte for byte. */
class ReadmeCiSnippetTest {

    static final String BEGIN = "<!-- ci-snippet:begin -->\n```sh\n";
    static final String END = "```\n<!-- ci-snippet:end -->";

    @Test
    void readmeQuotesTheTestedScript() throws Exception {
        Path checkout = Sandbox.checkout();
        String readme = Files.readString(checkout.resolve("README.md"));
        String script = Files.readString(checkout.resolve("tests/e2e/ci-snippet.sh"));

        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END, Math.max(begin, 0));
        assertTrue(begin >= 0, "README.md has no line '<!-- ci-snippet:begin -->' followed by a sh fence");
        assertTrue(end > begin, "README.md has no closing fence and '<!-- ci-snippet:end -->' after the snippet");
        assertEquals(script, readme.substring(begin + BEGIN.length(), end),
            "the README's CI snippet differs from tests/e2e/ci-snippet.sh; copy the script into README.md");
    }
}
