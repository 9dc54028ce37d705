package lib;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes datumctl's entries into kubeconfig files the way kubectl does, changing only what
 * datumctl owns: the cluster's server (and CA), the context's cluster and user, the user's exec
 * stanza, and current-context. Everything else stays: other entries, preferences, extensions,
 * unknown keys, key order, comments, and the file's permissions.
 *
 * <p>The file is edited as a YAML node tree rather than as Java maps, so values keep their
 * exact spelling and comments survive. kubectl itself drops comments when it rewrites a file.
 */
public final class Kubeconfig {

    /**
     * How long to wait for another kubectl or datumctl to release a file's lock. Parallel
     * update-kubeconfig runs queue behind each other, each holding the lock while it re-reads,
     * edits and syncs the file, so twenty of them on a busy machine need more than a few seconds.
     */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(15);

    /** The named entries to write; exec is the user's exec stanza as plain maps and lists. */
    public record Entry(String cluster, String server, String certificateAuthorityData,
                        String user, Map<String, Object> exec, String context) {
    }

    /** One file written, and which entries went into it. */
    public record Written(Path file, boolean created, List<String> entries) {
    }

    /** The three named lists of a kubeconfig, with the key of each item's payload. */
    enum Section {
        CLUSTERS("clusters", "cluster"), USERS("users", "user"), CONTEXTS("contexts", "context");

        final String listKey;
        final String itemKey;

        Section(String listKey, String itemKey) {
            this.listKey = listKey;
            this.itemKey = itemKey;
        }
    }

    private final List<Path> files;
    private final Duration lockWait;

    /** Creates a kubeconfig made of these files, in kubectl's order of precedence. */
    public Kubeconfig(List<Path> files, Duration lockWait) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a kubeconfig needs at least one file");
        }
        this.files = files.stream().map(Path::toAbsolutePath).toList();
        this.lockWait = lockWait;
    }

    /**
     * Returns the files kubectl would read: --kubeconfig when given, else the non-empty entries of
     * $KUBECONFIG (split on the platform's path separator, duplicates dropped), else
     * ~/.kube/config.
     */
    public static List<Path> searchPath(String explicitFile, String kubeconfigEnv, Path userHome) {
        if (explicitFile != null && !explicitFile.isBlank()) {
            return List.of(Path.of(explicitFile).toAbsolutePath());
        }
        Set<Path> fromEnv = new LinkedHashSet<>();
        if (kubeconfigEnv != null) {
            for (String part : kubeconfigEnv.split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    fromEnv.add(Path.of(part).toAbsolutePath());
                }
            }
        }
        if (!fromEnv.isEmpty()) {
            return List.copyOf(fromEnv);
        }
        return List.of(userHome.resolve(".kube").resolve("config").toAbsolutePath());
    }

    /**
     * Returns the file that takes new entries and current-context, as kubectl picks it: the only
     * file, else the first file that exists, else the last one.
     */
    public Path defaultFile() {
        if (files.size() == 1) {
            return files.get(0);
        }
        for (Path file : files) {
            if (Files.exists(file)) {
                return file;
            }
        }
        return files.get(files.size() - 1);
    }

    /**
     * Writes the cluster, user and context of entry and makes the context current. Each entry
     * goes to the first file that already defines one of that name, else to the default file.
     * Every existing file is checked before any is changed, so a broken file changes nothing.
     */
    public List<Written> write(Entry entry) {
        if (files.size() == 1) {
            // Everything goes to the only file, which update() parses and checks under its lock;
            // parsing it once more here to plan would double the time on a large kubeconfig.
            return List.of(writeFile(files.get(0), EnumSet.allOf(Section.class), true, entry));
        }
        Map<Path, MappingNode> documents = new LinkedHashMap<>();
        for (Path file : files) {
            MappingNode document = read(file);
            if (document != null) {
                documents.put(file, document);
            }
        }
        Path defaultFile = defaultFile();
        Map<Path, Set<Section>> plan = plan(documents, defaultFile, entry);
        List<Written> written = new ArrayList<>();
        for (Map.Entry<Path, Set<Section>> target : plan.entrySet()) {
            Path file = target.getKey();
            written.add(writeFile(file, target.getValue(), file.equals(defaultFile), entry));
        }
        return written;
    }

    private Map<Path, Set<Section>> plan(Map<Path, MappingNode> documents, Path defaultFile, Entry entry) {
        Map<Path, Set<Section>> plan = new LinkedHashMap<>();
        for (Path file : files) {
            plan.put(file, EnumSet.noneOf(Section.class));
        }
        for (Section section : Section.values()) {
            Path owner = defaultFile;
            for (Map.Entry<Path, MappingNode> document : documents.entrySet()) {
                if (findItem(document.getValue(), section, nameIn(entry, section)) != null) {
                    owner = document.getKey();
                    break;
                }
            }
            plan.get(owner).add(section);
        }

        // The default file also takes current-context, even when it gets no entry of its own.
        plan.entrySet().removeIf(target -> target.getValue().isEmpty() && !target.getKey().equals(defaultFile));
        return plan;
    }

    private static String nameIn(Entry entry, Section section) {
        return switch (section) {
            case CLUSTERS -> entry.cluster();
            case USERS -> entry.user();
            case CONTEXTS -> entry.context();
        };
    }

    private Written writeFile(Path file, Set<Section> sections, boolean makeCurrent, Entry entry) {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(file.getParent());
            return AtomicFiles.withExclusiveLockFile(lock, lockWait.toMillis(), () -> update(file, sections, makeCurrent, entry));
        } catch (UserError e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for the lock " + lock, null, e);
        } catch (Exception e) {
            throw new UserError("cannot write the kubeconfig " + file + ": " + e.getMessage(),
                "Check that the file and its folder are writable by you.", e);
        }
    }

    /** Re-reads the file under its lock, so a change made since the first read is kept. */
    private Written update(Path file, Set<Section> sections, boolean makeCurrent, Entry entry) throws IOException {
        boolean created = !Files.exists(file);
        MappingNode document = read(file);
        if (document == null) {
            document = emptyDocument();
        }
        List<String> names = new ArrayList<>();
        if (sections.contains(Section.CLUSTERS)) {
            upsertCluster(document, entry);
            names.add("cluster " + entry.cluster());
        }
        if (sections.contains(Section.USERS)) {
            upsertUser(document, entry);
            names.add("user " + entry.user());
        }
        if (sections.contains(Section.CONTEXTS)) {
            upsertContext(document, entry);
            names.add("context " + entry.context());
        }
        if (makeCurrent) {
            put(document, "current-context", text(entry.context()));
            names.add("current-context");
        }
        AtomicFiles.write(linkTarget(file), dump(document), created ? AtomicFiles.OWNER_ONLY : null);
        return new Written(file, created, names);
    }

    /** Follows symlinks to the real file, so a symlinked kubeconfig stays a symlink as kubectl keeps it. */
    private static Path linkTarget(Path file) throws IOException {
        Path target = file;
        for (int hops = 0; Files.isSymbolicLink(target) && hops < 40; hops++) {
            target = target.resolveSibling(Files.readSymbolicLink(target));
        }
        return target;
    }

    private static void upsertCluster(MappingNode document, Entry entry) {
        MappingNode cluster = payload(document, Section.CLUSTERS, entry.cluster());
        put(cluster, "server", text(entry.server()));

        // A CA the user configured on this entry wins: kubectl rejects an entry that has both a
        // CA file and CA data, or a CA together with insecure-skip-tls-verify.
        boolean userChoseTls = value(cluster, "certificate-authority") != null
            || "true".equals(scalar(value(cluster, "insecure-skip-tls-verify")));
        if (entry.certificateAuthorityData() != null && !userChoseTls) {
            put(cluster, "certificate-authority-data", text(entry.certificateAuthorityData()));
        }
    }

    private void upsertUser(MappingNode document, Entry entry) {
        MappingNode user = payload(document, Section.USERS, entry.user());
        put(user, "exec", yaml(false).represent(entry.exec()));
    }

    private static void upsertContext(MappingNode document, Entry entry) {
        MappingNode context = payload(document, Section.CONTEXTS, entry.context());
        put(context, "cluster", text(entry.cluster()));
        put(context, "user", text(entry.user()));
    }

    /** Finds the payload mapping of the named item, adding the item (and the list) when missing. */
    private static MappingNode payload(MappingNode document, Section section, String name) {
        MappingNode item = findItem(document, section, name);
        if (item == null) {
            SequenceNode list = (SequenceNode) value(document, section.listKey);
            if (list == null) {
                list = new SequenceNode(Tag.SEQ, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
                put(document, section.listKey, list);
            }
            item = mapping();
            put(item, "name", text(name));
            list.getValue().add(item);
        }
        Node payload = value(item, section.itemKey);
        if (payload == null) {
            payload = mapping();
            put(item, section.itemKey, payload);
        }
        return (MappingNode) payload;
    }

    /** Finds the item of the section with this name, or null. Only call on a checked document. */
    private static MappingNode findItem(MappingNode document, Section section, String name) {
        Node list = value(document, section.listKey);
        if (list == null) {
            return null;
        }
        for (Node item : ((SequenceNode) list).getValue()) {
            if (name.equals(scalar(value((MappingNode) item, "name")))) {
                return (MappingNode) item;
            }
        }
        return null;
    }

    /** Parses and checks the file; returns null when it does not exist or is empty. */
    private static MappingNode read(Path file) {
        byte[] data;
        try {
            data = AtomicFiles.readIfExists(file);
        } catch (IOException e) {
            throw new UserError("cannot read the kubeconfig " + file + ": " + e.getMessage(),
                "Check that the file is readable by you.", e);
        }
        if (data == null) {
            return null;
        }
        Node root = compose(file, new String(data, StandardCharsets.UTF_8));
        if (root == null || isNull(root)) {
            return null;
        }
        if (!(root instanceof MappingNode document)) {
            throw invalid(file, "is not a YAML mapping");
        }
        for (Section section : Section.values()) {
            check(file, document, section);
        }
        return document;
    }

    private static Node compose(Path file, String text) {
        try {
            return yaml(true).compose(new StringReader(text));
        } catch (YAMLException withComments) {
            // Comment handling in SnakeYAML rejects a few valid layouts; such a file is still
            // written, only without its comments.
            try {
                return yaml(false).compose(new StringReader(text));
            } catch (YAMLException e) {
                throw invalid(file, "is not valid YAML: " + describe(e));
            }
        }
    }

    /** Checks that a section is a list of mappings whose names are strings and payloads mappings. */
    private static void check(Path file, MappingNode document, Section section) {
        Node list = value(document, section.listKey);
        if (list == null) {
            return;
        }
        if (!(list instanceof SequenceNode sequence)) {
            throw invalid(file, "has a '" + section.listKey + "' that is not a list of mappings");
        }
        int index = 0;
        for (Node item : sequence.getValue()) {
            if (!(item instanceof MappingNode mapping)) {
                throw invalid(file, "has a '" + section.listKey + "' that is not a list of mappings (item " + index + ")");
            }
            Node name = value(mapping, "name");
            String label = section.itemKey + " " + (name instanceof ScalarNode s ? "'" + s.getValue() + "'" : "#" + index);
            if (name != null && !(name instanceof ScalarNode)) {
                throw invalid(file, "has a " + label + " whose 'name' is not a string");
            }
            Node payload = value(mapping, section.itemKey);
            if (payload != null && !(payload instanceof MappingNode)) {
                throw invalid(file, "has a " + label + " whose '" + section.itemKey + "' is not a mapping");
            }
            index++;
        }
    }

    private static UserError invalid(Path file, String problem) {
        return new UserError("the kubeconfig " + file + " " + problem,
            "Fix the file or point --kubeconfig at another one; datumctl left it unchanged.");
    }

    private static MappingNode emptyDocument() {
        MappingNode document = mapping();
        put(document, "apiVersion", text("v1"));
        put(document, "kind", text("Config"));
        put(document, "preferences", new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.FLOW));
        return document;
    }

    private static byte[] dump(MappingNode document) {
        StringWriter out = new StringWriter();
        yaml(true).serialize(document, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Yaml yaml(boolean comments) {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setIndicatorIndent(0);
        dump.setSplitLines(false);
        dump.setProcessComments(comments);
        LoaderOptions load = new LoaderOptions();
        load.setProcessComments(comments);
        // SnakeYAML rejects documents over 3 MB by default; kubectl reads kubeconfigs of any size,
        // and one with 20,000 entries is about 5 MB.
        load.setCodePointLimit(Integer.MAX_VALUE);
        return new Yaml(new SafeConstructor(load), new Representer(dump), dump, load);
    }

    // Node helpers. A null or missing value reads as null, so "clusters: null" counts as absent.

    private static Node value(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (key.equals(scalar(tuple.getKeyNode()))) {
                return isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
            }
        }
        return null;
    }

    /** Sets key to value, in place when the key exists so its position and comments stay. */
    private static void put(MappingNode mapping, String key, Node value) {
        List<NodeTuple> tuples = mapping.getValue();
        for (int i = 0; i < tuples.size(); i++) {
            NodeTuple tuple = tuples.get(i);
            if (key.equals(scalar(tuple.getKeyNode()))) {
                if (value instanceof ScalarNode && tuple.getValueNode() instanceof ScalarNode) {
                    value.setInLineComments(tuple.getValueNode().getInLineComments());
                }
                tuples.set(i, new NodeTuple(tuple.getKeyNode(), value));
                return;
            }
        }
        tuples.add(new NodeTuple(text(key), value));
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static ScalarNode text(String value) {
        return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
    }

    private static MappingNode mapping() {
        return new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
    }

    /** Describes a parse error by its problem and position, without SnakeYAML's source snippet. */
    private static String describe(YAMLException e) {
        if (e instanceof MarkedYAMLException marked && marked.getProblem() != null) {
            Mark mark = marked.getProblemMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            return marked.getProblem() + where;
        }
        return e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").trim();
    }
}
