package org.iommufd4j.memory;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.iommufd4j.memory.SimProcess.HUGEPAGE_SIZE;
import static org.iommufd4j.memory.SimProcess.MAP_ANONYMOUS;
import static org.iommufd4j.memory.SimProcess.MAP_FIXED;
import static org.iommufd4j.memory.SimProcess.MAP_HUGETLB;
import static org.iommufd4j.memory.SimProcess.MAP_POPULATE;
import static org.iommufd4j.memory.SimProcess.MAP_PRIVATE;
import static org.iommufd4j.memory.SimProcess.MAP_SHARED;
import static org.iommufd4j.memory.SimProcess.PROT_READ;
import static org.iommufd4j.memory.SimProcess.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/** MAP_HUGETLB: 2 MiB pages of contiguous, aligned frames, as iommufd.c's hugepage variants rely on. */
class SimProcessHugetlbTest {
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int HUGE = MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB;
    private static final long FRAMES_PER_HUGEPAGE = HUGEPAGE_SIZE >>> PAGE_SHIFT;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final SimProcess proc = SimProcess.root(memory);

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    @Test
    void aHugePageIsOneAlignedRunOfContiguousFrames() {
        long va = proc.mmap(0, 2 * HUGEPAGE_SIZE, RW, HUGE, -1, 0);
        assertEquals(0, va & (HUGEPAGE_SIZE - 1), "the mapping is 2 MiB aligned");
        assertEquals(0, memory.allocatedFrames(), "without MAP_POPULATE nothing is faulted in yet");
        proc.write(va + 3 * PAGE_SIZE + 7, new byte[] {42}, 0, 1);
        assertEquals(FRAMES_PER_HUGEPAGE, memory.allocatedFrames(), "a fault brings in the whole huge page");
        long first = proc.frameAt(va);
        assertEquals(0, first % FRAMES_PER_HUGEPAGE, "the huge page is naturally aligned");
        for (long off = 0; off < HUGEPAGE_SIZE; off += PAGE_SIZE) {
            assertEquals(first + (off >>> PAGE_SHIFT), proc.frameAt(va + off), "frame at offset 0x" + Long.toHexString(off));
        }
        assertEquals(0, proc.frameAt(va + HUGEPAGE_SIZE), "the second huge page is not faulted in");
        long[] pinned = proc.pinPages(va + HUGEPAGE_SIZE - PAGE_SIZE, 2, true);
        assertEquals(first + FRAMES_PER_HUGEPAGE - 1, pinned[0]);
        long second = pinned[1];
        assertEquals(0, second % FRAMES_PER_HUGEPAGE, "pinning faulted in the second huge page");
        assertEquals(2 * FRAMES_PER_HUGEPAGE, memory.allocatedFrames());
        for (long pfn : pinned) {
            memory.unpinFrame(pfn);
        }
        proc.munmap(va, 2 * HUGEPAGE_SIZE);
        assertEquals(0, memory.allocatedFrames(), "munmap returns every frame");
    }

    @Test
    void populateFaultsEveryHugePageAndTheLengthRoundsUp() {
        long va = proc.mmap(0, HUGEPAGE_SIZE + PAGE_SIZE, RW, HUGE | MAP_POPULATE, -1, 0);
        assertEquals(2 * FRAMES_PER_HUGEPAGE, memory.allocatedFrames());
        assertEquals(proc.frameAt(va + HUGEPAGE_SIZE) + FRAMES_PER_HUGEPAGE - 1, proc.frameAt(va + 2 * HUGEPAGE_SIZE - PAGE_SIZE));
        proc.exit();
        assertEquals(0, memory.allocatedFrames(), "exit returns every frame");
    }

    @Test
    void aHugePageCannotBeSplit() {
        long va = proc.mmap(0, 2 * HUGEPAGE_SIZE, RW, HUGE | MAP_POPULATE, -1, 0);
        assertEquals(Errno.EINVAL, errno(() -> proc.munmap(va + PAGE_SIZE, HUGEPAGE_SIZE)));
        assertEquals(Errno.EINVAL, errno(() -> proc.munmap(va, PAGE_SIZE)));
        assertEquals(2 * FRAMES_PER_HUGEPAGE, memory.allocatedFrames(), "a refused munmap unmaps nothing");
        proc.munmap(va + HUGEPAGE_SIZE, HUGEPAGE_SIZE);
        // As for any shared mapping, the pages stay in the (hugetlbfs) file while a mapping holds it.
        assertEquals(2 * FRAMES_PER_HUGEPAGE, memory.allocatedFrames());
        assertEquals(Errno.EFAULT, errno(() -> proc.pinPages(va + HUGEPAGE_SIZE, 1, false)));
        proc.munmap(va, HUGEPAGE_SIZE);
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void onlySharedAnonymousAlignedHugetlbIsAccepted() {
        assertEquals(Errno.EINVAL, errno(() -> proc.mmap(0, HUGEPAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0)));
        int fd = proc.memfdCreate("f");
        proc.file(fd).truncate(HUGEPAGE_SIZE);
        assertEquals(Errno.EINVAL, errno(() -> proc.mmap(0, HUGEPAGE_SIZE, RW, MAP_SHARED | MAP_HUGETLB, fd, 0)));
        assertEquals(Errno.EINVAL, errno(() -> proc.mmap(HUGEPAGE_SIZE + PAGE_SIZE, HUGEPAGE_SIZE, RW, HUGE | MAP_FIXED, -1, 0)));
        proc.close(fd);
        assertEquals(0, memory.allocatedFrames());
    }
}
