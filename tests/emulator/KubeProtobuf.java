package emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the Kubernetes protobuf request bodies of the review kinds into their JSON form.
 * kubectl 1.32 sends built-in kinds such as SelfSubjectReview as
 * {@code application/vnd.kubernetes.protobuf} and does not retry with JSON after a 415, so an
 * API server that kubectl auth whoami and auth can-i work against must read this format.
 * Field numbers are those of k8s.io/api authentication/v1 and authorization/v1 generated.proto.
 */
final class KubeProtobuf {

    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    /** Every Kubernetes protobuf body starts with these bytes, then a runtime.Unknown envelope. */
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private KubeProtobuf() {
    }

    /** Decodes a review body into a map with apiVersion, kind and spec, as the JSON form has them. */
    static Map<String, Object> decodeReview(ResourceType type, byte[] body) throws KubeStatus {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw KubeStatus.badRequest("the protobuf request body does not start with the Kubernetes magic number");
        }
        try {
            Map<Integer, List<Object>> envelope = fields(Arrays.copyOfRange(body, MAGIC.length, body.length));
            Map<Integer, List<Object>> typeMeta = fields(bytes(envelope, 1));
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("apiVersion", string(typeMeta, 1));
            object.put("kind", string(typeMeta, 2));
            Map<Integer, List<Object>> raw = fields(bytes(envelope, 2));
            if (type == ResourceType.SELF_SUBJECT_ACCESS_REVIEWS) {
                object.put("spec", accessReviewSpec(fields(bytes(raw, 2))));
            } else if (type == ResourceType.SELF_SUBJECT_RULES_REVIEWS) {
                object.put("spec", Map.of("namespace", string(fields(bytes(raw, 2)), 1)));
            }
            return object;
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw KubeStatus.badRequest("the protobuf request body is malformed: " + e.getMessage());
        }
    }

    private static Map<String, Object> accessReviewSpec(Map<Integer, List<Object>> spec) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (spec.containsKey(1)) {
            Map<Integer, List<Object>> attributes = fields(bytes(spec, 1));
            String[] names = {"namespace", "verb", "group", "version", "resource", "subresource", "name"};
            Map<String, Object> resourceAttributes = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                resourceAttributes.put(names[i], string(attributes, i + 1));
            }
            result.put("resourceAttributes", resourceAttributes);
        }
        if (spec.containsKey(2)) {
            Map<Integer, List<Object>> attributes = fields(bytes(spec, 2));
            result.put("nonResourceAttributes", Map.of("path", string(attributes, 1), "verb", string(attributes, 2)));
        }
        return result;
    }

    private static byte[] bytes(Map<Integer, List<Object>> fields, int number) {
        List<Object> values = fields.get(number);
        return values == null ? new byte[0] : (byte[]) values.get(values.size() - 1);
    }

    private static String string(Map<Integer, List<Object>> fields, int number) {
        return new String(bytes(fields, number), StandardCharsets.UTF_8);
    }

    /** Splits a protobuf message into its fields: varints as Long, length-delimited fields as byte[]. */
    private static Map<Integer, List<Object>> fields(byte[] message) {
        Map<Integer, List<Object>> fields = new HashMap<>();
        int[] position = {0};
        while (position[0] < message.length) {
            long key = varint(message, position);
            int number = (int) (key >>> 3);
            Object value = switch ((int) (key & 7)) {
                case 0 -> varint(message, position);
                case 1 -> skip(message, position, 8);
                case 2 -> {
                    int length = (int) varint(message, position);
                    int start = position[0];
                    yield Arrays.copyOfRange(message, start, checkedEnd(message, position, length));
                }
                case 5 -> skip(message, position, 4);
                default -> throw new IllegalArgumentException("unsupported wire type in field " + number);
            };
            fields.computeIfAbsent(number, n -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private static int checkedEnd(byte[] message, int[] position, int length) {
        int end = position[0] + length;
        if (length < 0 || end > message.length) {
            throw new IllegalArgumentException("a field runs past the end of the message");
        }
        position[0] = end;
        return end;
    }

    private static Long skip(byte[] message, int[] position, int length) {
        checkedEnd(message, position, length);
        return 0L;
    }

    private static long varint(byte[] message, int[] position) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = message[position[0]++];
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a varint is longer than 10 bytes");
    }
}
