package org.iommufd4j.device;

import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.PageTableDomain;

/**
 * A bound device's path to memory in the hardware model: a {@link DmaRemapper} with its own IOTLB
 * whose translation root follows the domain attached to the RID. Only engine-backed paging domains
 * ({@link PageTableDomain}) can be walked; any other attachment (a nested domain, nothing) blocks
 * DMA. The IOTLB is flushed on every change of attachment and on every invalidation the domain
 * issues while attached, so what a test sees is what the page table says.
 */
final class DeviceDma {
    /** Every device has its own IOTLB, so one tag suffices. */
    private static final int TAG = 1;
    private static final int IOTLB_ENTRIES = 64;

    private final Iotlb iotlb = new Iotlb(IOTLB_ENTRIES);
    private final DriverBugLog bugs = new DriverBugLog();
    private final DmaRemapper remapper;
    private final PageTableDomain.IotlbFlusher flusher = this::flush;
    private PageTableDomain current;

    DeviceDma(PhysicalMemory memory) {
        this.remapper = new DmaRemapper(memory, iotlb, bugs);
    }

    DmaRemapper remapper() {
        return remapper;
    }

    DriverBugLog bugs() {
        return bugs;
    }

    /** Points the device at {@code domain} (null or not walkable: DMA is blocked). */
    synchronized void follow(IommuDomain domain) {
        if (current != null) {
            current.removeFlushListener(flusher);
            current = null;
        }
        iotlb.invalidateAll();
        if (domain instanceof PageTableDomain ptd) {
            current = ptd;
            ptd.addFlushListener(flusher);
            remapper.attach(new Root(ptd.pageTable()));
        } else {
            remapper.attach(null);
        }
    }

    private void flush(IotlbGather gather) {
        iotlb.invalidateRange(TAG, gather.start(), gather.last());
    }

    /** The table as programmed into the device's context entry; read on every walk, so top growth is seen. */
    private record Root(PageTable table) implements TranslationRoot {
        @Override
        public PageTableFormat format() {
            return table.format();
        }

        @Override
        public long rootPa() {
            return table.topPa();
        }

        @Override
        public int topLevel() {
            return table.topLevel();
        }

        @Override
        public int tag() {
            return TAG;
        }
    }
}
