package org.iommufd4j.core;

/** {@code enum iommufd_object_type} (include/linux/iommufd.h), in the kernel's order. */
public enum ObjectType {
    ANY,
    DEVICE,
    HWPT_PAGING,
    HWPT_NESTED,
    IOAS,
    ACCESS,
    FAULT,
    VIOMMU,
    VDEVICE,
    VEVENTQ,
    HW_QUEUE,
    /** Objects contributed by a test driver (the mock's stdev). */
    SELFTEST
}
