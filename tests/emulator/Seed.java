package emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Users, organizations and projects the emulator starts with. The comment atop seed.yaml describes the format. */
record Seed(List<User> users, List<Organization> organizations, List<Project> projects) {

    record User(String email, String name, String sub, Instant created) {
        String givenName() {
            int space = name.indexOf(' ');
            return space < 0 ? name : name.substring(0, space);
        }

        String familyName() {
            int space = name.indexOf(' ');
            return space < 0 ? "" : name.substring(space + 1);
        }
    }

    record Member(String email, String role) {}

    record Organization(String id, String displayName, List<Member> members, Instant created) {
        Optional<Member> member(String email) {
            return members.stream().filter(m -> m.email().equals(email)).findFirst();
        }
    }

    record Project(String id, String organization, String displayName, Instant created) {}

    static final String RESOURCE = "/emulator/seed.yaml";
    private static final Path SOURCE_RELATIVE = Path.of("tests", "emulator", "seed.yaml");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final List<String> ROLES = List.of("owner", "viewer");

    /**
     * Loads the seed at {@code file}, or the default seed when it is null: first the copy JBang
     * packs into the jar ({@code //FILES} in Emulator.java), then tests/emulator/seed.yaml in the
     * working directory or one of its parents, so tests compiled without that resource find it.
     */
    static Seed load(Path file, Instant now) throws IOException {
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                return parse(in, file.toString(), now);
            }
        }
        try (InputStream in = Seed.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return parse(in, "default seed (" + RESOURCE + ")", now);
            }
        }
        Path found = findInParents(Path.of("").toAbsolutePath());
        try (InputStream in = Files.newInputStream(found)) {
            return parse(in, found.toString(), now);
        }
    }

    private static Path findInParents(Path start) throws IOException {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SOURCE_RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("default seed " + SOURCE_RELATIVE + " not found in " + start
                + " or its parents; run from the repository checkout or pass --seed FILE");
    }

    static Seed parse(InputStream in, String origin, Instant now) throws IOException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (YAMLException e) {
            throw new IOException("invalid YAML in seed " + origin + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException("seed " + origin + " must be a mapping with users, organizations and projects");
        }
        Reader reader = new Reader(origin, now);
        Seed seed = new Seed(reader.users(map.get("users")), reader.organizations(map.get("organizations")),
                reader.projects(map.get("projects")));
        seed.validate(origin);
        return seed;
    }

    Optional<User> userByEmail(String email) {
        return users.stream().filter(u -> u.email().equalsIgnoreCase(email)).findFirst();
    }

    Optional<User> userBySub(String sub) {
        return users.stream().filter(u -> u.sub().equals(sub)).findFirst();
    }

    Optional<Organization> organization(String id) {
        return organizations.stream().filter(o -> o.id().equals(id)).findFirst();
    }

    Optional<Project> project(String id) {
        return projects.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    private void validate(String origin) throws IOException {
        Map<String, String> seen = new LinkedHashMap<>();
        for (User user : users) {
            requireUnique(seen, "user email " + user.email().toLowerCase(), origin);
            requireUnique(seen, "user sub " + user.sub(), origin);
        }
        for (Organization org : organizations) {
            requireUnique(seen, "organization " + org.id(), origin);
            for (Member member : org.members()) {
                if (userByEmail(member.email()).isEmpty()) {
                    throw new IOException("seed " + origin + ": organization " + org.id()
                            + " lists member " + member.email() + ", who is not under users");
                }
            }
        }
        for (Project project : projects) {
            requireUnique(seen, "project " + project.id(), origin);
            if (organization(project.organization()).isEmpty()) {
                throw new IOException("seed " + origin + ": project " + project.id()
                        + " names organization " + project.organization() + ", which is not under organizations");
            }
        }
    }

    private static void requireUnique(Map<String, String> seen, String key, String origin) throws IOException {
        if (seen.put(key, key) != null) {
            throw new IOException("seed " + origin + ": duplicate " + key);
        }
    }

    /** Converts the untyped YAML tree into records, naming the entry that is malformed. */
    private record Reader(String origin, Instant now) {

        List<User> users(Object node) throws IOException {
            List<User> users = new ArrayList<>();
            for (Map<?, ?> entry : entries(node, "users")) {
                String email = text(entry, "email", "users");
                users.add(new User(email, text(entry, "name", "user " + email),
                        text(entry, "sub", "user " + email), created(entry, "user " + email)));
            }
            return users;
        }

        List<Organization> organizations(Object node) throws IOException {
            List<Organization> organizations = new ArrayList<>();
            for (Map<?, ?> entry : entries(node, "organizations")) {
                String id = dnsLabel(text(entry, "id", "organizations"), "organization");
                List<Member> members = new ArrayList<>();
                for (Map<?, ?> m : entries(entry.get("members"), "members of organization " + id)) {
                    members.add(member(m, id));
                }
                organizations.add(new Organization(id, text(entry, "displayName", "organization " + id),
                        List.copyOf(members), created(entry, "organization " + id)));
            }
            return organizations;
        }

        List<Project> projects(Object node) throws IOException {
            List<Project> projects = new ArrayList<>();
            for (Map<?, ?> entry : entries(node, "projects")) {
                String id = dnsLabel(text(entry, "id", "projects"), "project");
                projects.add(new Project(id, text(entry, "organization", "project " + id),
                        text(entry, "displayName", "project " + id), created(entry, "project " + id)));
            }
            return projects;
        }

        private Member member(Map<?, ?> entry, String org) throws IOException {
            String email = text(entry, "email", "members of organization " + org);
            String role = text(entry, "role", "member " + email + " of organization " + org);
            if (!ROLES.contains(role)) {
                throw new IOException("seed " + origin + ": member " + email + " of organization " + org
                        + " has role " + role + "; use one of " + ROLES);
            }
            return new Member(email, role);
        }

        private List<Map<?, ?>> entries(Object node, String where) throws IOException {
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof List<?> list)) {
                throw new IOException("seed " + origin + ": " + where + " must be a list");
            }
            List<Map<?, ?>> maps = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof Map<?, ?> map)) {
                    throw new IOException("seed " + origin + ": every entry of " + where + " must be a mapping");
                }
                maps.add(map);
            }
            return maps;
        }

        private String text(Map<?, ?> entry, String key, String where) throws IOException {
            Object value = entry.get(key);
            if (value == null || value.toString().isBlank()) {
                throw new IOException("seed " + origin + ": " + where + " is missing " + key);
            }
            return value.toString();
        }

        private Instant created(Map<?, ?> entry, String where) throws IOException {
            Object value = entry.get("created");
            if (value == null) {
                return now;
            }
            if (value instanceof java.util.Date date) {
                return date.toInstant();
            }
            try {
                return Instant.parse(value.toString());
            } catch (DateTimeParseException e) {
                throw new IOException("seed " + origin + ": " + where + " has created " + value
                        + ", which is not an RFC 3339 time such as 2024-01-31T12:00:00Z");
            }
        }

        private String dnsLabel(String id, String entity) throws IOException {
            if (!DNS_LABEL.matcher(id).matches()) {
                throw new IOException("seed " + origin + ": " + entity + " id " + id
                        + " must be a lowercase DNS label (a-z, 0-9, '-')");
            }
            return id;
        }
    }
}
