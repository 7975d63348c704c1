package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hw_info}: report the IOMMU behind {@code dev_id}. The driver's info struct is
 * copied to {@code data_uptr} (at most {@code data_len} bytes, the rest of the user buffer zeroed)
 * and {@code data_len} is set to the driver's length. {@code dataType} is the union
 * {@code in_data_type}/{@code out_data_type}: an input only with {@link IommuHwInfoFlags#INPUT_TYPE}.
 * Unknown flags or reserved≠0 → EOPNOTSUPP. min_size ends at {@code __reserved}.
 */
@KernelStruct(name = "iommu_hw_info", size = 40, minSize = 32)
public record IommuHwInfo(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int devId,
        @At(offset = 12, bytes = 4) int dataLen,
        @At(offset = 16, bytes = 8) long dataUptr,
        @At(offset = 24, bytes = 4) int dataType,
        @At(offset = 28, bytes = 1) int outMaxPasidLog2,
        // __u8 __reserved[3]
        @At(offset = 29, bytes = 3) int reserved,
        @At(offset = 32, bytes = 8) long outCapabilities) {

    /**
     * The kernel's answer: the driver data length, {@code out_data_type} (an {@link IommuHwInfoType}),
     * the PASID width (0 = none) and {@link IommuHwCapabilities} bits.
     */
    public IommuHwInfo withOut(int dataLen, int outDataType, int maxPasidLog2, long capabilities) {
        return new IommuHwInfo(flags, devId, dataLen, dataUptr, outDataType, maxPasidLog2, reserved, capabilities);
    }
}
