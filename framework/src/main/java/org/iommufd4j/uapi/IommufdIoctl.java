package org.iommufd4j.uapi;

/**
 * ioctl numbers of include/uapi/linux/iommufd.h: {@code _IO(';', nr)}, so the value is
 * {@code 0x3B00 | nr} with no size or direction bits.
 */
public final class IommufdIoctl {
    private IommufdIoctl() {
    }

    /** {@code IOMMUFD_TYPE}, the ioctl magic {@code ';'}. */
    public static final int TYPE = 0x3B;
    /** {@code IOMMUFD_CMD_BASE}: numbers below it go to the VFIO compatibility handler. */
    public static final int CMD_BASE = 0x80;

    public static final int IOMMU_DESTROY = io(0x80);
    public static final int IOMMU_IOAS_ALLOC = io(0x81);
    public static final int IOMMU_IOAS_ALLOW_IOVAS = io(0x82);
    public static final int IOMMU_IOAS_COPY = io(0x83);
    public static final int IOMMU_IOAS_IOVA_RANGES = io(0x84);
    public static final int IOMMU_IOAS_MAP = io(0x85);
    public static final int IOMMU_IOAS_UNMAP = io(0x86);
    public static final int IOMMU_OPTION = io(0x87);
    public static final int IOMMU_VFIO_IOAS = io(0x88);
    public static final int IOMMU_HWPT_ALLOC = io(0x89);
    public static final int IOMMU_GET_HW_INFO = io(0x8a);
    public static final int IOMMU_HWPT_SET_DIRTY_TRACKING = io(0x8b);
    public static final int IOMMU_HWPT_GET_DIRTY_BITMAP = io(0x8c);
    public static final int IOMMU_HWPT_INVALIDATE = io(0x8d);
    public static final int IOMMU_FAULT_QUEUE_ALLOC = io(0x8e);
    public static final int IOMMU_IOAS_MAP_FILE = io(0x8f);
    public static final int IOMMU_VIOMMU_ALLOC = io(0x90);
    public static final int IOMMU_VDEVICE_ALLOC = io(0x91);
    public static final int IOMMU_IOAS_CHANGE_PROCESS = io(0x92);
    public static final int IOMMU_VEVENTQ_ALLOC = io(0x93);
    public static final int IOMMU_HW_QUEUE_ALLOC = io(0x94);
    /** Test-only, table slot 32: contributed by the mock driver plugin, not by the core. */
    public static final int IOMMU_TEST_CMD = io(0x80 + 32);

    /** {@code _IO(';', nr)}. */
    public static int io(int nr) {
        return (TYPE << 8) | nr;
    }

    /** The {@code nr} part of a command. */
    public static int nr(int cmd) {
        return cmd & 0xff;
    }

    /** The magic part of a command. */
    public static int type(int cmd) {
        return (cmd >>> 8) & 0xff;
    }
}
