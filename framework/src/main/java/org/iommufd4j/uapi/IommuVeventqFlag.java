package org.iommufd4j.uapi;

/** {@code enum iommu_veventq_flag}: the {@code flags} of {@link IommufdVeventHeader}. */
public final class IommuVeventqFlag {
    private IommuVeventqFlag() {
    }

    /** Events were lost at the tail of the queue; no payload follows this header. */
    public static final int LOST_EVENTS = 1 << 0;
}
