package org.iommufd4j.drivers.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.iommufd4j.drivers.vtd.pagetable.VtdSecondStageFormat;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class VtdDriverTest {
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, failNth);
    private final IommuDriver driver = new VtdDriverFactory().create(HostServices.of(memory, failNth));

    @Test
    void capabilitiesListPagingDirtyAndTheExportedFormats() {
        assertTrue(driver.capabilities().features().contains(DriverFeature.PAGING));
        assertTrue(driver.capabilities().features().contains(DriverFeature.DIRTY_TRACKING));
        assertTrue(driver.capabilities().features().contains(DriverFeature.NESTING));
        assertEquals(driver.capabilities().pageTableFormats(), java.util.List.copyOf(driver.pageTableFormats().keySet()));
        assertInstanceOf(VtdSecondStageFormat.class, driver.pageTableFormats().get("vtd-ss-48"));
    }

    @Test
    void defaultDomainIsA4LevelSecondStageTable() {
        IommuDevice dev = driver.probe(DeviceConfig.named("00:02.0"));
        PagingDomain domain = dev.allocPagingDomain(0);
        PageTableDomain ptd = assertInstanceOf(PageTableDomain.class, domain);
        assertInstanceOf(VtdSecondStageFormat.class, ptd.pageTable().format());
        assertEquals(3, ptd.pageTable().topLevel());
        assertEquals((1L << 48) - 1, domain.apertureLast());
        assertEquals((1L << 12) | (1L << 21) | (1L << 30), domain.pgsizeBitmap());
        long frames = memory.allocatedFrames();
        domain.map(0x10000, 0x200000, 4096, 16, IommuProt.READ | IommuProt.WRITE);
        assertEquals(0x200000L + 0x5123, domain.iovaToPhys(0x15123));
        assertEquals(16 * 4096L, domain.unmap(0x10000, 4096, 16));
        assertEquals(frames, memory.allocatedFrames());
        domain.free();
        assertEquals(frames - 1, memory.allocatedFrames());
    }

    @Test
    void firstStageOptionGivesASignExtendedX86Table() {
        IommuDevice dev = driver.probe(new DeviceConfig("00:03.0", Map.of("stage", "first", "levels", "5")));
        PageTableDomain ptd = (PageTableDomain) dev.allocPagingDomain(0);
        assertInstanceOf(X8664Format.class, ptd.pageTable().format());
        assertEquals(4, ptd.pageTable().topLevel());
        assertEquals((1L << 56) - 1, ptd.apertureLast());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> dev.allocPagingDomain(VtdDevice.HWPT_ALLOC_DIRTY_TRACKING)).errno());
    }

    @Test
    void badOptionsAndFlagsAreRefused() {
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("levels", "6")))).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("stage", "third")))).errno());
        IommuDevice dev = driver.probe(DeviceConfig.named("d"));
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> dev.allocPagingDomain(1 << 7)).errno());
    }

    @Test
    void dirtyTrackingGoesThroughTheDomain() {
        PageTableDomain d = (PageTableDomain) driver.probe(DeviceConfig.named("d"))
                .allocPagingDomain(VtdDevice.HWPT_ALLOC_DIRTY_TRACKING);
        d.map(0, 0x100000, 4096, 4, IommuProt.READ | IommuProt.WRITE);
        d.setDirty(0x2000);
        long[] got = new long[2];
        d.readAndClearDirty(0, 4 * 4096, false, (iova, len) -> {
            got[0] = iova;
            got[1] = len;
        });
        assertEquals(0x2000L, got[0]);
        assertEquals(4096L, got[1]);
    }
}
