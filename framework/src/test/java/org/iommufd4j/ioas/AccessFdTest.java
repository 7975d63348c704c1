package org.iommufd4j.ioas;

import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.ioas.Testbed.BUFFER_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.memory.AnonFile;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The selftest access as a file descriptor (the kernel's access fd): its last close destroys the
 * access, a fork shares it, and a context closed while it is open destroys the access itself.
 */
class AccessFdTest {
    private Testbed bed;
    private int ioasId;

    @BeforeEach
    void setUp() {
        bed = new Testbed();
        ioasId = bed.ctx.ioasAlloc();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private int openAccessFd(SelftestAccess st) {
        return bed.proc.installFile(new AnonFile("iommufd", st, st::destroy));
    }

    private int pinBuffer(SelftestAccess st) {
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        return st.pinPages(bed.proc, APERTURE_START, BUFFER_SIZE, bed.buffer, 0);
    }

    @Test
    void closingTheFdUnpinsAndDestroysTheAccess() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        int fd = openAccessFd(st);
        assertSame(st, bed.proc.anonFile(fd).privateData(SelftestAccess.class));
        pinBuffer(st);
        assertTrue(bed.memory.pinnedFrames() > 0);
        bed.proc.close(fd);
        assertEquals(0, bed.memory.pinnedFrames());
        assertEquals(1, bed.ctx.objects().size(), "only the IOAS is left");
        assertEquals(Errno.EBADF, assertThrows(IommufdException.class, () -> bed.proc.close(fd)).errno());
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
    }

    @Test
    void aForkSharesTheFdUntilTheLastCopyCloses() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        int fd = openAccessFd(st);
        SimProcess child = bed.proc.fork();
        bed.proc.close(fd);
        assertEquals(2, bed.ctx.objects().size(), "the child's copy keeps the access");
        child.exit();
        assertEquals(1, bed.ctx.objects().size());
    }

    @Test
    void closingTheContextFirstDestroysTheAccessAndTheFdCloseDoesNothing() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        int fd = openAccessFd(st);
        int item = pinBuffer(st);
        bed.ctx.close();
        assertEquals(0, bed.ctx.objects().size());
        assertEquals(0, bed.memory.pinnedFrames());
        // The access is gone: its items went with it.
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> st.destroyPages(item)).errno());
        assertTrue(bed.proc.isOpen(fd));
        bed.proc.close(fd);
        assertFalse(bed.proc.isOpen(fd));
    }

    @Test
    void anAccessFdIsNotAShmemFile() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        int fd = openAccessFd(st);
        assertEquals(Errno.ENODEV, assertThrows(IommufdException.class, () -> bed.proc.file(fd)).errno());
        int memfd = bed.proc.memfdCreate("m");
        assertNull(bed.proc.anonFile(memfd));
        bed.proc.close(memfd);
        bed.proc.close(fd);
    }
}
