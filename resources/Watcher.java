package resources;

import lib.Json;
import lib.ResourcePrinter;
import lib.ResourceQuery;
import lib.TabWriter;
import lib.UserError;

import java.io.PrintWriter;
import java.util.Map;

/** Prints the changes `get -w` watches for, one line (or document) per event, until the stream ends or Ctrl-C. */
final class Watcher {

    private final ResourceQuery.Fetched initial;
    private final Get.OutputFormat format;
    private final PrintWriter out;
    private final ResourcePrinter.TableOptions options;
    private final TabWriter table;
    private boolean headerPrinted;

    /** table: the writer that printed the initial list, so event rows keep its column widths. */
    Watcher(ResourceQuery.Fetched initial, Get.OutputFormat format, PrintWriter out, ResourcePrinter.TableOptions options,
            TabWriter table) {
        this.initial = initial;
        this.format = format;
        this.out = out;
        this.options = options;
        this.table = table;
        this.headerPrinted = initial.count() > 0;
    }

    void run(String namespace, String labelSelector, String fieldSelector) {
        String from = initial.resourceVersion() == null ? "0" : initial.resourceVersion();
        initial.api().watch(namespace, labelSelector, fieldSelector, from, format.table(), this::print);
    }

    private void print(Map<String, Object> event) {
        Map<String, Object> object = Json.obj(event, "object");
        if ("ERROR".equals(Json.str(event, "type")) || object == null) {
            throw new UserError("the watch ended with an error: " + (object == null ? "no object" : Json.str(object, "message")),
                "Run the command again to watch from the current state.");
        }
        switch (format.kind()) {
            case TABLE -> printRow(object);
            case NAME -> out.println(initial.api().typeName() + "/" + Json.str(Json.obj(object, "metadata"), "name"));
            case CUSTOM_COLUMNS -> throw UserError.usage("-w cannot be combined with custom-columns", null);
            default -> out.print(format.render(ResourcePrinter.forOutput(object, false)));
        }
        out.flush();
    }

    private void printRow(Map<String, Object> object) {
        if (ResourcePrinter.isTable(object)) {
            if (!headerPrinted) {
                table.add(ResourcePrinter.header(object, options));
                headerPrinted = true;
            }
            table.addAll(ResourcePrinter.rows(object, options));
        } else {
            table.addAll(ResourcePrinter.nameAgeRows(java.util.List.of(object), options, !headerPrinted));
            headerPrinted = true;
        }
        table.print(out);
    }
}
