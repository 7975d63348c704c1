package org.iommufd4j.spi;

/**
 * What one device behind an IOMMU can do, as its driver reports it (Linux
 * {@code device_iommu_capable} and {@code dev->iommu->max_pasids}). The framework reports these in
 * IOMMU_GET_HW_INFO and checks them: DIRTY_TRACKING HWPTs need {@code dirtyTracking}, PASID
 * attach needs {@code maxPasidLog2 > 0}.
 *
 * @param dirtyTracking the IOMMU can log DMA writes for this device (IOMMU_CAP_DIRTY_TRACKING)
 * @param maxPasidLog2 log2 of the PASIDs the device may use; 0 = no PASID support
 * @param iopfCapable the device can raise I/O page faults (PRI) that a fault queue could receive
 */
public record DeviceCapabilities(boolean dirtyTracking, int maxPasidLog2, boolean iopfCapable) {
    /** A device with none of them. */
    public static final DeviceCapabilities NONE = new DeviceCapabilities(false, 0, false);

    public DeviceCapabilities {
        if (maxPasidLog2 < 0 || maxPasidLog2 > 20) {
            throw new IllegalArgumentException("PASID width " + maxPasidLog2 + " is outside 0..20 (PCIe allows 20 bits)");
        }
    }

    /** Whether {@code pasid} is a PASID the device can use (1 .. 2^width - 1; 0 is the RID's). */
    public boolean validPasid(int pasid) {
        return maxPasidLog2 > 0 && pasid > 0 && Integer.toUnsignedLong(pasid) < (1L << maxPasidLog2);
    }
}
