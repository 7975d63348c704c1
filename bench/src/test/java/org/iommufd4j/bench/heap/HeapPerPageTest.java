package org.iommufd4j.bench.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HeapPerPageTest {
    @Test
    void theLineTheFreshJvmPrintsParsesBack() {
        HeapPerPage.Result r = new HeapPerPage.Result("vtd-ss-48", "scattered", 262144, 7_340_032, 515);
        assertEquals(r, HeapPerPage.Result.parse(r.line()));
        // 7 MiB over 262,144 pages is 28 bytes, plus the 4-byte pin counter.
        assertEquals(32.0, r.perPage(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> HeapPerPage.Result.parse("heap format=x"));
    }
}
