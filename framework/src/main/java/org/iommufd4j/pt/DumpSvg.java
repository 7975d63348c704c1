package org.iommufd4j.pt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.iommufd4j.pt.PageTableDump.Item;
import org.iommufd4j.pt.PageTableDump.Table;

/**
 * {@link PageTableDump} as a standalone SVG picture, drawn by hand (boxes, text and lines are all
 * a page-table tree needs, so no graph-layout library): one box per table, a column per level
 * from the root on the left, a row per shown item coloured by kind (table pointer, leaf, dirty
 * leaf, problem), and a curve from each table pointer's row to the table it leads to. A child
 * table is placed level with the row that points to it unless the column is already filled there.
 */
final class DumpSvg {
    private static final double ROW = 18;
    private static final double CHAR = 7.2; // advance of a 12 px monospace glyph
    private static final double PAD = 8;
    private static final double GAP_X = 56;
    private static final double GAP_Y = 14;
    private static final double MARGIN = 12;
    private static final double TITLE = 24;

    /** One table's box. */
    private static final class Box {
        final Table table;
        final int column;
        final List<String> rows = new ArrayList<>();
        final List<String> colors = new ArrayList<>();
        final List<Box> children = new ArrayList<>();
        final List<Integer> childRows = new ArrayList<>();
        double y;

        Box(Table table, int column) {
            this.table = table;
            this.column = column;
        }

        double height() {
            return ROW * (1 + rows.size());
        }
    }

    private final int maxRows;
    private final List<Box> boxes = new ArrayList<>();
    private final List<Double> columnWidth = new ArrayList<>();
    private final List<Double> columnFree = new ArrayList<>();

    private DumpSvg(int maxRows) {
        this.maxRows = maxRows;
    }

    static String render(PageTableDump dump, int maxRows) {
        DumpSvg svg = new DumpSvg(maxRows);
        Box root = svg.build(dump.root(), 0);
        svg.place(root, MARGIN + TITLE);
        return svg.draw(dump.headline());
    }

    private Box build(Table t, int column) {
        Box box = new Box(t, column);
        boxes.add(box);
        while (columnWidth.size() <= column) {
            columnWidth.add(0.0);
            columnFree.add(0.0);
        }
        String title = PageTableDump.tableTitle(t) + String.format(Locale.ROOT, " (%d of %d present)", t.items().size(), t.slots());
        double width = textWidth(title);
        int shown = Math.min(maxRows, t.items().size());
        for (int r = 0; r < shown; r++) {
            Item item = t.items().get(r);
            String row = PageTableDump.row(t, item);
            box.rows.add(row);
            box.colors.add(DumpDot.color(item));
            width = Math.max(width, textWidth(row));
            if (item.next() != null) {
                box.children.add(build(item.next(), column + 1));
                box.childRows.add(r);
            }
        }
        if (shown < t.items().size()) {
            String more = DumpDot.elided(t, shown);
            box.rows.add(more);
            box.colors.add("#ffffff");
            width = Math.max(width, textWidth(more));
        }
        columnWidth.set(column, Math.max(columnWidth.get(column), width));
        return box;
    }

    private static double textWidth(String s) {
        return s.length() * CHAR + 2 * PAD;
    }

    private void place(Box box, double wantedY) {
        box.y = Math.max(wantedY, columnFree.get(box.column));
        columnFree.set(box.column, box.y + box.height() + GAP_Y);
        for (int c = 0; c < box.children.size(); c++) {
            place(box.children.get(c), box.y + ROW * (1 + box.childRows.get(c)));
        }
    }

    private double columnX(int column) {
        double x = MARGIN;
        for (int c = 0; c < column; c++) {
            x += columnWidth.get(c) + GAP_X;
        }
        return x;
    }

    private String draw(String headline) {
        double width = Math.max(columnX(columnWidth.size()) - GAP_X + MARGIN, textWidth(headline) + 2 * MARGIN);
        double height = MARGIN;
        for (double free : columnFree) {
            height = Math.max(height, free - GAP_Y + MARGIN);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"12\">%n", width, height, width, height));
        sb.append("<title>").append(DumpDot.html(headline)).append("</title>\n");
        sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                + "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333333\"/></marker></defs>\n");
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">%s</text>%n", MARGIN,
                MARGIN + 12, DumpDot.html(headline)));
        for (Box box : boxes) {
            drawBox(sb, box);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private void drawBox(StringBuilder sb, Box box) {
        double x = columnX(box.column);
        double w = columnWidth.get(box.column);
        Table t = box.table;
        sb.append(String.format(Locale.ROOT, "<g class=\"table\" id=\"table-%x\">%n", t.pa()));
        rowRect(sb, x, box.y, w, "#d9d9d9");
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">%s</text>%n", x + PAD,
                box.y + 13, DumpDot.html(PageTableDump.tableTitle(t) + String.format(Locale.ROOT, " (%d of %d present)",
                        t.items().size(), t.slots()))));
        for (int r = 0; r < box.rows.size(); r++) {
            double y = box.y + ROW * (1 + r);
            rowRect(sb, x, y, w, box.colors.get(r));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" xml:space=\"preserve\">%s</text>%n", x + PAD,
                    y + 13, DumpDot.html(box.rows.get(r))));
        }
        sb.append("</g>\n");
        for (int c = 0; c < box.children.size(); c++) {
            Box child = box.children.get(c);
            double x1 = x + w;
            double y1 = box.y + ROW * (1 + box.childRows.get(c)) + ROW / 2;
            double x2 = columnX(child.column);
            double y2 = child.y + ROW / 2;
            sb.append(String.format(Locale.ROOT, "<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                    + "stroke=\"#333333\" marker-end=\"url(#arrow)\"/>%n", x1, y1, x1 + GAP_X / 2, y1, x2 - GAP_X / 2, y2, x2, y2));
        }
    }

    private static void rowRect(StringBuilder sb, double x, double y, double w, String fill) {
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                + "stroke=\"#555555\"/>%n", x, y, w, ROW, fill));
    }
}
