package org.iommufd4j.device;

import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PageTableDomain;

/**
 * A bound device's path to memory in the hardware model: a {@link DmaRemapper} whose translation
 * root follows the domain attached to the RID. Engine-backed paging domains
 * ({@link PageTableDomain}) are walked, and nested domains whose driver models the walk
 * ({@link NestedDomain#translationRoot()}) on a device with a unit IOTLB; any other attachment
 * blocks DMA.
 *
 * <p>Two IOTLB arrangements. By default the device has a private IOTLB that this class flushes on
 * every change of attachment and on every invalidation the domain issues while attached, so what
 * a test sees is what the page table says. When the driver hands out its unit's IOTLB
 * ({@link org.iommufd4j.spi.IommuDevice#unitIotlb()}), entries are tagged with the domain's
 * {@link PageTableDomain#iotlbTag()} and this class never touches the IOTLB: the driver's own
 * invalidations are all that keep it coherent.
 */
final class DeviceDma {
    /** A private IOTLB serves one device, so one tag suffices. */
    private static final int PRIVATE_TAG = 1;
    private static final int IOTLB_ENTRIES = 64;

    private final Iotlb iotlb;
    private final boolean driverKeepsIotlb;
    private final DriverBugLog bugs = new DriverBugLog();
    private final DmaRemapper remapper;
    private final PageTableDomain.IotlbFlusher flusher = this::flush;
    private PageTableDomain current;

    /** @param unitIotlb the driver's unit IOTLB, or null for a private one kept by the framework */
    DeviceDma(PhysicalMemory memory, Iotlb unitIotlb) {
        this.driverKeepsIotlb = unitIotlb != null;
        this.iotlb = driverKeepsIotlb ? unitIotlb : new Iotlb(IOTLB_ENTRIES);
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
        if (!driverKeepsIotlb) {
            iotlb.invalidateAll();
        }
        if (domain instanceof PageTableDomain ptd) {
            current = ptd;
            int tag = PRIVATE_TAG;
            if (driverKeepsIotlb) {
                tag = ptd.iotlbTag();
            } else {
                ptd.addFlushListener(flusher);
            }
            remapper.attach(TranslationRoot.of(ptd.pageTable(), tag));
        } else if (domain instanceof NestedDomain nested && driverKeepsIotlb && nested.translationRoot() != null) {
            remapper.attach(nested.translationRoot());
        } else {
            remapper.attach(null);
        }
    }

    private void flush(IotlbGather gather) {
        iotlb.invalidateRange(PRIVATE_TAG, gather.start(), gather.last());
    }

}
