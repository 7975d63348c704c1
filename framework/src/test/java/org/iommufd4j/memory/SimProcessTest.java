package org.iommufd4j.memory;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class SimProcessTest {
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, failNth);
    private final SimProcess proc = SimProcess.root(memory);

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    private byte readByte(SimProcess p, long va) {
        byte[] b = new byte[1];
        p.read(va, b, 0, 1);
        return b[0];
    }

    private void writeByte(SimProcess p, long va, int v) {
        p.write(va, new byte[] {(byte) v}, 0, 1);
    }

    @Test
    void anonymousMemoryReadsZeroAndKeepsWhatIsWritten() {
        long va = proc.mmapAnonymous(3 * PAGE_SIZE, false);
        assertEquals(0, readByte(proc, va + 5000));
        assertEquals(0, memory.allocatedFrames(), "reading untouched memory allocates nothing");
        byte[] data = new byte[6000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        proc.write(va + 100, data, 0, data.length);
        byte[] back = new byte[6000];
        proc.read(va + 100, back, 0, back.length);
        assertArrayEquals(data, back);
        assertEquals(2, memory.allocatedFrames());
        proc.munmap(va, 3 * PAGE_SIZE);
        assertEquals(0, memory.allocatedFrames());
        assertEquals(Errno.EFAULT, errno(() -> readByte(proc, va)));
    }

    @Test
    void partialMunmapSplitsTheMapping() {
        long va = proc.mmapAnonymous(4 * PAGE_SIZE, false);
        for (int i = 0; i < 4; i++) {
            writeByte(proc, va + (long) i * PAGE_SIZE, i + 1);
        }
        proc.munmap(va + PAGE_SIZE, 2 * PAGE_SIZE);
        assertEquals(1, readByte(proc, va));
        assertEquals(4, readByte(proc, va + 3 * PAGE_SIZE));
        assertEquals(Errno.EFAULT, errno(() -> readByte(proc, va + 2 * PAGE_SIZE)));
        assertEquals(2, memory.allocatedFrames());
    }

    @Test
    void readOnlyMappingRefusesWritesAndWritePins() {
        long va = proc.mmap(0, PAGE_SIZE, SimProcess.PROT_READ, SimProcess.MAP_PRIVATE | SimProcess.MAP_ANONYMOUS, -1, 0);
        assertEquals(Errno.EFAULT, errno(() -> writeByte(proc, va, 1)));
        assertEquals(Errno.EFAULT, errno(() -> proc.pinPages(va, 1, true)));
        long[] pfns = proc.pinPages(va, 1, false);
        assertEquals(1, memory.pinCount(pfns[0]));
    }

    @Test
    void pinningAHoleHalfWayIsEfaultAndPinsNothing() {
        long va = proc.mmapAnonymous(4 * PAGE_SIZE, false);
        proc.write(va, new byte[4 * PAGE_SIZE], 0, 4 * PAGE_SIZE);
        proc.munmap(va + 2 * PAGE_SIZE, PAGE_SIZE);
        assertEquals(Errno.EFAULT, errno(() -> proc.pinPages(va, 4, true)));
        assertEquals(0, memory.pinnedFrames());
        long[] pfns = proc.pinPages(va, 2, true);
        assertEquals(proc.frameAt(va), pfns[0]);
        assertEquals(1, proc.pinCountAt(va + PAGE_SIZE));
    }

    @Test
    void pinnedPagesSurviveMunmapUntilUnpinned() {
        long va = proc.mmapAnonymous(2 * PAGE_SIZE, false);
        long[] pfns = proc.pinPages(va, 2, true);
        proc.munmap(va, 2 * PAGE_SIZE);
        assertEquals(2, memory.allocatedFrames());
        for (long pfn : pfns) {
            memory.unpinFrame(pfn);
        }
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void forkMakesPrivatePagesCopyOnWrite() {
        long va = proc.mmapAnonymous(PAGE_SIZE, false);
        writeByte(proc, va, 7);
        long before = proc.frameAt(va);
        SimProcess child = proc.fork();
        assertEquals(before, child.frameAt(va), "shared until someone writes");
        writeByte(child, va, 9);
        assertNotEquals(before, child.frameAt(va));
        assertEquals(7, readByte(proc, va));
        assertEquals(9, readByte(child, va));
        assertEquals(before, proc.frameAt(va), "the parent keeps its frame");
        child.exit();
        assertEquals(1, memory.allocatedFrames());
    }

    @Test
    void forkCopiesPinnedPagesForTheChildAtOnce() {
        long va = proc.mmapAnonymous(PAGE_SIZE, false);
        writeByte(proc, va, 3);
        long pinned = proc.pinPages(va, 1, true)[0];
        SimProcess child = proc.fork();
        assertNotEquals(pinned, child.frameAt(va));
        assertEquals(3, readByte(child, va));
        writeByte(proc, va, 4);
        assertEquals(pinned, proc.frameAt(va), "a write by the parent does not move it off the pinned frame");
        assertEquals(3, readByte(child, va));
    }

    @Test
    void sharedMappingsStaySharedAcrossFork() {
        long va = proc.mmapAnonymous(PAGE_SIZE, true);
        SimProcess child = proc.fork();
        writeByte(child, va, 5);
        assertEquals(5, readByte(proc, va));
        assertEquals(proc.frameAt(va), child.frameAt(va));
        child.exit();
        proc.munmap(va, PAGE_SIZE);
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void pinningMakesAPrivateCowPageExclusive() {
        long va = proc.mmapAnonymous(PAGE_SIZE, false);
        writeByte(proc, va, 1);
        SimProcess child = proc.fork();
        long shared = proc.frameAt(va);
        long pinned = proc.pinPages(va, 1, false)[0];
        assertNotEquals(shared, pinned);
        assertEquals(shared, child.frameAt(va));
        writeByte(proc, va, 2);
        assertEquals(pinned, proc.frameAt(va));
    }

    @Test
    void exitReleasesTheAddressSpaceButNotThePins() {
        long va = proc.mmapAnonymous(2 * PAGE_SIZE, false);
        long[] pfns = proc.pinPages(va, 2, true);
        proc.write(va, new byte[] {1}, 0, 1);
        proc.exit();
        assertEquals(2, memory.pinnedFrames());
        assertEquals(Errno.EFAULT, errno(() -> proc.pinPages(va, 1, false)));
        for (long pfn : pfns) {
            memory.unpinFrame(pfn);
        }
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void memfdWritesTruncatesAndMaps() {
        int fd = proc.memfdCreate("buf");
        SimFile f = proc.file(fd);
        f.write(0, new byte[] {1, 2, 3}, 0, 3);
        f.truncate(2 * PAGE_SIZE);
        long shared = proc.mmap(0, 2 * PAGE_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE, SimProcess.MAP_SHARED, fd, 0);
        long priv = proc.mmap(0, 2 * PAGE_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE, SimProcess.MAP_PRIVATE, fd, 0);
        assertEquals(2, readByte(proc, shared + 1));
        writeByte(proc, shared + PAGE_SIZE, 8);
        byte[] b = new byte[1];
        f.read(PAGE_SIZE, b, 0, 1);
        assertEquals(8, b[0]);
        writeByte(proc, priv, 42);
        assertEquals(1, readByte(proc, shared), "a private mapping's write stays private");
        assertEquals(42, readByte(proc, priv));
        f.truncate(PAGE_SIZE);
        assertEquals(Errno.EFAULT, errno(() -> readByte(proc, shared + PAGE_SIZE)));
        assertEquals(Errno.EINVAL, errno(() -> f.pinRange(0, 2 * PAGE_SIZE)));
        long[] pfns = f.pinRange(10, 100);
        assertEquals(1, pfns.length);
        assertEquals(proc.frameAt(shared), pfns[0]);
    }

    @Test
    void fileDescriptorTable() {
        assertEquals(Errno.EBADF, errno(() -> proc.file(3)));
        assertEquals(Errno.EBADF, errno(() -> proc.file(-1)));
        int fd = proc.memfdCreate("a");
        assertEquals(3, fd);
        assertEquals(4, proc.memfdCreate("b"));
        proc.close(fd);
        assertEquals(Errno.EBADF, errno(() -> proc.file(fd)));
        assertEquals(3, proc.memfdCreate("c"));
    }

    @Test
    void memfdPagesLiveWhileAMappingHoldsTheFileAfterClose() {
        int fd = proc.memfdCreate("m");
        proc.file(fd).truncate(PAGE_SIZE);
        long va = proc.mmap(0, PAGE_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE, SimProcess.MAP_SHARED, fd, 0);
        writeByte(proc, va, 6);
        proc.close(fd);
        assertEquals(6, readByte(proc, va));
        proc.munmap(va, PAGE_SIZE);
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void userAndMmAccountingAgainstRlimit() {
        SimUser user = new SimUser(1000);
        SimProcess a = new SimProcess(memory, user, 4 * PAGE_SIZE, EnumSet.noneOf(Capability.class));
        SimProcess b = new SimProcess(memory, user, 4 * PAGE_SIZE, EnumSet.noneOf(Capability.class));
        a.chargePinned(AccountMode.USER, 3);
        assertEquals(Errno.ENOMEM, errno(() -> b.chargePinned(AccountMode.USER, 2)), "the user's total counts");
        assertEquals(3, user.lockedPages());
        assertEquals(0, b.pinnedVm());
        b.chargePinned(AccountMode.MM, 4);
        assertEquals(Errno.ENOMEM, errno(() -> b.chargePinned(AccountMode.MM, 1)));
        assertEquals(4, b.lockedVm());
        a.chargePinned(AccountMode.NONE, 100);
        assertEquals(103, a.pinnedVm());
        a.unchargePinned(AccountMode.USER, 3);
        a.unchargePinned(AccountMode.NONE, 100);
        b.unchargePinned(AccountMode.MM, 4);
        assertEquals(0, user.lockedPages());
        assertEquals(0, a.pinnedVm());
        assertEquals(0, b.lockedVm());
        assertTrue(SimProcess.root(memory).capable(Capability.IPC_LOCK));
    }

    @Test
    void injectedFailureWhilePinningPinsNothing() {
        long va = proc.mmapAnonymous(2 * PAGE_SIZE, false);
        failNth.arm(1);
        assertEquals(Errno.ENOMEM, errno(() -> proc.pinPages(va, 2, true)));
        failNth.disarm();
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void gibibyteOfPinnedPagesStaysInPrimitiveArrays() {
        PhysicalMemory big = new PhysicalMemory(2L << 30, new FailNth());
        SimProcess p = SimProcess.root(big);
        long va = p.mmapAnonymous(1L << 30, false);
        long[] pfns = p.pinPages(va, (int) ((1L << 30) / PAGE_SIZE), true);
        assertEquals(262_144, pfns.length);
        assertEquals(262_144, big.pinnedFrames());
        for (long pfn : pfns) {
            big.unpinFrame(pfn);
        }
        p.exit();
        assertEquals(0, big.allocatedFrames());
    }

    @Test
    void hugetlbMappingsArePhysicallyContiguousHugePages() {
        int rw = SimProcess.PROT_READ | SimProcess.PROT_WRITE;
        int flags = SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_HUGETLB;
        // The length is rounded up to whole 2 MiB pages; MAP_POPULATE faults them all in now.
        long va = proc.mmap(0, 3L << 20, rw, flags | SimProcess.MAP_POPULATE, -1, 0);
        assertEquals(0, va & (SimProcess.HUGE_PAGE_SIZE - 1), "huge mappings are 2 MiB aligned");
        assertEquals(1024, memory.allocatedFrames(), "two huge pages, populated");
        for (long hp = 0; hp < 2; hp++) {
            long first = proc.frameAt(va + hp * SimProcess.HUGE_PAGE_SIZE);
            assertEquals(0, first & 511, "a huge page starts at a 2 MiB-aligned frame");
            for (long i = 1; i < 512; i++) {
                assertEquals(first + i, proc.frameAt(va + hp * SimProcess.HUGE_PAGE_SIZE + i * PAGE_SIZE), "frame " + i);
            }
        }
        writeByte(proc, va + (3L << 20) + 7, 9);
        assertEquals(9, readByte(proc, va + (3L << 20) + 7), "the rounded-up tail is mapped");
        proc.munmap(va, 4L << 20);
        assertEquals(0, memory.allocatedFrames(), "munmap returns every frame of the huge pages");

        // Without MAP_POPULATE a fault instantiates the whole huge page.
        long lazy = proc.mmap(0, SimProcess.HUGE_PAGE_SIZE, rw, flags, -1, 0);
        assertEquals(0, memory.allocatedFrames());
        writeByte(proc, lazy + 5 * PAGE_SIZE, 1);
        assertEquals(512, memory.allocatedFrames());
        assertEquals(proc.frameAt(lazy) + 5, proc.frameAt(lazy + 5 * PAGE_SIZE));
        proc.munmap(lazy, SimProcess.HUGE_PAGE_SIZE);
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void hugetlbNeedsSharedAnonymousMemoryAndAlignedFixedAddresses() {
        int rw = SimProcess.PROT_READ | SimProcess.PROT_WRITE;
        assertEquals(Errno.EINVAL, errno(() -> proc.mmap(0, SimProcess.HUGE_PAGE_SIZE, rw,
                SimProcess.MAP_PRIVATE | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_HUGETLB, -1, 0)));
        assertEquals(Errno.EINVAL, errno(() -> proc.mmap((1L << 30) + PAGE_SIZE, SimProcess.HUGE_PAGE_SIZE, rw,
                SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_HUGETLB | SimProcess.MAP_FIXED, -1, 0)));
        assertEquals(0, memory.allocatedFrames());
    }
}
