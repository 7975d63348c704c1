package org.iommufd4j.spi;

/**
 * A HW queue a driver created for a vIOMMU ({@link IommuViommu#hwQueueInit}; Linux
 * {@code struct iommufd_hw_queue}).
 */
public interface IommuHwQueue {
    /**
     * The queue this one depends on (Linux {@code iommufd_hw_queue_depend}), or null: the framework
     * holds that queue's object while this one exists, so destroying it first is EBUSY.
     */
    default IommuHwQueue dependsOn() {
        return null;
    }

    /** The queue object is destroyed (the framework unpins its memory afterwards). */
    void destroy();
}
