package emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
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
record Seed(List<User> users, List<Organization> organizations, List<Project> projects, RolePolicy policy,
        List<ServiceAccount> serviceAccounts) {

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

    /** A project; its members reach only this project's control plane, with the role given here. */
    record Project(String id, String organization, String displayName, Instant created, List<Member> members) {
        Optional<Member> member(String email) {
            return members.stream().filter(m -> m.email().equals(email)).findFirst();
        }
    }

    /**
     * A user above that signs in with a key instead of a browser: the JWT bearer grant, with the
     * user's sub as client_id (iss and sub of the assertion) and keyId as the JWS kid.
     */
    record ServiceAccount(String email, String keyId, RSAPublicKey publicKey) {}

    static final String RESOURCE = "/emulator/seed.yaml";
    private static final Path SOURCE_RELATIVE = Path.of("tests", "emulator", "seed.yaml");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

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
        RolePolicy policy = RolePolicy.parse(map.get("roles"), origin);
        Reader reader = new Reader(origin, now, policy);
        Seed seed = new Seed(reader.users(map.get("users")), reader.organizations(map.get("organizations")),
                reader.projects(map.get("projects")), policy, reader.serviceAccounts(map.get("serviceAccounts")));
        seed.validate(origin);
        return seed;
    }

    Optional<User> userByEmail(String email) {
        return users.stream().filter(u -> u.email().equalsIgnoreCase(email)).findFirst();
    }

    Optional<User> userBySub(String sub) {
        return users.stream().filter(u -> u.sub().equals(sub)).findFirst();
    }

    /** Returns the service account whose client_id (the user's sub) is clientId. */
    Optional<ServiceAccount> serviceAccount(String clientId) {
        Optional<User> user = userBySub(clientId);
        return user.flatMap(u -> serviceAccounts.stream().filter(a -> a.email().equalsIgnoreCase(u.email())).findFirst());
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
            for (Member member : project.members()) {
                if (userByEmail(member.email()).isEmpty()) {
                    throw new IOException("seed " + origin + ": project " + project.id()
                            + " lists member " + member.email() + ", who is not under users");
                }
            }
        }
        validateServiceAccounts(seen, origin);
    }

    private void validateServiceAccounts(Map<String, String> seen, String origin) throws IOException {
        for (ServiceAccount account : serviceAccounts) {
            requireUnique(seen, "service account " + account.email().toLowerCase(), origin);
            if (userByEmail(account.email()).isEmpty()) {
                throw new IOException("seed " + origin + ": service account " + account.email() + " is not under users");
            }
        }
    }

    private static void requireUnique(Map<String, String> seen, String key, String origin) throws IOException {
        if (seen.put(key, key) != null) {
            throw new IOException("seed " + origin + ": duplicate " + key);
        }
    }

    /** Converts the untyped YAML tree into records, naming the entry that is malformed. */
    private record Reader(String origin, Instant now, RolePolicy policy) {

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
                    members.add(member(m, "organization " + id));
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
                List<Member> members = new ArrayList<>();
                for (Map<?, ?> m : entries(entry.get("members"), "members of project " + id)) {
                    members.add(member(m, "project " + id));
                }
                projects.add(new Project(id, text(entry, "organization", "project " + id),
                        text(entry, "displayName", "project " + id), created(entry, "project " + id),
                        List.copyOf(members)));
            }
            return projects;
        }

        List<ServiceAccount> serviceAccounts(Object node) throws IOException {
            List<ServiceAccount> accounts = new ArrayList<>();
            for (Map<?, ?> entry : entries(node, "serviceAccounts")) {
                String email = text(entry, "email", "serviceAccounts");
                String where = "service account " + email;
                accounts.add(new ServiceAccount(email, text(entry, "keyId", where),
                        publicKey(text(entry, "publicKey", where), where)));
            }
            return accounts;
        }

        private RSAPublicKey publicKey(String pem, String where) throws IOException {
            String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                    .replaceAll("\\s", "");
            try {
                byte[] der = Base64.getDecoder().decode(base64);
                return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                throw new IOException("seed " + origin + ": " + where
                        + " has a publicKey that is not an RSA public key in PEM ('-----BEGIN PUBLIC KEY-----')");
            }
        }

        private Member member(Map<?, ?> entry, String owner) throws IOException {
            String email = text(entry, "email", "members of " + owner);
            String role = text(entry, "role", "member " + email + " of " + owner);
            if (!policy.names().contains(role)) {
                throw new IOException("seed " + origin + ": member " + email + " of " + owner
                        + " has role " + role + "; use one of " + policy.names());
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
