package org.iommufd4j.drivers.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.StaleTranslation;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.InvalidationError;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommuHwptInvalidateDataType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.vendor.IommuHwptVtdS1Flags;
import org.junit.jupiter.api.Test;

/**
 * VT-d nested domains at the driver SPI: allocation errnos, DMA through a guest first stage over
 * the parent's second stage, stale combined IOTLB entries until the user invalidates, and the user
 * invalidation's errnos with partial progress.
 */
class VtdNestedDomainTest {
    private static final long PAGE = 4096;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;
    /** Guest RAM: 64 pages at GPA 16 MiB; its first-stage tables at the top half. */
    private static final long GUEST_RAM = 16L << 20;
    private static final int GUEST_PAGES = 64;

    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, failNth);
    private final VtdDriver driver = (VtdDriver) new VtdDriverFactory().create(HostServices.of(memory, failNth));
    private final IommuDevice device = driver.probe(DeviceConfig.named("00:02.0"));
    private final DriverBugLog bugs = new DriverBugLog();
    private final BufferUser user = new BufferUser();

    /** Caller memory at user address 0x1000. */
    private static final class BufferUser implements UserMemory {
        static final long BASE = 0x1000;
        final ByteBuffer bytes = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

        @Override
        public void read(long va, byte[] dst, int off, int len) {
            check(va, len);
            bytes.get((int) (va - BASE), dst, off, len);
        }

        @Override
        public void write(long va, byte[] src, int off, int len) {
            check(va, len);
            bytes.put((int) (va - BASE), src, off, len);
        }

        private void check(long va, int len) {
            if (va < BASE || va + len > BASE + bytes.capacity()) {
                throw new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(va));
            }
        }
    }

    private UserData s1(long flags, long pgtblAddr, int addrWidth, int reserved) {
        user.bytes.putLong(0, flags).putLong(8, pgtblAddr).putInt(16, addrWidth).putInt(20, reserved);
        return new UserData(IommuHwptDataType.VTD_S1, user, BufferUser.BASE, 24);
    }

    /** Invalidation entries {addr, npages, flags, reserved} at user address BASE + 0x100. */
    private UserArray invalidations(long[]... entries) {
        for (int i = 0; i < entries.length; i++) {
            int at = 0x100 + 24 * i;
            user.bytes.putLong(at, entries[i][0]).putLong(at + 8, entries[i][1]).putInt(at + 16, (int) entries[i][2])
                    .putInt(at + 20, (int) entries[i][3]);
        }
        return new UserArray(IommuHwptInvalidateDataType.VTD_S1, user, BufferUser.BASE + 0x100, 24, entries.length);
    }

    private final class Guest {
        final VtdDomain parent;
        final long[] hostPages = new long[GUEST_PAGES];
        final GuestFirstStage s1;
        final NestedDomain nested;
        final DmaRemapper dma;

        Guest(int levels) {
            this(levels, 0);
        }

        Guest(int levels, int extraParentFlags) {
            parent = (VtdDomain) device.allocPagingDomain(VtdDevice.HWPT_ALLOC_NEST_PARENT | extraParentFlags);
            for (int i = 0; i < GUEST_PAGES; i++) {
                hostPages[i] = memory.allocate(0);
                parent.map(GUEST_RAM + i * PAGE, hostPages[i], PAGE, 1, RW);
            }
            s1 = new GuestFirstStage(new GuestFirstStage.GuestRam() {
                @Override
                public long readLong(long gpa) {
                    return memory.readLong(parent.iovaToPhys(gpa));
                }

                @Override
                public void writeLong(long gpa, long value) {
                    memory.writeLong(parent.iovaToPhys(gpa), value);
                }
            }, levels, GUEST_RAM + GUEST_PAGES / 2 * PAGE);
            nested = device.allocNestedDomain(parent, 0, s1(0, s1.rootGpa, levels == 5 ? 57 : 48, 0));
            device.attachDomain(nested);
            dma = new DmaRemapper(memory, device.unitIotlb(), bugs);
            dma.attach(nested.translationRoot());
        }

        long gpa(int page) {
            return GUEST_RAM + page * PAGE;
        }

        int readByte(long iova) {
            byte[] b = new byte[1];
            dma.read(iova, b, 0, 1);
            return b[0];
        }
    }

    @Test
    void allocationErrnosFollowLinuxAndLeakNothing() {
        PagingDomain notParent = device.allocPagingDomain(0);
        PagingDomain parent = device.allocPagingDomain(VtdDevice.HWPT_ALLOC_NEST_PARENT);
        IommuDevice firstStageDevice = driver.probe(new DeviceConfig("00:03.0", Map.of("stage", "first")));
        PagingDomain firstStage = firstStageDevice.allocPagingDomain(0);
        IommuDevice otherUnit = ((VtdDriver) new VtdDriverFactory().create(HostServices.of(memory, failNth)))
                .probe(DeviceConfig.named("00:04.0"));
        PagingDomain otherUnitParent = otherUnit.allocPagingDomain(VtdDevice.HWPT_ALLOC_NEST_PARENT);
        long frames = memory.allocatedFrames();

        assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(notParent, 0, s1(0, 0x1000, 48, 0))),
                "a parent without NEST_PARENT");
        assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(firstStage, 0, s1(0, 0x1000, 48, 0))),
                "a first-stage parent");
        assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(otherUnitParent, 0, s1(0, 0x1000, 48, 0))),
                "a parent of another unit");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> device.allocNestedDomain(parent, VtdDevice.HWPT_ALLOC_DIRTY_TRACKING,
                s1(0, 0x1000, 48, 0))), "hwpt flags other than PASID");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> device.allocNestedDomain(parent, 0,
                new UserData(IommuHwptDataType.VTD_S1 + 1, user, BufferUser.BASE, 24))), "a data type other than VTD_S1");
        for (int width : new int[] {0, 39, 47, 56, 64}) {
            assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(parent, 0, s1(0, 0x1000, width, 0))),
                    "addr_width " + width);
        }
        assertEquals(Errno.EOPNOTSUPP, errno(() -> device.allocNestedDomain(parent, 0, s1(1L << 3, 0x1000, 48, 0))),
                "an unknown flag");
        assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(parent, 0, s1(0, 0x1000, 48, 1))),
                "non-zero __reserved");
        s1(0, 0x1000, 48, 0);
        assertEquals(Errno.EINVAL, errno(() -> device.allocNestedDomain(parent, 0,
                new UserData(IommuHwptDataType.VTD_S1, user, BufferUser.BASE, 20))), "a struct cut short");
        assertEquals(Errno.EFAULT, errno(() -> device.allocNestedDomain(parent, 0,
                new UserData(IommuHwptDataType.VTD_S1, user, 0x10_0000, 24))), "an unreadable pointer");
        assertEquals(frames, memory.allocatedFrames());

        // Every known flag, both widths, the PASID flag: accepted, and the DIDs come back on free.
        NestedDomain a = device.allocNestedDomain(parent, VtdDevice.HWPT_ALLOC_PASID,
                s1(IommuHwptVtdS1Flags.ALL, 0x1000, 57, 0));
        NestedDomain b = device.allocNestedDomain(parent, 0, s1(0, 0x1000, 48, 0));
        assertSame(parent, a.parent());
        VtdNestedDomain va = assertInstanceOf(VtdNestedDomain.class, a);
        VtdNestedDomain vb = assertInstanceOf(VtdNestedDomain.class, b);
        assertTrue(va.did() != vb.did() && va.did() != ((VtdDomain) parent).did());
        assertEquals(4, a.translationRoot().topLevel(), "57 bits: 5-level first stage");
        assertEquals(3, b.translationRoot().topLevel(), "48 bits: 4-level first stage");
        int didA = va.did();
        a.free();
        b.free();
        NestedDomain c = device.allocNestedDomain(parent, 0, s1(0, 0x1000, 48, 0));
        assertEquals(didA, ((VtdNestedDomain) c).did(), "the freed DID is reused");
        c.free();
        assertEquals(frames, memory.allocatedFrames());
    }

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    @Test
    void dmaWalksTheGuestFirstStageThroughTheSecondStage() {
        for (int levels : new int[] {4, 5}) {
            Guest g = new Guest(levels);
            long iova = levels == 5 ? 0x00ab_cdef_0000_0000L + 0x3000 : 0x7654_3000L;
            g.s1.map(iova, g.gpa(7), true);
            g.s1.map(iova + PAGE, g.gpa(9), false);

            byte[] hello = "through two stages".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            // Across the boundary between the two first-stage pages: the second is read-only, so
            // write only into the first and read across.
            g.dma.write(iova + PAGE - hello.length, hello, 0, hello.length);
            byte[] host = new byte[hello.length];
            memory.read(g.hostPages[7] + PAGE - hello.length, host, 0, host.length);
            assertEquals(new String(hello, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(host, java.nio.charset.StandardCharsets.US_ASCII), "landed in the host page behind GPA page 7");
            memory.write(g.hostPages[9] + 5, new byte[] {99}, 0, 1);
            assertEquals(99, g.readByte(iova + PAGE + 5), "read from the host page behind GPA page 9");

            // First-stage permission: the leaf of page 9 is read-only.
            DmaFault ro = assertThrows(DmaFault.class, () -> g.dma.write(iova + PAGE, hello, 0, 1));
            assertEquals(DmaFault.Reason.PERMISSION, ro.reason());
            // Nothing in the first stage.
            DmaFault none = assertThrows(DmaFault.class, () -> g.readByte(iova + 2 * PAGE));
            assertEquals(DmaFault.Reason.NOT_PRESENT, none.reason());
            // A first-stage leaf pointing at a GPA the second stage does not map faults in the second stage.
            g.s1.map(iova + 3 * PAGE, 1L << 30, true);
            DmaFault s2 = assertThrows(DmaFault.class, () -> g.readByte(iova + 3 * PAGE));
            assertEquals(DmaFault.Reason.NOT_PRESENT, s2.reason());
            assertEquals(iova + 3 * PAGE, s2.iova(), "reported at the device's address");
            // Second-stage permission: the host makes GPA page 7 read-only; the combined entry
            // loses write (the parent's flush dropped the nested DID's cached entries).
            g.parent.unmap(g.gpa(7), PAGE, 1);
            g.parent.map(g.gpa(7), g.hostPages[7], PAGE, 1, IommuProt.READ);
            assertEquals(hello[hello.length - 1], (byte) g.readByte(iova + PAGE - 1));
            DmaFault s2ro = assertThrows(DmaFault.class, () -> g.dma.write(iova, hello, 0, 1));
            assertEquals(DmaFault.Reason.PERMISSION, s2ro.reason());
            assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
            assertTrue(driver.iommu().unit().queueErrors().isEmpty(), () -> driver.iommu().unit().queueErrors().toString());
        }
    }

    @Test
    void aChangedFirstStageIsServedStaleUntilTheUserInvalidates() {
        Guest g = new Guest(4);
        long iova = 0x4000_0000L;
        memory.write(g.hostPages[3], new byte[] {3}, 0, 1);
        memory.write(g.hostPages[4], new byte[] {4}, 0, 1);
        g.s1.map(iova, g.gpa(3), true);
        assertEquals(3, g.readByte(iova));

        // The guest remaps without invalidating: the unit's IOTLB still serves the old page, and the
        // hardware model reports it.
        g.s1.map(iova, g.gpa(4), true);
        assertEquals(3, g.readByte(iova));
        assertEquals(1, bugs.staleTranslations().size());
        StaleTranslation stale = bugs.staleTranslations().get(0);
        assertEquals(((VtdNestedDomain) g.nested).did(), stale.tag());
        assertEquals(g.hostPages[4], stale.current().paPage());

        // An invalidation of another page leaves it stale; one of this page (LEAF) fixes it.
        long executed = driver.iommu().unit().executed();
        assertEquals(1, g.nested.cacheInvalidateUser(invalidations(new long[] {iova + 16 * PAGE, 1, 0, 0})));
        assertEquals(3, g.readByte(iova));
        assertEquals(2, bugs.staleTranslations().size());
        assertEquals(1, g.nested.cacheInvalidateUser(invalidations(new long[] {iova, 1, 1 /* LEAF */, 0})));
        assertTrue(driver.iommu().unit().executed() >= executed + 4, "PASID IOTLB descriptors and waits ran");
        bugs.clear();
        assertEquals(4, g.readByte(iova));
        assertTrue(bugs.isEmpty());

        // Unmapped in the guest, then everything invalidated (addr 0, npages U64_MAX): DMA faults.
        g.s1.unmap(iova);
        assertEquals(1, g.nested.cacheInvalidateUser(invalidations(new long[] {0, -1L, 0, 0})));
        assertThrows(DmaFault.class, () -> g.readByte(iova));
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
        assertTrue(driver.iommu().unit().queueErrors().isEmpty());
    }

    @Test
    void aNestedWriteDirtiesTheSecondStagePageItLandsIn() {
        Guest g = new Guest(4, VtdDevice.HWPT_ALLOC_DIRTY_TRACKING);
        g.parent.setDirtyTracking(true);
        g.parent.readAndClearDirty(GUEST_RAM, GUEST_PAGES * PAGE, false, (iova, len) -> { });
        long iova = 0x20_0000;
        g.s1.map(iova, g.gpa(5), true);
        g.s1.map(iova + PAGE, g.gpa(6), true);
        g.readByte(iova + PAGE);
        g.dma.write(iova, new byte[] {1}, 0, 1);
        java.util.List<Long> dirty = new java.util.ArrayList<>();
        g.parent.readAndClearDirty(GUEST_RAM, GUEST_PAGES * PAGE, false, (gpa, len) -> {
            for (long p = 0; p < len; p += PAGE) {
                dirty.add(gpa + p);
            }
        });
        assertEquals(java.util.List.of(g.gpa(5)), dirty, "only the GPA written through the first stage is dirty");
    }

    @Test
    void detachingTheNestedDomainDropsItsEntries() {
        Guest g = new Guest(4);
        long iova = 0x1000;
        g.s1.map(iova, g.gpa(1), true);
        g.readByte(iova);
        int did = ((VtdNestedDomain) g.nested).did();
        assertTrue(driver.iommu().unit().iotlb().size() > 0);
        device.attachDomain(g.parent);
        // Leaving the nested domain flushed its DID: nothing of it is cached, and re-attaching
        // after a guest change sees the change.
        assertNull(driver.iommu().unit().iotlb().lookup(did, iova));
        g.s1.map(iova, g.gpa(2), true);
        memory.write(g.hostPages[2], new byte[] {22}, 0, 1);
        device.attachDomain(g.nested);
        assertEquals(22, g.readByte(iova));
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
    }

    @Test
    void invalidationErrnosReportTheEntriesHandledBeforeTheBadOne() {
        Guest g = new Guest(4);
        long[] good = {0x1000, 4, 0, 0};
        assertEquals(Errno.EINVAL, errno(() -> g.nested.cacheInvalidateUser(new UserArray(
                IommuHwptInvalidateDataType.VIOMMU_ARM_SMMUV3, user, BufferUser.BASE + 0x100, 24, 1))), "wrong data_type");
        assertEquals(0, g.nested.cacheInvalidateUser(invalidations()), "no entries");

        record Case(long[] bad, Errno errno, String why) {
        }
        for (Case c : new Case[] {
            new Case(new long[] {0x1000, 1, 2, 0}, Errno.EOPNOTSUPP, "unknown flag"),
            new Case(new long[] {0x1000, 1, 0, 7}, Errno.EOPNOTSUPP, "non-zero __reserved"),
            new Case(new long[] {0x1800, 1, 0, 0}, Errno.EINVAL, "addr not 4 KiB aligned"),
            new Case(new long[] {0x1000, -1L, 0, 0}, Errno.EINVAL, "npages U64_MAX with a non-zero addr"),
        }) {
            InvalidationError e = assertThrows(InvalidationError.class,
                    () -> g.nested.cacheInvalidateUser(invalidations(good, good, c.bad(), good)), c.why());
            assertEquals(c.errno(), e.errno(), c.why());
            assertEquals(2, e.handled(), c.why());
        }
        // An entry_len below the struct: EINVAL at the first entry; an unreadable entry: EFAULT.
        InvalidationError shortEntry = assertThrows(InvalidationError.class, () -> g.nested.cacheInvalidateUser(
                new UserArray(IommuHwptInvalidateDataType.VTD_S1, user, BufferUser.BASE + 0x100, 16, 2)));
        assertEquals(Errno.EINVAL, shortEntry.errno());
        assertEquals(0, shortEntry.handled());
        invalidations(good);
        InvalidationError unreadable = assertThrows(InvalidationError.class, () -> g.nested.cacheInvalidateUser(
                new UserArray(IommuHwptInvalidateDataType.VTD_S1, user, BufferUser.BASE + 4096 - 24, 24, 2)));
        assertEquals(Errno.EFAULT, unreadable.errno());
        assertEquals(1, unreadable.handled());
        // Ranges that run off the end of the address space are everything, not a queue error.
        assertEquals(2, g.nested.cacheInvalidateUser(invalidations(new long[] {0xffff_ffff_ffff_f000L, 2, 0, 0},
                new long[] {0x1000, 1L << 60, 0, 0})));
        assertTrue(driver.iommu().unit().queueErrors().isEmpty(), () -> driver.iommu().unit().queueErrors().toString());
    }
}
