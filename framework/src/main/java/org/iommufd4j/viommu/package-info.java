/**
 * Virtual IOMMUs (Linux drivers/iommu/iommufd/viommu.c and the vEVENTQ half of eventq.c): the
 * VIOMMU object a driver builds on a nest-parent HWPT ({@link org.iommufd4j.viommu.Viommu}, which
 * is also the {@link org.iommufd4j.spi.ViommuHost} the driver calls back), the guest IDs of its
 * devices ({@link org.iommufd4j.viommu.Vdevice}, tombstoned when the device is unbound first),
 * vEVENT queues read through a process fd ({@link org.iommufd4j.viommu.Veventq}), HW queues whose
 * guest memory stays pinned ({@link org.iommufd4j.viommu.HwQueue}), and mmap of the regions a
 * vIOMMU published ({@link org.iommufd4j.viommu.ViommuMmap}). Nested HWPTs on a vIOMMU and
 * invalidation through it go through the {@link org.iommufd4j.hwpt.NestingHost} hook of the hwpt
 * package. The ioctls join the dispatcher through {@link org.iommufd4j.viommu.ViommuModule}.
 */
package org.iommufd4j.viommu;
