package lib;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client.authentication.k8s.io ExecCredential that kubectl reads from an exec plugin's
 * stdout, and the KUBERNETES_EXEC_INFO that kubectl passes in.
 */
public final class ExecCredential {

    public static final String V1 = "client.authentication.k8s.io/v1";
    public static final String V1BETA1 = "client.authentication.k8s.io/v1beta1";

    /** The exec info from kubectl: the requested apiVersion and whether stdin is a terminal. */
    public record ExecInfo(String apiVersion, boolean interactive) {
    }

    private ExecCredential() {
    }

    /**
     * Reads KUBERNETES_EXEC_INFO. A missing or unreadable value means "not interactive": an exec
     * plugin must never take stdin that kubectl may be feeding to `apply -f -`.
     */
    public static ExecInfo readExecInfo(String value) {
        if (value == null || value.isBlank()) {
            return new ExecInfo(null, false);
        }
        try {
            Map<String, Object> info = Json.parseObject(value);
            Map<String, Object> spec = Json.obj(info, "spec");
            boolean interactive = spec != null && Boolean.TRUE.equals(spec.get("interactive"));
            return new ExecInfo(Json.str(info, "apiVersion"), interactive);
        } catch (IllegalArgumentException e) {
            return new ExecInfo(null, false);
        }
    }

    /** Returns true for the apiVersions this plugin can write. */
    public static boolean supported(String apiVersion) {
        return V1.equals(apiVersion) || V1BETA1.equals(apiVersion);
    }

    /** Builds the ExecCredential document; an unknown (null) expiry is reported as five minutes from now. */
    public static String toJson(String apiVersion, String token, Instant expiry, Instant now) {
        Instant expires = expiry != null ? expiry : now.plusSeconds(300);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("token", token);
        status.put("expirationTimestamp", rfc3339Seconds(expires));
        Map<String, Object> credential = new LinkedHashMap<>();
        credential.put("apiVersion", apiVersion);
        credential.put("kind", "ExecCredential");
        credential.put("status", status);
        return Json.write(credential);
    }

    /**
     * Formats an instant as "2026-01-02T03:04:05Z", as Instant.toString does for whole seconds.
     * Built by hand because DateTimeFormatter's first use is a measurable part of the exec plugin's run.
     */
    static String rfc3339Seconds(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(20);
        text.append(time.getYear()).append('-');
        pad(text, time.getMonthValue()).append('-');
        pad(text, time.getDayOfMonth()).append('T');
        pad(text, time.getHour()).append(':');
        pad(text, time.getMinute()).append(':');
        pad(text, time.getSecond()).append('Z');
        return text.toString();
    }

    private static StringBuilder pad(StringBuilder text, int value) {
        return text.append(value < 10 ? "0" : "").append(value);
    }
}
