package org.iommufd4j.uapi;

/** {@code enum iommufd_hwpt_alloc_flags}: the {@code flags} of {@link IommuHwptAlloc}. */
public final class IommuHwptAllocFlags {
    private IommuHwptAllocFlags() {
    }

    /** The HWPT may serve as the parent (stage 2) of nested HWPTs and vIOMMUs. */
    public static final int NEST_PARENT = 1 << 0;
    /** Dirty tracking must be supported by every device attached. */
    public static final int DIRTY_TRACKING = 1 << 1;
    /** {@code fault_id} names a FAULT object that receives this HWPT's I/O page faults ({@code IOMMU_HWPT_FAULT_ID_VALID}). */
    public static final int FAULT_ID_VALID = 1 << 2;
    /** The HWPT may be attached to a PASID of a device. */
    public static final int PASID = 1 << 3;
    /** Every flag the kernel knows. */
    public static final int ALL = NEST_PARENT | DIRTY_TRACKING | FAULT_ID_VALID | PASID;
}
