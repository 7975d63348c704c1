package org.iommufd4j.drivers.smmuv3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.iommufd4j.drivers.smmuv3.pagetable.ArmLpaeFormat;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
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

class SmmuV3DriverTest {
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, failNth);
    private final IommuDriver driver = new SmmuV3DriverFactory().create(HostServices.of(memory, failNth));

    private static ArmLpaeFormat format(PagingDomain d) {
        return assertInstanceOf(ArmLpaeFormat.class, assertInstanceOf(PageTableDomain.class, d).pageTable().format());
    }

    @Test
    void capabilitiesListPagingAndEveryLpaeFormat() {
        assertTrue(driver.capabilities().features().contains(DriverFeature.PAGING));
        assertEquals(ArmLpaeFormat.NAMES, driver.capabilities().pageTableFormats());
        assertEquals(driver.capabilities().pageTableFormats(), List.copyOf(driver.pageTableFormats().keySet()));
        assertEquals(2, driver.capabilities().hwInfoType());
        driver.pageTableFormats().forEach((name, f) -> assertEquals(name, f.name()));
    }

    @Test
    void defaultDomainIsStage1With4kGranule() {
        PagingDomain domain = driver.probe(DeviceConfig.named("0000:00:01.0")).allocPagingDomain(0);
        ArmLpaeFormat f = format(domain);
        assertEquals("arm-lpae-s1-4k", f.name());
        assertFalse(f.supportsDirty());
        assertEquals((1L << 48) - 1, domain.apertureLast());
        assertEquals((1L << 12) | (1L << 16) | (1L << 21) | (1L << 25) | (1L << 30) | (1L << 34), domain.pgsizeBitmap());
        long frames = memory.allocatedFrames();
        domain.map(0x10000, 0x200000, 4096, 16, IommuProt.READ | IommuProt.WRITE);
        assertEquals(0x205123L, domain.iovaToPhys(0x15123));
        assertEquals(16 * 4096L, domain.unmap(0x10000, 4096, 16));
        assertEquals(frames, memory.allocatedFrames());
        domain.free();
        assertEquals(frames - 1, memory.allocatedFrames());
    }

    @Test
    void formatOptionSelectsGranuleStageAndWidths() {
        IommuDevice dev = driver.probe(new DeviceConfig("d", Map.of("format", "arm-lpae-s2-64k", "ias", "44")));
        PageTableDomain d = (PageTableDomain) dev.allocPagingDomain(0);
        ArmLpaeFormat f = format(d);
        assertEquals("arm-lpae-s2-64k", f.name());
        assertEquals(4, f.geometry().concatenatedTables());
        assertEquals((1L << 44) - 1, d.apertureLast());
        d.map(0xC00_0000_0000L, 0x10_0000L, 1L << 16, 1, IommuProt.READ);
        assertEquals(0x10_0000L, d.iovaToPhys(0xC00_0000_0000L));
    }

    @Test
    void nestParentIsStage2AndDirtyTrackingIsStage1WithDbm() {
        IommuDevice dev = driver.probe(DeviceConfig.named("d"));
        assertEquals("arm-lpae-s2-4k", format(dev.allocPagingDomain(SmmuV3Device.HWPT_ALLOC_NEST_PARENT)).name());
        PageTableDomain dirty = (PageTableDomain) dev.allocPagingDomain(SmmuV3Device.HWPT_ALLOC_DIRTY_TRACKING);
        assertEquals("arm-lpae-s1-4k", format(dirty).name());
        assertTrue(dirty.supportsDirty());
        dirty.map(0, 0x100000, 4096, 4, IommuProt.READ | IommuProt.WRITE);
        long[] got = new long[2];
        dirty.readAndClearDirty(0, 4 * 4096, false, (iova, len) -> got[1] += len);
        assertEquals(4 * 4096L, got[1]); // writable leaves start dirty (Linux arm_lpae_prot_to_pte)
        got[1] = 0;
        dirty.setDirty(0x2000);
        dirty.readAndClearDirty(0, 4 * 4096, false, (iova, len) -> {
            got[0] = iova;
            got[1] += len;
        });
        assertEquals(0x2000L, got[0]);
        assertEquals(4096L, got[1]);
    }

    @Test
    void badOptionsAndFlagsAreRefused() {
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("format", "arm-lpae-s3-4k")))).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("ias", "52")))).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("oas", "x")))).errno());
        IommuDevice s1 = driver.probe(new DeviceConfig("d", Map.of("format", "arm-lpae-s1-16k")));
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> s1.allocPagingDomain(SmmuV3Device.HWPT_ALLOC_NEST_PARENT)).errno());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> s1.allocPagingDomain(SmmuV3Device.HWPT_ALLOC_NEST_PARENT | SmmuV3Device.HWPT_ALLOC_DIRTY_TRACKING)).errno());
        IommuDevice s2 = driver.probe(new DeviceConfig("d", Map.of("format", "arm-lpae-s2-4k")));
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> s2.allocPagingDomain(SmmuV3Device.HWPT_ALLOC_DIRTY_TRACKING)).errno());
        long frames = memory.allocatedFrames();
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class, () -> s2.allocPagingDomain(1 << 7)).errno());
        assertEquals(frames, memory.allocatedFrames());
    }
}
