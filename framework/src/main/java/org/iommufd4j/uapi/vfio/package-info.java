/**
 * The VFIO type1 container API of include/uapi/linux/vfio.h that iommufd emulates on /dev/iommu
 * (drivers/iommu/iommufd/vfio_compat.c). These structs start with {@code argsz} instead of
 * iommufd's {@code size}: the records are {@code sized = false} and carry {@code argsz} as a
 * component at offset 0; {@code minSize} is the kernel's {@code minsz} for the ioctl. The
 * {@code #define}d flags that vfio.h declares inside a struct are constants of that record.
 */
package org.iommufd4j.uapi.vfio;
