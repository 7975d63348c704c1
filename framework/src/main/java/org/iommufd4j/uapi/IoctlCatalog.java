package org.iommufd4j.uapi;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Objects;

/**
 * Every iommufd command of include/uapi/linux/iommufd.h with its struct, as in the kernel's
 * {@code iommufd_ioctl_ops[]} table (drivers/iommu/iommufd/main.c). Tests and the {@code cmd_length}
 * selftest iterate it; {@link Entry#minSizeField()} is the {@code _last} argument of the kernel's
 * {@code IOCTL_OP()}, whose {@code offsetofend} must equal the struct's {@code minSize}.
 *
 * <p>IOMMU_TEST_CMD is not listed: the mock driver plugin contributes it with its own struct.
 */
public final class IoctlCatalog {
    private IoctlCatalog() {
    }

    /**
     * One command.
     *
     * @param command the full ioctl number
     * @param name the C macro name
     * @param struct the record of its argument struct
     * @param minSizeField the record component whose end is the kernel's min_size
     */
    public record Entry(int command, String name, Class<? extends Record> struct, String minSizeField) {
        public Entry {
            Objects.requireNonNull(name);
            Objects.requireNonNull(struct);
            Objects.requireNonNull(minSizeField);
        }

        /** The struct's codec. */
        public StructCodec<? extends Record> codec() {
            return StructCodec.of(struct);
        }

        /** {@code offsetofend(struct, minSizeField)}, computed from the component's {@link At}. */
        public int offsetOfEndOfMinSizeField() {
            for (RecordComponent c : struct.getRecordComponents()) {
                if (c.getName().equals(minSizeField)) {
                    At at = c.getAnnotation(At.class);
                    return at.offset() + at.bytes();
                }
            }
            throw new IllegalStateException(struct.getSimpleName() + " has no component " + minSizeField);
        }
    }

    /** All iommufd commands, in number order 0x80..0x94. */
    public static final List<Entry> COMMANDS = List.of(
            new Entry(IommufdIoctl.IOMMU_DESTROY, "IOMMU_DESTROY", IommuDestroy.class, "id"),
            new Entry(IommufdIoctl.IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC", IommuIoasAlloc.class, "outIoasId"),
            new Entry(IommufdIoctl.IOMMU_IOAS_ALLOW_IOVAS, "IOMMU_IOAS_ALLOW_IOVAS", IommuIoasAllowIovas.class, "allowedIovas"),
            new Entry(IommufdIoctl.IOMMU_IOAS_COPY, "IOMMU_IOAS_COPY", IommuIoasCopy.class, "srcIova"),
            new Entry(IommufdIoctl.IOMMU_IOAS_IOVA_RANGES, "IOMMU_IOAS_IOVA_RANGES", IommuIoasIovaRanges.class, "outIovaAlignment"),
            new Entry(IommufdIoctl.IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP", IommuIoasMap.class, "iova"),
            new Entry(IommufdIoctl.IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP", IommuIoasUnmap.class, "length"),
            new Entry(IommufdIoctl.IOMMU_OPTION, "IOMMU_OPTION", IommuOption.class, "val64"),
            new Entry(IommufdIoctl.IOMMU_VFIO_IOAS, "IOMMU_VFIO_IOAS", IommuVfioIoas.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_HWPT_ALLOC, "IOMMU_HWPT_ALLOC", IommuHwptAlloc.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO", IommuHwInfo.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_HWPT_SET_DIRTY_TRACKING, "IOMMU_HWPT_SET_DIRTY_TRACKING",
                    IommuHwptSetDirtyTracking.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_HWPT_GET_DIRTY_BITMAP, "IOMMU_HWPT_GET_DIRTY_BITMAP",
                    IommuHwptGetDirtyBitmap.class, "data"),
            new Entry(IommufdIoctl.IOMMU_HWPT_INVALIDATE, "IOMMU_HWPT_INVALIDATE", IommuHwptInvalidate.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC, "IOMMU_FAULT_QUEUE_ALLOC", IommuFaultAlloc.class, "outFaultFd"),
            new Entry(IommufdIoctl.IOMMU_IOAS_MAP_FILE, "IOMMU_IOAS_MAP_FILE", IommuIoasMapFile.class, "iova"),
            new Entry(IommufdIoctl.IOMMU_VIOMMU_ALLOC, "IOMMU_VIOMMU_ALLOC", IommuViommuAlloc.class, "outViommuId"),
            new Entry(IommufdIoctl.IOMMU_VDEVICE_ALLOC, "IOMMU_VDEVICE_ALLOC", IommuVdeviceAlloc.class, "virtId"),
            new Entry(IommufdIoctl.IOMMU_IOAS_CHANGE_PROCESS, "IOMMU_IOAS_CHANGE_PROCESS", IommuIoasChangeProcess.class, "reserved"),
            new Entry(IommufdIoctl.IOMMU_VEVENTQ_ALLOC, "IOMMU_VEVENTQ_ALLOC", IommuVeventqAlloc.class, "outVeventqFd"),
            new Entry(IommufdIoctl.IOMMU_HW_QUEUE_ALLOC, "IOMMU_HW_QUEUE_ALLOC", IommuHwQueueAlloc.class, "length"));

    /**
     * Records of the iommufd.h structs that are not ioctl arguments: array elements and what is read
     * from or written to the FAULT and vEVENTQ fds.
     */
    public static final List<Class<? extends Record>> OTHER_STRUCTS = List.of(
            IommuIovaRange.class, IommuHwptPgfault.class, IommuHwptPageResponse.class, IommufdVeventHeader.class);

    /** The entry of a command number, or null when it is not an iommufd command. */
    public static Entry byCommand(int command) {
        for (Entry e : COMMANDS) {
            if (e.command() == command) {
                return e;
            }
        }
        return null;
    }

    /** The entry whose argument is {@code struct}, or null. */
    public static Entry byStruct(Class<? extends Record> struct) {
        for (Entry e : COMMANDS) {
            if (e.struct() == struct) {
                return e;
            }
        }
        return null;
    }
}
