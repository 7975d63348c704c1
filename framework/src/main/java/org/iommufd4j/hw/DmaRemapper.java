package org.iommufd4j.hw;

import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.Prot;

/**
 * One device's path to memory through the IOMMU: every DMA is translated granule by granule (4 KiB,
 * or a smaller page of the format, see {@link Translation#granule()}) through the
 * IOTLB, and on a miss by the {@link PageWalker} over the attached {@link TranslationRoot}; then
 * host memory is read or written. With nothing attached all DMA is blocked.
 *
 * <p>Every IOTLB hit is checked against a fresh walk. The cached translation is still what the
 * device uses (hardware would), but a mismatch is reported to the {@link DriverBugLog} as a
 * {@link StaleTranslation}: the driver changed the table without invalidating.
 */
public final class DmaRemapper {
    private final PhysicalMemory memory;
    private final Iotlb iotlb;
    private final PageWalker walker;
    private final DriverBugLog bugs;
    private volatile TranslationRoot root;

    public DmaRemapper(PhysicalMemory memory, Iotlb iotlb, DriverBugLog bugs) {
        this.memory = memory;
        this.iotlb = iotlb;
        this.walker = new PageWalker(memory);
        this.bugs = bugs;
    }

    /** Points the device at {@code root} (null blocks all DMA). */
    public void attach(TranslationRoot root) {
        this.root = root;
    }

    public TranslationRoot attached() {
        return root;
    }

    /** Translates one access, through the IOTLB. */
    public Translation translate(long iova, Access access) {
        TranslationRoot r = root;
        if (r == null) {
            throw new DmaFault(iova, access, DmaFault.Reason.BLOCKED);
        }
        Translation cached = iotlb.lookup(r.tag(), iova);
        if (cached == null) {
            Translation t = walker.walk(r, iova, access);
            iotlb.fill(r.tag(), t);
            return t;
        }
        int needed = access == Access.WRITE ? Prot.WRITE : Prot.READ;
        Translation current;
        try {
            current = walker.translate(r, iova, access);
        } catch (DmaFault f) {
            if (f.reason() == DmaFault.Reason.PERMISSION && (cached.prot() & needed) == 0) {
                // The cached entry and the table agree: this access is not allowed. Nothing stale.
                throw new DmaFault(iova, access, DmaFault.Reason.PERMISSION);
            }
            current = null;
        }
        if (!cached.sameMapping(current)) {
            bugs.report(new StaleTranslation(r.tag(), iova, cached, current));
        } else if (access == Access.WRITE) {
            // A cached entry is still dirtied in the table, as hardware does on the first write.
            walker.walk(r, iova, access);
        }
        if ((cached.prot() & needed) == 0) {
            throw new DmaFault(iova, access, DmaFault.Reason.PERMISSION);
        }
        return cached;
    }

    /** A device read of {@code len} bytes at {@code iova} into {@code dst}. */
    public void read(long iova, byte[] dst, int off, int len) {
        int done = 0;
        while (done < len) {
            long at = iova + done;
            Translation t = translate(at, Access.READ);
            int chunk = (int) Math.min(len - done, t.granule() - (at & (t.granule() - 1)));
            memory.read(t.pa(at), dst, off + done, chunk);
            done += chunk;
        }
    }

    /** A device write of {@code len} bytes from {@code src} to {@code iova}. */
    public void write(long iova, byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            long at = iova + done;
            Translation t = translate(at, Access.WRITE);
            int chunk = (int) Math.min(len - done, t.granule() - (at & (t.granule() - 1)));
            memory.write(t.pa(at), src, off + done, chunk);
            done += chunk;
        }
    }
}
