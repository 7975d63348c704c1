package org.iommufd4j.extension;

import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Devices;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.uapi.StructCodec;

/**
 * A driver's {@link ExtensionIoctl} as an entry of the iommufd ioctl table: the dispatcher's size
 * rules and object lifecycle apply as to any framework ioctl; the handler sees the framework only
 * through a {@link Call}.
 */
final class ExtensionHandler<T extends Record> implements IoctlHandler<T> {
    private final ExtensionIoctl<T> ioctl;
    private final IommuDriver driver;
    private final Devices devices;
    private final TemporaryMemoryLimit memoryLimit;

    ExtensionHandler(ExtensionIoctl<T> ioctl, IommuDriver driver, Devices devices, TemporaryMemoryLimit memoryLimit) {
        this.ioctl = ioctl;
        this.driver = driver;
        this.devices = devices;
        this.memoryLimit = memoryLimit;
    }

    @Override
    public int command() {
        return ioctl.command();
    }

    @Override
    public StructCodec<T> codec() {
        return ioctl.codec();
    }

    @Override
    public T handle(Ucmd ucmd, T cmd) {
        try (Call call = new Call(ucmd, driver, devices, memoryLimit)) {
            try {
                return ioctl.handle(call, cmd);
            } catch (RuntimeException e) {
                call.failed();
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return driver.name() + " extension ioctl 0x" + Integer.toHexString(ioctl.command()) + " (" + ioctl.codec().name() + ")";
    }
}
