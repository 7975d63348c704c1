package org.iommufd4j.hw;

import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;

/**
 * What a device's DMA is translated through, as programmed into the IOMMU's context/stream/device
 * table entry: a page-table format, the root table and its level, and the tag its IOTLB entries
 * carry. Read on every walk, so a root that moves (AMD-Vi growing its top) is followed.
 *
 * <p>A root with a {@link #secondStage()} is nested translation (VT-d spec 3.8, SMMUv3 stage 1
 * over stage 2, AMD-Vi v2 over v1): its root, every table pointer and the leaf's output are
 * addresses of the second stage's input space, which the walker translates too.
 */
public interface TranslationRoot {
    PageTableFormat format();

    long rootPa();

    int topLevel();

    /** The IOTLB tag (domain id) of this table. */
    int tag();

    /**
     * The table that translates this one's addresses (a guest's first stage over the host's second
     * stage), or null when they are host physical.
     */
    default TranslationRoot secondStage() {
        return null;
    }

    /**
     * A nested root: a table of {@code format} at input address {@code rootIpa} of
     * {@code secondStage}, with IOTLB tag {@code tag}.
     */
    static TranslationRoot nested(PageTableFormat format, long rootIpa, int topLevel, int tag, TranslationRoot secondStage) {
        java.util.Objects.requireNonNull(secondStage, "secondStage");
        return new TranslationRoot() {
            @Override
            public PageTableFormat format() {
                return format;
            }

            @Override
            public long rootPa() {
                return rootIpa;
            }

            @Override
            public int topLevel() {
                return topLevel;
            }

            @Override
            public int tag() {
                return tag;
            }

            @Override
            public TranslationRoot secondStage() {
                return secondStage;
            }
        };
    }

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
