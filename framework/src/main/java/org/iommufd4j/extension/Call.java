package org.iommufd4j.extension;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Devices;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.ioas.SelftestAccess;
import org.iommufd4j.memory.AnonFile;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.spi.BoundDevice;
import org.iommufd4j.spi.EmulatedAccess;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.spi.HwptView;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.SelftestDevice;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/** One extension ioctl call: the framework side of {@link ExtensionCall}. Lookups are released by {@link #close}. */
final class Call implements ExtensionCall, AutoCloseable {
    private final Ucmd ucmd;
    private final IommuDriver driver;
    private final Devices devices;
    private final TemporaryMemoryLimit memoryLimit;
    private final List<IommufdObject> held = new ArrayList<>();
    private final List<Idev> boundHere = new ArrayList<>();
    /** Access fds this call installed: closed again if the handler fails. */
    private final List<Integer> accessFdsHere = new ArrayList<>();
    private boolean createdSelftest;

    Call(Ucmd ucmd, IommuDriver driver, Devices devices, TemporaryMemoryLimit memoryLimit) {
        this.ucmd = ucmd;
        this.driver = driver;
        this.devices = devices;
        this.memoryLimit = memoryLimit;
    }

    private <T extends IommufdObject> T hold(int id, Class<T> type) {
        T obj = ucmd.ctx().get(id, type);
        held.add(obj);
        return obj;
    }

    @Override
    public UserMemory caller() {
        return ucmd.user();
    }

    @Override
    public void reserveIova(int ioasId, long start, long last) {
        Ioas ioas = hold(ioasId, Ioas.class);
        ioas.iopt().reserve(start, last, null);
    }

    @Override
    public BoundDevice bindDevice(IommuDevice device) {
        Idev idev = devices.bind(ucmd.ctx(), driver, device);
        boundHere.add(idev);
        return new BoundDeviceHandle(devices, idev);
    }

    @Override
    public SelftestDevice newSelftestDevice(IommuDevice device) {
        if (createdSelftest) {
            throw new IllegalStateException("one selftest object per call");
        }
        createdSelftest = true;
        // iommufd_test_mock_domain: the selftest object first, then the device bound under it.
        SelftestObject sobj = ucmd.newObject(new SelftestObject(devices, driver));
        Idev idev = devices.bind(ucmd.ctx(), driver, device);
        // The object owns the device from now on: aborting it (the handler failed) unbinds it.
        sobj.own(idev);
        return new SelftestDeviceHandle(devices, idev, sobj.id());
    }

    private static final class SelftestDeviceHandle extends BoundDeviceHandle implements SelftestDevice {
        private final int selftestId;

        SelftestDeviceHandle(Devices devices, Idev idev, int selftestId) {
            super(devices, idev);
            this.selftestId = selftestId;
        }

        @Override
        public int selftestId() {
            return selftestId;
        }
    }

    @Override
    public BoundDevice selftestDevice(int selftestId) {
        SelftestObject sobj = hold(selftestId, SelftestObject.class);
        if (sobj.driver() != driver || sobj.idev() == null) {
            throw new IommufdException(Errno.ENOENT, "selftest object " + selftestId + " holds no device of driver " + driver.name());
        }
        return new SelftestDeviceHandle(devices, sobj.idev(), selftestId);
    }

    @Override
    public HwptView hwpt(int hwptId) {
        Hwpt hwpt = hold(hwptId, Hwpt.class);
        return new HwptView() {
            @Override
            public int id() {
                return hwpt.id();
            }

            @Override
            public IommuDomain domain() {
                return hwpt.domain();
            }

            @Override
            public boolean nested() {
                return hwpt.type() == org.iommufd4j.core.ObjectType.HWPT_NESTED;
            }
        };
    }

    @Override
    public BoundDevice device(int deviceId) {
        return new BoundDeviceHandle(devices, hold(deviceId, Idev.class));
    }

    @Override
    public void setTemporaryMemoryLimit(int kib) {
        memoryLimit.set(kib);
    }

    /** The anon inode name of the selftest's access files (selftest.c iommufd_test_alloc_access). */
    private static final String ACCESS_FILE = "iommufd";

    private UserProcess fileTable(String what) {
        if (ucmd.user() instanceof UserProcess process) {
            return process;
        }
        throw new IommufdException(Errno.EBADF, what + ": the caller has no file table");
    }

    @Override
    public int createAccess(int ioasId, int flags) {
        UserProcess process = fileTable("create_access");
        // iommufd_test_create_access: flags are checked first, then the access is created and
        // attached; the fd is installed last, when nothing can fail any more.
        SelftestAccess st = SelftestAccess.create(ucmd.ctx(), ioasId, flags);
        int fd = process.installFile(new AnonFile(ACCESS_FILE, st, st::destroy));
        accessFdsHere.add(fd);
        return fd;
    }

    @Override
    public EmulatedAccess access(int fd) {
        UserProcess process = fileTable("access fd " + fd);
        AnonFile file;
        try {
            file = process.anonFile(fd);
        } catch (IommufdException notOpen) {
            file = null;
        }
        SelftestAccess st = file == null ? null : file.privateData(SelftestAccess.class);
        if (st == null) {
            throw new IommufdException(Errno.EBADFD, "fd " + fd + " is not a selftest access fd");
        }
        return new AccessHandle(st, process);
    }

    /** A selftest access used on behalf of {@code caller}. */
    private record AccessHandle(SelftestAccess st, UserMemory caller) implements EmulatedAccess {
        @Override
        public int pinPages(long iova, long length, long uptr, int flags) {
            return st.pinPages(caller, iova, length, uptr, flags);
        }

        @Override
        public void destroyPages(int itemId) {
            st.destroyPages(itemId);
        }

        @Override
        public void rw(long iova, long length, long uptr, int flags) {
            st.rw(caller, iova, length, uptr, flags);
        }

        @Override
        public void replaceIoas(int ioasId) {
            st.replaceIoas(ioasId);
        }
    }

    /** The handler failed: devices it bound and did not hand to a selftest object are unbound. */
    void failed() {
        for (int fd : accessFdsHere) {
            fileTable("create_access").close(fd);
        }
        accessFdsHere.clear();
        for (Idev idev : boundHere) {
            devices.unbind(idev);
        }
        boundHere.clear();
    }

    @Override
    public void close() {
        for (IommufdObject obj : held) {
            ucmd.ctx().put(obj);
        }
        held.clear();
    }

    @Override
    public void setReturnValue(int value) {
        ucmd.setReturnValue(value);
    }
}
