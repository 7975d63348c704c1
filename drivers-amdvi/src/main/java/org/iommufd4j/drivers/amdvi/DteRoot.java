package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.drivers.amdvi.pagetable.AmdV1Format;
import org.iommufd4j.pt.TopChangeListener;

/**
 * The v1 root as the device table entries of a domain's devices hold it: DTE[0] bits 51:12 the
 * host page-table root, bits 11:9 Mode (AMD IOMMU spec 48882, "Device Table Entry Format").
 * Root and mode change together (one volatile word, like Linux's packed top_of_table), when the
 * engine grows the table's top.
 */
final class DteRoot implements TopChangeListener {
    private static final long ROOT_MASK = 0x000f_ffff_ffff_f000L;
    private static final int MODE_SHIFT = 9;

    private volatile long word;

    @Override
    public void topChanged(long topPa, int topLevel) {
        word = (topPa & ROOT_MASK) | ((long) AmdV1Format.dteMode(topLevel) << MODE_SHIFT);
    }

    /** DTE.Mode: the number of levels the IOMMU walks (1..6). */
    int mode() {
        return (int) ((word >>> MODE_SHIFT) & 7);
    }

    /** DTE host page-table root pointer. */
    long rootPa() {
        return word & ROOT_MASK;
    }
}
