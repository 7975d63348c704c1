package org.iommufd4j.pt;

import java.util.Locale;
import org.iommufd4j.pt.PageTableDump.DirtyState;
import org.iommufd4j.pt.PageTableDump.Item;
import org.iommufd4j.pt.PageTableDump.Table;

/**
 * {@link PageTableDump} as Graphviz DOT: one node per table with an HTML-like label (a header
 * cell and one cell per shown item, each with a port), one edge per table pointer, left to right
 * from the root. Render with {@code dot -Tsvg} or {@code dot -Tpng}.
 */
final class DumpDot {
    static final String TABLE_COLOR = "#dbe9f6";
    static final String LEAF_COLOR = "#e2f0d9";
    static final String DIRTY_COLOR = "#fbd5b5";
    static final String PROBLEM_COLOR = "#f4b6b6";

    private final StringBuilder sb = new StringBuilder();
    private final int maxRows;
    private int nodes;

    private DumpDot(int maxRows) {
        this.maxRows = maxRows;
    }

    static String render(PageTableDump dump, int maxRows) {
        DumpDot d = new DumpDot(maxRows);
        d.sb.append("digraph pagetable {\n");
        d.sb.append("  graph [rankdir=LR, labelloc=t, fontname=\"monospace\", label=\"")
                .append(quoted(dump.headline())).append("\"];\n");
        d.sb.append("  node [shape=plaintext, fontname=\"monospace\", fontsize=10];\n");
        d.sb.append("  edge [arrowsize=0.6];\n");
        d.table(dump.root());
        d.sb.append("}\n");
        return d.sb.toString();
    }

    /** Emits the node of {@code t} and everything below it; returns its node name. */
    private String table(Table t) {
        String node = "t" + nodes++;
        StringBuilder label = new StringBuilder("<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">");
        label.append("<TR><TD PORT=\"h\" BGCOLOR=\"#d9d9d9\" ALIGN=\"LEFT\"><B>")
                .append(html(PageTableDump.tableTitle(t) + String.format(Locale.ROOT, " (%d of %d present)",
                        t.items().size(), t.slots())))
                .append("</B></TD></TR>");
        int shown = Math.min(maxRows, t.items().size());
        for (int r = 0; r < shown; r++) {
            Item item = t.items().get(r);
            label.append("<TR><TD PORT=\"i").append(item.index()).append("\" ALIGN=\"LEFT\" BGCOLOR=\"")
                    .append(color(item)).append("\">").append(html(PageTableDump.row(t, item))).append("</TD></TR>");
        }
        if (shown < t.items().size()) {
            label.append("<TR><TD ALIGN=\"LEFT\">").append(html(elided(t, shown))).append("</TD></TR>");
        }
        label.append("</TABLE>");
        sb.append("  ").append(node).append(" [label=<").append(label).append(">];\n");
        for (int r = 0; r < shown; r++) {
            Item item = t.items().get(r);
            if (item.next() != null) {
                String child = table(item.next());
                sb.append("  ").append(node).append(":i").append(item.index()).append(":e -> ").append(child).append(":h:w;\n");
            }
        }
        return node;
    }

    static String elided(Table t, int shown) {
        long more = t.items().size() - shown;
        long tables = t.items().stream().skip(shown).filter(i -> !i.isLeaf()).count();
        return "... " + more + " more item" + (more == 1 ? "" : "s") + (tables == 0 ? "" : " (" + tables + " table pointers)")
                + " not drawn";
    }

    static String color(Item item) {
        if (item.problem() != null) {
            return PROBLEM_COLOR;
        }
        if (!item.isLeaf()) {
            return TABLE_COLOR;
        }
        return item.dirty() == DirtyState.DIRTY ? DIRTY_COLOR : LEAF_COLOR;
    }

    /** Text for an HTML-like label (XML character escapes). */
    static String html(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Text for a double-quoted DOT string. */
    private static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
