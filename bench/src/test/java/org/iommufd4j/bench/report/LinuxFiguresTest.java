package org.iommufd4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LinuxFiguresTest {
    private final LinuxFigures figures = LinuxFigures.load();

    @Test
    void looksFiguresUpByOperationFormatAndOrigin() {
        LinuxFigures.Figure vtd = figures.find("map.256x4K", "vtd-ss-48", LinuxFigures.Origin.MACHINE).orElseThrow();
        assertEquals(244.0, vtd.nsPerCall());
        assertEquals(0.95, vtd.nsPerEntry());
        assertEquals(391.0, figures.find("map.256x4K", "vtd-ss-48", LinuxFigures.Origin.PUBLISHED).orElseThrow().nsPerCall());
        // Linux's x86_64 format is both AMD v2 and the VT-d first stage.
        assertEquals(181.0, figures.find("unmap.256x4K", "x86-64-48", LinuxFigures.Origin.MACHINE).orElseThrow().nsPerCall());
        assertEquals(181.0, figures.find("unmap.256x4K", "amdv2", LinuxFigures.Origin.MACHINE).orElseThrow().nsPerCall());
    }

    @Test
    void theFloorAppliesToEveryFormatAndHasNoPerCallFigure() {
        LinuxFigures.Figure floor = figures.find("floor.store", null, LinuxFigures.Origin.MACHINE).orElseThrow();
        assertEquals(0.30, floor.nsPerEntry());
        assertTrue(Double.isNaN(floor.nsPerCall()));
    }

    @Test
    void noFigureForUnknownOperationsFormatsOrAnEmptyKey() {
        assertTrue(figures.find("map.256x4K", "mock", LinuxFigures.Origin.MACHINE).isEmpty());
        assertTrue(figures.find("map.3x4K", "amdv1", LinuxFigures.Origin.MACHINE).isEmpty());
        assertTrue(figures.find("", null, LinuxFigures.Origin.MACHINE).isEmpty());
        // §7 has no ARM figures: ARM comes only from the published series.
        assertTrue(figures.find("map.1x4K", "arm-lpae-s1-4k", LinuxFigures.Origin.MACHINE).isEmpty());
        assertFalse(figures.find("map.1x4K", "arm-lpae-s1-4k", LinuxFigures.Origin.PUBLISHED).isEmpty());
    }

    @Test
    void perEntryFiguresAgreeWithPerCallFiguresOverTheEntryCount() {
        Pattern count = Pattern.compile("^[a-z]+\\.(\\d+)x");
        int checked = 0;
        for (LinuxFigures.Figure f : figures.all()) {
            Matcher m = count.matcher(f.key());
            if (m.find() && !Double.isNaN(f.nsPerCall())) {
                // The per-entry column is derived; a typo in either shows here (2 printed digits).
                assertEquals(f.nsPerCall() / Integer.parseInt(m.group(1)), f.nsPerEntry(), 0.01, f.toString());
                checked++;
            }
        }
        assertTrue(checked > 30, "checked " + checked);
    }

    @Test
    void theSourcesAreCited() {
        String notes = String.join("\n", figures.sourceNotes());
        assertTrue(notes.contains("i7-12700"));
        assertTrue(notes.contains("section 7"));
        assertTrue(notes.contains("measured separately"));
    }
}
