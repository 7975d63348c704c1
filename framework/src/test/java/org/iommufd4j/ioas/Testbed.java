package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.TestMachine;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;

/**
 * The selftest's world for framework tests: a machine, a root process with the selftest's
 * {@code buffer} (16 pages, MAP_SHARED anonymous, every page touched), and an open context. Tests
 * that need a paging domain get a page-table domain over the mock's aperture attached straight to
 * an io_pagetable (no device subsystem needed). {@link #close} closes the context and checks that
 * nothing leaked: no pin, no charge, no object, no frame beyond the process's own.
 */
public final class Testbed implements AutoCloseable {
    /** MOCK_APERTURE_START. */
    public static final long APERTURE_START = 1L << 24;
    /** MOCK_APERTURE_LAST. */
    public static final long APERTURE_LAST = (1L << 31) - 1;
    /** The selftest's BUFFER_SIZE. */
    public static final long BUFFER_SIZE = 16L * PAGE_SIZE;

    public final IommufdComponent machine;
    public final PhysicalMemory memory;
    public final SimProcess proc;
    public final long buffer;
    private long baselineFrames;
    private final List<PagingDomain> domains = new ArrayList<>();
    public IommufdContext ctx;

    public Testbed() {
        machine = TestMachine.create();
        memory = machine.memory();
        proc = SimProcess.root(memory);
        buffer = proc.mmapAnonymous(BUFFER_SIZE, true);
        proc.write(buffer, new byte[(int) BUFFER_SIZE], 0, (int) BUFFER_SIZE);
        baselineFrames = memory.allocatedFrames();
        ctx = machine.iommufd().open(proc);
    }

    /** Memory the test mapped and touched itself: counts as the process's from now on. */
    public long mmapTouched(long length) {
        long before = memory.allocatedFrames();
        long va = proc.mmapAnonymous(length, true);
        proc.write(va, new byte[(int) length], 0, (int) length);
        baselineFrames += memory.allocatedFrames() - before;
        return va;
    }

    /** A fresh context (after {@link #closeContext}). */
    public void reopen() {
        ctx = machine.iommufd().open(proc);
    }

    public Ioas ioas(int id) {
        Ioas ioas = ctx.get(id, Ioas.class);
        ctx.put(ioas);
        return ioas;
    }

    /** IOMMU_IOAS_MAP with FIXED_IOVA, read and write. */
    public void mapFixed(int ioasId, long va, long length, long iova) {
        ctx.call(new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE, ioasId, 0,
                va, length, iova));
    }

    /** IOMMU_IOAS_MAP with FIXED_IOVA and the given READABLE/WRITEABLE flags. */
    public void mapFixed(int ioasId, long va, long length, long iova, int rwFlags) {
        ctx.call(new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | rwFlags, ioasId, 0, va, length, iova));
    }

    /** IOMMU_IOAS_MAP at an IOVA the kernel picks; returns it. */
    public long map(int ioasId, long va, long length) {
        return ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE, ioasId, 0, va, length, 0)).iova();
    }

    /** IOMMU_IOAS_UNMAP; returns the bytes unmapped. */
    public long unmap(int ioasId, long iova, long length) {
        return ctx.call(new IommuIoasUnmap(ioasId, iova, length)).length();
    }

    /** IOMMU_OPTION HUGE_PAGES GET. */
    public long hugePages(int ioasId) {
        return ctx.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3)).val64();
    }

    /**
     * Attaches a paging domain shaped like the selftest's mock domain (aperture [16 MiB, 2 GiB-1])
     * over an x86-64 page table to the IOAS's io_pagetable; removed and freed by {@link #close}.
     */
    public PageTableDomain addDomain(int ioasId) {
        PageTableDomain d = new PageTableDomain(new PageTable(new X8664Format(48, false, false), memory), APERTURE_START, APERTURE_LAST,
                PageTableDomain.IotlbFlusher.NONE);
        try {
            ioas(ioasId).iopt().addDomain(d);
        } catch (RuntimeException e) {
            d.free();
            throw e;
        }
        domains.add(d);
        return d;
    }

    public void removeDomain(int ioasId, PagingDomain d) {
        ioas(ioasId).iopt().removeDomain(d);
        domains.remove(d);
        d.free();
    }

    /** The process's frame at user address {@code va}. */
    public long frame(long va) {
        return proc.frameAt(va);
    }

    /** Detaches test domains (their IOAS must still exist) and closes the context. */
    public void closeContext() {
        for (PagingDomain d : List.copyOf(domains)) {
            for (var obj : ctx.objects().snapshot()) {
                if (obj instanceof Ioas ioas && ioas.iopt().domains().contains(d)) {
                    ioas.iopt().removeDomain(d);
                }
            }
            d.free();
        }
        domains.clear();
        ctx.close();
    }

    /** The leak check of the selftest's teardown, and more. */
    public void assertNothingLeaked() {
        assertEquals(0, memory.pinnedFrames(), "pinned frames");
        for (long va = buffer; va < buffer + BUFFER_SIZE; va += PAGE_SIZE) {
            assertEquals(0, proc.pinCountAt(va), "pin count of buffer page 0x" + Long.toHexString(va));
        }
        assertEquals(0, proc.pinnedVm(), "VmPin");
        assertEquals(0, proc.lockedVm(), "VmLck");
        assertEquals(0, proc.user().lockedPages(), "user locked pages");
        assertEquals(0, machine.iommufd().liveObjects(), "live objects");
        assertEquals(baselineFrames, memory.allocatedFrames(), "allocated frames");
    }

    @Override
    public void close() {
        closeContext();
        assertNothingLeaked();
    }
}
