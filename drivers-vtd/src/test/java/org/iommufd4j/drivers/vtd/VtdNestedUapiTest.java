package org.iommufd4j.drivers.vtd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommuHwptInvalidate;
import org.iommufd4j.uapi.IommuHwptInvalidateDataType;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.Test;

/**
 * A VMM's view of VT-d nesting, through the uAPI: guest RAM mapped into an IOAS at its GPAs, a
 * NEST_PARENT paging HWPT on it, a nested HWPT naming the guest's first-stage table, the device
 * attached to the nested HWPT; its DMA reaches guest RAM through both stages, a guest remap is
 * served stale until IOMMU_HWPT_INVALIDATE, whose entry_num reports partial progress.
 */
class VtdNestedUapiTest {
    private static final long PAGE = 4096;
    private static final long GUEST_RAM_GPA = 0x100_0000;
    private static final int GUEST_PAGES = 64;

    private final IommufdComponent machine = IommufdComponent.create(new MachineConfig(256L << 20, Path.of("no-plugins"),
            List.of(new VtdDriverFactory())));
    private final IommuDriver driver = machine.drivers().driver("vtd").orElseThrow().driver();
    private final SimProcess vmm = SimProcess.root(machine.memory());
    private final IommufdContext ctx = machine.iommufd().open(vmm);

    @Test
    void dmaThroughANestedHwptReachesGuestRamAndHonoursInvalidation() {
        Idev idev = machine.devices().bind(ctx, driver, driver.probe(DeviceConfig.named("0000:00:02.0")));
        int ioas = ctx.ioasAlloc();
        long ram = vmm.mmapAnonymous(GUEST_PAGES * PAGE, true);
        int rw = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE | IommuIoasMapFlags.FIXED_IOVA;
        ctx.call(new IommuIoasMap(rw, ioas, 0, ram, GUEST_PAGES * PAGE, GUEST_RAM_GPA));

        int parent = ctx.call(new IommuHwptAlloc(IommuHwptAllocFlags.NEST_PARENT, idev.id(), ioas, 0, 0,
                IommuHwptDataType.NONE, 0, 0, 0, 0)).outHwptId();
        // The guest builds its first stage in its RAM: the VMM reaches it through its own mapping.
        GuestFirstStage s1 = new GuestFirstStage(new VmmView(ram), 4, GUEST_RAM_GPA + 32 * PAGE);
        long iova = 0x5_0000_0000L;
        s1.map(iova, GUEST_RAM_GPA + 3 * PAGE, true);

        long data = vmm.mmapAnonymous(PAGE, true);
        ByteBuffer cfg = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        cfg.putLong(0, 0).putLong(8, s1.rootGpa).putInt(16, 48).putInt(20, 0);
        vmm.write(data, cfg.array(), 0, 24);
        int nested = ctx.call(new IommuHwptAlloc(0, idev.id(), parent, 0, 0, IommuHwptDataType.VTD_S1, 24, data, 0, 0))
                .outHwptId();
        assertEquals(nested, machine.devices().attach(idev, nested));

        byte[] hello = "guest DMA".getBytes(StandardCharsets.US_ASCII);
        idev.dma().write(iova + 100, hello, 0, hello.length);
        byte[] back = new byte[hello.length];
        vmm.read(ram + 3 * PAGE + 100, back, 0, back.length);
        assertArrayEquals(hello, back, "the write landed in guest page 3");

        // The guest moves the IOVA to page 4 and forgets to invalidate: served stale, and reported.
        vmm.write(ram + 4 * PAGE + 100, "page four".getBytes(StandardCharsets.US_ASCII), 0, 9);
        s1.map(iova, GUEST_RAM_GPA + 4 * PAGE, true);
        byte[] seen = new byte[9];
        idev.dma().read(iova + 100, seen, 0, 9);
        assertEquals("guest DMA", new String(seen, StandardCharsets.US_ASCII));
        assertEquals(1, idev.dmaBugs().staleTranslations().size());

        // IOMMU_HWPT_INVALIDATE with a good entry then one with an unknown flag: entry_num says 1.
        long entries = vmm.mmapAnonymous(PAGE, true);
        ByteBuffer inv = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        inv.putLong(0, iova).putLong(8, 1).putInt(16, 0).putInt(20, 0);
        inv.putLong(24, iova).putLong(32, 1).putInt(40, 1 << 5).putInt(44, 0);
        vmm.write(entries, inv.array(), 0, 48);
        StructCodec<IommuHwptInvalidate> codec = StructCodec.of(IommuHwptInvalidate.class);
        byte[] cmd = codec.toBytes(new IommuHwptInvalidate(nested, entries, IommuHwptInvalidateDataType.VTD_S1, 24, 2, 0));
        int rc = ctx.ioctl(IommufdIoctl.IOMMU_HWPT_INVALIDATE, ByteBuffer.wrap(cmd).order(ByteOrder.LITTLE_ENDIAN));
        assertEquals(-Errno.EOPNOTSUPP.value(), rc);
        assertEquals(1, codec.decode(cmd).entryNum(), "entry_num: the entries handled before the bad one");

        idev.dmaBugs().clear();
        idev.dma().read(iova + 100, seen, 0, 9);
        assertEquals("page four", new String(seen, StandardCharsets.US_ASCII));
        assertTrue(idev.dmaBugs().isEmpty(), () -> idev.dmaBugs().staleTranslations().toString());

        // The guest unmaps and invalidates everything: the DMA faults.
        s1.unmap(iova);
        inv.putLong(0, 0).putLong(8, -1L);
        vmm.write(entries, inv.array(), 0, 24);
        assertEquals(1, ctx.call(new IommuHwptInvalidate(nested, entries, IommuHwptInvalidateDataType.VTD_S1, 24, 1, 0))
                .entryNum());
        assertThrows(DmaFault.class, () -> idev.dma().read(iova + 100, seen, 0, 1));
        assertTrue(idev.dmaBugs().isEmpty());
    }

    /** Guest RAM as the VMM sees it: its own mapping of the pages it gave the IOAS. */
    private final class VmmView implements GuestFirstStage.GuestRam {
        private final long ram;

        VmmView(long ram) {
            this.ram = ram;
        }

        @Override
        public long readLong(long gpa) {
            byte[] b = new byte[8];
            vmm.read(ram + gpa - GUEST_RAM_GPA, b, 0, 8);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        @Override
        public void writeLong(long gpa, long value) {
            byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
            vmm.write(ram + gpa - GUEST_RAM_GPA, b, 0, 8);
        }
    }
}
