package org.iommufd4j.drivers.vtd.qi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Raw descriptor words for given fields, laid out by hand from VT-d spec 6.5.2 / Linux iommu.h. */
class QiDescriptorGoldenTest {
    @Test
    void pageSelectiveIotlbInvalidate() {
        // type 2 | G=3 (bits 5:4) | DW bit 6 | DR bit 7 | DID 5 at 31:16; qw1: ADDR | IH bit 6 | AM 0
        assertArrayEquals(new long[] {0x0000_0000_0005_00f2L, 0x0000_0000_1234_5040L},
                QiDescriptor.iotlbPage(5, 0x1234_5000L, 0, true, true, true));
        // 2 MiB block: AM 9, no IH, no drains
        assertArrayEquals(new long[] {0x0000_0000_ffff_0032L, 0x0000_7fff_ffe0_0009L},
                QiDescriptor.iotlbPage(0xffff, 0x7fff_ffe0_0000L, 9, false, false, false));
    }

    @Test
    void domainSelectiveAndGlobalIotlbInvalidate() {
        assertArrayEquals(new long[] {0x0000_0000_1234_0022L, 0}, QiDescriptor.iotlbDomain(0x1234, false, false));
        assertArrayEquals(new long[] {0x0000_0000_0002_00e2L, 0}, QiDescriptor.iotlbDomain(2, true, true));
        assertArrayEquals(new long[] {0x12L, 0}, QiDescriptor.iotlbGlobal(false, false));
    }

    @Test
    void pasidBasedIotlbInvalidate() {
        // type 6 | G=3 | DID 7 at 31:16 | PASID 0x12 at 51:32; qw1 ADDR | AM 9
        assertArrayEquals(new long[] {0x0000_0012_0007_0036L, 0x0000_0000_0020_0009L},
                QiDescriptor.pasidIotlbPage(7, 0x12, 0x20_0000L, 9, false));
        assertArrayEquals(new long[] {0x000f_ffff_0007_0026L, 0}, QiDescriptor.pasidIotlbAll(7, 0xf_ffff));
    }

    @Test
    void contextCacheInvalidate() {
        // type 1 | G=3 device | DID 3 at 31:16 | SID 0x0010 (00:02.0) at 47:32 | FM 2 at 49:48
        assertArrayEquals(new long[] {0x0002_0010_0003_0031L, 0}, QiDescriptor.contextCacheDevice(3, 0x10, 2));
        assertArrayEquals(new long[] {0x0000_0000_0009_0021L, 0}, QiDescriptor.contextCacheDomain(9));
        assertArrayEquals(new long[] {0x11L, 0}, QiDescriptor.contextCacheGlobal());
    }

    @Test
    void invalidationWait() {
        // type 5 | SW bit 5 | FN bit 6 | status data 2 (QI_DONE) at 63:32; qw1 status address
        assertArrayEquals(new long[] {0x0000_0002_0000_0025L, 0x0000_0001_2345_6784L},
                QiDescriptor.waitWithStatus(0x1_2345_6784L, QiDescriptor.QI_DONE, false));
        assertArrayEquals(new long[] {0x0000_0001_0000_0065L, 0x1000L}, QiDescriptor.waitWithStatus(0x1000, 1, true));
    }

    @Test
    void fieldsThatDoNotFitAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> QiDescriptor.iotlbDomain(0x1_0000, false, false));
        assertThrows(IllegalArgumentException.class, () -> QiDescriptor.pasidIotlbAll(1, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> QiDescriptor.waitWithStatus(0x1002, 2, false));
    }
}
