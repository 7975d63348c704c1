package org.iommufd4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.iommufd4j.bench.Suites;
import org.junit.jupiter.api.Test;

class MeasurementTest {
    private static Measurement floor(String method, String tables, double nsPerCall, int entries) {
        return new Measurement(Suites.FLOOR, method, Map.of("tables", tables), "stores", nsPerCall, Double.NaN,
                entries, "floor.store", null);
    }

    @Test
    void perEntryIsPerCallOverEntriesAndAbsentForCallsThatWriteNone() {
        assertEquals(1.5, floor("store256", "1", 384, 256).nsPerEntry());
        Measurement ioctl = new Measurement(Suites.DISPATCH, "destroyMissingBytes", Map.of(), "ioctl", 900, 10, 0, "", null);
        assertTrue(Double.isNaN(ioctl.nsPerEntry()));
        assertEquals("destroyMissingBytes", ioctl.label());
        assertEquals("store256 tables=1", floor("store256", "1", 384, 256).label());
    }

    @Test
    void theLinuxKeyTemplateTakesTheBenchmarksParameters() {
        assertEquals("map.256x4K", Measurement.substitute("{op}.{size}", Map.of("op", "map", "size", "256x4K"), "b"));
        assertEquals("floor.store", Measurement.substitute("floor.store", Map.of(), "b"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Measurement.substitute("{op}.{size}", Map.of("op", "map"), "Bench.map"));
        assertTrue(e.getMessage().contains("Bench.map") && e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void entryCountsAreReadFromTheParametersLeadingDigits() {
        assertEquals(256, Measurement.leadingCount("256x4K", "size", "b"));
        assertEquals(262144, Measurement.leadingCount("262144x4K", "size", "b"));
        assertThrows(IllegalStateException.class, () -> Measurement.leadingCount("x4K", "size", "b"));
        assertThrows(IllegalStateException.class, () -> Measurement.leadingCount(null, "size", "b"));
    }

    @Test
    void theFloorReferenceIs256StoresOver512TablesElseTheFastestFloor() {
        Measurement ref = floor("store256", "512", 300, 256);
        List<Measurement> all = List.of(floor("fillTable", "1", 200, 512), ref, floor("store256", "1", 250, 256));
        assertEquals(ref, Report.floorReference(all).orElseThrow());
        Measurement fastest = floor("fillTable", "1", 200, 512);
        assertEquals(fastest, Report.floorReference(List.of(floor("store256", "1", 250, 256), fastest)).orElseThrow());
        assertTrue(Report.floorReference(List.of()).isEmpty());
    }

    @Test
    void numbersPrintWithThreeSignificantDigits() {
        assertEquals("0.296", Report.ns(0.2964));
        assertEquals("1.16", Report.ns(1.156));
        assertEquals("24.7", Report.ns(24.71));
        assertEquals("4,968", Report.ns(4967.58));
        assertEquals("—", Report.ns(Double.NaN));
    }
}
