package org.iommufd4j.spi;

/**
 * The IOMMU_GET_HW_INFO answer of a driver: an {@code iommu_hw_info_type} and the bytes of the
 * matching vendor struct (e.g. {@code iommu_hw_info_vtd}), encoded by the driver. The framework
 * copies at most the user's {@code data_len} of it and zero-fills the rest of the user buffer.
 *
 * @param type the info type (never IOMMU_HW_INFO_TYPE_NONE when there is data)
 * @param data the vendor struct's bytes
 */
public record HwInfo(int type, byte[] data) {
    /** No vendor information (IOMMU_HW_INFO_TYPE_NONE, 0 bytes). */
    public static final HwInfo NONE = new HwInfo(0, new byte[0]);

    public HwInfo {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
