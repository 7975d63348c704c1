package org.iommufd4j.viommu;

import java.util.Map;
import java.util.TreeMap;
import org.iommufd4j.core.ContextLocal;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The regions of host memory published for mmap of one iommufd file (main.c {@code ictx->mt_mmap}
 * of {@code iommufd_mmap} entries): byte offsets allocated from 0 in page units, each owned by the
 * vIOMMU that published it.
 */
final class MmapRegions {
    private static final ContextLocal<MmapRegions> SLOT = ContextLocal.of(ctx -> new MmapRegions());

    record Region(Viommu owner, long offset, long pa, long length) {
    }

    private final TreeMap<Long, Region> byOffset = new TreeMap<>();

    static MmapRegions of(IommufdContext ctx) {
        return SLOT.get(ctx);
    }

    /** iommufd_viommu_alloc_mmap: the lowest free page-aligned offset range of {@code length} bytes. */
    synchronized long publish(Viommu owner, long pa, long length) {
        if ((pa & (PhysicalMemory.PAGE_SIZE - 1)) != 0 || length <= 0 || (length & (PhysicalMemory.PAGE_SIZE - 1)) != 0) {
            // iommufd_viommu_alloc_mmap: WARN_ON_ONCE(!length || !PAGE_ALIGNED(...)) -> EINVAL
            throw org.iommufd4j.uapi.IommufdException.einval(owner + " publishes 0x" + Long.toHexString(pa) + " +0x"
                    + Long.toHexString(length) + " for mmap: not whole pages");
        }
        long offset = 0;
        for (Region r : byOffset.values()) {
            if (offset + length <= r.offset()) {
                break;
            }
            offset = Math.max(offset, r.offset() + r.length());
        }
        byOffset.put(offset, new Region(owner, offset, pa, length));
        return offset;
    }

    synchronized void withdraw(long offset) {
        if (byOffset.remove(offset) == null) {
            throw new IllegalArgumentException("no region published at mmap offset 0x" + Long.toHexString(offset));
        }
    }

    /** The region containing byte {@code offset} (mtree_load), or null. */
    synchronized Region containing(long offset) {
        Map.Entry<Long, Region> e = byOffset.floorEntry(offset);
        if (e == null || offset - e.getKey() >= e.getValue().length()) {
            return null;
        }
        return e.getValue();
    }
}
