package org.iommufd4j.spi;

/** A HW page table object as an extension ioctl sees it: its ID and the driver's domain. */
public interface HwptView {
    int id();

    /** The domain; a driver may only look inside domains it allocated itself. */
    IommuDomain domain();

    /** True for HWPT_NESTED. */
    boolean nested();
}
