package org.iommufd4j.vendor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.Idev;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each vendor driver, loaded by PF4J from its jar, maps and unmaps through an IOAS exactly as the
 * mock does: a device attached to the IOAS gets an automatic domain in the vendor's page-table
 * format; IOAS_MAP fills it; the device's DMA, walked by the hardware model through the vendor's
 * entries in host memory, reads and writes the user's pages; after IOAS_UNMAP it faults, with no
 * stale IOTLB entry served and no page left pinned.
 */
class VendorIoasDmaTest {
    private static final int PAGE = 4096;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "vtd, ''",
        "vtd, stage=first",
        "smmuv3, ''",
        "smmuv3, format=arm-lpae-s2-4k",
        "amdvi, ''",
        "amdvi, format=amdv2",
    })
    void mapDmaAndUnmapThroughAnIoas(String driverName, String option) {
        Path plugins = Path.of(System.getProperty("iommufd4j.pluginsDir", "target/iommufd4j/plugins"));
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(512L << 20, plugins));
        IommuDriver driver = machine.drivers().driver(driverName).orElseThrow().driver();
        Map<String, String> options = option.isEmpty() ? Map.of() : Map.of(option.split("=")[0], option.split("=")[1]);
        SimProcess process = SimProcess.root(machine.memory());
        IommufdContext ctx = machine.iommufd().open(process);

        Idev idev = machine.devices().bind(ctx, driver, driver.probe(new DeviceConfig("dev0", options)));
        int ioas = ctx.ioasAlloc();
        machine.devices().attach(idev, ioas);

        long length = 32L * PAGE;
        long buf = process.mmapAnonymous(length, true);
        process.write(buf + 3 * PAGE + 7, "from user".getBytes(StandardCharsets.US_ASCII), 0, 9);
        int rw = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;
        long iova = ctx.call(new IommuIoasMap(rw, ioas, 0, buf, length, 0)).iova();

        byte[] seen = new byte[9];
        idev.dma().read(iova + 3 * PAGE + 7, seen, 0, seen.length);
        assertEquals("from user", new String(seen, StandardCharsets.US_ASCII));
        byte[] written = "from the device, across pages".getBytes(StandardCharsets.US_ASCII);
        idev.dma().write(iova + 16L * PAGE - 11, written, 0, written.length);
        byte[] back = new byte[written.length];
        process.read(buf + 16L * PAGE - 11, back, 0, back.length);
        assertArrayEquals(written, back);

        assertEquals(length, ctx.call(new IommuIoasUnmap(ioas, iova, length)).length());
        DmaFault fault = assertThrows(DmaFault.class, () -> idev.dma().read(iova + 3 * PAGE + 7, seen, 0, 1));
        assertEquals(DmaFault.Reason.NOT_PRESENT, fault.reason());
        assertTrue(idev.dmaBugs().isEmpty(), () -> "stale translations: " + idev.dmaBugs().staleTranslations());
        assertEquals(0, process.pinCountAt(buf), "unmap unpinned the user's pages");

        machine.devices().detach(idev);
        machine.devices().unbind(idev);
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
        machine.drivers().close();
    }

    @org.junit.jupiter.api.Test
    void aDomainWhosePagesAreLargerThanTheCpuPageIsRefused() {
        // io_pagetable.c iopt_table_add_domain: iommufd cannot use a domain whose smallest page
        // exceeds PAGE_SIZE (a 64K-granule SMMUv3 table on a 4K host): EINVAL, and nothing stays.
        Path plugins = Path.of(System.getProperty("iommufd4j.pluginsDir", "target/iommufd4j/plugins"));
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(256L << 20, plugins));
        IommuDriver smmu = machine.drivers().driver("smmuv3").orElseThrow().driver();
        IommufdContext ctx = machine.iommufd().open(SimProcess.root(machine.memory()));
        Idev idev = machine.devices().bind(ctx, smmu, smmu.probe(new DeviceConfig("dev0", Map.of("format", "arm-lpae-s1-64k"))));
        int ioas = ctx.ioasAlloc();
        org.iommufd4j.uapi.IommufdException e = assertThrows(org.iommufd4j.uapi.IommufdException.class,
                () -> machine.devices().attach(idev, ioas));
        assertEquals(org.iommufd4j.uapi.Errno.EINVAL, e.errno());
        assertEquals(2, ctx.objects().size(), "only the device and the IOAS: no HWPT was left behind");
        machine.devices().unbind(idev);
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
        machine.drivers().close();
    }
}
