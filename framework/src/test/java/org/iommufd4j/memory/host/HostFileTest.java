package org.iommufd4j.memory.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real process's memfd through /proc/<pid>/fd/<n>: what IOAS_MAP_FILE pins. */
class HostFileTest {
    private static final String PROGRAM = "import os, sys, time\n"
            + "fd = os.memfd_create('buf')\n"
            + "os.ftruncate(fd, 16384)\n"
            + "os.pwrite(fd, b'hello', 0)\n"
            + "print(fd, flush=True)\n"
            + "time.sleep(60)\n";

    private final PhysicalMemory memory = new PhysicalMemory(4L << 20, new FailNth());
    private final HostProcesses processes = new HostProcesses(memory);
    private Process child;
    private int memfd;

    @BeforeEach
    void start() throws Exception {
        try {
            child = new ProcessBuilder("python3", "-c", PROGRAM).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "python3 is needed to make a memfd in a child: " + e.getMessage());
        }
        String line = new BufferedReader(new InputStreamReader(child.getInputStream())).readLine();
        assumeTrue(line != null, "the child did not start");
        memfd = Integer.parseInt(line.trim());
    }

    @AfterEach
    void stop() throws Exception {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    private byte[] fileBytes(int offset, int len) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of("/proc", Long.toString(child.pid()), "fd", Integer.toString(memfd)),
                StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            ch.read(b, offset);
            return b.array();
        }
    }

    @Test
    void aMemfdPinsAsFramesOverItsBytes() throws Exception {
        HostMm mm = processes.mm((int) child.pid());
        ShmemFile f = mm.file(memfd);
        assertTrue(f.isMemfd(), f.name());
        assertEquals(16384, f.size());
        byte[] hello = new byte[5];
        assertEquals(5, f.read(0, hello, 0, 5));
        assertArrayEquals("hello".getBytes(), hello);

        long[] pfns = f.pinRange(100, 8000);
        assertEquals(2, pfns.length);
        long[] again = mm.file(memfd).pinRange(4096, 1);
        assertEquals(pfns[1], again[0], "the same page of the same memfd is one frame, even opened again");
        memory.write((pfns[1] << PhysicalMemory.PAGE_SHIFT) + 7, new byte[] {1, 2, 3}, 0, 3);
        assertArrayEquals(new byte[] {1, 2, 3}, fileBytes(4096 + 7, 3), "a device write lands in the memfd");

        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> f.pinRange(16000, 1000)).errno());
        for (long pfn : pfns) {
            memory.unpinFrame(pfn);
        }
        memory.unpinFrame(again[0]);
        assertEquals(0, memory.externalFrames());
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void notAMemfdOrNotOpen() {
        HostMm mm = processes.mm((int) child.pid());
        // stdout is a pipe to us: not a regular file.
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class, () -> mm.file(1)).errno());
        assertEquals(Errno.EBADF, assertThrows(IommufdException.class, () -> mm.file(999)).errno());
        assertEquals(Errno.EBADF, assertThrows(IommufdException.class, () -> mm.file(-1)).errno());
        assertFalse(new HostProcess(mm, FdTable.NONE).isOpen(999));
    }
}
