package org.iommufd4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.iommufd4j.pt.Prot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * {@code pt formats} and {@code pt dump} against the real plugins folder: what they print, the
 * files they write, and their exit codes (0 ok, 1 the engine refused, 2 usage error).
 */
class PtCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }

    @Test
    void formatsListsWhatTheDriversExportWithTheEnginesGeometry() {
        assertEquals(0, run("pt", "formats"), err.toString());
        List<String> lines = lines();
        assertTrue(lines.get(0).matches("DRIVER\\s+FORMAT\\s+LEVELS\\s+VA BITS\\s+OA\\s+DIRTY\\s+PAGE SIZES"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("vtd\\s+vtd-ss-48\\s+4\\s+48\\s+52\\s+yes\\s+4K,2M,1G")), out.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("vtd\\s+x86-64-57\\s+5\\s+57 sign-extended\\s+52\\s+no\\s+4K,2M,1G")),
                out.toString());
        // Columns line up: every row has its FORMAT where the header has it.
        int formatColumn = lines.get(0).indexOf("FORMAT");
        for (String row : lines.subList(1, lines.size() - 1)) {
            assertTrue(row.substring(0, formatColumn).matches("\\S+ {2,}") && row.charAt(formatColumn) != ' ', row);
        }
        // The selftest mock: 2 KiB granule, every power of two to 128 GiB with 3 levels; the huge variant 4K|1M.
        assertTrue(lines.stream().anyMatch(l -> l.matches("mock\\s+mock\\s+3\\s+38\\s+51\\s+yes\\s+2K-128G")), out.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("mock\\s+mock-huge\\s+3\\s+38\\s+51\\s+yes\\s+4K,1M")), out.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("mock\\s+mock-grow\\s+3-5\\s+.*")), out.toString());
        long rows = lines.size() - 2;
        assertTrue(lines.get(lines.size() - 1).startsWith(rows + " format(s) from 4 driver(s)"), out.toString());
    }

    @Test
    void formatsFailsWithoutPlugins(@TempDir Path empty) {
        assertEquals(1, run("pt", "formats", "--plugins-dir", empty.toString()));
        assertTrue(out.toString().contains("0 format(s) from 0 driver(s)"), out.toString());
    }

    @Test
    void dumpPrintsTheVtdSecondStageTreeWithTheSpecsBits() {
        assertEquals(0, run("pt", "dump", "--format", "vtd-ss-48", "--map", "0x200000:0x40000000:2M:rw",
                "--map", "0x1000:0x5000:4K:r", "--set-dirty", "0x200000"), err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("vtd-ss page table: 4 levels"), text);
        // VT-d spec 9.8: R bit 0, W 1, PS 7, D 9 (set by the write), address 51:12.
        String pde = lines().stream().filter(l -> l.contains("0x0000000040000283")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(pde.contains("leaf  iova 0x0000000000200000-0x00000000003fffff -> pa 0x0000000040000000 2M rw dirty"), pde);
        assertTrue(pde.endsWith("R W EMT=0(UC) PS D"), pde);
        String pte = lines().stream().filter(l -> l.contains("0x0000000000005001")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(pte.contains("4K r- clean"), pte);
        assertEquals(4, lines().stream().filter(l -> l.matches("\\s*L\\d table 0x.*")).count(), text);
    }

    @Test
    void dumpShowsEveryReplicaOfAMockContiguousEntry() {
        // Decimal and suffixed numbers: 8K at IOVA 0 from PA 64K.
        assertEquals(0, run("pt", "dump", "--format", "mock", "--map", "0:64K:8K:RW"), err.toString());
        // AMD IOMMU spec 2.2.3 with the mock's 2 KiB granule: IW|IR, address 64K>>11 at bit 12,
        // size code 1, NextLevel 7, PR, in each of the four items.
        assertEquals(4, lines().stream().filter(l -> l.contains("0x6000000000021e01 leaf")
                && l.contains("8K(4x2K) rw clean  PR NextLevel=7(size in address) IR IW")).count(), out.toString());
    }

    @Test
    void dumpWritesAnSvgThatParsesAndADotGraph(@TempDir Path tmp) throws Exception {
        Path svg = tmp.resolve("t.svg");
        Path dot = tmp.resolve("t.dot");
        assertEquals(0, run("pt", "dump", "--format", "x86-64-48", "--map", "0x1000:0x5000:12K:rw",
                "--svg", svg.toString(), "--dot", dot.toString()), err.toString());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertTrue(doc.getDocumentElement().getTextContent().contains("0x0000000000005067"));
        String graph = Files.readString(dot);
        assertTrue(graph.startsWith("digraph pagetable {") && graph.contains("0x0000000000005067"), graph);
        assertTrue(err.toString().contains("wrote the SVG picture to " + svg), err.toString());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("pt"));
        assertEquals(2, run("pt", "dump"));
        assertTrue(err.toString().contains("Missing required option: '--format=NAME'"), err.toString());
        assertEquals(2, run("pt", "dump", "--format", "no-such-format"));
        assertTrue(err.toString().contains("unknown page-table format 'no-such-format'")
                && err.toString().contains("vtd-ss-48"), err.toString());
        for (String bad : new String[] {"0x1000:0x2000:4K", "0x1000:0x2000:4K:rw:x", "0x1000:0xzz:4K:rw", "1000:2000:4Q:rw",
                "0x1000:0x2000:4K:x", "0x1000:0x2000:0:rw", "0x1000:0x2000:99999999999T:rw", "-1:0:4K:rw"}) {
            assertEquals(2, run("pt", "dump", "--format", "mock", "--map", bad), bad);
            assertTrue(err.toString().contains("Invalid value for option '--map'"), bad + ": " + err);
        }
        assertEquals(2, run("pt", "dump", "--format", "mock", "--picture-rows", "0"));
    }

    @Test
    void mapsTheEngineRefusesExitOneWithTheErrno(@TempDir Path tmp) {
        assertEquals(1, run("pt", "dump", "--format", "vtd-ss-39", "--map", "0x1000:0x2001:4K:rw"));
        assertTrue(err.toString().contains("--map 0x1000:0x2001:4K:rw refused by vtd/vtd-ss-39: EINVAL (errno 22)"), err.toString());
        assertEquals(1, run("pt", "dump", "--format", "vtd-ss-39", "--map", "0:0:8K:rw", "--map", "0x1000:0:4K:r"));
        assertTrue(err.toString().contains("EADDRINUSE (errno 98)"), err.toString());
        assertEquals(1, run("pt", "dump", "--format", "vtd-ss-39", "--map", "512G:0:4K:rw"));
        assertTrue(err.toString().contains("ERANGE (errno 34)"), err.toString());
        assertEquals(1, run("pt", "dump", "--format", "mock", "--map", "0:0:3K:rw")); // not a multiple of 2K
        assertTrue(err.toString().contains("EINVAL (errno 22)"), err.toString());
        assertEquals(1, run("pt", "dump", "--format", "x86-64-48", "--map", "0:0:4K:rw", "--set-dirty", "0"));
        assertTrue(err.toString().contains("EOPNOTSUPP (errno 95)"), err.toString());
        assertEquals(1, run("pt", "dump", "--format", "mock", "--svg", tmp.resolve("no/such/dir/t.svg").toString()));
        assertTrue(err.toString().contains("cannot write the SVG picture"), err.toString());
    }

    @Test
    void mapSpecNumbersAreHexOrDecimalWithBinarySuffixes() {
        MapSpec m = MapSpec.parse("0xffff800000000000:1G:0x2_000K:wr");
        assertEquals(0xffff_8000_0000_0000L, m.iova());
        assertEquals(1L << 30, m.pa());
        assertEquals(0x2000L << 10, m.length());
        assertEquals(Prot.READ | Prot.WRITE, m.prot());
        assertEquals(Prot.READ, MapSpec.parse("0:0:4096:r").prot());
        assertEquals(3L << 40, MapSpec.number("LEN", "3t"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MapSpec.parse("0:0:4K:rx"));
        assertEquals("PROT 'rx' must be r, w or rw", e.getMessage());
    }
}
