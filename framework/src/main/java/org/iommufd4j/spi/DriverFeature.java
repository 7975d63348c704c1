package org.iommufd4j.spi;

/** What a driver can do, as listed by {@code ./iommufd4j plugins} and checked by the kit. */
public enum DriverFeature {
    /** Paging domains: IOAS mapping through the driver's page tables. */
    PAGING,
    /** Nested (two-stage) HW page tables. */
    NESTING,
    /** Hardware dirty tracking. */
    DIRTY_TRACKING,
    /** PASID attach. */
    PASID,
    /** vIOMMU objects. */
    VIOMMU,
    /** I/O page faults delivered to a fault queue. */
    IOPF,
    /** HW queues (command queues handed to a guest). */
    HW_QUEUE
}
