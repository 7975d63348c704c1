package org.iommufd4j.pt;

/**
 * Told when a table with a growable top ({@link PageTableFormat#maxTopLevel()} above
 * {@link PageTableFormat#topLevel()}, e.g. AMD-Vi v1's DTE mode) gets a new top table. The driver
 * points its hardware at the new root before the engine writes anything below it (Linux's
 * {@code pt_iommu_driver_ops.change_top}). No IOTLB flush is needed: the new top only adds
 * IOVA that was not present before.
 */
@FunctionalInterface
public interface TopChangeListener {
    TopChangeListener NONE = (topPa, topLevel) -> { };

    void topChanged(long topPa, int topLevel);
}
