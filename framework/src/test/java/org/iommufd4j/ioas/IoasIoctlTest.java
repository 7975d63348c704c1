package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.memory.SimUser;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasChangeProcess;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasIovaRanges;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IOAS ioctls through an open iommufd context, as a program using /dev/iommu sees them. */
class IoasIoctlTest {
    private static final int RW = IoasCalls.RW;

    @TempDir
    Path plugins;

    private IommufdComponent machine;
    private PhysicalMemory memory;
    private SimProcess proc;
    private IommufdContext ctx;

    private IommufdContext open(SimProcess process) {
        machine = IommufdComponent.create(new MachineConfig(256L << 20, plugins));
        memory = machine.memory();
        proc = process == null ? SimProcess.root(memory) : process;
        ctx = machine.iommufd().open(proc);
        return ctx;
    }

    private IommufdContext open() {
        return open(null);
    }

    @AfterEach
    void leakCheck() {
        if (ctx != null && !ctx.isClosed()) {
            // A device detach removes its domain before the IOAS can go; the fakes have no device.
            for (var obj : ctx.objects().snapshot()) {
                if (obj instanceof Ioas ioas) {
                    PagingDomainList.detachAll(ioas.iopt());
                }
            }
        }
        if (ctx != null) {
            ctx.close();
            assertEquals(0, memory.pinnedFrames(), "closing the context unpins everything");
            assertEquals(0, machine.iommufd().liveObjects());
        }
    }

    private static Errno errno(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    private long buffer(long length) {
        long va = proc.mmapAnonymous(length, true);
        proc.write(va, new byte[(int) length], 0, (int) length);
        return va;
    }

    /** Attaches a fake paging domain the way a device attach will. */
    private FakePagingDomain attach(int ioasId) {
        FakePagingDomain d = FakePagingDomain.simple();
        Ioas ioas = ctx.get(ioasId, Ioas.class);
        try {
            ioas.iopt().addDomain(d);
        } finally {
            ctx.put(ioas);
        }
        return d;
    }

    private void detach(int ioasId, FakePagingDomain d) {
        Ioas ioas = ctx.get(ioasId, Ioas.class);
        try {
            ioas.iopt().removeDomain(d);
        } finally {
            ctx.put(ioas);
        }
    }

    @Test
    void mapCopyUnmapRoundTrip() {
        open();
        int a = IoasCalls.alloc(ctx);
        int b = IoasCalls.alloc(ctx);
        FakePagingDomain da = attach(a);
        long va = buffer(4 * PAGE_SIZE);
        long iova = IoasCalls.map(ctx, a, va, 4 * PAGE_SIZE);
        assertEquals(proc.frameAt(va) << 12, da.iovaToPhys(iova));
        assertEquals(1, proc.pinCountAt(va), "MD_CHECK_REFS sees one pin");
        long copied = IoasCalls.copy(ctx, b, a, iova, 4 * PAGE_SIZE);
        FakePagingDomain db = attach(b);
        assertEquals(proc.frameAt(va + PAGE_SIZE) << 12, db.iovaToPhys(copied + PAGE_SIZE));
        assertEquals(1, proc.pinCountAt(va), "copy does not pin again");
        assertEquals(4L * PAGE_SIZE, IoasCalls.unmapAll(ctx, a));
        assertEquals(0, IoasCalls.unmapAll(ctx, a), "unmap-all of an empty IOAS succeeds");
        assertEquals(Errno.ENOENT, errno(() -> IoasCalls.unmap(ctx, a, iova, 4 * PAGE_SIZE)));
        detach(a, da);
        detach(b, db);
        assertEquals(0, proc.pinCountAt(va));
        IoasCalls.mapFixed(ctx, a, va, PAGE_SIZE, 0x100000);
        assertEquals(Errno.EEXIST, errno(() -> IoasCalls.mapFixed(ctx, a, va, PAGE_SIZE, 0x100000)));
    }

    @Test
    void mapErrnos() {
        open();
        int id = IoasCalls.alloc(ctx);
        long va = buffer(PAGE_SIZE);
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasMap(RW | 1 << 5, id, 0, va, PAGE_SIZE, 0))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasMap(RW, id, 1, va, PAGE_SIZE, 0))));
        assertEquals(Errno.EOVERFLOW, errno(() -> ctx.call(new IommuIoasMap(RW, id, 0, va, -1L, 0))));
        assertEquals(Errno.EOVERFLOW, errno(() -> ctx.call(new IommuIoasMap(RW | IommuIoasMapFlags.FIXED_IOVA, id, 0, va, PAGE_SIZE, -1L))));
        assertEquals(Errno.EINVAL, errno(() -> ctx.call(new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA, id, 0, va, PAGE_SIZE, 0))));
        assertEquals(Errno.EINVAL, errno(() -> ctx.call(new IommuIoasMap(RW, id, 0, va, 0, 0))));
        assertEquals(Errno.ENOENT, errno(() -> ctx.call(new IommuIoasMap(RW, id + 100, 0, va, PAGE_SIZE, 0))));
        attach(id);
        assertEquals(Errno.EFAULT, errno(() -> IoasCalls.map(ctx, id, 0x7000_0000_0000L, PAGE_SIZE)));
        long ro = proc.mmap(0, PAGE_SIZE, SimProcess.PROT_READ, SimProcess.MAP_PRIVATE | SimProcess.MAP_ANONYMOUS, -1, 0);
        assertEquals(Errno.EFAULT, errno(() -> IoasCalls.map(ctx, id, ro, PAGE_SIZE)), "writable map of read-only memory");
        ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE, id, 0, ro, PAGE_SIZE, 0));
        assertEquals(0, IoasCalls.unmapAll(ctx, id) - PAGE_SIZE);
    }

    @Test
    void unmapWritesBackTheBytesAndRefusesSplits() {
        open();
        int id = IoasCalls.alloc(ctx);
        long va = buffer(8 * PAGE_SIZE);
        IoasCalls.mapFixed(ctx, id, va, 8 * PAGE_SIZE, 0x100000);
        IoasCalls.mapFixed(ctx, id, va, 8 * PAGE_SIZE, 0x200000);
        assertEquals(Errno.ENOENT, errno(() -> IoasCalls.unmap(ctx, id, 0x100000, 4 * PAGE_SIZE)));
        assertEquals(Errno.EOVERFLOW, errno(() -> ctx.call(new IommuIoasUnmap(id, -1L, PAGE_SIZE))));
        ByteBuffer buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, 24).putInt(4, id).putLong(8, 0x100000).putLong(16, 0x100000);
        assertEquals(0, ctx.ioctl(IommufdIoctl.IOMMU_IOAS_UNMAP, buf));
        assertEquals(8L * PAGE_SIZE, buf.getLong(16));
        assertEquals(8L * PAGE_SIZE, IoasCalls.unmapAll(ctx, id));
    }

    @Test
    void copyErrnos() {
        open();
        int a = IoasCalls.alloc(ctx);
        int b = IoasCalls.alloc(ctx);
        long va = buffer(4 * PAGE_SIZE);
        long iova = IoasCalls.map(ctx, a, va, 2 * PAGE_SIZE);
        assertEquals(Errno.ENOENT, errno(() -> IoasCalls.copy(ctx, b, a, iova + PAGE_SIZE, 2 * PAGE_SIZE)));
        assertEquals(Errno.ENOENT, errno(() -> IoasCalls.copy(ctx, b + 10, a, iova, PAGE_SIZE)));
        assertEquals(Errno.EOVERFLOW, errno(() -> ctx.call(new IommuIoasCopy(RW, b, a, -1L, 0, iova))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasCopy(RW | 8, b, a, PAGE_SIZE, 0, iova))));
        assertEquals(Errno.EINVAL, errno(() -> ctx.call(new IommuIoasCopy(0, b, a, PAGE_SIZE, 0, iova))));
        ctx.call(new IommuIoasCopy(RW | IommuIoasMapFlags.FIXED_IOVA, b, a, PAGE_SIZE, 0x5000, iova + PAGE_SIZE));
        assertEquals(Errno.EEXIST, errno(() -> ctx.call(new IommuIoasCopy(RW | IommuIoasMapFlags.FIXED_IOVA, b, a, PAGE_SIZE, 0x5000, iova))));
        // copy_sweep: every 511-byte window inside the mapping works, outside is ENOENT
        for (long off = 0; off + 511 <= 2 * PAGE_SIZE; off += 511) {
            long dst = IoasCalls.copy(ctx, b, a, iova + off, 511);
            IoasCalls.unmap(ctx, b, dst, 511);
        }
    }

    @Test
    void iovaRangesReportsHolesAndEmsgsize() {
        open();
        int id = IoasCalls.alloc(ctx);
        assertEquals(List.of(new IovaRange(0, -1L)), IoasCalls.iovaRanges(ctx, proc, id, 1));
        Ioas ioas = ctx.get(id, Ioas.class);
        ioas.iopt().reserve(0x10000, 0x1ffff, "test");
        ctx.put(ioas);
        assertEquals(List.of(new IovaRange(0, 0xffff), new IovaRange(0x20000, -1L)), IoasCalls.iovaRanges(ctx, proc, id, 2));

        long arr = proc.mmapAnonymous(PAGE_SIZE, false);
        ByteBuffer buf = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, 32).putInt(4, id).putInt(8, 1).putLong(16, arr);
        assertEquals(-Errno.EMSGSIZE.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_IOVA_RANGES, buf));
        assertEquals(2, buf.getInt(8), "num_iovas says how many are needed");
        assertEquals(1, buf.getLong(24), "the alignment is copied back too");
        byte[] first = new byte[16];
        proc.read(arr, first, 0, 16);
        assertEquals(0xffff, ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong(8), "what fits was copied");
        assertEquals(Errno.EFAULT, errno(() -> ctx.call(new IommuIoasIovaRanges(id, 2, 0, 0x10, 0))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasIovaRanges(id, 2, 1, arr, 0))));
        IommufdException e = assertThrows(IommufdException.class, () -> ctx.call(new IommuIoasIovaRanges(id, 0, 0, 0, 0)));
        assertEquals(Errno.EMSGSIZE, e.errno());
        assertEquals(2, ((IommuIoasIovaRanges) e.response()).numIovas(), "the typed API carries the copied-back struct");
    }

    @Test
    void allowIovasGuidesAllocation() {
        open();
        int id = IoasCalls.alloc(ctx);
        IoasCalls.allowIovas(ctx, proc, id, List.of(new IovaRange(0x40000000L, 0x4000ffffL)));
        long va = buffer(PAGE_SIZE);
        long iova = IoasCalls.map(ctx, id, va, PAGE_SIZE);
        assertTrue(iova >= 0x40000000L && iova <= 0x4000ffffL);
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.allowIovas(ctx, proc, id,
                List.of(new IovaRange(0x1000, 0x1fff), new IovaRange(0x1800, 0x2fff)))));
        Ioas ioas = ctx.get(id, Ioas.class);
        ioas.iopt().reserve(0x80000000L, 0x8000ffffL, "test");
        ctx.put(ioas);
        assertEquals(Errno.EADDRINUSE, errno(() -> IoasCalls.allowIovas(ctx, proc, id, List.of(new IovaRange(0x80000000L, 0x80001fffL)))));
        IoasCalls.allowIovas(ctx, proc, id, List.of());
        assertEquals(Errno.EFAULT, errno(() -> ctx.call(new org.iommufd4j.uapi.IommuIoasAllowIovas(id, 1, 0, 0x10))));
    }

    @Test
    void optionRlimitModeAndHugePages() {
        open();
        assertEquals(0, IoasCalls.getOption(ctx, IommuOptionId.RLIMIT_MODE, 0));
        IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 1);
        assertEquals(1, IoasCalls.getOption(ctx, IommuOptionId.RLIMIT_MODE, 0));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 2)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> IoasCalls.getOption(ctx, IommuOptionId.RLIMIT_MODE, 1)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuOption(IommuOptionId.RLIMIT_MODE, 7, 0, 0, 0))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuOption(9, IommuOptionOps.GET, 0, 0, 0))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.GET, 1, 0, 0))));
        assertEquals(Errno.ENOENT, errno(() -> IoasCalls.getOption(ctx, IommuOptionId.HUGE_PAGES, 0)));
        int id = IoasCalls.alloc(ctx);
        assertEquals(Errno.EBUSY, errno(() -> IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 0)));
        assertEquals(1, IoasCalls.getOption(ctx, IommuOptionId.HUGE_PAGES, id));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.setOption(ctx, IommuOptionId.HUGE_PAGES, id, 2)));
        long va = buffer(2 * PAGE_SIZE);
        IoasCalls.mapFixed(ctx, id, va + 2048, 2048, 0x10800);
        assertEquals(Errno.EADDRINUSE, errno(() -> IoasCalls.setOption(ctx, IommuOptionId.HUGE_PAGES, id, 0)));
        IoasCalls.unmapAll(ctx, id);
        IoasCalls.setOption(ctx, IommuOptionId.HUGE_PAGES, id, 0);
        assertEquals(0, IoasCalls.getOption(ctx, IommuOptionId.HUGE_PAGES, id));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.mapFixed(ctx, id, va, 2048, 0x10000)), "alignment is PAGE_SIZE now");
        ByteBuffer buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, 24).putInt(4, IommuOptionId.HUGE_PAGES).putShort(8, (short) IommuOptionOps.GET).putInt(12, id).putLong(16, 77);
        assertEquals(0, ctx.ioctl(IommufdIoctl.IOMMU_OPTION, buf));
        assertEquals(0, buf.getLong(16), "val64 is written back");
    }

    @Test
    void rlimitModeNeedsCapSysResource() {
        open(new SimProcess(new PhysicalMemory(2L << 20, new org.iommufd4j.failnth.FailNth()), new SimUser(5), 0,
                EnumSet.noneOf(Capability.class)));
        assertEquals(Errno.EPERM, errno(() -> IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 1)));
    }

    @Test
    void mapFileErrnos() {
        open();
        int id = IoasCalls.alloc(ctx);
        int fd = proc.memfdCreate("buf");
        proc.file(fd).truncate(4 * PAGE_SIZE);
        assertEquals(Errno.EBADF, errno(() -> IoasCalls.mapFile(ctx, id, fd + 1, 0, PAGE_SIZE)));
        assertEquals(Errno.EBADF, errno(() -> IoasCalls.mapFile(ctx, id, -1, 0, PAGE_SIZE)));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.mapFile(ctx, id, fd, 0, 0)));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.mapFile(ctx, id, fd, 4 * PAGE_SIZE, PAGE_SIZE)));
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.mapFile(ctx, id, fd, PAGE_SIZE, 3 * PAGE_SIZE + 1)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasMapFile(RW | 16, id, fd, 0, PAGE_SIZE, 0))));
        FakePagingDomain d = attach(id);
        long iova = IoasCalls.mapFile(ctx, id, fd, PAGE_SIZE, 2 * PAGE_SIZE);
        long shared = proc.mmap(0, 4 * PAGE_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE, SimProcess.MAP_SHARED, fd, 0);
        assertEquals(proc.frameAt(shared + PAGE_SIZE) << 12, d.iovaToPhys(iova));
        proc.file(fd).truncate(PAGE_SIZE);
        assertEquals(Errno.EINVAL, errno(() -> IoasCalls.mapFile(ctx, id, fd, 0, 2 * PAGE_SIZE)), "after ftruncate");
        IoasCalls.unmapAll(ctx, id);
        detach(id, d);
        assertEquals(0, memory.pinnedFrames(), "truncated pinned pages were freed on unpin");
    }

    @Test
    void changeProcessMovesFileMapCharges() {
        SimUser user = new SimUser(1000);
        open(null);
        SimProcess p = new SimProcess(memory, user, 1L << 30, EnumSet.of(Capability.SYS_RESOURCE));
        ctx.close();
        ctx = machine.iommufd().open(p);
        proc = p;
        IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 1);
        int id = IoasCalls.alloc(ctx);
        attach(id);
        int fd = p.memfdCreate("m");
        p.file(fd).truncate(4 * PAGE_SIZE);
        IoasCalls.mapFile(ctx, id, fd, 0, 4 * PAGE_SIZE);
        assertEquals(4, p.pinnedVm());
        assertEquals(4, p.lockedVm());
        SimProcess child = p.fork();
        ctx.call(new IommuIoasChangeProcess(0), child);
        assertEquals(0, p.pinnedVm());
        assertEquals(0, p.lockedVm());
        assertEquals(4, child.pinnedVm());
        assertEquals(4, child.lockedVm());
        long va = buffer(PAGE_SIZE);
        IoasCalls.map(ctx, id, va, PAGE_SIZE);
        assertEquals(Errno.EINVAL, errno(() -> ctx.call(new IommuIoasChangeProcess(0), p)));
        assertEquals(4, child.pinnedVm(), "a refused change moves nothing");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> ctx.call(new IommuIoasChangeProcess(1))));
        IoasCalls.unmapAll(ctx, id);
        assertEquals(0, child.pinnedVm());
        assertEquals(0, p.pinnedVm());
    }

    @Test
    void changeProcessOverTheLimitChangesNothing() {
        open();
        SimUser user = new SimUser(7);
        SimProcess p = new SimProcess(memory, user, 1L << 30, EnumSet.of(Capability.SYS_RESOURCE));
        ctx.close();
        ctx = machine.iommufd().open(p);
        proc = p;
        IoasCalls.setOption(ctx, IommuOptionId.RLIMIT_MODE, 0, 1);
        int id = IoasCalls.alloc(ctx);
        attach(id);
        int fd = p.memfdCreate("m");
        p.file(fd).truncate(4 * PAGE_SIZE);
        IoasCalls.mapFile(ctx, id, fd, 0, 4 * PAGE_SIZE);
        SimProcess child = p.fork();
        child.setRlimitMemlock(2L * PAGE_SIZE);
        assertEquals(Errno.ENOMEM, errno(() -> ctx.call(new IommuIoasChangeProcess(0), child)));
        assertEquals(4, p.lockedVm());
        assertEquals(0, child.lockedVm());
        assertEquals(0, child.pinnedVm());
    }

    @Test
    void closingTheContextUnmapsAndUnpins() {
        open();
        int id = IoasCalls.alloc(ctx);
        FakePagingDomain d = attach(id);
        long va = buffer(16 * PAGE_SIZE);
        for (int i = 0; i < 10; i++) {
            IoasCalls.mapFixed(ctx, id, va, 16 * PAGE_SIZE, 0x1000000L + i * 0x100000L);
        }
        assertEquals(10, proc.pinCountAt(va));
        detach(id, d);
        assertEquals(0, proc.pinCountAt(va));
        attach(id);
        assertEquals(10, proc.pinCountAt(va));
        // leakCheck detaches the domain (as a device detach would), then closes: all pins go.
    }

    @Test
    void byteAndTypedApiReachTheSameHandler() {
        open();
        int id = IoasCalls.alloc(ctx);
        long va = buffer(PAGE_SIZE);
        StructCodec<IommuIoasMap> codec = StructCodec.of(IommuIoasMap.class);
        ByteBuffer buf = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        codec.encode(new IommuIoasMap(RW, id, 0, va, PAGE_SIZE, 0), buf);
        buf.putInt(0, 40);
        assertEquals(0, ctx.ioctl(IommufdIoctl.IOMMU_IOAS_MAP, buf));
        long iova = buf.getLong(32);
        assertEquals(List.of(new IovaRange(iova, iova + PAGE_SIZE - 1)), mappings(id));
    }

    @Test
    void racingMapsUnmapsAndCopiesLeaveNothingBehind() throws Exception {
        open();
        int a = IoasCalls.alloc(ctx);
        int b = IoasCalls.alloc(ctx);
        attach(a);
        attach(b);
        long va = buffer(16 * PAGE_SIZE);
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                java.util.Random rnd = new java.util.Random(seed);
                try {
                    for (int i = 0; i < 200; i++) {
                        long len = (1 + rnd.nextInt(4)) * (long) PAGE_SIZE;
                        try {
                            long iova = IoasCalls.map(ctx, a, va + rnd.nextInt(12) * (long) PAGE_SIZE, len);
                            if (rnd.nextBoolean()) {
                                long dst = IoasCalls.copy(ctx, b, a, iova, len);
                                IoasCalls.unmap(ctx, b, dst, len);
                            }
                            IoasCalls.unmap(ctx, a, iova, len);
                        } catch (IommufdException e) {
                            // Another thread's unmap-all may have removed our area first.
                            assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
                        }
                        if (rnd.nextInt(50) == 0) {
                            IoasCalls.unmapAll(ctx, rnd.nextBoolean() ? a : b);
                        }
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        IoasCalls.unmapAll(ctx, a);
        IoasCalls.unmapAll(ctx, b);
        assertEquals(0, proc.pinCountAt(va));
        assertEquals(0, memory.pinnedFrames());
    }

    private List<IovaRange> mappings(int id) {
        Ioas ioas = ctx.get(id, Ioas.class);
        try {
            return ioas.iopt().mappings();
        } finally {
            ctx.put(ioas);
        }
    }

    /** Test helper: removes every domain (a device detach of each). */
    static final class PagingDomainList {
        static void detachAll(IoPagetable iopt) {
            for (var d : iopt.domains()) {
                iopt.removeDomain(d);
            }
        }
    }
}
