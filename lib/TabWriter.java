package lib;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints rows of cells in aligned columns exactly as kubectl does: Go's text/tabwriter with a
 * minimum cell width of 6, padding 3 and space padding. Every cell but the last of a row is
 * padded, so a row whose last cell is empty ends in spaces, as kubectl's rows do.
 */
public final class TabWriter {

    static final int MIN_WIDTH = 6;
    static final int PADDING = 3;

    private final List<String[]> rows = new ArrayList<>();
    private int[] remembered;

    /**
     * Keeps every column at least as wide as it was in earlier prints, so the rows `get -w` prints
     * one event at a time line up under the first table, as kubectl's RememberWidths writer does.
     */
    public TabWriter rememberWidths() {
        remembered = new int[0];
        return this;
    }

    public TabWriter add(String... cells) {
        rows.add(cells);
        return this;
    }

    public void addAll(List<String[]> more) {
        rows.addAll(more);
    }

    /** Writes the rows, then clears them; widths are measured in code points, as Go measures them in runes. */
    public void print(PrintWriter out) {
        for (String line : lines()) {
            out.println(line);
        }
        out.flush();
        rows.clear();
    }

    public List<String> lines() {
        int columns = rows.stream().mapToInt(row -> row.length).max().orElse(0);
        int[] widths = new int[Math.max(columns, remembered == null ? 0 : remembered.length)];
        if (remembered != null) {
            System.arraycopy(remembered, 0, widths, 0, remembered.length);
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], Math.max(MIN_WIDTH, length(row[i]) + PADDING));
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - length(row[i])));
                }
            }
            lines.add(line.toString());
        }
        if (remembered != null) {
            remembered = widths;
        }
        return lines;
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
