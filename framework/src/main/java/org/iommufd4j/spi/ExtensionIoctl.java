package org.iommufd4j.spi;

import org.iommufd4j.uapi.StructCodec;

/**
 * An ioctl a driver plugin adds to {@code /dev/iommu} (the selftest mock's IOMMU_TEST_CMD is the
 * model). When the driver is loaded the framework registers it in the iommufd ioctl table, where it
 * gets the same size rules (min_size EINVAL, non-zero tail E2BIG, zero extension) and the same
 * object lifecycle as the framework's own ioctls. The handler reaches the framework only through
 * the {@link ExtensionCall} it is given.
 *
 * @param <T> the ioctl's {@code @KernelStruct} record, decoded by {@link #codec()}
 */
public interface ExtensionIoctl<T extends Record> {
    /** The full ioctl number, in the iommufd range ({@code _IO(';', 0x80 + nr)}) and unused by the framework. */
    int command();

    /** The struct's codec: size, min_size and layout. */
    StructCodec<T> codec();

    /**
     * Runs the ioctl and returns the struct to copy back (null: nothing). Fails by throwing an
     * {@link org.iommufd4j.uapi.IommufdException}; {@code IommufdException.withResponse} copies a
     * struct back despite the failure. An object created with {@link ExtensionCall#newSelftestDevice}
     * is finalized only if this returns normally.
     */
    T handle(ExtensionCall call, T cmd);
}
