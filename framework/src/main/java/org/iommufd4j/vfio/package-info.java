/**
 * VFIO type1 container compatibility (Linux drivers/iommu/iommufd/vfio_compat.c): the per-context
 * compat IOAS ({@link org.iommufd4j.vfio.VfioCompat}, IOMMU_VFIO_IOAS) and the VFIO container
 * ioctls answered on an iommufd context: VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION,
 * VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA.
 *
 * <p>Argument conventions of the byte API ({@code ctx.ioctl(cmd, arg)}): a struct command's
 * {@code arg} holds the caller's struct (and, for GET_INFO, the room after it up to
 * {@code argsz}); reading or writing past the buffer is EFAULT, as a copy to or from unmapped user
 * memory is. A by-value command (CHECK_EXTENSION, SET_IOMMU) takes the C {@code unsigned long}
 * argument as a little-endian value in {@code arg} ({@link org.iommufd4j.vfio.VfioCompat#valueArg});
 * a null {@code arg} is 0.
 */
package org.iommufd4j.vfio;
