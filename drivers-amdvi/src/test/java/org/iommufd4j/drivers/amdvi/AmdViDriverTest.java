package org.iommufd4j.drivers.amdvi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.iommufd4j.drivers.amdvi.pagetable.AmdV1Format;
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

class AmdViDriverTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE;
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, failNth);
    private final IommuDriver driver = new AmdViDriverFactory().create(HostServices.of(memory, failNth));

    @Test
    void capabilitiesListPagingAndBothFormats() {
        assertTrue(driver.capabilities().features().contains(DriverFeature.PAGING));
        assertEquals(List.of("amdv1", "amdv2"), driver.capabilities().pageTableFormats());
        assertEquals(List.of("amdv1", "amdv2"), List.copyOf(driver.pageTableFormats().keySet()));
        assertInstanceOf(AmdV1Format.class, driver.pageTableFormats().get("amdv1"));
        assertInstanceOf(X8664Format.class, driver.pageTableFormats().get("amdv2"));
        assertEquals(4, driver.capabilities().hwInfoType());
    }

    @Test
    void defaultDomainIsAGrowingV1TableWhoseDteModeFollowsTheTop() {
        PagingDomain domain = driver.probe(DeviceConfig.named("0000:00:02.0")).allocPagingDomain(0);
        AmdV1Domain v1 = assertInstanceOf(AmdV1Domain.class, domain);
        assertEquals(-1L, domain.apertureLast()); // 6 levels: the full 64-bit IOVA space
        assertEquals(3, v1.dteMode());
        assertEquals(v1.pageTable().topPa(), v1.dteRootPa());
        long frames = memory.allocatedFrames();
        domain.map(1L << 50, 0x20_0000L, 4096, 4, RW);
        assertEquals(5, v1.dteMode());
        assertEquals(v1.pageTable().topPa(), v1.dteRootPa());
        assertEquals(0x20_1123L, domain.iovaToPhys((1L << 50) + 0x1123));
        assertEquals(4 * 4096L, domain.unmap(1L << 50, 4096, 4));
        domain.free();
        assertEquals(frames - 1, memory.allocatedFrames()); // the original root is gone too
    }

    @Test
    void hostLevelsBoundTheAperture() {
        PagingDomain domain = driver.probe(new DeviceConfig("d", Map.of("host-levels", "4"))).allocPagingDomain(0);
        assertEquals((1L << 48) - 1, domain.apertureLast());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> domain.map(1L << 48, 0, 4096, 1, RW)).errno());
    }

    @Test
    void formatOptionAndFlagsChooseV1OrV2LikeLinux() {
        IommuDevice v2dev = driver.probe(new DeviceConfig("d", Map.of("format", "amdv2")));
        PageTableDomain v2 = assertInstanceOf(PageTableDomain.class, v2dev.allocPagingDomain(0));
        assertInstanceOf(X8664Format.class, v2.pageTable().format());
        assertEquals((1L << 47) - 1, v2.apertureLast());
        // dirty tracking and nest parents need v1 even when v2 is the default
        assertInstanceOf(AmdV1Domain.class, v2dev.allocPagingDomain(AmdViDevice.HWPT_ALLOC_DIRTY_TRACKING));
        assertInstanceOf(AmdV1Domain.class, v2dev.allocPagingDomain(AmdViDevice.HWPT_ALLOC_NEST_PARENT));
        // PASID-capable domains need v2
        IommuDevice v1dev = driver.probe(DeviceConfig.named("d"));
        PageTableDomain pasid = (PageTableDomain) v1dev.allocPagingDomain(AmdViDevice.HWPT_ALLOC_PASID);
        assertInstanceOf(X8664Format.class, pasid.pageTable().format());
        IommuDevice five = driver.probe(new DeviceConfig("d", Map.of("format", "amdv2", "guest-levels", "5")));
        assertEquals((1L << 56) - 1, five.allocPagingDomain(0).apertureLast());
    }

    @Test
    void dirtyTrackingReadsTheDBit() {
        PageTableDomain d = (PageTableDomain) driver.probe(DeviceConfig.named("d"))
                .allocPagingDomain(AmdViDevice.HWPT_ALLOC_DIRTY_TRACKING);
        d.map(0, 0x100000, 4096, 4, RW);
        d.setDirty(0x3000);
        long[] got = new long[2];
        d.readAndClearDirty(0, 4 * 4096, false, (iova, len) -> {
            got[0] = iova;
            got[1] += len;
        });
        // the four pages became one 16 KiB NextLevel=7 entry, which reads dirty as a whole
        assertEquals(0L, got[0]);
        assertEquals(4 * 4096L, got[1]);
        got[1] = 0;
        d.readAndClearDirty(0, 4 * 4096, false, (iova, len) -> got[1] += len);
        assertEquals(0L, got[1]);
    }

    @Test
    void badOptionsAndFlagsAreRefused() {
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("format", "amdv3")))).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("host-levels", "7")))).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> driver.probe(new DeviceConfig("d", Map.of("guest-levels", "3")))).errno());
        IommuDevice dev = driver.probe(DeviceConfig.named("d"));
        long frames = memory.allocatedFrames();
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> dev.allocPagingDomain(AmdViDevice.HWPT_ALLOC_PASID | AmdViDevice.HWPT_ALLOC_DIRTY_TRACKING)).errno());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class, () -> dev.allocPagingDomain(1 << 7)).errno());
        assertEquals(frames, memory.allocatedFrames());
    }
}
