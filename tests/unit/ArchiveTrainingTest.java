package unit;

import lib.ArchiveTraining;
import org.junit.jupiter.api.Test;
import support.Sandbox;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The class list that fills datumctl's CDS archive: its format, and that it names classes that exist. */
class ArchiveTrainingTest {

    @Test
    void loadSkipsCommentsAndMissingClasses() throws Exception {
        String list = "# a comment\n\njava.util.concurrent.ConcurrentSkipListMap\n  lib.TabWriter  \nno.such.Missing\n";
        int loaded = ArchiveTraining.load(new ByteArrayInputStream(list.getBytes(StandardCharsets.UTF_8)),
            getClass().getClassLoader());

        assertEquals(2, loaded);
    }

    @Test
    void shippedListNamesExistingClasses() throws Exception {
        Path file = Sandbox.checkout().resolve("lib").resolve(ArchiveTraining.CLASS_LIST);
        List<String> names = Files.readAllLines(file).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertTrue(names.size() > 500, "only " + names.size() + " classes in " + file);
        assertTrue(names.contains("lib.ResourcePrinter"), "the table printer is missing from " + file);
        assertFalse(names.stream().anyMatch(name -> name.startsWith("picocli.")),
            "picocli's Java 5 classes cannot be archived; remove them from " + file);

        List<String> missing = new ArrayList<>();
        for (String name : names) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "classes in " + file + " no longer exist; run bench/run-all classlist to record the list again");
    }
}
