package lib;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the objects of -f arguments: files, folders (their .yaml, .yml and .json files, with
 * subfolders when recursive) and "-" for stdin. A YAML file may hold several documents separated
 * by "---" lines; a JSON file holds one object. Objects of kind List are expanded to their items.
 * Each document is parsed on its own, so one invalid document is reported with its file and
 * index while the others are still returned.
 */
public final class Manifests {

    /** One document: where it came from (index counts from 1), and its object or why it is invalid. */
    public record Document(String source, int index, Map<String, Object> object, String error) {

        public String where() {
            return source + " document " + index;
        }

        public String apiVersion() {
            return Json.str(object, "apiVersion");
        }

        public String kind() {
            return Json.str(object, "kind");
        }

        public String name() {
            return Json.str(Json.obj(object, "metadata"), "name");
        }

        public String namespace() {
            return Json.str(Json.obj(object, "metadata"), "namespace");
        }
    }

    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$");

    private Manifests() {
    }

    public static List<Document> read(List<String> paths, boolean recursive, InputStream stdin) {
        if (paths == null || paths.isEmpty()) {
            throw UserError.usage("no manifest given", "Pass -f FILE, -f DIRECTORY or -f - to read stdin.");
        }
        List<Document> documents = new ArrayList<>();
        for (String path : paths) {
            if (path.equals("-")) {
                documents.addAll(parse("stdin", readStdin(stdin)));
                continue;
            }
            for (Path file : files(Path.of(path), recursive)) {
                documents.addAll(parse(file.toString(), readFile(file)));
            }
        }
        return documents;
    }

    private static List<Path> files(Path path, boolean recursive) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = recursive ? Files.walk(path) : Files.list(path)) {
            return walk.filter(Files::isRegularFile).filter(Manifests::isManifest).sorted().toList();
        } catch (IOException e) {
            throw new UserError("cannot read the folder " + path + ": " + e.getMessage(), "Check the path and its permissions.", e);
        }
    }

    private static boolean isManifest(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("the path \"" + file + "\" does not exist", "Check the -f argument.", e);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage(), "Check the file's permissions.", e);
        }
    }

    private static String readStdin(InputStream stdin) {
        try {
            return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read stdin: " + e.getMessage(), null, e);
        }
    }

    /** Splits text into documents and parses each; blank and comment-only documents are skipped. */
    public static List<Document> parse(String source, String text) {
        String trimmed = text.strip();
        List<String> chunks = trimmed.startsWith("{") ? List.of(trimmed) : List.of(SEPARATOR.split(text));
        List<Document> documents = new ArrayList<>();
        int index = 0;
        for (String chunk : chunks) {
            if (chunk.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#"))) {
                continue;
            }
            index++;
            documents.addAll(parseOne(source, index, chunk));
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static List<Document> parseOne(String source, int index, String chunk) {
        Object value;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            value = new Yaml(new SafeConstructor(options)).load(chunk);
        } catch (YAMLException e) {
            return List.of(invalid(source, index, "not valid YAML or JSON: " + SessionConfig.firstLine(e.getMessage())));
        }
        if (!(value instanceof Map)) {
            return List.of(invalid(source, index, "not an object (a mapping with apiVersion, kind and metadata)"));
        }
        Map<String, Object> object = (Map<String, Object>) Json.parse(Json.write(value));
        if ("List".equals(object.get("kind")) && object.get("items") instanceof List<?> items) {
            List<Document> expanded = new ArrayList<>();
            for (Object item : items) {
                expanded.add(item instanceof Map ? check(source, index, (Map<String, Object>) item)
                    : invalid(source, index, "a List item is not an object"));
            }
            return expanded;
        }
        return List.of(check(source, index, object));
    }

    private static Document check(String source, int index, Map<String, Object> object) {
        for (String field : List.of("apiVersion", "kind")) {
            if (!(object.get(field) instanceof String text) || text.isBlank()) {
                return invalid(source, index, "the object has no " + field);
            }
        }
        Map<String, Object> metadata = object.get("metadata") instanceof Map ? Json.obj(object, "metadata") : null;
        if (metadata == null || !(metadata.get("name") instanceof String name) || name.isBlank()) {
            return invalid(source, index, "the " + object.get("kind") + " has no metadata.name");
        }
        return new Document(source, index, object, null);
    }

    private static Document invalid(String source, int index, String error) {
        return new Document(source, index, null, error);
    }
}
