package org.iommufd4j.extension;

import org.iommufd4j.device.Devices;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.hwpt.PageRequests;
import org.iommufd4j.spi.BoundDevice;
import org.iommufd4j.spi.IommuDevice;

/** A DEVICE object as a driver's extension ioctl sees it: every operation goes through {@link Devices}. */
class BoundDeviceHandle implements BoundDevice {
    private final Devices devices;
    private final Idev idev;

    BoundDeviceHandle(Devices devices, Idev idev) {
        this.devices = devices;
        this.idev = idev;
    }

    Idev idev() {
        return idev;
    }

    @Override
    public int id() {
        return idev.id();
    }

    @Override
    public IommuDevice device() {
        return idev.device();
    }

    @Override
    public void reportPageRequest(int pasid, int grpid, int perm, long addr, int flags) {
        PageRequests.report(idev, pasid, grpid, perm, addr, flags);
    }

    @Override
    public int attach(int ptId) {
        return devices.attach(idev, ptId);
    }

    @Override
    public int replace(int ptId) {
        return devices.replace(idev, ptId);
    }

    @Override
    public void detach() {
        devices.detach(idev);
    }

    @Override
    public void attachPasid(int pasid, int ptId) {
        if (pasid == Devices.NO_PASID) {
            devices.attach(idev, ptId);
        } else {
            devices.attachPasid(idev, pasid, ptId);
        }
    }

    @Override
    public void replacePasid(int pasid, int ptId) {
        if (pasid == Devices.NO_PASID) {
            devices.replace(idev, ptId);
        } else {
            devices.replacePasid(idev, pasid, ptId);
        }
    }

    @Override
    public void detachPasid(int pasid) {
        if (pasid == Devices.NO_PASID) {
            devices.detach(idev);
        } else {
            devices.detachPasid(idev, pasid);
        }
    }

    @Override
    public int pasidHwptId(int pasid) {
        Hwpt h = pasid == Devices.NO_PASID ? idev.attached() : idev.attachedPasid(pasid);
        return h == null ? 0 : h.id();
    }

    @Override
    public int hwptId() {
        return pasidHwptId(Devices.NO_PASID);
    }

    @Override
    public void unbind() {
        devices.unbind(idev);
    }
}
