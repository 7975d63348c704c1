package org.iommufd4j.core;

/**
 * Anything the dispatcher can run: an {@link IoctlHandler} (iommufd's size rules) or a
 * {@link CompatIoctlHandler} (VFIO's argsz rules). Subsystems contribute these to a Dagger set.
 */
public interface Ioctl {
    /** The full ioctl number. */
    int command();
}
