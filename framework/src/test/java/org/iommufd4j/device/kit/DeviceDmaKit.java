package org.iommufd4j.device.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.Idev;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.junit.jupiter.api.Test;

/**
 * End to end on one vendor driver, written once for every driver that models an invalidation queue:
 * a device bound to a context and attached to an IOAS gets an automatic domain; IOAS_MAP puts the
 * user's pages into it; the device's DMA, walked by the hardware model through the vendor's entries
 * in host memory, reads and writes the user's memory; after IOAS_UNMAP the same DMA faults and no
 * stale IOTLB entry was served. A driver's test extends this class.
 */
public abstract class DeviceDmaKit {
    private static final int PAGE = 4096;

    /** The driver under test (used on the class path, without PF4J). */
    protected abstract IommuDriverFactory factory();

    /** The driver's own proof that its unit IOTLB was used and only its queue invalidated it. */
    protected abstract void assertQueueKeptTheIotlbCoherent(IommuDriver driver);

    @Test
    void dmaThroughAnAttachedDomainReachesUserMemory() {
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(256L << 20, Path.of("no-plugins"),
                List.of(factory())));
        IommuDriver drv = machine.drivers().driver(factory().name()).orElseThrow().driver();
        SimProcess process = SimProcess.root(machine.memory());
        IommufdContext ctx = machine.iommufd().open(process);

        Idev idev = machine.devices().bind(ctx, drv, drv.probe(DeviceConfig.named("0000:00:02.0")));
        int ioas = ctx.ioasAlloc();
        int hwpt = machine.devices().attach(idev, ioas);
        assertNotEquals(ioas, hwpt, "the device got an automatic HWPT");

        long buf = process.mmapAnonymous(4L * PAGE, true);
        byte[] hello = "written by the device".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        process.write(buf + PAGE + 100, "user data".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 9);
        int rw = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;
        long iova = ctx.call(new IommuIoasMap(rw, ioas, 0, buf, 4L * PAGE, 0)).iova();

        // Device reads what the user wrote ...
        byte[] seen = new byte[9];
        idev.dma().read(iova + PAGE + 100, seen, 0, seen.length);
        assertEquals("user data", new String(seen, java.nio.charset.StandardCharsets.US_ASCII));
        // ... and writes across a page boundary land in the user's pages.
        idev.dma().write(iova + 2L * PAGE - 5, hello, 0, hello.length);
        byte[] back = new byte[hello.length];
        process.read(buf + 2L * PAGE - 5, back, 0, back.length);
        assertArrayEquals(hello, back);

        // A read-only map refuses device writes.
        long ro = process.mmapAnonymous(PAGE, true);
        long roIova = ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE, ioas, 0, ro, PAGE, 0)).iova();
        DmaFault denied = assertThrows(DmaFault.class, () -> idev.dma().write(roIova, hello, 0, 4));
        assertEquals(DmaFault.Reason.PERMISSION, denied.reason());

        // After unmap the DMA faults: the IOTLB was invalidated, nothing stale was served.
        ctx.call(new IommuIoasUnmap(ioas, iova, 4L * PAGE));
        DmaFault fault = assertThrows(DmaFault.class, () -> idev.dma().read(iova + PAGE + 100, seen, 0, 1));
        assertEquals(DmaFault.Reason.NOT_PRESENT, fault.reason());
        assertTrue(idev.dmaBugs().isEmpty(), () -> "stale translations: " + idev.dmaBugs().staleTranslations());
        assertEquals(0, process.pinCountAt(buf), "unmap unpinned the user's pages");
        // The DMA went through the unit's IOTLB and only the invalidation queue kept it coherent.
        assertQueueKeptTheIotlbCoherent(drv);

        // Detached: all DMA is blocked; the automatic HWPT is gone.
        machine.devices().detach(idev);
        DmaFault blocked = assertThrows(DmaFault.class, () -> idev.dma().read(roIova, seen, 0, 1));
        assertEquals(DmaFault.Reason.BLOCKED, blocked.reason());
        assertThrows(org.iommufd4j.uapi.IommufdException.class, () -> ctx.get(hwpt, org.iommufd4j.core.IommufdObject.class));

        machine.devices().unbind(idev);
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
    }
}
