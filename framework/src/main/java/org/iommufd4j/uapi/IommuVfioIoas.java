package org.iommufd4j.uapi;

/**
 * {@code struct iommu_vfio_ioas}: get, set or clear the IOAS used by the VFIO type1 compatibility
 * ioctls ({@link IommuVfioIoasOp}). GET with none set → ENODEV; SET with a bad id → ENOENT;
 * reserved≠0 or an unknown op → EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_vfio_ioas", size = 12, minSize = 12)
public record IommuVfioIoas(
        @At(offset = 4, bytes = 4) int ioasId,
        @At(offset = 8, bytes = 2) int op,
        @At(offset = 10, bytes = 2) int reserved) {

    /** The compat IOAS id, written back by GET. */
    public IommuVfioIoas withOutIoasId(int id) {
        return new IommuVfioIoas(id, op, reserved);
    }
}
