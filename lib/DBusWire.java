package lib;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The D-Bus wire format, little-endian, for the types the Secret Service calls of the exec plugin
 * use: y, b, u, s, o, g, v, arrays, structs and dict entries. Values map to Java as Byte,
 * Boolean (written) or Integer (read), String, List, Object[] (struct), Map (array of dict
 * entries) and byte[] (ay); a variant is written from a {@link Variant} and read as its value.
 */
public final class DBusWire {

    /** A variant to write, with its signature and value. */
    public record Variant(String signature, Object value) {
    }

    private DBusWire() {
    }

    /** A marshaller for values of a signature, aligned as if they started at offset start. */
    public static final class Writer {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int start;

        public Writer(int start) {
            this.start = start;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }

        int position() {
            return start + out.size();
        }

        void pad(int alignment) {
            while (position() % alignment != 0) {
                out.write(0);
            }
        }

        public void write(String signature, Object value) {
            Cursor types = new Cursor(signature);
            writeOne(types, value);
            if (!types.done()) {
                throw new IllegalArgumentException("signature " + signature
                    + " has more than one type, expected one value");
            }
        }

        void writeAll(String signature, List<?> values) {
            Cursor types = new Cursor(signature);
            for (Object value : values) {
                writeOne(types, value);
            }
        }

        private void writeOne(Cursor types, Object value) {
            char type = types.next();
            switch (type) {
                case 'y' -> out.write((Byte) value);
                case 'u' -> writeInt((Integer) value);
                case 'b' -> writeInt(((Boolean) value) ? 1 : 0);
                case 's', 'o' -> writeString((String) value);
                case 'g' -> writeSignature((String) value);
                case 'v' -> {
                    Variant variant = (Variant) value;
                    writeSignature(variant.signature());
                    write(variant.signature(), variant.value());
                }
                case 'a' -> writeArray(types, value);
                case '(' -> {
                    pad(8);
                    Object[] fields = (Object[]) value;
                    for (Object field : fields) {
                        writeOne(types, field);
                    }
                    types.expect(')');
                }
                default -> throw new IllegalArgumentException("unsupported D-Bus type " + type);
            }
        }

        private void writeArray(Cursor types, Object value) {
            pad(4);
            int lengthAt = out.size();
            writeInt(0);
            String element = types.element();
            pad(alignment(element.charAt(0)));
            int first = out.size();
            if (value instanceof byte[] bytes) {
                out.write(bytes, 0, bytes.length);
            } else if (element.startsWith("{")) {
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    pad(8);
                    Cursor pair = new Cursor(element.substring(1, element.length() - 1));
                    writeOne(pair, entry.getKey());
                    writeOne(pair, entry.getValue());
                }
            } else {
                for (Object item : (List<?>) value) {
                    writeOne(new Cursor(element), item);
                }
            }
            byte[] sofar = out.toByteArray();
            ByteBuffer.wrap(sofar, lengthAt, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(sofar.length - first);
            out.reset();
            out.write(sofar, 0, sofar.length);
        }

        private void writeInt(int value) {
            pad(4);
            out.write(value);
            out.write(value >>> 8);
            out.write(value >>> 16);
            out.write(value >>> 24);
        }

        private void writeString(String value) {
            byte[] text = value.getBytes(StandardCharsets.UTF_8);
            writeInt(text.length);
            out.write(text, 0, text.length);
            out.write(0);
        }

        private void writeSignature(String value) {
            byte[] text = value.getBytes(StandardCharsets.US_ASCII);
            out.write(text.length);
            out.write(text, 0, text.length);
            out.write(0);
        }
    }

    /** An unmarshaller for a buffer whose offset 0 is the start of the message. */
    public static final class Reader {

        private final ByteBuffer buffer;

        public Reader(ByteBuffer buffer) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        int position() {
            return buffer.position();
        }

        void align(int alignment) {
            int position = buffer.position();
            buffer.position(position + (alignment - position % alignment) % alignment);
        }

        /** Reads every value of signature, in order. */
        public List<Object> readAll(String signature) {
            List<Object> values = new ArrayList<>();
            Cursor types = new Cursor(signature);
            while (!types.done()) {
                values.add(readOne(types));
            }
            return values;
        }

        private Object readOne(Cursor types) {
            char type = types.next();
            switch (type) {
                case 'y':
                    return buffer.get();
                case 'b':
                case 'u':
                case 'i':
                    align(4);
                    return buffer.getInt();
                case 's':
                case 'o':
                    return readString(readLength());
                case 'g':
                    return readString(buffer.get() & 0xff);
                case 'v': {
                    String signature = readString(buffer.get() & 0xff);
                    return readOne(new Cursor(signature));
                }
                case 'a':
                    return readArray(types);
                case '(': {
                    align(8);
                    List<Object> fields = new ArrayList<>();
                    while (types.peek() != ')') {
                        fields.add(readOne(types));
                    }
                    types.expect(')');
                    return fields.toArray();
                }
                default:
                    throw new IllegalArgumentException("unsupported D-Bus type " + type);
            }
        }

        private Object readArray(Cursor types) {
            int length = readLength();
            String element = types.element();
            align(alignment(element.charAt(0)));
            int end = buffer.position() + length;
            if (element.equals("y")) {
                byte[] bytes = new byte[length];
                buffer.get(bytes);
                return bytes;
            }
            if (element.startsWith("{")) {
                Map<Object, Object> map = new LinkedHashMap<>();
                String pair = element.substring(1, element.length() - 1);
                while (buffer.position() < end) {
                    align(8);
                    Cursor entry = new Cursor(pair);
                    map.put(readOne(entry), readOne(entry));
                }
                return map;
            }
            List<Object> items = new ArrayList<>();
            while (buffer.position() < end) {
                items.add(readOne(new Cursor(element)));
            }
            return items;
        }

        private int readLength() {
            align(4);
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("D-Bus length " + length + " runs past the message");
            }
            return length;
        }

        private String readString(int length) {
            byte[] text = new byte[length];
            buffer.get(text);
            buffer.get();
            return new String(text, StandardCharsets.UTF_8);
        }
    }

    static int alignment(char type) {
        switch (type) {
            case 'y':
            case 'g':
            case 'v':
                return 1;
            case '(':
            case '{':
            case 'x':
            case 't':
            case 'd':
                return 8;
            default:
                return 4;
        }
    }

    /** A position in a signature, moved one complete type at a time. */
    static final class Cursor {

        private final String signature;
        private int index;

        Cursor(String signature) {
            this.signature = signature;
        }

        boolean done() {
            return index >= signature.length();
        }

        char peek() {
            return signature.charAt(index);
        }

        char next() {
            if (done()) {
                throw new IllegalArgumentException("signature " + signature + " has no more types");
            }
            return signature.charAt(index++);
        }

        void expect(char type) {
            if (next() != type) {
                throw new IllegalArgumentException("malformed D-Bus signature " + signature);
            }
        }

        /** Returns the complete element type that follows an 'a' and steps over it. */
        String element() {
            int from = index;
            skipOne();
            return signature.substring(from, index);
        }

        private void skipOne() {
            char type = next();
            if (type == 'a') {
                skipOne();
            } else if (type == '(' || type == '{') {
                char close = type == '(' ? ')' : '}';
                while (peek() != close) {
                    skipOne();
                }
                index++;
            }
        }
    }
}
