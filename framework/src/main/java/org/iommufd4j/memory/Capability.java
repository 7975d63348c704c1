package org.iommufd4j.memory;

/** The Linux capabilities iommufd consults (include/uapi/linux/capability.h). */
public enum Capability {
    /** CAP_IPC_LOCK: pinned pages are not charged against RLIMIT_MEMLOCK. */
    IPC_LOCK,
    /** CAP_SYS_RESOURCE: may change IOMMU_OPTION_RLIMIT_MODE. */
    SYS_RESOURCE
}
