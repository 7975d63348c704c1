/**
 * The AMD-Vi command buffer, both sides: {@link org.iommufd4j.drivers.amdvi.cmdbuf.AmdCommand}
 * encodes the commands (spec 48882 §2.4, Linux amd_iommu_types.h and iommu.c), {@link
 * org.iommufd4j.drivers.amdvi.cmdbuf.CommandQueue} queues them with a COMPLETION_WAIT as Linux does,
 * and {@link org.iommufd4j.drivers.amdvi.cmdbuf.AmdViUnit} is the hardware that fetches them from
 * host memory, decodes them, applies them to the IOMMU's IOTLB (tagged by DomainID) and logs an
 * ILLEGAL_COMMAND_ERROR event for anything it cannot accept. Devices of the AMD-Vi plugin translate
 * DMA through that IOTLB ({@code IommuDevice.unitIotlb}), so an invalidation the driver forgets is
 * served stale and reported by the framework's hardware model.
 */
package org.iommufd4j.drivers.amdvi.cmdbuf;
