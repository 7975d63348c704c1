package org.iommufd4j.hw;

import org.iommufd4j.pt.PageTableFormat;

/**
 * What a device's DMA is translated through, as programmed into the IOMMU's context/stream/device
 * table entry: a page-table format, the root table and its level, and the tag its IOTLB entries
 * carry. Read on every walk, so a root that moves (AMD-Vi growing its top) is followed.
 */
public interface TranslationRoot {
    PageTableFormat format();

    long rootPa();

    int topLevel();

    /** The IOTLB tag (domain id) of this table. */
    int tag();
}
