package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Linux's {@code io_pagetable} (io_pagetable.c): the IOVA → pages map of one IOAS, its allowed and
 * reserved IOVA ranges, and the paging domains that mirror it.
 *
 * <ul>
 *   <li>Areas ({@link IoArea}) map IOVA to slices of shared {@link IoPages}; IOAS_COPY makes new
 *       areas over the same pages, so memory is pinned and charged once.
 *   <li>Pages are pinned only while something needs them: with no domain attached a map records
 *       the user range and pins nothing (an unmapped VA is then not yet an error, as in Linux).
 *       Adding the first domain pins every area; removing the last unpins.
 *   <li>Every map goes to every domain, contiguous frames combined into the largest page sizes the
 *       domain supports, unless huge pages were disabled (then one PAGE_SIZE at a time).
 *   <li>Every step that can fail consults {@link FailNth}, and a failed operation is undone
 *       completely: no pin, no charge, no area, no domain entry and no reserved range remains.
 * </ul>
 *
 * <p>IOVAs are unsigned 64-bit values held in {@code long}s; all comparisons are unsigned.
 */
public final class IoPagetable implements DmaBuf.Importer {
    /** ULONG_MAX. */
    static final long MAX = -1L;
    /** The largest alignment automatic allocation asks for (HPAGE_SIZE with THP). */
    private static final long MAX_ALLOC_ALIGNMENT = 2L << 20;

    private record Reserved(long start, long last, Object owner) {
    }

    /** A piece of pages to map: bytes [startByte, startByte+length) of {@code pages}. */
    record Slice(IoPages pages, long startByte, long length) {
    }

    private final FailNth failNth;
    private final TreeMap<Long, IoArea> areas = new TreeMap<>(Long::compareUnsigned);
    private final List<Reserved> reserved = new ArrayList<>();
    private List<IovaRange> allowed = List.of();
    private final List<PagingDomain> domains = new ArrayList<>();
    private final List<IovaAccess> accesses = new CopyOnWriteArrayList<>();
    private long iovaAlignment = 1;
    private boolean disableLargePages;

    public IoPagetable(FailNth failNth) {
        this.failNth = failNth;
    }

    // ================================================================ map

    /**
     * Maps {@code length} bytes of {@code process}'s memory at {@code uptr} (iopt_map_user_pages).
     * Returns the IOVA: {@code iova} when {@code fixed}, else one allocated. With paging domains
     * attached the pages are pinned now (EFAULT for an unmapped or read-only VA when writing,
     * ENOMEM over RLIMIT_MEMLOCK); without, nothing is pinned yet.
     */
    public long mapUser(UserProcess process, long uptr, long length, long iova, boolean fixed, int prot, AccountMode mode) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        failNth.check("iopt_pages allocation", Errno.ENOMEM);
        IoPages pages = IoPages.ofUser(process, uptr, length, (prot & IommuProt.WRITE) != 0, mode);
        return map(List.of(new Slice(pages, pages.firstByte(), length)), length, iova, fixed, prot);
    }

    /** Maps bytes [start, start+length) of memfd {@code file} (iopt_map_file_pages); pins are charged to {@code caller}. */
    public long mapFile(UserProcess caller, ShmemFile file, long start, long length, long iova, boolean fixed, int prot,
            AccountMode mode) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        failNth.check("iopt_pages allocation", Errno.ENOMEM);
        IoPages pages = IoPages.ofFile(caller, file, start, length, (prot & IommuProt.WRITE) != 0, mode);
        return map(List.of(new Slice(pages, pages.firstByte(), length)), length, iova, fixed, prot);
    }

    /**
     * Maps bytes [start, start+length) of dma-buf {@code buf} (iopt_map_file_pages for a dma-buf):
     * its frames are the exporter's, neither pinned nor charged. A revoked buffer is ENODEV; a
     * later revoke unmaps the area from every domain ({@link #revoke}).
     */
    public long mapDmaBuf(UserProcess caller, DmaBuf buf, long start, long length, long iova, boolean fixed, int prot) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        failNth.check("iopt_pages allocation", Errno.ENOMEM);
        IoPages pages = IoPages.ofDmaBuf(caller, buf, start, length, (prot & IommuProt.WRITE) != 0);
        return map(List.of(new Slice(pages, pages.firstByte(), length)), length, iova, fixed, prot);
    }

    /**
     * The exporter revoked {@code buf} (iopt_revoke_notify): every area over it is unmapped from
     * every domain now and stays unmapped (also from domains added later) until it is unmapped by
     * the user; its IOVA stays allocated.
     */
    @Override
    public synchronized void revoke(DmaBuf buf) {
        for (IoArea a : areas.values()) {
            if (a.pages.dmabuf() != buf || a.revoked) {
                continue;
            }
            if (a.domainsLoaded) {
                unload(a, domains, true);
            }
            a.revoked = true;
        }
    }

    private void addAreaRef(IoArea a) {
        a.pages.addArea();
        if (a.pages.dmabuf() != null) {
            a.pages.dmabuf().attach(this);
        }
    }

    private void removeAreaRef(IoArea a) {
        a.pages.removeArea();
        if (a.pages.dmabuf() != null) {
            a.pages.dmabuf().detach(this);
        }
    }

    /**
     * Maps into this io_pagetable the pages {@code src} has at [srcIova, srcIova+length)
     * (IOAS_COPY): the source must be covered by areas without a gap (else ENOENT). The new areas
     * share the source's pages, so nothing is pinned twice.
     */
    public long copyFrom(IoPagetable src, long srcIova, long length, long dstIova, boolean fixed, int prot) {
        List<Slice> slices = src.slices(srcIova, length);
        return map(slices, length, dstIova, fixed, prot);
    }

    /** iopt_get_pages: the pages under a contiguous IOVA range. */
    private synchronized List<Slice> slices(long iova, long length) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        long last = lastOf(iova, length, "source iova");
        List<Slice> out = new ArrayList<>();
        long cur = iova;
        while (true) {
            IoArea area = areaContaining(cur);
            if (area == null) {
                throw new IommufdException(Errno.ENOENT, "source IOVA 0x" + Long.toHexString(cur) + " is not mapped");
            }
            failNth.check("iopt_pages_list allocation", Errno.ENOMEM);
            long end = Long.compareUnsigned(area.last(), last) < 0 ? area.last() : last;
            out.add(new Slice(area.pages, area.startByteOf(cur), end - cur + 1));
            if (end == last) {
                return out;
            }
            cur = end + 1;
        }
    }

    private synchronized long map(List<Slice> slices, long length, long iova, boolean fixed, int prot) {
        if (length == 0 || (length & (iovaAlignment - 1)) != 0) {
            throw IommufdException.einval("length 0x" + Long.toHexString(length) + " is not a non-zero multiple of the IOVA alignment 0x"
                    + Long.toHexString(iovaAlignment));
        }
        List<IoArea> made = new ArrayList<>(slices.size());
        for (int i = 0; i < slices.size(); i++) {
            // kzalloc of each iopt_area
            failNth.check("iopt_area allocation", Errno.ENOMEM);
        }
        if (fixed) {
            checkIova(iova, length);
        } else {
            Slice first = slices.get(0);
            iova = allocIova(first.pages().address(first.startByte()), length);
        }
        long cur = iova;
        for (Slice s : slices) {
            if ((prot & IommuProt.WRITE) != 0 && !s.pages().writable()) {
                throw new IommufdException(Errno.EPERM, "WRITEABLE asked for pages that were pinned read-only");
            }
            if (((s.startByte() & (PAGE_SIZE - 1)) & (iovaAlignment - 1)) != 0) {
                throw IommufdException.einval("the user address offset 0x" + Long.toHexString(s.startByte() & (PAGE_SIZE - 1))
                        + " in its page is not aligned to the IOVA alignment 0x" + Long.toHexString(iovaAlignment));
            }
            lastOf(cur, s.length(), "iova");
            made.add(new IoArea(cur, s.length(), s.pages(), s.startByte(), prot));
            cur += s.length();
        }
        if (!domains.isEmpty()) {
            for (int i = 0; i < made.size(); i++) {
                try {
                    load(made.get(i), domains, true);
                } catch (RuntimeException e) {
                    for (int j = 0; j < i; j++) {
                        unload(made.get(j), domains, true);
                    }
                    throw e;
                }
            }
        }
        for (IoArea a : made) {
            areas.put(a.iova, a);
            addAreaRef(a);
        }
        return iova;
    }

    /** iopt_check_iova: a fixed IOVA must be aligned, not reserved (EINVAL) and not mapped (EEXIST). */
    private void checkIova(long iova, long length) {
        if ((iova & (iovaAlignment - 1)) != 0) {
            throw IommufdException.einval("iova 0x" + Long.toHexString(iova) + " is not aligned to the IOVA alignment 0x"
                    + Long.toHexString(iovaAlignment));
        }
        long last = lastOf(iova, length, "iova");
        for (Reserved r : reserved) {
            if (intersects(r.start, r.last, iova, last)) {
                throw IommufdException.einval("IOVA range " + new IovaRange(iova, last) + " intersects reserved range "
                        + new IovaRange(r.start, r.last));
            }
        }
        IoArea hit = areaIntersecting(iova, last);
        if (hit != null) {
            throw new IommufdException(Errno.EEXIST, "IOVA range " + new IovaRange(iova, last) + " overlaps " + hit);
        }
    }

    /**
     * iopt_alloc_iova: the lowest free IOVA that is aligned to min(roundup_pow_of_two(length),
     * lowest set bit of {@code addr}, 2 MiB), keeps {@code addr}'s offset in its page, lies in an
     * allowed range (or anywhere in [PAGE_SIZE, ULONG_MAX - PAGE_SIZE] when none is set) and
     * avoids reserved ranges and areas. ENOSPC when nothing fits.
     */
    private long allocIova(long addr, long length) {
        if (length == 0 || Long.compareUnsigned(length, MAX >>> 1) >= 0) {
            throw new IommufdException(Errno.EOVERFLOW, "length 0x" + Long.toHexString(length) + " is too large to allocate");
        }
        long pageOffset = addr & (PAGE_SIZE - 1);
        long align = Long.highestOneBit(length);
        if (align != length) {
            align <<= 1;
        }
        if (addr != 0) {
            align = Math.min(align, Long.lowestOneBit(addr));
        }
        if (align >= MAX_ALLOC_ALIGNMENT) {
            align = MAX_ALLOC_ALIGNMENT;
        }
        if (align < iovaAlignment) {
            throw IommufdException.einval("length 0x" + Long.toHexString(length) + " at address 0x" + Long.toHexString(addr)
                    + " cannot meet the IOVA alignment 0x" + Long.toHexString(iovaAlignment));
        }
        List<IovaRange> windows = new ArrayList<>();
        if (allowed.isEmpty()) {
            windows.add(new IovaRange(PAGE_SIZE, MAX - PAGE_SIZE));
        } else {
            for (IovaRange r : allowed) {
                if (r.intersects(PAGE_SIZE, MAX - PAGE_SIZE)) {
                    windows.add(new IovaRange(umax(r.start(), PAGE_SIZE), umin(r.last(), MAX - PAGE_SIZE)));
                }
            }
        }
        for (IovaRange w : windows) {
            if (fit(w.start(), w.last(), length, align, pageOffset) == null) {
                continue;
            }
            for (IovaRange hole : holes(w.start(), w.last(), true)) {
                Long at = fit(hole.start(), hole.last(), length, align, pageOffset);
                if (at != null) {
                    return at;
                }
            }
        }
        throw new IommufdException(Errno.ENOSPC, "no free IOVA range of 0x" + Long.toHexString(length) + " bytes aligned to 0x"
                + Long.toHexString(align));
    }

    /** __alloc_iova_check_range: the aligned start of a {@code length} block in [start, last], or null. */
    private static Long fit(long start, long last, long length, long align, long pageOffset) {
        long aligned = start + (align - 1);
        if (Long.compareUnsigned(aligned, start) < 0) {
            return null;
        }
        aligned = (aligned & -align) | pageOffset;
        if (Long.compareUnsigned(aligned, last) >= 0 || Long.compareUnsigned(last - aligned, length - 1) < 0) {
            return null;
        }
        return aligned;
    }

    /** The gaps in [start, last] between reserved ranges (and areas, when {@code withAreas}). */
    private List<IovaRange> holes(long start, long last, boolean withAreas) {
        List<IovaRange> used = new ArrayList<>();
        for (Reserved r : reserved) {
            if (intersects(r.start, r.last, start, last)) {
                used.add(new IovaRange(r.start, r.last));
            }
        }
        if (withAreas) {
            Map.Entry<Long, IoArea> floor = areas.floorEntry(start);
            if (floor != null && Long.compareUnsigned(floor.getValue().last(), start) >= 0) {
                used.add(new IovaRange(floor.getValue().iova, floor.getValue().last()));
            }
            for (IoArea a : areas.subMap(start, false, last, true).values()) {
                used.add(new IovaRange(a.iova, a.last()));
            }
        }
        used.sort(Comparator.comparing(IovaRange::start, Long::compareUnsigned));
        List<IovaRange> out = new ArrayList<>();
        long cursor = start;
        boolean done = false;
        for (IovaRange u : used) {
            if (Long.compareUnsigned(u.start(), cursor) > 0) {
                out.add(new IovaRange(cursor, u.start() - 1));
            }
            if (Long.compareUnsigned(u.last(), cursor) >= 0) {
                if (Long.compareUnsigned(u.last(), last) >= 0) {
                    done = true;
                    break;
                }
                cursor = u.last() + 1;
            }
        }
        if (!done) {
            out.add(new IovaRange(cursor, last));
        }
        return out;
    }

    // ================================================================ unmap

    /**
     * Unmaps every area inside [iova, iova+length) and returns the bytes unmapped
     * (iopt_unmap_iova). An area only partly inside is ENOENT and nothing is unmapped; so is a
     * range with no area at all. Length 0 is EINVAL, a wrapping range EOVERFLOW.
     */
    public synchronized long unmap(long iova, long length) {
        long unmapped = unmapInside(iova, length);
        if (unmapped == 0) {
            // ioas.c iommufd_ioas_unmap: IOAS_UNMAP of an empty range is ENOENT.
            throw new IommufdException(Errno.ENOENT, "nothing is mapped in " + new IovaRange(iova, lastOf(iova, length, "iova")));
        }
        return unmapped;
    }

    /**
     * {@link #unmap} without the empty-range error: a range with no area unmaps 0 bytes and
     * succeeds (io_pagetable.c iopt_unmap_iova since "iommufd: Don't fail unmap of empty range in
     * vfio_compat", Linux 6.18, which VFIO_IOMMU_UNMAP_DMA relies on). An area only partly inside
     * is still ENOENT.
     */
    public synchronized long unmapInside(long iova, long length) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        return unmapRange(iova, lastOf(iova, length, "iova"));
    }

    /** Unmaps everything (iova 0, length U64_MAX); succeeds on an empty IOAS. Returns the bytes unmapped. */
    public synchronized long unmapAll() {
        return unmapRange(0, MAX);
    }

    private long unmapRange(long start, long last) {
        List<IoArea> hit = areasIn(start, last);
        for (IoArea a : hit) {
            if (Long.compareUnsigned(a.iova, start) < 0 || Long.compareUnsigned(a.last(), last) > 0) {
                throw new IommufdException(Errno.ENOENT, a + " is only partly inside " + new IovaRange(start, last)
                        + ": unmap may not split an area");
            }
        }
        for (IoArea a : hit) {
            if (a.accessPins > 0) {
                for (IovaAccess access : accesses) {
                    access.unmap(a.iova, a.length);
                }
                if (a.accessPins > 0) {
                    throw new IommufdException(Errno.EBUSY, a + " is still pinned by an access");
                }
            }
        }
        long bytes = 0;
        for (IoArea a : hit) {
            if (a.domainsLoaded) {
                unload(a, domains, true);
            }
            areas.remove(a.iova);
            removeAreaRef(a);
            bytes += a.length;
        }
        return bytes;
    }

    // ================================================================ domains

    /**
     * iopt_table_add_domain: reserves the IOVA outside the domain's aperture (EADDRINUSE when an
     * area is there), raises the IOVA alignment to the domain's smallest page (EINVAL above
     * PAGE_SIZE, EADDRINUSE when an area is misaligned), and fills the domain with every area,
     * pinning them if this is the first domain. On failure the domain and the io_pagetable are
     * unchanged.
     */
    public synchronized void addDomain(PagingDomain domain) {
        if (domains.contains(domain)) {
            throw new IommufdException(Errno.EEXIST, "the domain is already in this io_pagetable");
        }
        long newAlignment = Math.max(Long.lowestOneBit(domain.pgsizeBitmap()), iovaAlignment);
        if (domain.pgsizeBitmap() == 0 || newAlignment > PAGE_SIZE) {
            throw IommufdException.einval("the domain's smallest page size 0x" + Long.toHexString(Long.lowestOneBit(domain.pgsizeBitmap()))
                    + " is larger than PAGE_SIZE");
        }
        if (newAlignment != iovaAlignment) {
            checkAlignment(newAlignment);
        }
        try {
            if (domain.apertureStart() != 0) {
                reserveLocked(0, domain.apertureStart() - 1, domain);
            }
            if (domain.apertureLast() != MAX) {
                reserveLocked(domain.apertureLast() + 1, MAX, domain);
            }
            failNth.check("domain list slot", Errno.ENOMEM);
            boolean first = domains.isEmpty();
            List<PagingDomain> target = List.of(domain);
            List<IoArea> filled = new ArrayList<>();
            try {
                for (IoArea a : areas.values()) {
                    if (a.revoked) {
                        continue;
                    }
                    load(a, target, first);
                    filled.add(a);
                }
            } catch (RuntimeException e) {
                for (IoArea a : filled) {
                    unload(a, target, first);
                }
                throw e;
            }
        } catch (RuntimeException e) {
            releaseReservedLocked(domain);
            throw e;
        }
        iovaAlignment = newAlignment;
        domains.add(domain);
    }

    /**
     * iopt_table_remove_domain: unmaps every area from the domain, unpins them if it was the last
     * one, drops its reserved ranges and lowers the IOVA alignment again.
     */
    public synchronized void removeDomain(PagingDomain domain) {
        if (!domains.remove(domain)) {
            throw new IllegalArgumentException("the domain is not in this io_pagetable");
        }
        boolean last = domains.isEmpty();
        for (IoArea a : areas.values()) {
            if (!a.revoked) {
                unload(a, List.of(domain), last);
            }
        }
        releaseReservedLocked(domain);
        recalculateAlignment();
    }

    /** The attached domains, in attach order. */
    public synchronized List<PagingDomain> domains() {
        return List.copyOf(domains);
    }

    /** Pins an area (if {@code pin}) and maps it into {@code targets}; all or nothing. */
    private void load(IoArea area, List<PagingDomain> targets, boolean pin) {
        if (pin) {
            area.pages.pin(area.firstPage(), area.lastPage());
        }
        int done = 0;
        try {
            for (PagingDomain d : targets) {
                mapArea(d, area);
                done++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < done; i++) {
                unmapDomainRange(targets.get(i), area.iova, area.length);
            }
            if (pin) {
                area.pages.unpin(area.firstPage(), area.lastPage());
            }
            throw e;
        }
        if (pin) {
            area.domainsLoaded = true;
        }
    }

    /** Unmaps an area from {@code targets} and unpins it (if {@code unpin}). Cannot fail. */
    private void unload(IoArea area, List<PagingDomain> targets, boolean unpin) {
        for (PagingDomain d : targets) {
            unmapDomainRange(d, area.iova, area.length);
        }
        if (unpin) {
            area.pages.unpin(area.firstPage(), area.lastPage());
            area.domainsLoaded = false;
        }
    }

    /**
     * Maps one area into a domain (batch_to_domain): runs of physically contiguous frames become
     * one iommu_map each, unless huge pages are disabled (then each page is its own run, as
     * batch_iommu_map_small does). Consecutive runs of a single whole 4 KiB page (scattered
     * frames) are collected and handed to {@link PagingDomain#mapPages} up to
     * {@value #SCATTER_BATCH} at a time (iommu_map_sg), one {@code iommu_map} fault-injection point
     * per batch. On failure what was mapped is unmapped.
     */
    private void mapArea(PagingDomain domain, IoArea area) {
        boolean batchable = (domain.pgsizeBitmap() & PAGE_SIZE) != 0;
        int firstPage = area.firstPage();
        long[] pfns = area.pages.pfns(firstPage, area.lastPage());
        ScatterBatch batch = new ScatterBatch(batchable ? Math.min(pfns.length, SCATTER_BATCH) : 0);
        try {
            long byteInPages = area.startByte;
            long remaining = area.length;
            long runIova = area.iova;
            long runPa = -1;
            long runLen = 0;
            long cur = area.iova;
            while (remaining > 0) {
                int index = (int) (byteInPages >>> PAGE_SHIFT);
                long off = byteInPages & (PAGE_SIZE - 1);
                long n = Math.min(remaining, PAGE_SIZE - off);
                long pa = (pfns[index - firstPage] << PAGE_SHIFT) + off;
                if (runLen > 0 && !disableLargePages && pa == runPa + runLen) {
                    runLen += n;
                } else {
                    if (runLen > 0) {
                        mapRun(domain, batch, runIova, runPa, runLen, area.prot);
                    }
                    runIova = cur;
                    runPa = pa;
                    runLen = n;
                }
                cur += n;
                byteInPages += n;
                remaining -= n;
            }
            mapRun(domain, batch, runIova, runPa, runLen, area.prot);
            flush(domain, batch, area.prot);
        } catch (RuntimeException e) {
            if (batch.mapped > 0) {
                unmapDomainRange(domain, area.iova, batch.mapped);
            }
            throw e;
        }
    }

    private static final int SCATTER_BATCH = 1024;

    /** Scattered 4 KiB pages at consecutive IOVAs not yet handed to the domain, and what was mapped. */
    private static final class ScatterBatch {
        final long[] pas;
        long iova;
        int count;
        /** Bytes mapped into the domain so far, contiguous from the area's IOVA (undone on failure). */
        long mapped;

        ScatterBatch(int capacity) {
            pas = new long[capacity];
        }
    }

    /** Queues a run of one whole 4 KiB page in the batch, or maps the batch and then the run by itself. */
    private void mapRun(PagingDomain domain, ScatterBatch batch, long iova, long pa, long length, int prot) {
        if (length == PAGE_SIZE && batch.pas.length > 0 && ((iova | pa) & (PAGE_SIZE - 1)) == 0) {
            if (batch.count == batch.pas.length) {
                flush(domain, batch, prot);
            }
            if (batch.count == 0) {
                batch.iova = iova;
            }
            batch.pas[batch.count++] = pa;
            return;
        }
        flush(domain, batch, prot);
        mapDomainRange(domain, iova, pa, length, prot);
        batch.mapped += length;
    }

    /** Maps the batched pages (all or nothing) and empties the batch. */
    private void flush(PagingDomain domain, ScatterBatch batch, int prot) {
        int count = batch.count;
        if (count == 0) {
            return;
        }
        batch.count = 0;
        failNth.check("iommu_map", Errno.ENOMEM);
        domain.mapPages(batch.iova, batch.pas, 0, count, PAGE_SIZE, prot);
        batch.mapped += (long) count * PAGE_SIZE;
    }

    /** iommu_map: the largest page sizes that fit the alignment of both addresses. All or nothing. */
    private void mapDomainRange(PagingDomain domain, long iova, long pa, long length, int prot) {
        long bitmap = domain.pgsizeBitmap();
        long min = Long.lowestOneBit(bitmap);
        if (((iova | pa | length) & (min - 1)) != 0) {
            throw IommufdException.einval("IOVA 0x" + Long.toHexString(iova) + " -> PA 0x" + Long.toHexString(pa) + " length 0x"
                    + Long.toHexString(length) + " is not aligned to the domain's smallest page 0x" + Long.toHexString(min));
        }
        long done = 0;
        try {
            while (done < length) {
                long pgsize = pgsize(bitmap, iova + done, pa + done, length - done);
                long count = pgcount(bitmap, pgsize, iova + done, pa + done, length - done);
                failNth.check("iommu_map", Errno.ENOMEM);
                domain.map(iova + done, pa + done, pgsize, count, prot);
                done += pgsize * count;
            }
        } catch (RuntimeException e) {
            if (done > 0) {
                unmapDomainRange(domain, iova, done);
            }
            throw e;
        }
    }

    /** iommu_unmap: unmaps [iova, iova+length) with the largest pages the IOVA alignment allows. */
    private static void unmapDomainRange(PagingDomain domain, long iova, long length) {
        long bitmap = domain.pgsizeBitmap();
        long done = 0;
        while (done < length) {
            long pgsize = pgsize(bitmap, iova + done, iova + done, length - done);
            long count = pgcount(bitmap, pgsize, iova + done, iova + done, length - done);
            long n = domain.unmap(iova + done, pgsize, count);
            if (n <= 0) {
                throw new IllegalStateException("the domain unmapped nothing at IOVA 0x" + Long.toHexString(iova + done)
                        + " that the io_pagetable had mapped");
            }
            done += n;
        }
    }

    /** The largest page size in {@code bitmap} not above {@code size} that both addresses are aligned to. */
    static long pgsize(long bitmap, long iova, long pa, long size) {
        long fits = bitmap & ((Long.highestOneBit(size) << 1) - 1);
        long merged = iova | pa;
        if (merged != 0) {
            fits &= (Long.lowestOneBit(merged) << 1) - 1;
        }
        if (fits == 0) {
            throw IommufdException.einval("no page size of 0x" + Long.toHexString(bitmap) + " fits IOVA 0x" + Long.toHexString(iova)
                    + " -> PA 0x" + Long.toHexString(pa) + " size 0x" + Long.toHexString(size));
        }
        return Long.highestOneBit(fits);
    }

    /** How many {@code pgsize} pages to map before a larger page could start (iommu_pgsize's count). */
    static long pgcount(long bitmap, long pgsize, long iova, long pa, long size) {
        long count = size / pgsize;
        long larger = bitmap & -(pgsize << 1);
        if (larger != 0) {
            long next = Long.lowestOneBit(larger);
            if (((iova ^ pa) & (next - 1)) == 0) {
                long toBoundary = next - (iova & (next - 1));
                if (toBoundary < size) {
                    count = toBoundary / pgsize;
                }
            }
        }
        return count;
    }

    // ================================================================ IOVA ranges and alignment

    /**
     * iopt_reserve_iova: makes [start, last] unusable, owned by {@code owner} (a domain, a device,
     * the test's ADD_RESERVED). EADDRINUSE when an area or an allowed range intersects it.
     */
    public synchronized void reserve(long start, long last, Object owner) {
        reserveLocked(start, last, owner);
    }

    private void reserveLocked(long start, long last, Object owner) {
        if (Long.compareUnsigned(start, last) > 0) {
            throw IommufdException.einval("reserved range start 0x" + Long.toHexString(start) + " is after its last 0x"
                    + Long.toHexString(last));
        }
        IoArea a = areaIntersecting(start, last);
        if (a != null) {
            throw new IommufdException(Errno.EADDRINUSE, "reserved range " + new IovaRange(start, last) + " intersects " + a);
        }
        for (IovaRange r : allowed) {
            if (r.intersects(start, last)) {
                throw new IommufdException(Errno.EADDRINUSE, "reserved range " + new IovaRange(start, last)
                        + " intersects allowed range " + r);
            }
        }
        failNth.check("iopt_reserved allocation", Errno.ENOMEM);
        reserved.add(new Reserved(start, last, owner));
    }

    /** Drops every reserved range {@code owner} made. */
    public synchronized void releaseReserved(Object owner) {
        releaseReservedLocked(owner);
    }

    private void releaseReservedLocked(Object owner) {
        reserved.removeIf(r -> r.owner == owner);
    }

    /**
     * Replaces the allowed ranges (IOAS_ALLOW_IOVAS; empty clears them). A range with start >= last
     * or ranges overlapping each other are EINVAL; one intersecting a reserved range EADDRINUSE.
     * All or nothing.
     */
    public synchronized void setAllowedIovas(List<IovaRange> ranges) {
        List<IovaRange> sorted = new ArrayList<>(ranges.size());
        for (IovaRange r : ranges) {
            if (Long.compareUnsigned(r.start(), r.last()) >= 0) {
                throw IommufdException.einval("allowed range " + r + " must have start < last");
            }
            for (IovaRange o : sorted) {
                if (o.intersects(r.start(), r.last())) {
                    throw IommufdException.einval("allowed range " + r + " overlaps " + o);
                }
            }
            failNth.check("iopt_allowed allocation", Errno.ENOMEM);
            sorted.add(r);
        }
        for (IovaRange r : sorted) {
            for (Reserved res : reserved) {
                if (r.intersects(res.start, res.last)) {
                    throw new IommufdException(Errno.EADDRINUSE, "allowed range " + r + " intersects reserved range "
                            + new IovaRange(res.start, res.last));
                }
            }
        }
        sorted.sort(Comparator.comparing(IovaRange::start, Long::compareUnsigned));
        allowed = List.copyOf(sorted);
    }

    /** The allowed ranges, sorted. */
    public synchronized List<IovaRange> allowedIovas() {
        return allowed;
    }

    /** The usable IOVA ranges, i.e. the gaps between reserved ranges over [0, U64_MAX] (IOAS_IOVA_RANGES). */
    public synchronized List<IovaRange> iovaRanges() {
        return holes(0, MAX, false);
    }

    /** The alignment every IOVA and length must have. */
    public synchronized long iovaAlignment() {
        return iovaAlignment;
    }

    /** Whether huge pages may be used (IOMMU_OPTION_HUGE_PAGES). */
    public synchronized boolean largePages() {
        return !disableLargePages;
    }

    /**
     * IOMMU_OPTION_HUGE_PAGES. Disabling raises the alignment to PAGE_SIZE: EINVAL when domains
     * already hold mappings, EADDRINUSE when an existing area is not PAGE_SIZE-aligned.
     */
    public synchronized void setLargePages(boolean enable) {
        if (enable) {
            disableLargePages = false;
            recalculateAlignment();
            return;
        }
        if (disableLargePages) {
            return;
        }
        if (!domains.isEmpty() && !areas.isEmpty()) {
            throw IommufdException.einval("huge pages cannot be disabled while domains hold mappings");
        }
        disableLargePages = true;
        try {
            recalculateAlignment();
        } catch (RuntimeException e) {
            disableLargePages = false;
            throw e;
        }
    }

    private void recalculateAlignment() {
        long align = disableLargePages ? PAGE_SIZE : 1;
        for (PagingDomain d : domains) {
            align = Math.max(align, Long.lowestOneBit(d.pgsizeBitmap()));
        }
        for (IovaAccess a : accesses) {
            align = Math.max(align, a.iovaAlignment());
        }
        if (align > iovaAlignment) {
            checkAlignment(align);
        }
        iovaAlignment = align;
    }

    /** iopt_check_iova_alignment: every area must already meet a raised alignment (else EADDRINUSE). */
    private void checkAlignment(long align) {
        for (IoArea a : areas.values()) {
            if (((a.iova | a.length | a.pageOffset()) & (align - 1)) != 0) {
                throw new IommufdException(Errno.EADDRINUSE, a + " is not aligned to the new IOVA alignment 0x"
                        + Long.toHexString(align));
            }
        }
    }

    // ================================================================ accesses

    /**
     * Registers an access (iopt_add_access): it is told about unmaps of IOVA it may have pinned,
     * and the io_pagetable's IOVA alignment rises to what it needs ({@link IovaAccess#iovaAlignment}):
     * EADDRINUSE when an existing area does not meet it, and nothing changes.
     */
    public synchronized void addAccess(IovaAccess access) {
        // xa_alloc of the access_list slot
        failNth.check("iopt access_list slot", Errno.ENOMEM);
        accesses.add(access);
        try {
            recalculateAlignment();
        } catch (RuntimeException e) {
            accesses.remove(access);
            throw e;
        }
    }

    /** Unregisters an access (iopt_remove_access); the IOVA alignment may fall again. */
    public synchronized void removeAccess(IovaAccess access) {
        accesses.remove(access);
        recalculateAlignment();
    }

    /** The registered accesses (for leak checks). */
    public List<IovaAccess> accesses() {
        return List.copyOf(accesses);
    }

    /**
     * The io_pagetable half of iommufd_access_pin_pages (device.c): the range must be covered by
     * contiguous areas (else ENOENT); each piece must start on a page boundary of its pages and,
     * unless it is the last, end on one (else EINVAL); each area must allow the access (READ, or
     * WRITE when {@code write}; else EPERM). Returns one frame per page, in IOVA order. All or
     * nothing: on any failure the pieces already pinned are released.
     */
    synchronized long[] accessPin(long iova, long length, boolean write) {
        long last = lastOf(iova, length, "iova");
        List<IoArea> pinned = new ArrayList<>();
        it.unimi.dsi.fastutil.longs.LongArrayList pfns = new it.unimi.dsi.fastutil.longs.LongArrayList();
        long cur = iova;
        try {
            while (true) {
                IoArea a = areaContaining(cur);
                if (a == null) {
                    throw new IommufdException(Errno.ENOENT, "IOVA 0x" + Long.toHexString(cur) + " is not mapped");
                }
                boolean done = Long.compareUnsigned(a.last(), last) >= 0;
                long end = done ? last : a.last();
                if ((a.startByteOf(cur) & (PAGE_SIZE - 1)) != 0
                        || (!done && (a.startByteOf(a.last()) & (PAGE_SIZE - 1)) != PAGE_SIZE - 1)) {
                    throw IommufdException.einval("IOVA 0x" + Long.toHexString(cur) + " in " + a
                            + " does not start (or end) on a page boundary of its pages: pinning needs whole pages");
                }
                checkAccessProt(a, write);
                // kzalloc of the iopt_pages_access
                failNth.check("iopt_pages_access allocation", Errno.ENOMEM);
                int first = (int) (a.startByteOf(cur) >>> PAGE_SHIFT);
                int lastPage = (int) (a.startByteOf(end) >>> PAGE_SHIFT);
                a.pages.pin(first, lastPage);
                pinned.add(a);
                a.accessPins++;
                for (int p = first; p <= lastPage; p++) {
                    pfns.add(a.pages.pfn(p));
                }
                if (done) {
                    return pfns.toLongArray();
                }
                cur = a.last() + 1;
            }
        } catch (RuntimeException e) {
            for (IoArea a : pinned) {
                unpinArea(a, iova, last);
            }
            throw e;
        }
    }

    /**
     * The io_pagetable half of iommufd_access_rw (device.c): copies between {@code data} and the
     * memory under [iova, iova+length), area by area. A gap is ENOENT and an area that does not
     * allow the access (READ, or WRITE for {@link AccessFlags#WRITE}) EPERM; both are found before
     * anything is copied. See {@link IoPages#accessRw} for the fast and slow paths.
     */
    synchronized void accessRw(UserMemory caller, long iova, byte[] data, int off, int length, int flags) {
        long last = lastOf(iova, length, "iova");
        boolean write = (flags & AccessFlags.WRITE) != 0;
        List<IoArea> covered = contiguousAreas(iova, last);
        for (IoArea a : covered) {
            checkAccessProt(a, write);
        }
        for (IoArea a : covered) {
            long from = umax(iova, a.iova);
            long to = umin(last, a.last());
            a.pages.accessRw(failNth, caller, a.startByteOf(from), data, off + (int) (from - iova), (int) (to - from + 1), flags);
        }
    }

    /** check_area_prot: a write needs IOMMU_WRITE, a read IOMMU_READ (else EPERM). */
    private static void checkAccessProt(IoArea a, boolean write) {
        int need = write ? IommuProt.WRITE : IommuProt.READ;
        if ((a.prot & need) == 0) {
            throw new IommufdException(Errno.EPERM, a + " is not " + (write ? "writable" : "readable"));
        }
        if (write && !a.pages.writable()) {
            throw new IommufdException(Errno.EPERM, a + " maps pages that were pinned read-only");
        }
    }

    /**
     * iopt_cut_iova (io_pagetable.c): for each IOVA, splits the area containing it so that one
     * piece ends at that IOVA (nothing to do at an area's first or last IOVA, or where nothing is
     * mapped). VFIO type1 (v0) unmaps use it to unmap inside a mapping. The split point must meet
     * the IOVA alignment (EINVAL); an area pinned by an access, or loaded into domains that may
     * hold huge pages, cannot be split (EINVAL). Cuts made before a failing one stay.
     */
    public synchronized void cutIova(long... iovas) {
        for (long iova : iovas) {
            IoArea area = areaContaining(iova);
            if (area != null) {
                splitArea(area, iova);
            }
        }
    }

    /** iopt_area_split: [iova_start, iova] and [iova+1, last] over the same pages. */
    private void splitArea(IoArea area, long iova) {
        if (iova == area.iova || iova == area.last()) {
            return;
        }
        long newStart = iova + 1;
        long alignment = iovaAlignment;
        if ((newStart & (alignment - 1)) != 0 || (area.startByteOf(newStart) & (alignment - 1)) != 0) {
            throw IommufdException.einval("cannot split " + area + " at IOVA 0x" + Long.toHexString(newStart)
                    + ": not aligned to the IOVA alignment 0x" + Long.toHexString(alignment));
        }
        // kzalloc of lhs and rhs
        failNth.check("iopt_area allocation", Errno.ENOMEM);
        failNth.check("iopt_area allocation", Errno.ENOMEM);
        if (area.accessPins > 0) {
            throw IommufdException.einval("cannot split " + area + ": an access has pages of it pinned");
        }
        if (area.domainsLoaded && !disableLargePages) {
            throw IommufdException.einval("cannot split " + area + ": domains may map it with huge pages");
        }
        IoArea lhs = new IoArea(area.iova, newStart - area.iova, area.pages, area.startByte, area.prot);
        IoArea rhs = new IoArea(newStart, area.last() - newStart + 1, area.pages, area.startByteOf(newStart), area.prot);
        if (area.domainsLoaded && lhs.lastPage() == rhs.firstPage()) {
            // Both halves hold the page they share; each will release it when unloaded.
            area.pages.pin(rhs.firstPage(), rhs.firstPage());
        }
        lhs.domainsLoaded = area.domainsLoaded;
        rhs.domainsLoaded = area.domainsLoaded;
        lhs.revoked = area.revoked;
        rhs.revoked = area.revoked;
        areas.put(lhs.iova, lhs);
        areas.put(rhs.iova, rhs);
        addAreaRef(rhs);
    }

    /**
     * Pins the pages under [iova, iova+length), which must be covered by areas (else ENOENT), and
     * returns one frame per page touched, in IOVA order (iopt_access_pages). Holds them until
     * {@link #unpinIova}; an unmap in between asks the accesses to let go, else fails EBUSY.
     */
    public synchronized long[] pinIova(long iova, long length, boolean write) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        long last = lastOf(iova, length, "iova");
        List<IoArea> covered = contiguousAreas(iova, last);
        List<IoArea> pinned = new ArrayList<>();
        it.unimi.dsi.fastutil.longs.LongArrayList pfns = new it.unimi.dsi.fastutil.longs.LongArrayList();
        try {
            for (IoArea a : covered) {
                if (write && (a.prot & IommuProt.WRITE) == 0) {
                    throw new IommufdException(Errno.EPERM, a + " is not writable");
                }
                long from = umax(iova, a.iova);
                long to = umin(last, a.last());
                int first = (int) (a.startByteOf(from) >>> PAGE_SHIFT);
                int lastPage = (int) (a.startByteOf(to) >>> PAGE_SHIFT);
                a.pages.pin(first, lastPage);
                pinned.add(a);
                a.accessPins++;
                for (int p = first; p <= lastPage; p++) {
                    pfns.add(a.pages.pfn(p));
                }
            }
        } catch (RuntimeException e) {
            for (IoArea a : pinned) {
                unpinArea(a, iova, last);
            }
            throw e;
        }
        return pfns.toLongArray();
    }

    /** Releases a {@link #pinIova} of exactly the same range. */
    public synchronized void unpinIova(long iova, long length) {
        long last = lastOf(iova, length, "iova");
        for (IoArea a : contiguousAreas(iova, last)) {
            unpinArea(a, iova, last);
        }
    }

    /**
     * Reads or writes IOVA [iova, iova+len) as an emulated device would (iopt_access_rw): the
     * range must be covered by areas (ENOENT), a write needs WRITEABLE areas (EPERM). Pinned pages
     * are accessed through their frames, others through the process or file that backs them.
     */
    public synchronized void rw(long iova, byte[] buf, int off, int len, boolean write) {
        if (len == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        long last = lastOf(iova, len, "iova");
        List<IoArea> covered = contiguousAreas(iova, last);
        for (IoArea a : covered) {
            if (write && (a.prot & IommuProt.WRITE) == 0) {
                throw new IommufdException(Errno.EPERM, a + " is not writable");
            }
        }
        for (IoArea a : covered) {
            long from = umax(iova, a.iova);
            long to = umin(last, a.last());
            a.pages.rw(a.startByteOf(from), buf, off + (int) (from - iova), (int) (to - from + 1), write);
        }
    }

    private void unpinArea(IoArea a, long iova, long last) {
        long from = umax(iova, a.iova);
        long to = umin(last, a.last());
        a.pages.unpin((int) (a.startByteOf(from) >>> PAGE_SHIFT), (int) (a.startByteOf(to) >>> PAGE_SHIFT));
        a.accessPins--;
    }

    private List<IoArea> contiguousAreas(long iova, long last) {
        List<IoArea> out = new ArrayList<>();
        long cur = iova;
        while (true) {
            IoArea a = areaContaining(cur);
            if (a == null) {
                throw new IommufdException(Errno.ENOENT, "IOVA 0x" + Long.toHexString(cur) + " is not mapped");
            }
            out.add(a);
            if (Long.compareUnsigned(a.last(), last) >= 0) {
                return out;
            }
            cur = a.last() + 1;
        }
    }

    // ================================================================ queries

    /** Number of areas (mappings). */
    public synchronized int areaCount() {
        return areas.size();
    }

    /** The mapped IOVA ranges, one per area, in IOVA order. */
    public synchronized List<IovaRange> mappings() {
        List<IovaRange> out = new ArrayList<>(areas.size());
        for (IoArea a : areas.values()) {
            out.add(new IovaRange(a.iova, a.last()));
        }
        return out;
    }

    /** Pages pinned by the pages objects this io_pagetable maps (each counted once). */
    public synchronized long pinnedPages() {
        long n = 0;
        for (IoPages p : distinctPages()) {
            n += p.npinned();
        }
        return n;
    }

    /** The frame IOVA {@code iova} maps to while it is pinned, else 0 (for tests and accesses). */
    public synchronized long physicalAddress(long iova) {
        IoArea a = areaContaining(iova);
        if (a == null) {
            return 0;
        }
        long b = a.startByteOf(iova);
        long pfn = a.pages.pfn((int) (b >>> PAGE_SHIFT));
        return pfn == 0 ? 0 : (pfn << PAGE_SHIFT) + (b & (PAGE_SIZE - 1));
    }

    synchronized Set<IoPages> distinctPages() {
        Set<IoPages> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (IoArea a : areas.values()) {
            out.add(a.pages);
        }
        return out;
    }

    // ================================================================ helpers

    private IoArea areaContaining(long iova) {
        Map.Entry<Long, IoArea> e = areas.floorEntry(iova);
        return e != null && Long.compareUnsigned(e.getValue().last(), iova) >= 0 ? e.getValue() : null;
    }

    private IoArea areaIntersecting(long start, long last) {
        IoArea a = areaContaining(start);
        if (a != null) {
            return a;
        }
        Map.Entry<Long, IoArea> e = areas.ceilingEntry(start);
        return e != null && Long.compareUnsigned(e.getKey(), last) <= 0 ? e.getValue() : null;
    }

    private List<IoArea> areasIn(long start, long last) {
        List<IoArea> out = new ArrayList<>();
        IoArea first = areaContaining(start);
        if (first != null) {
            out.add(first);
        }
        out.addAll(areas.subMap(start, first == null, last, true).values());
        return out;
    }

    /** iova + length - 1, EOVERFLOW when it wraps. */
    private static long lastOf(long iova, long length, String what) {
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, what + " 0x" + Long.toHexString(iova) + " + length 0x"
                    + Long.toHexString(length) + " overflows");
        }
        return last;
    }

    private static boolean intersects(long aStart, long aLast, long bStart, long bLast) {
        return Long.compareUnsigned(aStart, bLast) <= 0 && Long.compareUnsigned(bStart, aLast) <= 0;
    }

    private static long umax(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static long umin(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
