package sdm.master.internal;

import java.util.ArrayList;
import java.util.List;

import sdm.api.node.TerminalText;

/** A plain-text table with columns as wide as their widest cell; cells are made safe for a terminal. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    void row(String... cells) {
        String[] safe = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            safe[i] = cells[i] == null ? "-" : TerminalText.escape(cells[i]);
        }
        rows.add(safe);
    }

    @Override
    public String toString() {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(r[i]);
                if (i < r.length - 1) {
                    out.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }
}
