package org.iommufd4j.memory.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /proc/<pid> backend against a real child process: its memory, pins, and credentials. */
class HostMmTest {
    private final PhysicalMemory memory = new PhysicalMemory(4L << 20, new FailNth());
    private final HostProcesses processes = new HostProcesses(memory);
    private LiveChild child;
    private HostMm mm;

    @BeforeEach
    void start() throws Exception {
        child = LiveChild.start();
        mm = processes.mm(child.pid());
    }

    @AfterEach
    void stop() {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void readsAndWritesTheProcessMemory() throws Exception {
        long va = child.scratch(0) + 100;
        mm.write(va, new byte[] {1, 2, 3, 4}, 0, 4);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, child.read(va, 4), "the child's own memory changed");
        child.write(va, new byte[] {9, 8});
        byte[] got = new byte[2];
        mm.read(va, got, 0, 2);
        assertArrayEquals(new byte[] {9, 8}, got);
    }

    @Test
    void anUnmappedAddressIsEfaultNamingIt() {
        IommufdException e = assertThrows(IommufdException.class, () -> mm.read(0x1000, new byte[8], 0, 8));
        assertEquals(Errno.EFAULT, e.errno());
        assertTrue(e.getMessage().contains("0x1000"), e.getMessage());
        assertEquals(Errno.EFAULT, assertThrows(IommufdException.class, () -> mm.write(-4096, new byte[1], 0, 1)).errno());
    }

    @Test
    void writingAReadOnlyMappingIsEfaultThoughProcMemCouldForceIt() {
        IommufdException e = assertThrows(IommufdException.class, () -> mm.write(child.readOnlyPage(), new byte[1], 0, 1));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(Errno.EFAULT, assertThrows(IommufdException.class, () -> mm.pinPages(child.readOnlyPage(), 1, true)).errno());
        long[] ro = mm.pinPages(child.readOnlyPage(), 1, false);
        memory.unpinFrame(ro[0]);
    }

    @Test
    void readingAnInaccessibleMappingIsEfaultThoughProcMemCouldForceIt() throws Exception {
        // A child with a PROT_NONE page (mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS)).
        String script = "import ctypes,sys,time\n"
                + "libc=ctypes.CDLL(None); libc.mmap.restype=ctypes.c_void_p\n"
                + "libc.mmap.argtypes=[ctypes.c_void_p,ctypes.c_size_t,ctypes.c_int,ctypes.c_int,ctypes.c_int,ctypes.c_long]\n"
                + "print(hex(libc.mmap(None,4096,0,0x22,-1,0)),flush=True)\n"
                + "time.sleep(60)\n";
        try (LiveChild python = LiveChild.start("python3", "python3", "-c", script)) {
            long page = Long.parseUnsignedLong(python.readLine().substring(2), 16);
            HostMm other = processes.mm(python.pid());
            IommufdException e = assertThrows(IommufdException.class, () -> other.read(page, new byte[8], 0, 8));
            assertEquals(Errno.EFAULT, e.errno());
            assertTrue(e.getMessage().contains("not mapped readable"), e.getMessage());
        }
    }

    @Test
    void aPinnedPageIsOneFrameWhoseBytesAreTheProgramsPage() throws Exception {
        long va = child.scratch(1);
        long[] first = mm.pinPages(va, 2, true);
        long[] again = mm.pinPages(va + 4096, 1, true);
        assertEquals(first[1], again[0], "pinning a page twice gives the same frame");
        assertNotEquals(first[0], first[1]);
        assertEquals(first[0], mm.frameAt(va + 5));
        assertEquals(2, memory.pinCount(first[1]));
        // A device write into the frame is a write into the program's buffer.
        memory.write((first[1] << PhysicalMemory.PAGE_SHIFT) + 8, new byte[] {0x5a, 0x5b}, 0, 2);
        assertArrayEquals(new byte[] {0x5a, 0x5b}, child.read(va + 4096 + 8, 2));
        child.write(va + 16, new byte[] {0x11});
        byte[] dma = new byte[1];
        memory.read((first[0] << PhysicalMemory.PAGE_SHIFT) + 16, dma, 0, 1);
        assertEquals(0x11, dma[0]);

        memory.unpinFrame(first[0]);
        memory.unpinFrame(first[1]);
        assertEquals(first[1], mm.frameAt(va + 4096), "still pinned once");
        memory.unpinFrame(again[0]);
        assertEquals(0, mm.frameAt(va));
        assertEquals(0, mm.frameAt(va + 4096));
        assertEquals(0, memory.externalFrames());
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void aFailedPinLeavesNothingPinned() throws Exception {
        long[] held = mm.pinPages(child.scratch(0), 1, true);
        // The second page is not mapped writable: the whole run fails, the first page is not left pinned.
        long last = child.writableEnd() - 4096;
        IommufdException e = assertThrows(IommufdException.class, () -> mm.pinPages(last, 2, true));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(1, memory.pinnedFrames(), "only the earlier pin remains");
        assertEquals(1, memory.pinCount(held[0]));
        memory.unpinFrame(held[0]);
        assertEquals(0, memory.externalFrames());
    }

    @Test
    void credentialsComeFromProcAndUsersAreSharedByUid() throws Exception {
        Object uid = Files.getAttribute(Path.of("/proc", Integer.toString(child.pid())), "unix:uid");
        assertEquals(uid, mm.user().uid());
        assertTrue(mm.rlimitMemlock() > 0);
        assertSame(mm, processes.mm(child.pid()), "one address space per live pid");
        try (LiveChild other = LiveChild.start()) {
            assertSame(mm.user(), processes.mm(other.pid()).user(), "per-user accounting adds up a user's processes");
        }
        // MM accounting is limited by the child's RLIMIT_MEMLOCK.
        long limitPages = mm.rlimitMemlock() >>> PhysicalMemory.PAGE_SHIFT;
        if (limitPages < Long.MAX_VALUE >>> PhysicalMemory.PAGE_SHIFT) {
            assertEquals(Errno.ENOMEM, assertThrows(IommufdException.class,
                    () -> mm.accounting().charge(AccountMode.MM, limitPages + 1)).errno());
        }
        mm.accounting().charge(AccountMode.MM, 1);
        assertEquals(1, mm.accounting().lockedVm());
        mm.accounting().uncharge(AccountMode.MM, 1);
    }

    @Test
    void anExitedProcessIsNotAliveAndItsMemoryIsEfault() {
        child.close();
        assertFalse(mm.isAlive());
        assertEquals(Errno.EFAULT, assertThrows(IommufdException.class, () -> mm.pinPages(child.scratch(0), 1, false)).errno());
        processes.prune();
        assertEquals(0, processes.size());
    }
}
