/**
 * The VT-d invalidation queue, both sides: {@link org.iommufd4j.drivers.vtd.qi.QiDescriptor}
 * encodes the descriptors (VT-d spec 6.5.2, Linux intel/iommu.h), {@link
 * org.iommufd4j.drivers.vtd.qi.InvalidationQueue} submits them as Linux's qi_submit_sync does, and
 * {@link org.iommufd4j.drivers.vtd.qi.VtdUnit} is the hardware that fetches them from host memory,
 * decodes them, applies them to the unit's IOTLB (tagged by DID) and raises an Invalidation Queue
 * Error for anything it cannot accept. Devices of the VT-d plugin translate DMA through that IOTLB
 * ({@code IommuDevice.unitIotlb}), so an invalidation the driver forgets is served stale and
 * reported by the framework's hardware model.
 */
package org.iommufd4j.drivers.vtd.qi;
