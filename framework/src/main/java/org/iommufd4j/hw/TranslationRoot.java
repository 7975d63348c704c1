package org.iommufd4j.hw;

import org.iommufd4j.pt.PageTable;
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

    /** The root of an engine page table, read live (its top may grow), with IOTLB tag {@code tag}. */
    static TranslationRoot of(PageTable table, int tag) {
        return new TranslationRoot() {
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
                return tag;
            }
        };
    }
}
