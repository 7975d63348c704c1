package org.iommufd4j.spi;

import org.iommufd4j.memory.UserMemory;

/**
 * What an {@link ExtensionIoctl} may do to the framework during one call, in the caller's iommufd
 * context. The framework implements it; every failure is an
 * {@link org.iommufd4j.uapi.IommufdException} with the kernel's errno (a wrong or mistyped object
 * ID is ENOENT). Objects looked up here are held until the call returns.
 */
public interface ExtensionCall {
    /** The calling process's memory (a {@link org.iommufd4j.memory.UserProcess} for a process with an address space and a file table). */
    UserMemory caller();

    /**
     * Makes {@code [start, last]} of an IOAS unusable for mappings (iopt_reserve_iova with no
     * owner; it lasts as long as the IOAS). EADDRINUSE when a mapping or an allowed range intersects.
     */
    void reserveIova(int ioasId, long start, long last);

    /**
     * Binds a device this driver probed to the caller's context (iommufd_device_bind), giving it a
     * DEVICE object. The driver unbinds it with {@link BoundDevice#unbind()}; if the handler fails,
     * the framework unbinds it.
     */
    BoundDevice bindDevice(IommuDevice device);

    /**
     * Creates this call's SELFTEST object and binds {@code device} under it, in the kernel's order
     * (the object's ID is taken first, then the DEVICE's). Destroying the object (IOMMU_DESTROY, or
     * closing the context) unbinds the device. The object becomes visible when the handler returns
     * normally; if the handler fails, it is aborted and the device unbound. One per call.
     */
    SelftestDevice newSelftestDevice(IommuDevice device);

    /** The device owned by a SELFTEST object of this driver (ENOENT otherwise). */
    BoundDevice selftestDevice(int selftestId);

    /** A HWPT (paging or nested) by ID, for its domain; ENOENT for anything else. */
    HwptView hwpt(int hwptId);

    /** The caller context's DEVICE object by ID (ENOENT otherwise). */
    BoundDevice device(int deviceId);

    /**
     * Makes the byte ioctl return {@code value} (non-negative) instead of 0 when this call
     * succeeds, as an ioctl that hands out an fd does.
     */
    void setReturnValue(int value);

    /**
     * Sets the machine-wide temporary memory limit of the io_pagetable's batches, in KiB (the
     * selftest's SET_TEMP_MEMORY_LIMIT); {@code 0} restores the default.
     */
    void setTemporaryMemoryLimit(int kib);

    /**
     * IOMMU_TEST_OP_CREATE_ACCESS: a selftest access attached to IOAS {@code ioasId}, returned as
     * a new file descriptor in the caller's file table (the kernel's access fd). Closing that fd
     * unpins what the access still pins and destroys it; closing the context first destroys it
     * too, and the fd's close then does nothing. {@code flags}: MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
     * others EOPNOTSUPP; ENOENT when {@code ioasId} is not an IOAS; EBADF when the caller has no
     * file table. If the handler fails afterwards, the fd is closed again.
     */
    int createAccess(int ioasId, int flags);

    /**
     * The selftest access open at {@code fd} in the caller's file table (selftest.c
     * iommufd_access_get): EBADFD when nothing is open there or the file is not an access fd.
     */
    EmulatedAccess access(int fd);
}
