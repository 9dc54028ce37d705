package unit;

import lib.DBusWire;
import lib.SecretServiceClient;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The D-Bus encoding of the Secret Service calls, checked against bytes worked out from the specification. */
class DBusWireTest {

    @Test
    void dictionaryPairsAlignToEight() {
        DBusWire.Writer writer = new DBusWire.Writer(0);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("service", "x");
        writer.write("a{ss}", query);

        byte[] expected = {
            // The length, 18, counts from the first pair at offset 8, after the padding.
            18, 0, 0, 0, 0, 0, 0, 0,
            7, 0, 0, 0, 's', 'e', 'r', 'v', 'i', 'c', 'e', 0,
            1, 0, 0, 0, 'x', 0};
        assertArrayEquals(expected, writer.bytes());
    }

    @Test
    void secretsReplyRoundTrips() {
        DBusWire.Writer writer = new DBusWire.Writer(0);
        Map<String, Object[]> secrets = new LinkedHashMap<>();
        secrets.put("/org/freedesktop/secrets/collection/login/1",
            new Object[] {"/org/freedesktop/secrets/session/s1", new byte[0], "sécret".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "text/plain"});
        writer.write("a{o(oayays)}", secrets);
        writer.write("v", new DBusWire.Variant("a{ss}", Map.of("username", "active_user")));

        List<Object> values = new DBusWire.Reader(ByteBuffer.wrap(writer.bytes())).readAll("a{o(oayays)}v");

        Object[] secret = (Object[]) ((Map<?, ?>) values.get(0)).get("/org/freedesktop/secrets/collection/login/1");
        assertEquals("/org/freedesktop/secrets/session/s1", secret[0]);
        assertEquals("sécret", new String((byte[]) secret[2], java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("text/plain", secret[3]);
        assertEquals(Map.of("username", "active_user"), values.get(1));
    }

    @Test
    void overlongLengthIsRejected() {
        byte[] truncated = {(byte) 0xff, 0, 0, 0, 'a'};
        assertThrows(IllegalArgumentException.class, () -> new DBusWire.Reader(ByteBuffer.wrap(truncated)).readAll("s"));
    }

    @Test
    void busAddressGivesSocketPath() throws Exception {
        assertEquals(Path.of("/run/user/1000/bus"), SecretServiceClient.socketPath("unix:path=/run/user/1000/bus"));
        assertEquals(Path.of("/tmp/dbus-a b"), SecretServiceClient.socketPath("unix:path=/tmp/dbus-a%20b,guid=0a1b"));
        assertEquals(Path.of("/tmp/second"), SecretServiceClient.socketPath("tcp:host=localhost;unix:path=/tmp/second"));
        assertThrows(SecretServiceClient.Failure.class, () -> SecretServiceClient.socketPath("unix:abstract=/tmp/dbus-x"));
    }
}
