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
 * Reads the secrets of one service from the Secret Service over a plain D-Bus connection: the
 * read the exec plugin makes on every kubectl call, without loading dbus-java (see DBusWire).
 *
 * <p>Anything beyond the simple case, an abstract socket address, a locked item or any error
 * reply, throws {@link Unsupported}, and the caller reads through the library instead, which
 * reports real failures.
 */
public final class SecretServiceReader implements AutoCloseable {

    private static final String BUS = "org.freedesktop.DBus";
    private static final String SECRETS = "org.freedesktop.secrets";
    private static final String SERVICE_PATH = "/org/freedesktop/secrets";
    private static final String SERVICE_INTERFACE = "org.freedesktop.Secret.Service";
    private static final int MAX_MESSAGE = 1 << 20;

    private static final byte METHOD_CALL = 1;
    private static final byte METHOD_RETURN = 2;
    private static final byte ERROR = 3;

    /** The simple read is not possible here; use the full client. */
    public static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    private final SocketChannel channel;
    private int serial;

    private SecretServiceReader(SocketChannel channel) {
        this.channel = channel;
    }

    /** Returns key (the "username" attribute) to secret for every item with attribute service. */
    public static Map<String, String> read(String busAddress, String service) throws Unsupported {
        try (SecretServiceReader reader = connect(busAddress)) {
            return reader.readService(service);
        } catch (IOException | RuntimeException e) {
            throw new Unsupported("plain D-Bus read failed: " + e.getMessage());
        }
    }

    private static SecretServiceReader connect(String busAddress) throws IOException, Unsupported {
        Path socket = socketPath(busAddress);
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        SecretServiceReader reader = new SecretServiceReader(channel);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            reader.authenticate();
            reader.call(BUS, "/org/freedesktop/DBus", BUS, "Hello", "", List.of(), "s");
            return reader;
        } catch (IOException | Unsupported | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Returns the first unix:path=... of a bus address; the JDK cannot reach abstract sockets. */
    public static Path socketPath(String busAddress) throws Unsupported {
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
        throw new Unsupported("no unix:path= in the D-Bus address " + busAddress);
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

    private Map<String, String> readService(String service) throws IOException, Unsupported {
        List<Object> session = call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "OpenSession", "sv",
            List.of("plain", new DBusWire.Variant("s", "")), "vo");
        String sessionPath = (String) session.get(1);

        Map<String, String> query = new LinkedHashMap<>();
        query.put("service", service);
        List<Object> found = call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "SearchItems", "a{ss}", List.of(query), "aoao");
        List<?> unlocked = (List<?>) found.get(0);
        List<?> locked = (List<?>) found.get(1);
        if (!locked.isEmpty()) {
            throw new Unsupported(locked.size() + " keyring items of " + service + " are locked");
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        if (unlocked.isEmpty()) {
            return secrets;
        }
        Map<?, ?> values = (Map<?, ?>) call(SECRETS, SERVICE_PATH, SERVICE_INTERFACE, "GetSecrets", "aoo",
            List.of(unlocked, sessionPath), "a{o(oayays)}").get(0);
        for (Object item : unlocked) {
            Map<?, ?> attributes = (Map<?, ?>) call(SECRETS, (String) item, "org.freedesktop.DBus.Properties", "Get",
                "ss", List.of("org.freedesktop.Secret.Item", "Attributes"), "v").get(0);
            Object key = attributes.get("username");
            Object[] secret = (Object[]) values.get(item);
            if (key instanceof String name && secret != null && !secrets.containsKey(name)) {
                secrets.put(name, new String((byte[]) secret[2], StandardCharsets.UTF_8));
            }
        }
        return secrets;
    }

    /** SASL EXTERNAL with this process's user id, as every D-Bus client on Linux does. */
    private void authenticate() throws IOException, Unsupported {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        StringBuilder hex = new StringBuilder();
        for (byte b : String.valueOf(uid).getBytes(StandardCharsets.US_ASCII)) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        send(("\0AUTH EXTERNAL " + hex + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String answer = readLine();
        if (!answer.startsWith("OK ")) {
            throw new Unsupported("the bus rejected SASL EXTERNAL authentication: " + answer);
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
        throw new IOException("the bus sent an overlong authentication line");
    }

    /** Calls a method and returns its reply body, read with replySignature. */
    private List<Object> call(String destination, String path, String iface, String member, String signature,
                              List<?> args, String replySignature) throws IOException, Unsupported {
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
                throw new Unsupported(member + " failed: " + headerFields.get(4));
            }
            if (type != METHOD_RETURN) {
                continue;
            }
            Object actual = headerFields.getOrDefault(8, "");
            if (!replySignature.equals(actual)) {
                throw new Unsupported(member + " replied with signature " + actual + ", expected " + replySignature);
            }
            return reader.readAll(replySignature);
        }
    }

    /** Reads one whole message: the fixed header says how long the fields and the body are. */
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
