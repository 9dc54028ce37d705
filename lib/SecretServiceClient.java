package lib;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of the Secret Service (GNOME Keyring, KWallet) over a plain D-Bus connection. It keeps
 * the items of one keyring service in the default collection: one item per key, with the
 * attributes "service" and "username", as the Go datumctl's keyring library stores them.
 *
 * <p>Why not a D-Bus library: de.swiesend:secret-service on dbus-java was used first. Through
 * it the exec plugin took 232 ms per kubectl call against 41 ms with the file store (measured
 * with bench/run-all keyring), mostly to load and link the library. Its delete also locked the
 * user's whole default collection and opened a password prompt. The few calls needed here are
 * made with the JDK's Unix-domain sockets and DBusWire instead.
 *
 * <p>NOTE: a locked collection is reported, not unlocked, because unlocking needs the desktop's
 * password prompt. Abstract socket addresses (unix:abstract=) count as no keyring, because the
 * JDK cannot connect to them.
 */
public final class SecretServiceClient implements AutoCloseable {

    private static final String BUS = "org.freedesktop.DBus";
    private static final String SECRETS = "org.freedesktop.secrets";
    private static final String SERVICE_PATH = "/org/freedesktop/secrets";
    private static final String SERVICE_INTERFACE = "org.freedesktop.Secret.Service";
    private static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    /** D-Bus's "no object" path, returned where no prompt or no collection exists. */
    private static final String NULL_PATH = "/";
    private static final String CONTENT_TYPE = "text/plain; charset=utf8";
    private static final int MAX_MESSAGE = 1 << 20;

    private static final byte METHOD_CALL = 1;
    private static final byte METHOD_RETURN = 2;
    private static final byte ERROR = 3;

    /**
     * A keyring error, with a message for the user. Absent means there is no keyring at all: no
     * bus, nothing listening, no Secret Service on the bus, or an address this client cannot
     * reach. A keyring that rejects a call, is locked or fails is not absent: it may contain sessions.
     */
    public static final class Failure extends Exception {
        private final boolean absent;

        Failure(String message) {
            this(message, false);
        }

        Failure(String message, boolean absent) {
            super(message, null, false, false);
            this.absent = absent;
        }

        public boolean absent() {
            return absent;
        }
    }

    private final SocketChannel channel;
    private int serial;
    private String session;

    private SecretServiceClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to the session bus at busAddress and calls Hello, as every D-Bus client must first. */
    public static SecretServiceClient connect(String busAddress) throws Failure {
        Path socket = socketPath(busAddress);
        SecretServiceClient client = null;
        try {
            client = new SecretServiceClient(SocketChannel.open(StandardProtocolFamily.UNIX));
            client.channel.connect(UnixDomainSocketAddress.of(socket));
            client.authenticate();
            client.call(BUS, "/org/freedesktop/DBus", BUS, "Hello", "", List.of(), "s");
            return client;
        } catch (IOException | RuntimeException e) {
            closeQuietly(client);
            // Nothing listening at the address counts as no bus at all.
            boolean absent = e instanceof java.net.SocketException || e instanceof java.nio.file.NoSuchFileException;
            throw new Failure("cannot connect to the D-Bus session bus at " + socket + ": " + e.getMessage(), absent);
        } catch (Failure e) {
            closeQuietly(client);
            throw e;
        }
    }

    private static void closeQuietly(SecretServiceClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                // The connection is discarded either way, and nothing was written to it.
            }
        }
    }

    /** Returns the secret of every item of service, keyed by its "username" attribute. */
    public Map<String, String> read(String service) throws Failure {
        try {
            List<?> items = unlockedItems(Map.of("service", service));
            Map<String, String> secrets = new LinkedHashMap<>();
            if (items.isEmpty()) {
                return secrets;
            }
            Map<?, ?> values = (Map<?, ?>) call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "GetSecrets", "aoo",
                List.of(items, session()), "a{o(oayays)}").get(0);
            for (Object item : items) {
                Object key = attributes((String) item).get("username");
                Object[] secret = (Object[]) values.get(item);
                if (key instanceof String name && secret != null && !secrets.containsKey(name)) {
                    secrets.put(name, new String((byte[]) secret[2], StandardCharsets.UTF_8));
                }
            }
            return secrets;
        } catch (IOException | RuntimeException e) {
            throw new Failure("reading the keyring failed: " + e.getMessage());
        }
    }

    /** Writes after for service, given that the keyring contained before: changed keys are replaced, missing ones deleted. */
    public void write(String service, Map<String, String> before, Map<String, String> after) throws Failure {
        try {
            String collection = defaultCollection();
            for (Map.Entry<String, String> entry : after.entrySet()) {
                if (!entry.getValue().equals(before.get(entry.getKey()))) {
                    store(collection, service, entry.getKey(), entry.getValue());
                }
            }
            for (String key : before.keySet()) {
                if (!after.containsKey(key)) {
                    for (Object item : unlockedItems(Map.of("service", service, "username", key))) {
                        String prompt = (String) call(SECRETS, (String) item, "org.freedesktop.Secret.Item", "Delete", "",
                            List.of(), "o").get(0);
                        requireNoPrompt(prompt, "deleting " + key);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new Failure("writing the keyring failed: " + e.getMessage());
        }
    }

    /** Creates or replaces the item of key: CreateItem with replace set overwrites an item with the same attributes. */
    private void store(String collection, String service, String key, String secret) throws IOException, Failure {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("service", service);
        attributes.put("username", key);
        Map<String, Object> properties = new LinkedHashMap<>();
        // Keyring managers such as Seahorse show this label; the Go keyring library writes the same one.
        properties.put("org.freedesktop.Secret.Item.Label",
            new DBusWire.Variant("s", "Password for '" + key + "' on '" + service + "'"));
        properties.put("org.freedesktop.Secret.Item.Attributes", new DBusWire.Variant("a{ss}", attributes));
        Object[] value = {session(), new byte[0], secret.getBytes(StandardCharsets.UTF_8), CONTENT_TYPE};
        List<Object> created = call(SECRETS, collection, "org.freedesktop.Secret.Collection", "CreateItem",
            "a{sv}(oayays)b", List.of(properties, value, Boolean.TRUE), "oo");
        requireNoPrompt((String) created.get(1), "storing " + key);
    }

    private String defaultCollection() throws IOException, Failure {
        String collection = (String) call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "ReadAlias", "s", List.of("default"),
            "o").get(0);
        if (collection.equals(NULL_PATH)) {
            throw new Failure("the keyring has no default collection; create one with your keyring manager");
        }
        Object locked = call(SECRETS, collection, PROPERTIES, "Get", "ss",
            List.of("org.freedesktop.Secret.Collection", "Locked"), "v").get(0);
        if (!Integer.valueOf(0).equals(locked)) {
            throw new Failure("the default keyring collection " + collection + " is locked; unlock it and try again");
        }
        return collection;
    }

    private List<?> unlockedItems(Map<String, String> query) throws IOException, Failure {
        List<Object> found = call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "SearchItems", "a{ss}", List.of(query), "aoao");
        List<?> locked = (List<?>) found.get(1);
        if (!locked.isEmpty()) {
            throw new Failure(locked.size() + " keyring items of " + query.get("service")
                + " are locked; unlock them and try again");
        }
        return (List<?>) found.get(0);
    }

    private Map<?, ?> attributes(String item) throws IOException, Failure {
        return (Map<?, ?>) call(SECRETS, item, PROPERTIES, "Get", "ss",
            List.of("org.freedesktop.Secret.Item", "Attributes"), "v").get(0);
    }

    /** Returns the Secret Service session, opened once with "plain" transfer because secrets stay on this machine's bus. */
    private String session() throws IOException, Failure {
        if (session == null) {
            session = (String) call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "OpenSession", "sv",
                List.of("plain", new DBusWire.Variant("s", "")), "vo").get(1);
        }
        return session;
    }

    private static void requireNoPrompt(String prompt, String action) throws Failure {
        if (!NULL_PATH.equals(prompt)) {
            throw new Failure("the keyring requires a password prompt before " + action + "; unlock it and try again");
        }
    }

    /** Returns the first unix:path=... of a bus address; the JDK cannot reach abstract sockets. */
    public static Path socketPath(String busAddress) throws Failure {
        for (String address : busAddress.split(";")) {
            if (!address.startsWith("unix:")) {
                continue;
            }
            for (String pair : address.substring("unix:".length()).split(",")) {
                if (pair.startsWith("path=")) {
                    return Path.of(unescape(pair.substring("path=".length())));
                }
            }
        }
        throw new Failure("this datumctl reaches the D-Bus session bus only at a unix:path= address, not at "
            + busAddress, true);
    }

    private static String unescape(String value) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                text.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** Authenticates with SASL EXTERNAL and this process's user id, the usual mechanism on Linux. */
    private void authenticate() throws IOException, Failure {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        StringBuilder hex = new StringBuilder();
        for (byte b : String.valueOf(uid).getBytes(StandardCharsets.US_ASCII)) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        send(("\0AUTH EXTERNAL " + hex + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String answer = readLine();
        if (!answer.startsWith("OK ")) {
            throw new Failure("the bus rejected SASL EXTERNAL authentication: " + answer);
        }
        send("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() < 512) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("the bus closed the connection during authentication");
            }
            char c = (char) one.get(0);
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append(c);
        }
        throw new IOException("the bus sent an authentication line longer than 512 bytes");
    }

    /** Calls a method and returns its reply body, read with replySignature. */
    private List<Object> call(String destination, String path, String iface, String member, String signature,
                              List<?> args, String replySignature) throws IOException, Failure {
        int sent = ++serial;
        DBusWire.Writer body = new DBusWire.Writer(0);
        body.writeAll(signature, args);
        byte[] bodyBytes = body.bytes();

        List<Object> fields = new ArrayList<>();
        fields.add(new Object[] {(byte) 1, new DBusWire.Variant("o", path)});
        fields.add(new Object[] {(byte) 2, new DBusWire.Variant("s", iface)});
        fields.add(new Object[] {(byte) 3, new DBusWire.Variant("s", member)});
        fields.add(new Object[] {(byte) 6, new DBusWire.Variant("s", destination)});
        if (!signature.isEmpty()) {
            fields.add(new Object[] {(byte) 8, new DBusWire.Variant("g", signature)});
        }
        DBusWire.Writer header = new DBusWire.Writer(0);
        header.write("y", (byte) 'l');
        header.write("y", METHOD_CALL);
        header.write("y", (byte) 0);
        header.write("y", (byte) 1);
        header.write("u", bodyBytes.length);
        header.write("u", sent);
        header.write("a(yv)", fields);
        header.pad(8);
        byte[] headerBytes = header.bytes();
        ByteBuffer message = ByteBuffer.allocate(headerBytes.length + bodyBytes.length);
        message.put(headerBytes).put(bodyBytes).flip();
        while (message.hasRemaining()) {
            channel.write(message);
        }

        while (true) {
            ByteBuffer reply = readMessage();
            byte type = reply.get(1);
            DBusWire.Reader reader = new DBusWire.Reader(reply);
            reader.readAll("yyyyuu");
            Map<Integer, Object> headerFields = new LinkedHashMap<>();
            for (Object field : (List<?>) reader.readAll("a(yv)").get(0)) {
                Object[] pair = (Object[]) field;
                headerFields.put((int) (Byte) pair[0], pair[1]);
            }
            reader.align(8);
            Object replyTo = headerFields.get(5);
            if (!(replyTo instanceof Integer number) || number != sent) {
                continue;
            }
            if (type == ERROR) {
                Object name = headerFields.get(4);
                String text = errorMessage(member, name, reader, headerFields.get(8));
                if ("org.freedesktop.DBus.Error.ServiceUnknown".equals(name)) {
                    throw new Failure("no Secret Service on the D-Bus session bus (" + text + ")", true);
                }
                throw new Failure(text);
            }
            if (type != METHOD_RETURN) {
                continue;
            }
            Object actual = headerFields.getOrDefault(8, "");
            if (!replySignature.equals(actual)) {
                throw new Failure(member + " replied with signature " + actual + ", expected " + replySignature);
            }
            return reader.readAll(replySignature);
        }
    }

    /** Names the error and, when the reply carries one, its message. */
    private static String errorMessage(String member, Object name, DBusWire.Reader body, Object signature) {
        String text = member + " failed with " + name;
        if (signature instanceof String types && types.startsWith("s")) {
            text += ": " + body.readAll("s").get(0);
        }
        return text;
    }

    /** Reads one whole message, whose fixed header gives the lengths of the header fields and the body. */
    private ByteBuffer readMessage() throws IOException {
        ByteBuffer fixed = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        readFully(fixed);
        if (fixed.get(0) != 'l') {
            throw new IOException("the bus sent a big-endian message, which this reader does not handle");
        }
        int bodyLength = fixed.getInt(4);
        int fieldsLength = fixed.getInt(12);
        int headerLength = 16 + fieldsLength + (8 - (16 + fieldsLength) % 8) % 8;
        if (bodyLength < 0 || fieldsLength < 0 || (long) headerLength + bodyLength > MAX_MESSAGE) {
            throw new IOException("the bus sent a message larger than " + MAX_MESSAGE + " bytes");
        }
        ByteBuffer message = ByteBuffer.allocate(headerLength + bodyLength);
        message.put(fixed.array());
        readFully(message);
        message.flip();
        return message;
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("the bus closed the connection");
            }
        }
    }

    private void send(byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
