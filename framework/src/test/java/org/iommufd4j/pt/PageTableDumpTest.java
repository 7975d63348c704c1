package org.iommufd4j.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTableDump.DirtyState;
import org.iommufd4j.pt.PageTableDump.Item;
import org.iommufd4j.pt.PageTableDump.Kind;
import org.iommufd4j.pt.PageTableDump.Table;
import org.iommufd4j.pt.format.X8664Format;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The dump of x86-64 tables, checked against entries written from Intel SDM vol. 3 section 4.5
 * (tables 4-15..4-20): P=bit 0, R/W=1, U/S=2, A=5, D=6, PS=7, address 51:12. Also the DOT and
 * SVG renderings (well-formed, one box per table, one edge per table pointer).
 */
class PageTableDumpTest {
    private static final long K4 = 1L << 12;
    private static final long M2 = 1L << 21;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final PageTable pt = new PageTable(X8664Format.fourLevel(), memory);

    /** 2 MiB read-write at 2 MiB, and one 4 KiB read-only page at 4 KiB. */
    private PageTableDump twoMappings() {
        pt.map(M2, 0x4000_0000L, M2, 1, Prot.READ | Prot.WRITE);
        pt.map(K4, 0x5000, K4, 1, Prot.READ);
        return PageTableDump.of(pt);
    }

    private static Item only(Table t) {
        assertEquals(1, t.items().size(), "items of " + t);
        return t.items().get(0);
    }

    @Test
    void walksFromTheRootAndShowsTheSpecsBits() {
        PageTableDump d = twoMappings();
        assertEquals(pt.topPa(), d.rootPa());
        Table l3 = d.root();
        assertEquals(3, l3.level());
        assertEquals(512, l3.slots());
        Item pml4e = only(l3);
        assertEquals(Kind.TABLE, pml4e.kind());
        assertEquals(0, pml4e.index());
        assertEquals(0, pml4e.iova());
        assertEquals((1L << 39) - 1, pml4e.iovaLast());
        // Linux writes table pointers P|R/W|U/S|A = 0x27 plus the next table's address.
        assertEquals(pml4e.address() | 0x27, pml4e.raw());
        assertEquals(pml4e.address(), pml4e.next().pa());

        Table l1 = only(only(l3).next()).next();
        assertEquals(1, l1.level());
        assertEquals(2, l1.items().size());
        Item pte0 = l1.items().get(0);
        assertEquals(Kind.TABLE, pte0.kind());
        Item pde = l1.items().get(1);
        assertEquals(Kind.LEAF, pde.kind());
        // SDM table 4-18, a PDE that maps a 2 MiB page: P, R/W, U/S, A, D, PS and bits 51:21.
        assertEquals(0x4000_0000L | 0x1 | 0x2 | 0x4 | 0x20 | 0x40 | 0x80, pde.raw());
        assertEquals(0x4000_00e7L, pde.raw());
        assertEquals(M2, pde.iova());
        assertEquals(2 * M2 - 1, pde.iovaLast());
        assertEquals(0x4000_0000L, pde.address());
        assertEquals(21, pde.pageSizeLg2());
        assertEquals(Prot.READ | Prot.WRITE, pde.prot());
        assertEquals(1, pde.field("PS").orElseThrow().value());
        assertEquals(1, pde.field("D").orElseThrow().value());
        assertEquals(DirtyState.NOT_TRACKED, pde.dirty());
        assertNull(pde.problem());

        Item pte = only(pte0.next());
        // SDM table 4-20, a read-only PTE: P, U/S, A and bits 51:12; R/W clear.
        assertEquals(0x5000L | 0x1 | 0x4 | 0x20, pte.raw());
        assertEquals(0, pte.field("R/W").orElseThrow().value());
        assertEquals(Prot.READ, pte.prot());
        assertEquals(K4, pte.iova());
        assertEquals(0x5000, pte.address());

        assertEquals(4, d.tableCount());
        assertEquals(pt.tableFrames(), d.tableFrames());
        assertEquals(2, d.leafItemCount());
        assertEquals(List.of(pte, pde), d.leaves());
    }

    @Test
    void textShowsEachRawEntryInHexThenWhatItDecodesTo() {
        String text = twoMappings().text();
        assertTrue(text.startsWith("x86-64 page table: 4 levels, top L3 at 0x"), text);
        assertTrue(text.lines().findFirst().orElseThrow().contains(", 48-bit IOVA (sign-extended), 52-bit OA; 4 tables in 4 frames,"
                + " 2 leaf items"), text);
        String pdeLine = text.lines().filter(l -> l.contains("0x00000000400000e7")).findFirst().orElseThrow();
        assertTrue(pdeLine.matches("\\s+\\[\\s*1\\] 0x00000000400000e7 leaf .*"), pdeLine);
        assertTrue(pdeLine.contains("iova 0x0000000000200000-0x00000000003fffff"), pdeLine);
        assertTrue(pdeLine.contains("-> pa 0x0000000040000000 2M rw"), pdeLine);
        assertTrue(pdeLine.endsWith("P R/W U/S A D PS"), pdeLine);
        String pteLine = text.lines().filter(l -> l.contains("0x0000000000005025")).findFirst().orElseThrow();
        assertTrue(pteLine.contains("4K r-") && pteLine.endsWith("P U/S A"), pteLine);
        // Each level one step further in.
        List<String> tables = text.lines().filter(l -> l.matches("\\s*L\\d table 0x.*")).toList();
        assertEquals(4, tables.size(), text);
        for (int i = 1; i < tables.size(); i++) {
            assertTrue(indent(tables.get(i)) > indent(tables.get(i - 1)), text);
        }
    }

    private static int indent(String s) {
        return s.length() - s.stripLeading().length();
    }

    @Test
    void upperHalfIovasAreSignExtended() {
        long upper = 0xffff_8000_0000_0000L;
        pt.map(upper, 0x7000, K4, 1, Prot.READ | Prot.WRITE);
        PageTableDump d = PageTableDump.of(pt);
        Item pml4e = only(d.root());
        assertEquals(256, pml4e.index());
        assertEquals(upper, pml4e.iova());
        Item leaf = d.leaves().get(0);
        assertEquals(upper, leaf.iova());
        assertEquals(upper + K4 - 1, leaf.iovaLast());
        assertEquals(pt.iovaToPhys(upper), leaf.address());
    }

    @Test
    void aPointerAWalkerCannotFollowIsReportedNotThrown() {
        pt.map(0, 0, K4, 1, Prot.READ | Prot.WRITE);
        // Corrupt the PML4E: a table beyond the 64 MiB of host memory.
        memory.writeLong(pt.topPa(), X8664Format.P | X8664Format.RW | (1L << 40));
        Item bad = only(PageTableDump.of(pt).root());
        assertNull(bad.next());
        assertNotNull(bad.problem());
        assertTrue(bad.problem().contains("outside host memory"), bad.problem());
        assertTrue(PageTableDump.of(pt).text().contains("!! points to 0x10000000000"));
    }

    /** x86-64 with a describe() that throws, as a buggy plugin format might. */
    private static final class BrokenDescribe implements PageTableFormat {
        private final PageTableFormat f = X8664Format.fourLevel();

        @Override public String name() { return "broken"; }
        @Override public int vaBits() { return f.vaBits(); }
        @Override public boolean signExtended() { return f.signExtended(); }
        @Override public int oaBits() { return f.oaBits(); }
        @Override public int topLevel() { return f.topLevel(); }
        @Override public int itemShift(int level) { return f.itemShift(level); }
        @Override public int indexBits(int level) { return f.indexBits(level); }
        @Override public long leafSizes(int level) { return f.leafSizes(level); }
        @Override public long presentMask(int level) { return f.presentMask(level); }
        @Override public long tableMask(int level) { return f.tableMask(level); }
        @Override public long tableMatch(int level) { return f.tableMatch(level); }
        @Override public long tableEntry(int level, long pa) { return f.tableEntry(level, pa); }
        @Override public long tablePa(int level, long entry) { return f.tablePa(level, entry); }
        @Override public long leafTemplate(int level, int lg2, int prot) { return f.leafTemplate(level, lg2, prot); }
        @Override public long encodeOa(int level, long oa) { return f.encodeOa(level, oa); }
        @Override public long leafOa(int level, long entry) { return f.leafOa(level, entry); }
        @Override public int leafProt(int level, long entry) { return f.leafProt(level, entry); }

        @Override
        public List<BitField> describe(int level, long entry) {
            throw new IllegalStateException("no fields at level " + level);
        }
    }

    @Test
    void aFormatWhoseDescribeThrowsStillDumpsAndSaysWhy() {
        PageTable broken = new PageTable(new BrokenDescribe(), memory);
        broken.map(0, 0x9000, K4, 1, Prot.READ | Prot.WRITE);
        // The hardware-root overload: format, memory, root and top level, as a driver programs them.
        PageTableDump d = PageTableDump.of(broken.format(), memory, broken.topPa(), broken.topLevel());
        assertEquals(1, d.leaves().size());
        Item leaf = d.leaves().get(0);
        assertEquals(0x9000, leaf.address());
        assertTrue(leaf.fields().isEmpty());
        assertTrue(leaf.problem().contains("broken.describe() failed") && leaf.problem().contains("level 0"), leaf.problem());
        assertThrows(IllegalArgumentException.class, () -> PageTableDump.of(broken.format(), memory, broken.topPa() + 8, 3));
        assertThrows(IllegalArgumentException.class, () -> PageTableDump.of(broken.format(), memory, broken.topPa(), 4));
    }

    @Test
    void aDestroyedTableCannotBeDumped() {
        pt.destroy();
        assertThrows(IllegalStateException.class, () -> PageTableDump.of(pt));
    }

    @Test
    void anEmptyTableIsJustItsTop() {
        PageTableDump d = PageTableDump.of(pt);
        assertEquals(1, d.tableCount());
        assertTrue(d.root().items().isEmpty());
        assertTrue(d.text().contains("0 of 512 items present"));
        parseSvg(d.svg());
    }

    // ------------------------------------------------------------------------- pictures

    static Document parseSvg(String svg) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("SVG is not well-formed XML: " + e.getMessage() + "\n" + svg, e);
        }
    }

    @Test
    void svgIsWellFormedWithABoxPerTableAndACurvePerPointer() {
        PageTableDump d = twoMappings();
        Document doc = parseSvg(d.svg());
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertTrue(Double.parseDouble(root.getAttribute("width")) > 100);
        NodeList groups = doc.getElementsByTagNameNS("*", "g");
        assertEquals(d.tableCount(), groups.getLength());
        int curves = 0;
        NodeList paths = doc.getElementsByTagNameNS("*", "path");
        for (int i = 0; i < paths.getLength(); i++) {
            if (((Element) paths.item(i)).hasAttribute("marker-end")) {
                curves++;
            }
        }
        assertEquals(d.tableCount() - 1, curves);
        assertTrue(root.getTextContent().contains("0x00000000400000e7"));
    }

    @Test
    void picturesElideLongTablesAndSaySo() {
        pt.map(0, 0, K4, 100, Prot.READ | Prot.WRITE); // 100 PTEs in one table (pa 0 is 2M-aligned but 100 pages are not)
        PageTableDump d = PageTableDump.of(pt);
        String svg = d.svg(10);
        parseSvg(svg);
        assertTrue(svg.contains("... 90 more items not drawn"), svg);
        assertTrue(d.dot(10).contains("... 90 more items not drawn"));
        assertEquals(100, d.text().lines().filter(l -> l.matches("\\s+\\[.*\\] 0x\\p{XDigit}{16} leaf .*")).count(), "text shows everything");
        assertThrows(IllegalArgumentException.class, () -> d.svg(0));
    }

    private static final Pattern NODE = Pattern.compile("^  (t\\d+) \\[label=<(.*)>\\];$");
    private static final Pattern EDGE = Pattern.compile("^  (t\\d+):(i\\d+):e -> (t\\d+):h:w;$");

    @Test
    void dotDeclaresEveryNodeItLinksAndItsLabelsAreWellFormed() throws Exception {
        PageTableDump d = twoMappings();
        String dot = d.dot();
        assertTrue(dot.startsWith("digraph pagetable {\n") && dot.endsWith("}\n"), dot);
        Set<String> nodes = new HashSet<>();
        Set<String> ports = new HashSet<>();
        List<String[]> edges = new ArrayList<>();
        for (String line : dot.lines().toList()) {
            Matcher n = NODE.matcher(line);
            Matcher e = EDGE.matcher(line);
            if (n.matches()) {
                nodes.add(n.group(1));
                // An HTML-like label is XML: parse it and collect its ports.
                Document label = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(new ByteArrayInputStream(n.group(2).getBytes(StandardCharsets.UTF_8)));
                NodeList cells = label.getElementsByTagName("TD");
                for (int i = 0; i < cells.getLength(); i++) {
                    String port = ((Element) cells.item(i)).getAttribute("PORT");
                    if (!port.isEmpty()) {
                        ports.add(n.group(1) + ":" + port);
                    }
                }
            } else if (e.matches()) {
                edges.add(new String[] {e.group(1), e.group(2), e.group(3)});
            }
        }
        assertEquals(d.tableCount(), nodes.size());
        assertEquals(d.tableCount() - 1, edges.size());
        for (String[] e : edges) {
            assertTrue(ports.contains(e[0] + ":" + e[1]), "edge from an undeclared port " + e[0] + ":" + e[1]);
            assertTrue(ports.contains(e[2] + ":h"), "edge to an undeclared node " + e[2]);
        }
        assertTrue(dot.contains("0x00000000400000e7"));
    }

    @Test
    void bitFieldsCompactTheWayTheDumpPrintsThem() {
        long e = 0b1010_1100L;
        assertEquals("X", BitField.flag("X", 2, e).compact());
        assertEquals("", BitField.flag("Y", 0, e).compact());
        assertEquals("F=5", BitField.field("F", 5, 3, e).compact());
        assertEquals("G=0xa(ten)", BitField.field("G", 7, 4, e, "ten").compact());
        assertEquals(7, BitField.field("G", 7, 4, e).msb());
        assertThrows(IllegalArgumentException.class, () -> new BitField("Z", 60, 8, 0, ""));
        assertEquals("2K", PageTableDump.sizeName(11));
        assertEquals("512G", PageTableDump.sizeName(39));
        assertEquals("-w+cache", PageTableDump.protName(Prot.WRITE | Prot.CACHE));
    }
}
