package org.iommufd4j.drivers.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.iommufd4j.drivers.mock.pagetable.MockFormat;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class MockDriverTest {
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, failNth);
    private final IommuDriver driver = new MockDriverFactory().create(HostServices.of(memory, failNth));

    @Test
    void capabilitiesListTheMockFormats() {
        assertTrue(driver.capabilities().features().contains(DriverFeature.PAGING));
        assertEquals(java.util.List.of("mock", "mock-huge", "mock-grow"), driver.capabilities().pageTableFormats());
        assertEquals(MockFormat.HUGE, driver.pageTableFormats().get("mock-huge"));
    }

    @Test
    void defaultDomainHasTheSelftestApertureAnd2kPages() {
        PagingDomain d = driver.probe(DeviceConfig.named("mock0")).allocPagingDomain(0);
        assertEquals(1L << 24, d.apertureStart());
        assertEquals((1L << 31) - 1, d.apertureLast());
        assertEquals(2048, Long.lowestOneBit(d.pgsizeBitmap()));
        d.map(1L << 24, 0x5000, 2048, 3, IommuProt.READ);
        assertEquals(0x5000L + 2048 + 5, d.iovaToPhys((1L << 24) + 2048 + 5));
        assertEquals(3 * 2048L, d.unmap(1L << 24, 2048, 3));
        d.free();
    }

    @Test
    void hugeDomainOffers1mAnd4k() {
        PagingDomain d = driver.probe(new DeviceConfig("m", Map.of("pagetable", "huge"))).allocPagingDomain(0);
        assertEquals(MockFormat.HUGE_PAGE_SIZES, d.pgsizeBitmap());
    }

    @Test
    void noDirtyDeviceRefusesDirtyTracking() {
        var dev = driver.probe(new DeviceConfig("m", Map.of("no-dirty", "true")));
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> dev.allocPagingDomain(org.iommufd4j.uapi.IommuHwptAllocFlags.DIRTY_TRACKING)).errno());
        assertInstanceOf(PageTableDomain.class, dev.allocPagingDomain(0));
    }

    @Test
    void domainAllocationFailsCleanlyUnderInjection() {
        var dev = driver.probe(DeviceConfig.named("m"));
        long frames = memory.allocatedFrames();
        failNth.arm(1);
        try {
            assertEquals(Errno.ENOMEM, assertThrows(IommufdException.class, () -> dev.allocPagingDomain(0)).errno());
        } finally {
            failNth.disarm();
        }
        assertEquals(frames, memory.allocatedFrames());
    }
}
