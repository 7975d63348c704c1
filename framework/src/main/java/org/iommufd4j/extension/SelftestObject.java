package org.iommufd4j.extension;

import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.device.Devices;
import org.iommufd4j.device.Idev;
import org.iommufd4j.spi.IommuDriver;

/**
 * IOMMUFD_OBJ_SELFTEST: an object a driver's extension ioctl creates to own a device it bound (the
 * mock's "stdev"). Destroying it unbinds the device; the user destroys it to let the device go.
 */
final class SelftestObject extends IommufdObject {
    private final Devices devices;
    private final IommuDriver driver;
    private Idev idev;

    SelftestObject(Devices devices, IommuDriver driver) {
        super(ObjectType.SELFTEST);
        this.devices = devices;
        this.driver = driver;
    }

    /** Takes ownership of a device bound after the object was reserved. */
    void own(Idev device) {
        if (idev != null) {
            throw new IllegalStateException(this + " already owns " + idev);
        }
        idev = device;
    }

    IommuDriver driver() {
        return driver;
    }

    Idev idev() {
        return idev;
    }

    @Override
    protected void destroy() {
        if (idev != null) {
            devices.unbind(idev);
        }
    }
}
