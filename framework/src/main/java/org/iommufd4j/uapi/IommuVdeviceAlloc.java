package org.iommufd4j.uapi;

/**
 * {@code struct iommu_vdevice_alloc}: give device {@code dev_id} the guest-visible id
 * {@code virt_id} (vSID, vDeviceID, vRID) in vIOMMU {@code viommu_id}. virt_id > ULONG_MAX →
 * EINVAL; a device that already has a vdevice, or a virt_id in use → EEXIST.
 */
@KernelStruct(name = "iommu_vdevice_alloc", size = 24, minSize = 24)
public record IommuVdeviceAlloc(
        @At(offset = 4, bytes = 4) int viommuId,
        @At(offset = 8, bytes = 4) int devId,
        @At(offset = 12, bytes = 4) int outVdeviceId,
        @At(offset = 16, bytes = 8) long virtId) {

    /** The new vDEVICE's id, written back. */
    public IommuVdeviceAlloc withOutVdeviceId(int id) {
        return new IommuVdeviceAlloc(viommuId, devId, id, virtId);
    }
}
