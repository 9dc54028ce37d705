package lib;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The writes of apply, create and delete for one control plane, each returning the line kubectl
 * would print (such as {@code dnszone.dns.networking.miloapis.com/example-com created}) or the
 * error for that one object, so a command can go on with the next object.
 */
public final class ObjectChanges {

    /** --dry-run: none, client (nothing is sent that changes anything) or server (the server checks and discards). */
    public enum DryRun {
        NONE(""), CLIENT(" (dry run)"), SERVER(" (server dry run)");

        private final String suffix;

        DryRun(String suffix) {
            this.suffix = suffix;
        }

        public String suffix() {
            return suffix;
        }

        public static DryRun parse(String value) {
            if (value == null || value.equals("none")) {
                return NONE;
            }
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "client" -> CLIENT;
                case "server" -> SERVER;
                default -> throw UserError.usage("invalid --dry-run value '" + value + "'", "Use --dry-run=server, client or none.");
            };
        }
    }

    /** What happened to one object: the line for stdout, or the error for stderr (one of them is null). */
    public record Outcome(String line, String error) {

        static Outcome ok(String line) {
            return new Outcome(line, null);
        }

        static Outcome failed(String error) {
            return new Outcome(null, error);
        }
    }

    private final ResourceSession session;
    private final String namespaceFlag;
    private final DryRun dryRun;

    public ObjectChanges(ResourceSession session, String namespaceFlag, DryRun dryRun) {
        this.session = session;
        this.namespaceFlag = namespaceFlag;
        this.dryRun = dryRun;
    }

    /** Server-side applies one document and reports created, configured or unchanged. */
    public Outcome apply(Manifests.Document document, boolean force) {
        if (document.error() != null) {
            return Outcome.failed("error: " + document.where() + ": " + document.error());
        }
        String label = document.kind() + " \"" + document.name() + "\"";
        try {
            ResourceApi api = session.apiFor(document.apiVersion(), document.kind());
            String namespace = namespaceOf(api, document);
            Map<String, Object> existing = existing(api, namespace, document.name());
            String object = api.typeName() + "/" + document.name();
            if (dryRun == DryRun.CLIENT) {
                return Outcome.ok(object + (existing == null ? " created" : " configured") + dryRun.suffix());
            }
            Map<String, Object> body = withNamespace(api, document.object(), namespace);
            Map<String, Object> result = ResourceQuery.call(session, api, "patch", document.name(), namespace,
                () -> api.apply(namespace, document.name(), body, force, dryRun == DryRun.SERVER));
            String word = existing == null ? "created" : sameContent(existing, result) ? "unchanged" : "configured";
            return Outcome.ok(object + " " + word + dryRun.suffix());
        } catch (ResourceApi.ApiError e) {
            return Outcome.failed("error: " + document.where() + " (" + label + "): " + describeApplyError(e));
        } catch (UserError e) {
            return Outcome.failed("error: " + document.where() + " (" + label + "): " + e.getMessage());
        }
    }

    private static String describeApplyError(ResourceApi.ApiError e) {
        if (e.status() == 409 && "Conflict".equals(e.reason())) {
            return e.getMessage() + "\nThe fields above are managed by another field manager. Re-run with --force-conflicts"
                + " to take them over, or remove them from your manifest to leave them to their manager.";
        }
        return e.kubectlMessage();
    }

    /** Creates one document; an existing object is an error, as in kubectl create. */
    public Outcome create(Manifests.Document document) {
        if (document.error() != null) {
            return Outcome.failed("error: " + document.where() + ": " + document.error());
        }
        try {
            ResourceApi api = session.apiFor(document.apiVersion(), document.kind());
            String namespace = namespaceOf(api, document);
            String object = api.typeName() + "/" + document.name();
            if (dryRun == DryRun.CLIENT) {
                return Outcome.ok(object + " created" + dryRun.suffix());
            }
            Map<String, Object> body = withNamespace(api, document.object(), namespace);
            ResourceQuery.call(session, api, "create", document.name(), namespace,
                () -> api.create(namespace, body, dryRun == DryRun.SERVER));
            return Outcome.ok(object + " created" + dryRun.suffix());
        } catch (ResourceApi.ApiError e) {
            return Outcome.failed("Error from server (" + e.reason() + "): error when creating \"" + document.source()
                + "\": " + e.getMessage());
        } catch (UserError e) {
            return Outcome.failed("error: " + document.where() + ": " + e.getMessage());
        }
    }

    /** Deletes one object; a missing one is an error unless ignoreNotFound. */
    public Outcome delete(ResourceApi api, String namespace, String name, boolean ignoreNotFound) {
        String object = api.typeName() + " \"" + name + "\"";
        try {
            if (dryRun == DryRun.CLIENT) {
                ResourceQuery.call(session, api, "get", name, namespace, () -> api.get(namespace, name, ResourceApi.Form.OBJECTS));
            } else {
                ResourceQuery.call(session, api, "delete", name, namespace,
                    () -> api.delete(namespace, name, dryRun == DryRun.SERVER));
            }
            return Outcome.ok(object + " deleted" + dryRun.suffix());
        } catch (ResourceApi.ApiError e) {
            if (e.status() == 404 && ignoreNotFound) {
                return new Outcome(null, null);
            }
            return Outcome.failed(e.kubectlMessage());
        }
    }

    /** Waits until a deleted object is gone (finalizers can keep it for a while), up to timeout. */
    public void awaitDeletion(ResourceApi api, String namespace, String name, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (existing(api, namespace, name) != null) {
            if (Instant.now().isAfter(deadline)) {
                throw new UserError("timed out after " + timeout.toSeconds() + " s waiting for " + api.typeName() + " \""
                    + name + "\" to be deleted", "Check its finalizers with 'datumctl get " + api.resource().name() + " "
                    + name + " -o yaml', or pass --wait=false.");
            }
            Thread.sleep(500);
        }
    }

    /** Returns the namespace of a document: its own, else -n, else the context's; null for cluster-scoped types. */
    public String namespaceOf(ResourceApi api, Manifests.Document document) {
        if (!api.resource().namespaced()) {
            return null;
        }
        String own = document.namespace();
        if (own != null && namespaceFlag != null && !own.equals(namespaceFlag)) {
            throw new UserError("the namespace from the provided object \"" + own + "\" does not match the namespace \""
                + namespaceFlag + "\"", "Pass --namespace=" + own + " or remove the namespace from the manifest.");
        }
        return own != null ? own : session.namespace(namespaceFlag);
    }

    private Map<String, Object> existing(ResourceApi api, String namespace, String name) {
        try {
            return ResourceQuery.call(session, api, "get", name, namespace, () -> api.get(namespace, name, ResourceApi.Form.OBJECTS));
        } catch (ResourceApi.ApiError e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static Map<String, Object> withNamespace(ResourceApi api, Map<String, Object> object, String namespace) {
        if (namespace == null) {
            return object;
        }
        Map<String, Object> copy = new LinkedHashMap<>(object);
        Map<String, Object> metadata = new LinkedHashMap<>(Json.obj(object, "metadata"));
        metadata.put("namespace", namespace);
        copy.put("metadata", metadata);
        return copy;
    }

    /** True when two versions of an object differ only in resourceVersion and managedFields. */
    static boolean sameContent(Map<String, Object> before, Map<String, Object> after) {
        return Objects.equals(withoutBookkeeping(before), withoutBookkeeping(after));
    }

    private static Map<String, Object> withoutBookkeeping(Map<String, Object> object) {
        Map<String, Object> copy = new LinkedHashMap<>(object);
        Map<String, Object> metadata = Json.obj(object, "metadata");
        if (metadata != null) {
            Map<String, Object> trimmed = new LinkedHashMap<>(metadata);
            for (String key : List.of("resourceVersion", "managedFields")) {
                trimmed.remove(key);
            }
            copy.put("metadata", trimmed);
        }
        return copy;
    }
}
