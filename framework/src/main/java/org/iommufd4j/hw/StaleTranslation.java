package org.iommufd4j.hw;

/**
 * A driver bug the hardware model caught: the IOTLB served a translation that the page table no
 * longer holds (an unmap or remap without the IOTLB invalidation it needed).
 *
 * @param tag the domain tag of the stale entry
 * @param iova the IOVA the device accessed
 * @param cached what the IOTLB still said
 * @param current what the page table says now (null: nothing mapped)
 */
public record StaleTranslation(int tag, long iova, Translation cached, Translation current) {
    @Override
    public String toString() {
        return "stale IOTLB entry for tag " + tag + " IOVA 0x" + Long.toHexString(iova) + ": cached PA 0x"
                + Long.toHexString(cached.paPage()) + ", page table "
                + (current == null ? "has no mapping" : "maps PA 0x" + Long.toHexString(current.paPage()))
                + " (the driver did not invalidate the IOTLB after changing the table)";
    }
}
