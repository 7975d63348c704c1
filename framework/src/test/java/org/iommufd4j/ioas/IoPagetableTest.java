package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.memory.SimUser;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class IoPagetableTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE;
    private static final long MAX = -1L;

    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(256L << 20, failNth);
    private final SimProcess proc = SimProcess.root(memory);
    private final IoPagetable iopt = new IoPagetable(failNth);

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    /** A touched private buffer (its frames exist before any pin). */
    private long buffer(long length) {
        long va = proc.mmapAnonymous(length, false);
        proc.write(va, new byte[(int) length], 0, (int) length);
        return va;
    }

    private long map(long va, long length) {
        return iopt.mapUser(proc, va, length, 0, false, RW, AccountMode.USER);
    }

    private void mapFixed(long va, long length, long iova) {
        iopt.mapUser(proc, va, length, iova, true, RW, AccountMode.USER);
    }

    @Test
    void autoIovaIsAlignedToTheLengthAndSkipsPageZero() {
        for (int i = 1; i <= 10; i++) {
            long length = (long) i * PAGE_SIZE;
            long iova = iopt.mapUser(proc, 1L << 31, length, 0, false, RW, AccountMode.USER);
            assertEquals(0, iova % Long.lowestOneBit(length), "length 0x" + Long.toHexString(length));
            assertTrue(Long.compareUnsigned(iova, PAGE_SIZE) >= 0);
        }
        assertEquals(10, iopt.areaCount());
        assertEquals(0, iopt.pinnedPages(), "no domain: nothing is pinned yet");
    }

    @Test
    void autoIovaAvoidsReservedAndStaysInAllowed() {
        iopt.reserve(0, (1L << 24) - 1, "test");
        long iova = map(buffer(PAGE_SIZE), PAGE_SIZE);
        assertTrue(Long.compareUnsigned(iova, 1L << 24) >= 0);
        iopt.setAllowedIovas(List.of(new IovaRange(1L << 30, (1L << 30) + 4 * PAGE_SIZE - 1)));
        long va = buffer(4 * PAGE_SIZE);
        long a = map(va, PAGE_SIZE);
        long b = map(va, PAGE_SIZE);
        assertTrue(a >= 1L << 30 && b >= 1L << 30 && a != b);
        assertEquals(Errno.ENOSPC, errno(() -> map(va, 4 * PAGE_SIZE)));
    }

    @Test
    void hugeReservedRangeLeavesNoSpace() {
        iopt.reserve(PAGE_SIZE, MAX - PAGE_SIZE, "test");
        assertEquals(Errno.ENOSPC, errno(() -> map(1L << 31, PAGE_SIZE)));
        assertEquals(0, iopt.areaCount());
    }

    @Test
    void allowedAndReservedConflictInEitherOrder() {
        iopt.setAllowedIovas(List.of(new IovaRange(0x10000, 0x1ffff)));
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.reserve(0x1f000, 0x20fff, "t")));
        iopt.setAllowedIovas(List.of());
        iopt.reserve(0x1f000, 0x20fff, "t");
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.setAllowedIovas(List.of(new IovaRange(0x10000, 0x1ffff)))));
        assertEquals(List.of(), iopt.allowedIovas(), "a refused list changes nothing");
        assertEquals(Errno.EINVAL, errno(() -> iopt.setAllowedIovas(List.of(new IovaRange(5, 5)))));
        assertEquals(Errno.EINVAL, errno(() -> iopt.setAllowedIovas(List.of(new IovaRange(0, 10), new IovaRange(10, 20)))));
        mapFixed(buffer(PAGE_SIZE), PAGE_SIZE, 0x100000);
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.reserve(0x100000, 0x100000, "t")));
    }

    @Test
    void fixedIovaMustBeFreeAndUnreserved() {
        long va = buffer(2 * PAGE_SIZE);
        mapFixed(va, 2 * PAGE_SIZE, 0x400000);
        assertEquals(Errno.EEXIST, errno(() -> mapFixed(va, PAGE_SIZE, 0x401000)));
        assertEquals(Errno.EEXIST, errno(() -> mapFixed(va, 2 * PAGE_SIZE, 0x3ff000)));
        iopt.reserve(0x800000, 0x8fffff, "t");
        assertEquals(Errno.EINVAL, errno(() -> mapFixed(va, PAGE_SIZE, 0x800000)));
        assertEquals(Errno.EOVERFLOW, errno(() -> mapFixed(va, 2 * PAGE_SIZE, MAX - PAGE_SIZE + 1)));
        assertEquals(Errno.EINVAL, errno(() -> mapFixed(va, 0, 0x900000)));
        assertEquals(1, iopt.areaCount());
    }

    @Test
    void unmapTakesWholeAreasOnly() {
        long va = buffer(8 * PAGE_SIZE);
        long base = 0x1000000;
        for (int i = 0; i < 4; i++) {
            mapFixed(va, 8 * PAGE_SIZE, base + i * 16L * PAGE_SIZE);
        }
        assertEquals(Errno.ENOENT, errno(() -> iopt.unmap(base - 4 * PAGE_SIZE, 8 * PAGE_SIZE)));
        assertEquals(Errno.ENOENT, errno(() -> iopt.unmap(base, 3 * 16L * PAGE_SIZE + 4 * PAGE_SIZE)));
        assertEquals(4, iopt.areaCount(), "a refused unmap removes nothing");
        assertEquals(32L * PAGE_SIZE, iopt.unmap(base - 4 * PAGE_SIZE, 3 * 16L * PAGE_SIZE + 12 * PAGE_SIZE));
        assertEquals(0, iopt.areaCount());
        assertEquals(Errno.ENOENT, errno(() -> iopt.unmap(base, PAGE_SIZE)));
        assertEquals(0, iopt.unmapAll());
        assertEquals(Errno.EINVAL, errno(() -> iopt.unmap(base, 0)));
        assertEquals(Errno.EOVERFLOW, errno(() -> iopt.unmap(MAX - 10, 100)));
    }

    @Test
    void firstDomainPinsEverythingAndLastDomainUnpins() {
        long va = buffer(4 * PAGE_SIZE);
        long iova = map(va, 4 * PAGE_SIZE);
        FakePagingDomain d1 = FakePagingDomain.simple();
        FakePagingDomain d2 = FakePagingDomain.simple();
        iopt.addDomain(d1);
        assertEquals(4, iopt.pinnedPages());
        assertEquals(1, proc.pinCountAt(va));
        assertEquals(proc.frameAt(va + PAGE_SIZE) << 12, d1.iovaToPhys(iova + PAGE_SIZE));
        iopt.addDomain(d2);
        assertEquals(1, proc.pinCountAt(va), "a second domain does not pin again");
        assertEquals(4L * PAGE_SIZE, d2.mappedBytes());
        long iova2 = map(va + PAGE_SIZE, PAGE_SIZE);
        assertEquals(proc.frameAt(va + PAGE_SIZE) << 12, d1.iovaToPhys(iova2));
        assertEquals(proc.frameAt(va + PAGE_SIZE) << 12, d2.iovaToPhys(iova2));
        assertEquals(2, proc.pinCountAt(va + PAGE_SIZE), "two maps of one page pin it twice");
        iopt.unmap(iova2, PAGE_SIZE);
        assertEquals(0, d1.iovaToPhys(iova2));
        assertEquals(0, d2.iovaToPhys(iova2));
        iopt.removeDomain(d1);
        assertEquals(0, d1.entries());
        assertEquals(4, iopt.pinnedPages());
        iopt.removeDomain(d2);
        assertEquals(0, d2.entries());
        assertEquals(0, iopt.pinnedPages());
        assertEquals(0, memory.pinnedFrames());
        assertEquals(1, iopt.areaCount(), "the map itself stays");
    }

    @Test
    void domainApertureIsReservedAndAlignmentRaised() {
        FakePagingDomain mock = new FakePagingDomain((1L << 11) | (1L << 20), 1L << 24, (1L << 31) - 1);
        iopt.addDomain(mock);
        assertEquals(2048, iopt.iovaAlignment());
        assertEquals(List.of(new IovaRange(1L << 24, (1L << 31) - 1)), iopt.iovaRanges());
        long va = buffer(PAGE_SIZE);
        assertEquals(Errno.EINVAL, errno(() -> map(va, 1000)));
        long iova = map(va, 2048);
        assertEquals(0, iova % 2048);
        assertEquals(Errno.EINVAL, errno(() -> mapFixed(va, PAGE_SIZE, 0x1000)), "outside the aperture is reserved");
        iopt.removeDomain(mock);
        assertEquals(1, iopt.iovaAlignment());
        assertEquals(List.of(new IovaRange(0, MAX)), iopt.iovaRanges());
    }

    @Test
    void addingADomainIsRefusedWhenAreasConflict() {
        long va = buffer(2 * PAGE_SIZE);
        mapFixed(va, PAGE_SIZE, 0x1000);
        FakePagingDomain narrow = new FakePagingDomain(1L << 12, 1L << 24, (1L << 31) - 1);
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.addDomain(narrow)));
        assertEquals(List.of(new IovaRange(0, MAX)), iopt.iovaRanges(), "its reserved ranges were dropped");
        assertEquals(Errno.EINVAL, errno(() -> iopt.addDomain(new FakePagingDomain(1L << 13, 0, MAX))));
        iopt.unmapAll();
        mapFixed(va + 100, 100, 0x2064);
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.addDomain(FakePagingDomain.simple())), "misaligned area");
        assertEquals(0, memory.pinnedFrames());
        assertTrue(iopt.domains().isEmpty());
    }

    @Test
    void contiguousFramesUseLargePagesUnlessDisabled() {
        long len = 4L << 20;
        long va = buffer(len);
        long pa = proc.frameAt(va) << 12;
        for (long off = 0; off < len; off += PAGE_SIZE) {
            assertEquals(pa + off, proc.frameAt(va + off) << 12, "the test needs physically contiguous frames");
        }
        FakePagingDomain d = FakePagingDomain.simple();
        iopt.addDomain(d);
        long iova = (1L << 32) + (pa & ((2L << 20) - 1));
        mapFixed(va, len, iova);
        assertTrue(d.mappedPageSizes.contains(2L << 20), "a 2 MiB page is used: " + d.mappedPageSizes);
        assertEquals(pa + 12345, d.iovaToPhys(iova + 12345));
        iopt.unmapAll();
        assertEquals(0, d.entries());
        iopt.removeDomain(d);

        iopt.setLargePages(false);
        assertEquals(PAGE_SIZE, iopt.iovaAlignment());
        FakePagingDomain small = FakePagingDomain.simple();
        iopt.addDomain(small);
        mapFixed(va, len, iova);
        assertFalse(small.mappedPageSizes.contains(2L << 20));
        assertEquals(len / PAGE_SIZE, small.entries());
        iopt.setLargePages(false); // already off: a no-op even with mappings in a domain
        assertFalse(iopt.largePages());
    }

    @Test
    void disablingHugePagesChecksExistingAreas() {
        long va = buffer(2 * PAGE_SIZE);
        mapFixed(va + 512, 1024, 0x10200);
        assertEquals(Errno.EADDRINUSE, errno(() -> iopt.setLargePages(false)));
        assertTrue(iopt.largePages());
        iopt.unmapAll();
        mapFixed(va, PAGE_SIZE, 0x10000);
        iopt.addDomain(FakePagingDomain.simple());
        assertEquals(Errno.EINVAL, errno(() -> iopt.setLargePages(false)), "domains already hold mappings");
    }

    @Test
    void copySharesPinnedPages() {
        long va = buffer(4 * PAGE_SIZE);
        FakePagingDomain d = FakePagingDomain.simple();
        iopt.addDomain(d);
        long iova = map(va, 4 * PAGE_SIZE);
        IoPagetable other = new IoPagetable(failNth);
        FakePagingDomain d2 = FakePagingDomain.simple();
        other.addDomain(d2);
        long dst = other.copyFrom(iopt, iova + PAGE_SIZE, 2 * PAGE_SIZE, 0, false, RW);
        assertEquals(1, proc.pinCountAt(va + PAGE_SIZE), "pinned once for both IOAS");
        assertEquals(d.iovaToPhys(iova + PAGE_SIZE), d2.iovaToPhys(dst));
        assertEquals(Errno.ENOENT, errno(() -> other.copyFrom(iopt, iova + 3 * PAGE_SIZE, 2 * PAGE_SIZE, 0, false, RW)));
        iopt.unmapAll();
        assertEquals(1, proc.pinCountAt(va + PAGE_SIZE), "the copy still holds its pages");
        assertEquals(0, proc.pinCountAt(va));
        other.unmapAll();
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void copySpanningTwoAreasMakesTwoAreas() {
        long va = buffer(4 * PAGE_SIZE);
        mapFixed(va, 2 * PAGE_SIZE, 0x100000);
        mapFixed(va + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 0x102000);
        IoPagetable other = new IoPagetable(failNth);
        other.copyFrom(iopt, 0x101000, 2 * PAGE_SIZE, 0x200000, true, RW);
        assertEquals(List.of(new IovaRange(0x200000, 0x200fff), new IovaRange(0x201000, 0x201fff)), other.mappings());
    }

    @Test
    void readOnlyPagesCannotBeCopiedWritable() {
        long va = buffer(PAGE_SIZE);
        long iova = iopt.mapUser(proc, va, PAGE_SIZE, 0, false, IommuProt.READ, AccountMode.USER);
        assertEquals(Errno.EPERM, errno(() -> iopt.copyFrom(iopt, iova, PAGE_SIZE, 0, false, RW)));
        iopt.copyFrom(iopt, iova, PAGE_SIZE, 0, false, IommuProt.READ);
    }

    @Test
    void holeHalfWayIsEfaultAndLeavesNothing() {
        long va = buffer(4 * PAGE_SIZE);
        proc.munmap(va + 2 * PAGE_SIZE, PAGE_SIZE);
        iopt.addDomain(FakePagingDomain.simple());
        assertEquals(Errno.EFAULT, errno(() -> map(va, 4 * PAGE_SIZE)));
        assertEquals(0, iopt.areaCount());
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void domainFailureHalfWayRollsBackEveryDomain() {
        FakePagingDomain d1 = FakePagingDomain.simple();
        FakePagingDomain d2 = FakePagingDomain.simple();
        iopt.addDomain(d1);
        iopt.addDomain(d2);
        // Pages touched in reverse order get descending frames: one map call per page.
        long va = proc.mmapAnonymous(8 * PAGE_SIZE, false);
        for (int i = 7; i >= 0; i--) {
            proc.write(va + i * PAGE_SIZE, new byte[] {1}, 0, 1);
        }
        d2.failMapAt = 2;
        assertEquals(Errno.ENOMEM, errno(() -> map(va, 8 * PAGE_SIZE)));
        assertEquals(0, d1.entries());
        assertEquals(0, d2.entries());
        assertEquals(0, iopt.areaCount());
        assertEquals(0, memory.pinnedFrames());
        map(va, 8 * PAGE_SIZE);
        assertEquals(8, d2.entries());
    }

    @Test
    void pinAccountingAgainstRlimitPerUserAndPerProcess() {
        SimUser user = new SimUser(1000);
        SimProcess p = new SimProcess(memory, user, 4L * PAGE_SIZE, EnumSet.noneOf(Capability.class));
        long va = p.mmapAnonymous(8 * PAGE_SIZE, false);
        iopt.addDomain(FakePagingDomain.simple());
        iopt.mapUser(p, va, 3 * PAGE_SIZE, 0, false, RW, AccountMode.USER);
        assertEquals(3, user.lockedPages());
        assertEquals(3, p.pinnedVm());
        assertEquals(Errno.ENOMEM, errno(() -> iopt.mapUser(p, va + 3 * PAGE_SIZE, 2 * PAGE_SIZE, 0, false, RW, AccountMode.USER)));
        assertEquals(3, user.lockedPages());
        assertEquals(1, iopt.areaCount());
        iopt.mapUser(p, va + 3 * PAGE_SIZE, 2 * PAGE_SIZE, 0, false, RW, AccountMode.MM);
        assertEquals(2, p.lockedVm());
        assertEquals(5, p.pinnedVm());
        p.grantCapability(Capability.IPC_LOCK);
        iopt.mapUser(p, va + 5 * PAGE_SIZE, 3 * PAGE_SIZE, 0, false, RW, AccountMode.USER);
        assertEquals(3, user.lockedPages(), "CAP_IPC_LOCK bypasses the limit");
        assertEquals(8, p.pinnedVm());
        iopt.unmapAll();
        assertEquals(0, user.lockedPages());
        assertEquals(0, p.lockedVm());
        assertEquals(0, p.pinnedVm());
    }

    @Test
    void mapsOfAnExitedProcessFailWhenFirstPinned() {
        SimProcess child = proc.fork();
        long va = child.mmapAnonymous(2 * PAGE_SIZE, true);
        long pinnedIova = 0x100000;
        long lazyIova = 0x200000;
        IoPagetable withDomain = new IoPagetable(failNth);
        withDomain.addDomain(FakePagingDomain.simple());
        withDomain.mapUser(child, va, PAGE_SIZE, pinnedIova, true, RW, AccountMode.USER);
        iopt.mapUser(child, va + PAGE_SIZE, PAGE_SIZE, lazyIova, true, RW, AccountMode.USER);
        child.exit();
        IoPagetable fresh = new IoPagetable(failNth);
        fresh.addDomain(FakePagingDomain.simple());
        fresh.copyFrom(withDomain, pinnedIova, PAGE_SIZE, 0, false, RW);
        assertEquals(Errno.EFAULT, errno(() -> iopt.addDomain(FakePagingDomain.simple())));
        assertTrue(iopt.domains().isEmpty());
    }

    @Test
    void accessPinsAreReleasedThroughTheUnmapCallback() {
        long va = buffer(4 * PAGE_SIZE);
        long iova = map(va, 4 * PAGE_SIZE);
        long[] pfns = iopt.pinIova(iova + PAGE_SIZE, 2 * PAGE_SIZE, true);
        assertEquals(proc.frameAt(va + PAGE_SIZE), pfns[0]);
        assertEquals(Errno.EBUSY, errno(() -> iopt.unmap(iova, 4 * PAGE_SIZE)), "no access lets go");
        boolean[] called = new boolean[1];
        IovaAccess access = (at, len) -> {
            called[0] = true;
            iopt.unpinIova(iova + PAGE_SIZE, 2 * PAGE_SIZE);
        };
        iopt.addAccess(access);
        assertEquals(4L * PAGE_SIZE, iopt.unmap(iova, 4 * PAGE_SIZE));
        assertTrue(called[0]);
        assertEquals(0, memory.pinnedFrames());
        assertEquals(Errno.ENOENT, errno(() -> iopt.pinIova(iova, PAGE_SIZE, false)));
    }

    @Test
    void pgsizeChoosesTheLargestAlignedPage() {
        long bitmap = (1L << 12) | (1L << 21) | (1L << 30);
        assertEquals(1L << 21, IoPagetable.pgsize(bitmap, 0x200000, 0x400000, 0x400000));
        assertEquals(1L << 12, IoPagetable.pgsize(bitmap, 0x201000, 0x401000, 0x400000));
        assertEquals(0x1ff, IoPagetable.pgcount(bitmap, 1L << 12, 0x201000, 0x401000, 0x400000),
                "stops where a 2 MiB page could start");
        assertEquals(0x400, IoPagetable.pgcount(bitmap, 1L << 12, 0x201000, 0x402000, 0x400000),
                "no boundary to wait for when the addresses can never align");
    }

    @Test
    void deviceReadsAndWritesGoThroughPinsOrTheSource() {
        long va = buffer(2 * PAGE_SIZE);
        proc.write(va + PAGE_SIZE - 2, new byte[] {1, 2, 3, 4}, 0, 4);
        long iova = map(va, 2 * PAGE_SIZE);
        byte[] got = new byte[4];
        iopt.rw(iova + PAGE_SIZE - 2, got, 0, 4, false);
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4), List.of(got[0], got[1], got[2], got[3]), "unpinned: via the process");
        iopt.addDomain(FakePagingDomain.simple());
        iopt.rw(iova + 10, new byte[] {9}, 0, 1, true);
        byte[] one = new byte[1];
        proc.read(va + 10, one, 0, 1);
        assertEquals(9, one[0], "pinned: the write lands in the frame the process sees");
        assertEquals(Errno.ENOENT, errno(() -> iopt.rw(iova + 2 * PAGE_SIZE - 1, new byte[2], 0, 2, false)));
        long ro = iopt.mapUser(proc, va, PAGE_SIZE, 0, false, IommuProt.READ, AccountMode.USER);
        assertEquals(Errno.EPERM, errno(() -> iopt.rw(ro, new byte[1], 0, 1, true)));
    }

    @Test
    void gibibyteMapKeepsPinsInArraysAndUsesHugePages() {
        PhysicalMemory big = new PhysicalMemory(2L << 30, failNth);
        SimProcess p = SimProcess.root(big);
        long len = 1L << 30;
        long va = p.mmapAnonymous(len, false);
        // Fault the pages in without touching their bytes (no heap for contents).
        for (long pfn : p.pinPages(va, (int) (len / PAGE_SIZE), true)) {
            big.unpinFrame(pfn);
        }
        long pa = p.frameAt(va) << 12;
        FakePagingDomain d = FakePagingDomain.simple();
        iopt.addDomain(d);
        iopt.mapUser(p, va, len, (1L << 34) + (pa & ((2L << 20) - 1)), true, RW, AccountMode.USER);
        assertEquals(len / PAGE_SIZE, iopt.pinnedPages());
        assertTrue(d.entries() < 1100, "contiguous frames use 2 MiB pages: " + d.entries() + " entries");
        iopt.unmapAll();
        iopt.removeDomain(d);
        assertEquals(0, big.pinnedFrames());
    }
}
