package org.iommufd4j.ioas;

import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.ioas.Testbed.BUFFER_SIZE;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Emulated-device access (device.c iommufd_access_*, selftest.c's selftest_access): the
 * iommufd_ioas access_* selftests and the errno rules around them.
 */
class AccessTest {
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

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    private SelftestAccess pinAccess() {
        return SelftestAccess.create(bed.ctx, ioasId, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
    }

    // ---------------------------------------------------------------- object lifecycle

    @Test
    void accessIsAnObjectThatHoldsItsIoasAndCannotBeDestroyedByTheUser() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        IommufdObject obj = bed.ctx.get(st.id(), IommufdObject.class);
        bed.ctx.put(obj);
        assertEquals(ObjectType.ACCESS, obj.type());
        assertSame(bed.ioas(ioasId), st.access().ioas());
        // The driver holds the access; the access holds the IOAS.
        assertEquals(Errno.EBUSY, errno(() -> bed.ctx.destroy(st.id())));
        assertEquals(Errno.EBUSY, errno(() -> bed.ctx.destroy(ioasId)));
        st.destroy();
        assertEquals(Errno.ENOENT, errno(() -> bed.ctx.destroy(st.id())));
        bed.ctx.destroy(ioasId);
    }

    @Test
    void createOnAMissingIoasFailsAndLeavesNoObject() {
        assertEquals(Errno.ENOENT, errno(() -> SelftestAccess.create(bed.ctx, ioasId + 100, 0)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> SelftestAccess.create(bed.ctx, ioasId, 2)));
        assertEquals(1, bed.ctx.objects().size());
    }

    @Test
    void pinningAccessRaisesTheIoasAlignmentToPageSizeWhileAttached() {
        IoPagetable iopt = bed.ioas(ioasId).iopt();
        assertEquals(1, iopt.iovaAlignment());
        SelftestAccess plain = SelftestAccess.create(bed.ctx, ioasId, 0);
        assertEquals(1, iopt.iovaAlignment());
        SelftestAccess pin = pinAccess();
        assertEquals(PAGE_SIZE, iopt.iovaAlignment());
        assertEquals(Errno.EINVAL, errno(() -> bed.mapFixed(ioasId, bed.buffer, PAGE_SIZE, APERTURE_START + 2048)));
        pin.destroy();
        assertEquals(1, iopt.iovaAlignment());
        bed.mapFixed(ioasId, bed.buffer, PAGE_SIZE, APERTURE_START + 2048);
        plain.destroy();
    }

    @Test
    void pinningAccessCannotAttachWhereAnAreaIsMisaligned() {
        bed.mapFixed(ioasId, bed.buffer + 2048, PAGE_SIZE, APERTURE_START + 2048);
        int before = bed.ctx.objects().size();
        assertEquals(Errno.EADDRINUSE, errno(this::pinAccess));
        assertEquals(before, bed.ctx.objects().size());
        assertEquals(1, bed.ioas(ioasId).iopt().iovaAlignment());
        assertTrue(bed.ioas(ioasId).iopt().accesses().isEmpty());
    }

    // ---------------------------------------------------------------- pin (access_pin, access_pin_unmap)

    /** iommufd_ioas.access_pin: pin/unpin loops, double users, adding a domain while pinned. */
    @Test
    void accessPinLoops() {
        SelftestAccess st = pinAccess();
        for (int npages = 1; npages < BUFFER_SIZE / PAGE_SIZE; npages++) {
            long length = (long) npages * PAGE_SIZE;
            // Single map/unmap
            bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
            int item = st.pinPages(bed.proc, APERTURE_START, length, bed.buffer, 0);
            assertEquals(1, bed.proc.pinCountAt(bed.buffer));
            assertEquals(0, bed.proc.pinCountAt(bed.buffer + length));
            st.destroyPages(item);
            assertEquals(0, bed.memory.pinnedFrames());

            // Double user
            int first = st.pinPages(bed.proc, APERTURE_START, length, bed.buffer, 0);
            int second = st.pinPages(bed.proc, APERTURE_START, length, bed.buffer, 0);
            assertNotEquals(first, second);
            assertEquals(1, bed.proc.pinCountAt(bed.buffer), "two users of one page pin it once");
            st.destroyPages(second);
            assertEquals(1, bed.proc.pinCountAt(bed.buffer));
            st.destroyPages(first);
            assertEquals(0, bed.memory.pinnedFrames());

            // Add/remove a domain with a user
            int held = st.pinPages(bed.proc, APERTURE_START, length, bed.buffer, 0);
            PageTableDomain domain = bed.addDomain(ioasId);
            for (long off = 0; off < BUFFER_SIZE; off += PAGE_SIZE) {
                assertEquals(bed.frame(bed.buffer + off) << PAGE_SHIFT, domain.iovaToPhys(APERTURE_START + off), "MD_CHECK_MAP");
            }
            bed.removeDomain(ioasId, domain);
            assertEquals(1, bed.proc.pinCountAt(bed.buffer), "the access still holds its pages");
            st.destroyPages(held);
            bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
            assertEquals(0, bed.memory.pinnedFrames());
        }
        st.destroy();
    }

    @Test
    void pinReturnsTheFramesTheUserMaps() {
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        SelftestAccess st = pinAccess();
        long[] pfns = st.access().pinPages(APERTURE_START + PAGE_SIZE, 3 * PAGE_SIZE, AccessFlags.WRITE);
        assertEquals(3, pfns.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(bed.frame(bed.buffer + (i + 1L) * PAGE_SIZE), pfns[i]);
        }
        st.access().unpinPages(APERTURE_START + PAGE_SIZE, 3 * PAGE_SIZE);
        // uptr pointing at other pages than the IOVA maps: EBADE, nothing stays pinned.
        assertEquals(Errno.EBADE, errno(() -> st.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, bed.buffer + PAGE_SIZE, 0)));
        assertEquals(Errno.EFAULT, errno(() -> st.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, 0x1000, 0)));
        assertEquals(0, bed.memory.pinnedFrames());
        assertEquals(0, st.itemCount());
        st.destroy();
    }

    /** iommufd_ioas.access_pin_unmap: an IOAS unmap makes the access let go; the item is gone. */
    @Test
    void unmapForcesTheAccessToUnpin() {
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        int item = st.pinPages(bed.proc, APERTURE_START, BUFFER_SIZE, bed.buffer, 0);
        assertEquals(BUFFER_SIZE, bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE));
        assertEquals(Errno.ENOENT, errno(() -> st.destroyPages(item)));
        assertEquals(0, bed.memory.pinnedFrames());
        st.destroy();
    }

    @Test
    void unmapOnlyDropsTheItemsItTouches() {
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, 4 * PAGE_SIZE, APERTURE_START);
        bed.mapFixed(ioasId, bed.buffer + 8 * PAGE_SIZE, 4 * PAGE_SIZE, APERTURE_START + 8 * PAGE_SIZE);
        int inFirst = st.pinPages(bed.proc, APERTURE_START + PAGE_SIZE, PAGE_SIZE, bed.buffer + PAGE_SIZE, 0);
        int inSecond = st.pinPages(bed.proc, APERTURE_START + 9 * PAGE_SIZE, 2 * PAGE_SIZE, bed.buffer + 9 * PAGE_SIZE, 0);
        bed.unmap(ioasId, APERTURE_START, 4 * PAGE_SIZE);
        assertEquals(Errno.ENOENT, errno(() -> st.destroyPages(inFirst)));
        assertEquals(1, st.itemCount());
        assertEquals(1, bed.proc.pinCountAt(bed.buffer + 9 * PAGE_SIZE));
        st.destroyPages(inSecond);
        st.destroy();
    }

    @Test
    void anAccessThatKeepsItsPinsMakesTheUnmapBusy() {
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        List<long[]> calls = new ArrayList<>();
        IommufdAccess stubborn = IommufdAccess.create(bed.ctx, new IommufdAccess.Ops() {
            @Override
            public boolean needsPinPages() {
                return true;
            }

            @Override
            public void unmap(long iova, long length) {
                calls.add(new long[] {iova, length});
            }
        });
        stubborn.attach(ioasId);
        stubborn.pinPages(APERTURE_START, PAGE_SIZE, AccessFlags.READ);
        assertEquals(Errno.EBUSY, errno(() -> bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE)));
        assertEquals(1, bed.ioas(ioasId).iopt().areaCount());
        assertArrayEquals(new long[] {APERTURE_START, BUFFER_SIZE}, calls.get(0));
        stubborn.unpinPages(APERTURE_START, PAGE_SIZE);
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
        stubborn.destroyAccess();
        // Detaching told the driver to drop everything.
        assertArrayEquals(new long[] {0, -1L}, calls.get(calls.size() - 1));
    }

    @Test
    void pinErrnos() {
        SelftestAccess st = pinAccess();
        IommufdAccess a = st.access();
        bed.mapFixed(ioasId, bed.buffer, 4 * PAGE_SIZE, APERTURE_START);
        bed.mapFixed(ioasId, bed.buffer + 8 * PAGE_SIZE, 2 * PAGE_SIZE, APERTURE_START + 8 * PAGE_SIZE, IommuIoasMapFlags.READABLE);
        bed.mapFixed(ioasId, bed.buffer + 12 * PAGE_SIZE, PAGE_SIZE, APERTURE_START + 12 * PAGE_SIZE, IommuIoasMapFlags.WRITEABLE);
        assertEquals(Errno.EINVAL, errno(() -> a.pinPages(APERTURE_START, 0, 0)));
        assertEquals(Errno.EOVERFLOW, errno(() -> a.pinPages(-PAGE_SIZE, 2 * PAGE_SIZE, 0)));
        assertEquals(Errno.ENOENT, errno(() -> a.pinPages(APERTURE_START - PAGE_SIZE, PAGE_SIZE, 0)));
        // Runs past the first mapping into the gap: the part pinned is released again.
        assertEquals(Errno.ENOENT, errno(() -> a.pinPages(APERTURE_START, 6 * PAGE_SIZE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> a.pinPages(APERTURE_START + 100, PAGE_SIZE, 0)));
        assertEquals(Errno.EPERM, errno(() -> a.pinPages(APERTURE_START + 8 * PAGE_SIZE, PAGE_SIZE, AccessFlags.WRITE)));
        assertEquals(Errno.EPERM, errno(() -> a.pinPages(APERTURE_START + 12 * PAGE_SIZE, PAGE_SIZE, AccessFlags.READ)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> st.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, 0, 1 << 16)));
        assertEquals(Errno.ENOMEM, errno(() -> st.pinPages(bed.proc, APERTURE_START, (16L << 20) + 1, 0, 0)));
        assertEquals(0, bed.memory.pinnedFrames());
        a.pinPages(APERTURE_START + 8 * PAGE_SIZE, PAGE_SIZE, AccessFlags.READ);
        a.unpinPages(APERTURE_START + 8 * PAGE_SIZE, PAGE_SIZE);
        st.destroy();

        SelftestAccess plain = SelftestAccess.create(bed.ctx, ioasId, 0);
        assertEquals(Errno.EOPNOTSUPP, errno(() -> plain.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, 0, 0)));
        assertEquals(Errno.EINVAL, errno(() -> plain.access().pinPages(APERTURE_START, PAGE_SIZE, 0)));
        plain.destroy();
    }

    @Test
    void pinAcrossTwoAdjacentAreasPinsBoth() {
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, 2 * PAGE_SIZE, APERTURE_START);
        bed.mapFixed(ioasId, bed.buffer + 4 * PAGE_SIZE, 2 * PAGE_SIZE, APERTURE_START + 2 * PAGE_SIZE);
        long[] pfns = st.access().pinPages(APERTURE_START + PAGE_SIZE, 2 * PAGE_SIZE, 0);
        assertEquals(bed.frame(bed.buffer + PAGE_SIZE), pfns[0]);
        assertEquals(bed.frame(bed.buffer + 4 * PAGE_SIZE), pfns[1]);
        // Unmapping the second area asks the access; it does not track raw pins, so EBUSY.
        assertEquals(Errno.EBUSY, errno(() -> bed.unmap(ioasId, APERTURE_START + 2 * PAGE_SIZE, 2 * PAGE_SIZE)));
        st.access().unpinPages(APERTURE_START + PAGE_SIZE, 2 * PAGE_SIZE);
        assertEquals(0, bed.memory.pinnedFrames());
        st.destroy();
    }

    // ---------------------------------------------------------------- rw (access_rw, access_rw_unaligned)

    /** The selftest's check_access_rw: many offsets and lengths around a page boundary, then all of it. */
    private void checkAccessRw(SelftestAccess st, long iova, int defFlags) {
        Random rnd = new Random(iova ^ defFlags);
        byte[] fill = new byte[(int) BUFFER_SIZE];
        rnd.nextBytes(fill);
        bed.proc.write(bed.buffer, fill, 0, fill.length);
        long tmp = bed.mmapTouched(PAGE_SIZE);
        byte[] expect = new byte[64];
        byte[] got = new byte[64];
        for (long at = iova + PAGE_SIZE - 50; at < iova + PAGE_SIZE + 50; at++) {
            for (int length = 1; length < 64; length++) {
                st.rw(bed.proc, at, length, tmp, defFlags);
                bed.proc.read(bed.buffer + (at - iova), expect, 0, length);
                bed.proc.read(tmp, got, 0, length);
                assertArrayEquals(java.util.Arrays.copyOf(expect, length), java.util.Arrays.copyOf(got, length),
                        "read at +" + (at - iova) + " length " + length);

                byte[] fresh = new byte[length];
                rnd.nextBytes(fresh);
                bed.proc.write(tmp, fresh, 0, length);
                st.rw(bed.proc, at, length, tmp, defFlags | SelftestAccess.RW_WRITE);
                bed.proc.read(bed.buffer + (at - iova), got, 0, length);
                assertArrayEquals(fresh, java.util.Arrays.copyOf(got, length), "write at +" + (at - iova) + " length " + length);
            }
        }
        // Multi-page
        long tmp2 = bed.mmapTouched(BUFFER_SIZE);
        st.rw(bed.proc, iova, BUFFER_SIZE, tmp2, defFlags);
        byte[] whole = new byte[(int) BUFFER_SIZE];
        byte[] back = new byte[(int) BUFFER_SIZE];
        bed.proc.read(bed.buffer, whole, 0, whole.length);
        bed.proc.read(tmp2, back, 0, back.length);
        assertArrayEquals(whole, back);
        assertEquals(0, bed.memory.pinnedFrames(), "rw leaves nothing pinned");
        assertEquals(0, bed.proc.pinnedVm(), "rw leaves nothing charged");
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, SelftestAccess.RW_SLOW_PATH})
    void accessRw(int flags) {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        long iova = bed.map(ioasId, bed.buffer, BUFFER_SIZE);
        checkAccessRw(st, iova, flags);
        bed.unmap(ioasId, iova, BUFFER_SIZE);
        st.destroy();
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, SelftestAccess.RW_SLOW_PATH})
    void accessRwUnaligned(int flags) {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        long iova = APERTURE_START + 2048;
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, iova);
        checkAccessRw(st, iova, flags);
        bed.unmap(ioasId, iova, BUFFER_SIZE);
        st.destroy();
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, SelftestAccess.RW_SLOW_PATH})
    void accessRwWithADomainReusesItsPins(int flags) {
        long tmp = bed.mmapTouched(PAGE_SIZE);
        PageTableDomain domain = bed.addDomain(ioasId);
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        bed.proc.write(tmp, new byte[] {1, 2, 3, 4}, 0, 4);
        st.rw(bed.proc, APERTURE_START + PAGE_SIZE - 2, 4, tmp, flags | SelftestAccess.RW_WRITE);
        byte[] got = new byte[4];
        bed.memory.read(domain.iovaToPhys(APERTURE_START + PAGE_SIZE - 2), got, 0, 2);
        bed.memory.read(domain.iovaToPhys(APERTURE_START + PAGE_SIZE), got, 2, 2);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, got, "the device sees what the access wrote");
        assertEquals(1, bed.proc.pinCountAt(bed.buffer), "only the domain's pin remains");
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
        st.destroy();
    }

    @Test
    void rwErrnos() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        IommufdAccess a = st.access();
        bed.mapFixed(ioasId, bed.buffer, 2 * PAGE_SIZE, APERTURE_START);
        bed.mapFixed(ioasId, bed.buffer + 4 * PAGE_SIZE, PAGE_SIZE, APERTURE_START + 4 * PAGE_SIZE, IommuIoasMapFlags.READABLE);
        bed.mapFixed(ioasId, bed.buffer + 6 * PAGE_SIZE, PAGE_SIZE, APERTURE_START + 6 * PAGE_SIZE, IommuIoasMapFlags.WRITEABLE);
        byte[] data = new byte[2 * PAGE_SIZE];
        for (int flags : new int[] {0, AccessFlags.SLOW_PATH}) {
            assertEquals(Errno.EINVAL, errno(() -> a.rw(bed.proc, APERTURE_START, data, 0, 0, flags)));
            assertEquals(Errno.EOVERFLOW, errno(() -> a.rw(bed.proc, -16, data, 0, 32, flags)));
            assertEquals(Errno.ENOENT, errno(() -> a.rw(bed.proc, APERTURE_START - 8, data, 0, 8, flags)));
            assertEquals(Errno.ENOENT, errno(() -> a.rw(bed.proc, APERTURE_START + 2 * PAGE_SIZE - 8, data, 0, 16, flags)));
            assertEquals(Errno.EPERM, errno(() -> a.rw(bed.proc, APERTURE_START + 4 * PAGE_SIZE, data, 0, 8, flags | AccessFlags.WRITE)));
            assertEquals(Errno.EPERM, errno(() -> a.rw(bed.proc, APERTURE_START + 6 * PAGE_SIZE, data, 0, 8, flags)));
            a.rw(bed.proc, APERTURE_START + 4 * PAGE_SIZE, data, 0, 8, flags);
            a.rw(bed.proc, APERTURE_START + 6 * PAGE_SIZE, data, 0, 8, flags | AccessFlags.WRITE);
        }
        assertEquals(Errno.EOPNOTSUPP, errno(() -> st.rw(bed.proc, APERTURE_START, 8, bed.buffer, 2)));
        assertEquals(Errno.ENOMEM, errno(() -> st.rw(bed.proc, APERTURE_START, (16L << 20) + 1, bed.buffer, 0)));
        assertEquals(Errno.EFAULT, errno(() -> st.rw(bed.proc, APERTURE_START, 8, 0x1000, SelftestAccess.RW_WRITE)));
        assertEquals(0, bed.memory.pinnedFrames());
        st.destroy();
    }

    @Test
    void rwOfAMappingWhoseMemoryWasUnmappedFaultsOnTheFastPath() {
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        long va = bed.proc.mmapAnonymous(2 * PAGE_SIZE, false);
        bed.mapFixed(ioasId, va, 2 * PAGE_SIZE, APERTURE_START);
        bed.proc.munmap(va, 2 * PAGE_SIZE);
        byte[] data = new byte[16];
        assertEquals(Errno.EFAULT, errno(() -> st.access().rw(bed.proc, APERTURE_START, data, 0, 16, 0)));
        assertEquals(Errno.EFAULT, errno(() -> st.access().rw(bed.proc, APERTURE_START, data, 0, 16, AccessFlags.SLOW_PATH)));
        assertEquals(Errno.EFAULT, errno(() -> st.access().rw(bed.proc, APERTURE_START + PAGE_SIZE - 8, data, 0, 16, AccessFlags.SLOW_PATH)));
        assertEquals(0, bed.memory.pinnedFrames());
        bed.unmap(ioasId, APERTURE_START, 2 * PAGE_SIZE);
        st.destroy();
    }

    @Test
    void detachedAccessIsEnoent() {
        IommufdAccess a = IommufdAccess.create(bed.ctx, new IommufdAccess.Ops() {
            @Override
            public boolean needsPinPages() {
                return true;
            }

            @Override
            public void unmap(long iova, long length) {
            }
        });
        byte[] data = new byte[8];
        assertEquals(Errno.ENOENT, errno(() -> a.rw(null, APERTURE_START, data, 0, 8, 0)));
        assertEquals(Errno.ENOENT, errno(() -> a.pinPages(APERTURE_START, PAGE_SIZE, 0)));
        assertEquals(Errno.ENOENT, errno(() -> a.replace(ioasId)));
        a.attach(ioasId);
        assertEquals(Errno.EINVAL, errno(() -> a.attach(ioasId)));
        a.detach();
        assertNull(a.ioas());
        bed.ctx.destroy(ioasId);
        a.destroyAccess();
    }

    // ---------------------------------------------------------------- processes (fork_gone, fork_present)

    /** iommufd_ioas.fork_present: reading pages mapped by another live process takes the slow path. */
    @Test
    void rwOfAnotherProcesssMapping() {
        SimProcess child = bed.proc.fork();
        long va = child.mmapAnonymous(BUFFER_SIZE, false);
        byte[] pattern = new byte[(int) BUFFER_SIZE];
        new Random(7).nextBytes(pattern);
        child.write(va, pattern, 0, pattern.length);
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        bed.ctx.call(new org.iommufd4j.uapi.IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE
                | IommuIoasMapFlags.WRITEABLE, ioasId, 0, va, BUFFER_SIZE, APERTURE_START), child);
        byte[] got = new byte[(int) BUFFER_SIZE];
        st.access().rw(bed.proc, APERTURE_START, got, 0, got.length, 0);
        assertArrayEquals(pattern, got);
        byte[] one = new byte[8];
        st.access().rw(bed.proc, APERTURE_START + 100, one, 0, 8, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(pattern, 100, 108), one);
        assertEquals(0, bed.memory.pinnedFrames());
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
        st.destroy();
        child.exit();
    }

    /** iommufd_ioas.fork_gone: with a domain the pages stay pinned after the mapper exits and stay readable. */
    @Test
    void rwAfterTheMappingProcessExited() {
        PageTableDomain domain = bed.addDomain(ioasId);
        SimProcess child = bed.proc.fork();
        long va = child.mmapAnonymous(BUFFER_SIZE, false);
        byte[] pattern = new byte[(int) BUFFER_SIZE];
        new Random(9).nextBytes(pattern);
        child.write(va, pattern, 0, pattern.length);
        bed.ctx.call(new org.iommufd4j.uapi.IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE
                | IommuIoasMapFlags.WRITEABLE, ioasId, 0, va, BUFFER_SIZE, APERTURE_START), child);
        child.exit();
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        byte[] got = new byte[(int) BUFFER_SIZE];
        st.access().rw(bed.proc, APERTURE_START, got, 0, got.length, 0);
        assertArrayEquals(pattern, got);
        st.access().rw(null, APERTURE_START + 5, got, 0, 9, AccessFlags.KTHREAD);
        assertArrayEquals(java.util.Arrays.copyOfRange(pattern, 5, 14), java.util.Arrays.copyOf(got, 9));
        st.destroy();
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
        bed.removeDomain(ioasId, domain);
    }

    // ---------------------------------------------------------------- replace (user_copy)

    @Test
    void replaceMovesTheAccessAndDropsItsPins() {
        int other = bed.ctx.ioasAlloc();
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        bed.mapFixed(other, bed.buffer, BUFFER_SIZE, APERTURE_START + BUFFER_SIZE);
        int item = st.pinPages(bed.proc, APERTURE_START, BUFFER_SIZE, bed.buffer, 0);

        assertEquals(Errno.ENOENT, errno(() -> st.replaceIoas(other + 100)));
        assertSame(bed.ioas(ioasId), st.access().ioas(), "a failed replace keeps the old IOAS");
        st.replaceIoas(ioasId);
        assertEquals(1, st.itemCount(), "replacing with the same IOAS changes nothing");

        st.replaceIoas(other);
        assertEquals(Errno.ENOENT, errno(() -> st.destroyPages(item)), "the old IOAS's pins were dropped");
        assertEquals(0, bed.memory.pinnedFrames());
        assertEquals(PAGE_SIZE, bed.ioas(other).iopt().iovaAlignment());
        assertEquals(1, bed.ioas(ioasId).iopt().iovaAlignment());
        // The old IOAS is free, the new one held.
        assertEquals(Errno.EBUSY, errno(() -> bed.ctx.destroy(other)));
        bed.ctx.destroy(ioasId);
        int again = st.pinPages(bed.proc, APERTURE_START + BUFFER_SIZE, PAGE_SIZE, bed.buffer, 0);
        st.destroyPages(again);
        st.destroy();
        bed.ctx.destroy(other);
    }

    @Test
    void replaceOntoAnIoasThatCannotTakeThePinAlignmentKeepsTheOldOne() {
        int misaligned = bed.ctx.ioasAlloc();
        bed.mapFixed(misaligned, bed.buffer + 2048, PAGE_SIZE, APERTURE_START + 2048);
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        int item = st.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, bed.buffer, 0);
        assertEquals(Errno.EADDRINUSE, errno(() -> st.replaceIoas(misaligned)));
        assertSame(bed.ioas(ioasId), st.access().ioas());
        assertTrue(bed.ioas(misaligned).iopt().accesses().isEmpty());
        assertEquals(1, bed.ioas(misaligned).iopt().iovaAlignment());
        st.destroyPages(item);
        bed.ctx.destroy(misaligned);
        st.destroy();
    }

    /** iommufd_mock_domain.user_copy: pin in a domain-less IOAS, copy into the domain's IOAS, replace, repeat. */
    @Test
    void userCopy() {
        PageTableDomain domain = bed.addDomain(ioasId);
        int plainIoas = bed.ctx.ioasAlloc();
        SelftestAccess st = SelftestAccess.create(bed.ctx, plainIoas, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        for (int round = 0; round < 3; round++) {
            int src = round % 2 == 0 ? plainIoas : ioasId;
            int dst = round % 2 == 0 ? ioasId : plainIoas;
            long srcIova = round % 2 == 0 ? 0x10000L : APERTURE_START + 0x100000;
            long dstIova = round % 2 == 0 ? APERTURE_START + 0x100000 : 0x10000L;
            bed.mapFixed(src, bed.buffer, BUFFER_SIZE, srcIova);
            int item = st.pinPages(bed.proc, srcIova, BUFFER_SIZE, bed.buffer, 0);
            bed.ctx.call(new IommuIoasCopy(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE,
                    dst, src, BUFFER_SIZE, dstIova, srcIova));
            long domIova = round % 2 == 0 ? dstIova : srcIova;
            for (long off = 0; off < BUFFER_SIZE; off += PAGE_SIZE) {
                assertEquals(bed.frame(bed.buffer + off) << PAGE_SHIFT, domain.iovaToPhys(domIova + off));
            }
            st.destroyPages(item);
            st.replaceIoas(dst);
            bed.unmap(src, srcIova, BUFFER_SIZE);
            bed.unmap(dst, dstIova, BUFFER_SIZE);
        }
        st.destroy();
        bed.removeDomain(ioasId, domain);
    }

    @Test
    void destroyingTheAccessDropsEveryPin() {
        SelftestAccess st = pinAccess();
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
        for (int i = 0; i < 4; i++) {
            st.pinPages(bed.proc, APERTURE_START + i * PAGE_SIZE, PAGE_SIZE, bed.buffer + i * PAGE_SIZE, 0);
        }
        assertEquals(4, bed.memory.pinnedFrames());
        st.destroy();
        assertEquals(0, bed.memory.pinnedFrames());
        assertTrue(bed.ioas(ioasId).iopt().accesses().isEmpty());
        bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
    }

    // ---------------------------------------------------------------- more paths

    /** Pages of a memfd (IOAS_MAP_FILE) always take the slow path: pin, copy through the frames, unpin. */
    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, AccessFlags.SLOW_PATH})
    void rwThroughAFileMapping(int flags) {
        int fd = bed.proc.memfdCreate("access-rw");
        org.iommufd4j.memory.SimFile file = bed.proc.file(fd);
        file.truncate(4 * PAGE_SIZE);
        byte[] pattern = new byte[4 * PAGE_SIZE];
        new Random(3).nextBytes(pattern);
        file.write(0, pattern, 0, pattern.length);
        bed.ctx.call(new org.iommufd4j.uapi.IommuIoasMapFile(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE
                | IommuIoasMapFlags.WRITEABLE, ioasId, fd, PAGE_SIZE, 2 * PAGE_SIZE, APERTURE_START));
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, 0);
        byte[] got = new byte[2 * PAGE_SIZE];
        st.access().rw(bed.proc, APERTURE_START, got, 0, got.length, flags);
        assertArrayEquals(java.util.Arrays.copyOfRange(pattern, PAGE_SIZE, 3 * PAGE_SIZE), got);
        st.access().rw(bed.proc, APERTURE_START + PAGE_SIZE - 3, new byte[] {9, 8, 7, 6, 5, 4}, 0, 6, flags | AccessFlags.WRITE);
        byte[] back = new byte[6];
        file.read(2 * PAGE_SIZE - 3, back, 0, 6);
        assertArrayEquals(new byte[] {9, 8, 7, 6, 5, 4}, back);
        assertEquals(0, bed.memory.pinnedFrames());
        st.destroy();
        bed.unmap(ioasId, APERTURE_START, 2 * PAGE_SIZE);
        bed.proc.close(fd);
    }

    /** iommufd_ioas.access_domain_destory: a pin outlives the domain that pinned the pages first. */
    @Test
    void accessPinOutlivesTheDomain() {
        long bufSize = 2L * (2L << 20);
        long buf = bed.mmapTouched(bufSize);
        PageTableDomain domain = bed.addDomain(ioasId);
        bed.mapFixed(ioasId, buf, bufSize, APERTURE_START);
        SelftestAccess st = pinAccess();
        int item = st.pinPages(bed.proc, APERTURE_START + PAGE_SIZE, PAGE_SIZE, buf + PAGE_SIZE, 0);
        assertEquals(bufSize / PAGE_SIZE, bed.memory.pinnedFrames());
        bed.removeDomain(ioasId, domain);
        assertEquals(1, bed.memory.pinnedFrames(), "only the access's page stays pinned");
        assertEquals(1, bed.proc.pinCountAt(buf + PAGE_SIZE));
        st.destroyPages(item);
        st.destroy();
        assertEquals(0, bed.memory.pinnedFrames());
    }

    /** Pins, rw and IOAS unmaps racing on one range: no deadlock, only the errnos the race explains, no leak. */
    @Test
    void pinRwAndUnmapRace() throws Exception {
        SelftestAccess pinner = pinAccess();
        SelftestAccess reader = SelftestAccess.create(bed.ctx, ioasId, 0);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.Set<Errno> allowed = java.util.EnumSet.of(Errno.ENOENT, Errno.EBUSY, Errno.EEXIST);
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Runnable mapper = () -> {
            while (!stop.get()) {
                try {
                    bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, APERTURE_START);
                    bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
                } catch (IommufdException e) {
                    if (!allowed.contains(e.errno())) {
                        unexpected.add(e);
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                }
            }
        };
        Runnable pinning = () -> {
            while (!stop.get()) {
                try {
                    int item = pinner.pinPages(bed.proc, APERTURE_START + PAGE_SIZE, 2 * PAGE_SIZE, 0, 0);
                    pinner.destroyPages(item);
                } catch (IommufdException e) {
                    if (!allowed.contains(e.errno())) {
                        unexpected.add(e);
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                }
            }
        };
        Runnable rw = () -> {
            byte[] data = new byte[64];
            while (!stop.get()) {
                try {
                    reader.access().rw(bed.proc, APERTURE_START + PAGE_SIZE - 32, data, 0, 64, AccessFlags.SLOW_PATH);
                } catch (IommufdException e) {
                    if (!allowed.contains(e.errno())) {
                        unexpected.add(e);
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                }
            }
        };
        List<Thread> threads = List.of(new Thread(mapper), new Thread(pinning), new Thread(rw));
        threads.forEach(Thread::start);
        Thread.sleep(300);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
            assertTrue(!t.isAlive(), "a thread is stuck: deadlock");
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
        try {
            bed.unmap(ioasId, APERTURE_START, BUFFER_SIZE);
        } catch (IommufdException e) {
            assertEquals(Errno.ENOENT, e.errno());
        }
        pinner.destroy();
        reader.destroy();
    }
}
