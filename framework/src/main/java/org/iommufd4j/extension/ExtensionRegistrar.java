package org.iommufd4j.extension;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.iommufd4j.core.Iommufd;
import org.iommufd4j.device.Devices;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.spi.IommuDriver;

/**
 * Puts a driver's extension ioctls into the machine's iommufd ioctl table when the driver is
 * loaded. The core knows nothing of them: to the dispatcher they are ordinary handlers.
 */
@Singleton
public final class ExtensionRegistrar {
    private final Iommufd iommufd;
    private final Devices devices;
    private final TemporaryMemoryLimit memoryLimit;

    @Inject
    public ExtensionRegistrar(Iommufd iommufd, Devices devices, TemporaryMemoryLimit memoryLimit) {
        this.iommufd = iommufd;
        this.devices = devices;
        this.memoryLimit = memoryLimit;
    }

    /**
     * Registers every {@link IommuDriver#extensionIoctls()} of {@code driver}. A command number
     * that is taken, or outside the iommufd range, is an {@link IllegalArgumentException}.
     */
    public void register(IommuDriver driver) {
        for (ExtensionIoctl<?> ioctl : driver.extensionIoctls()) {
            add(ioctl, driver);
        }
    }

    private <T extends Record> void add(ExtensionIoctl<T> ioctl, IommuDriver driver) {
        iommufd.ioctls().add(new ExtensionHandler<>(ioctl, driver, devices, memoryLimit));
    }
}
