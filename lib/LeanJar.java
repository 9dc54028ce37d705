package lib;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Cuts a jar down to one main class and the classes of the same jar it can reach.
 *
 * <p>The exec plugin starts on every kubectl call. A JVM opens each class-path jar and reads its
 * central directory, so the plugin runs from a jar of about 40 classes instead of the full
 * datumctl jar. Reachability comes from the constant pools: every class name a class file
 * mentions (class constants, field and method descriptors, generic signatures) counts as used.
 * That over-approximates what a run loads, and never misses a class that bytecode refers to.
 * Classes looked up by name at run time (Class.forName, ServiceLoader) are not found.
 */
public final class LeanJar {

    /** A fixed entry time, so the same classes always give the same bytes and the same hash. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private LeanJar() {
    }

    /** Writes target with mainClass (a binary name such as auth.GetToken) and the classes it reaches in source. */
    public static Set<String> write(Path source, String mainClass, Path target) throws IOException {
        Map<String, byte[]> classes = readClasses(source);
        String root = mainClass.replace('.', '/');
        if (!classes.containsKey(root)) {
            throw new IOException(source + " has no class " + mainClass);
        }
        Set<String> kept = reachable(classes, root);
        try (OutputStream file = Files.newOutputStream(target);
             JarOutputStream jar = new JarOutputStream(file)) {
            addEntry(jar, JarFile.MANIFEST_NAME, manifest(mainClass));
            for (String name : kept) {
                addEntry(jar, name + ".class", classes.get(name));
            }
        }
        return kept;
    }

    private static void addEntry(JarOutputStream jar, String name, byte[] data) throws IOException {
        JarEntry entry = new JarEntry(name);
        entry.setTimeLocal(ENTRY_TIME);
        jar.putNextEntry(entry);
        jar.write(data);
        jar.closeEntry();
    }

    private static byte[] manifest(String mainClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        manifest.write(bytes);
        return bytes.toByteArray();
    }

    /** Reads every class file of the jar, keyed by internal name (lib/Json). */
    private static Map<String, byte[]> readClasses(Path source) throws IOException {
        Map<String, byte[]> classes = new HashMap<>();
        try (JarFile jar = new JarFile(source.toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        classes.put(name.substring(0, name.length() - ".class".length()), in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }

    /** Returns the internal names reachable from root, sorted so the jar's layout is stable. */
    static Set<String> reachable(Map<String, byte[]> classes, String root) throws IOException {
        Set<String> kept = new TreeSet<>();
        Deque<String> pending = new ArrayDeque<>();
        pending.add(root);
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (!kept.add(name)) {
                continue;
            }
            for (String text : constantStrings(classes.get(name))) {
                for (String candidate : classNamesIn(text)) {
                    if (classes.containsKey(candidate) && !kept.contains(candidate)) {
                        pending.add(candidate);
                    }
                }
            }
        }
        return kept;
    }

    /**
     * Splits a constant such as "(Llib/Json;[Ljava/lang/String;)V" or "lib/Json" into the class
     * names it may hold. Descriptor punctuation never occurs in a class name.
     */
    static Set<String> classNamesIn(String text) {
        Set<String> names = new TreeSet<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || ";()[<>:.".indexOf(text.charAt(i)) >= 0) {
                if (i > start) {
                    String token = text.substring(start, i);
                    names.add(token);
                    if (token.charAt(0) == 'L' && token.length() > 1) {
                        names.add(token.substring(1));
                    }
                }
                start = i + 1;
            }
        }
        return names;
    }

    /**
     * Returns the UTF-8 constants of a class file's constant pool (JVMS 4.4) that can name a
     * class: all but string literals, so a literal such as ".datumctl" is not mistaken for the
     * class datumctl.
     */
    static Set<String> constantStrings(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        Map<Integer, String> utf8 = new HashMap<>();
        Set<Integer> literals = new HashSet<>();
        Set<Integer> classNames = new HashSet<>();
        for (int index = 1; index < count; index++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8.put(index, in.readUTF());
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8 -> literals.add(in.readUnsignedShort());
                case 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    // A long or a double takes two constant pool slots.
                    in.skipNBytes(8);
                    index++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at index " + index);
            }
        }
        literals.removeAll(classNames);
        utf8.keySet().removeAll(literals);
        return new TreeSet<>(utf8.values());
    }
}
