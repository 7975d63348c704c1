package org.iommufd4j.uapi.vfio;

import java.util.List;

/**
 * VFIO ioctl numbers (include/uapi/linux/vfio.h): {@code _IO(VFIO_TYPE, VFIO_BASE + n)} with the
 * same {@code ';'} magic as iommufd, so VFIO numbers are {@code 0x3B00 | (100 + n)}, all below
 * iommufd's 0x80 and dispatched to the compat handler. Only the container (type1) commands that
 * iommufd's vfio_compat.c answers are listed; it returns ENOTTY for any other, VFIO_IOMMU_DIRTY_PAGES
 * included.
 */
public final class VfioIoctl {
    private VfioIoctl() {
    }

    /** {@code VFIO_TYPE}: {@code ';'}. */
    public static final int TYPE = 0x3B;
    /** {@code VFIO_BASE}. */
    public static final int BASE = 100;
    /** {@code VFIO_API_VERSION}: what VFIO_GET_API_VERSION returns. */
    public static final int API_VERSION = 0;

    /** Returns {@link #API_VERSION}; no argument. */
    public static final int VFIO_GET_API_VERSION = io(0);
    /** The argument is a {@link VfioExtension} id by value; returns 1 if supported, else 0. */
    public static final int VFIO_CHECK_EXTENSION = io(1);
    /** The argument is TYPE1_IOMMU or TYPE1v2_IOMMU by value (anything else EINVAL); no compat IOAS → ENODEV. */
    public static final int VFIO_SET_IOMMU = io(2);
    /** {@link VfioIommuType1Info} followed by the capability chain. */
    public static final int VFIO_IOMMU_GET_INFO = io(12);
    /** {@link VfioIommuType1DmaMap}. */
    public static final int VFIO_IOMMU_MAP_DMA = io(13);
    /** {@link VfioIommuType1DmaUnmap}; {@code size} is written back with the bytes unmapped. */
    public static final int VFIO_IOMMU_UNMAP_DMA = io(14);
    /** Not supported by iommufd: ENOTTY. Listed so a test can check exactly that. */
    public static final int VFIO_IOMMU_DIRTY_PAGES = io(17);

    /**
     * One compat command.
     *
     * @param command the full ioctl number
     * @param name the C macro name
     * @param struct the argument record, or null when the argument is a value (or absent)
     */
    public record Entry(int command, String name, Class<? extends Record> struct) {
    }

    /** The commands iommufd's VFIO compatibility answers. */
    public static final List<Entry> COMMANDS = List.of(
            new Entry(VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION", null),
            new Entry(VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION", null),
            new Entry(VFIO_SET_IOMMU, "VFIO_SET_IOMMU", null),
            new Entry(VFIO_IOMMU_GET_INFO, "VFIO_IOMMU_GET_INFO", VfioIommuType1Info.class),
            new Entry(VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA", VfioIommuType1DmaMap.class),
            new Entry(VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA", VfioIommuType1DmaUnmap.class));

    /** {@code _IO(VFIO_TYPE, VFIO_BASE + n)}. */
    public static int io(int n) {
        return (TYPE << 8) | (BASE + n);
    }
}
