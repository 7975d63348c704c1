package org.iommufd4j.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;

/**
 * The typed face of the VFIO type1 container ioctls on a context, for Java callers: each method
 * encodes the C argument and goes through {@link IommufdContext#ioctlOrThrow}, so it runs the same
 * handler a byte-level caller reaches. Failures throw
 * {@link org.iommufd4j.uapi.IommufdException} with the errno.
 */
public final class VfioContainer {
    private static final StructCodec<VfioIommuType1Info> INFO = StructCodec.of(VfioIommuType1Info.class);
    private static final StructCodec<VfioIommuType1DmaMap> MAP = StructCodec.of(VfioIommuType1DmaMap.class);
    private static final StructCodec<VfioIommuType1DmaUnmap> UNMAP = StructCodec.of(VfioIommuType1DmaUnmap.class);

    private final IommufdContext ctx;

    public VfioContainer(IommufdContext ctx) {
        this.ctx = ctx;
    }

    private int ioctl(int cmd, ByteBuffer arg) {
        return ctx.ioctlOrThrow(cmd, arg, ctx.process());
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** VFIO_GET_API_VERSION. */
    public int apiVersion() {
        return ioctl(VfioIoctl.VFIO_GET_API_VERSION, null);
    }

    /** VFIO_CHECK_EXTENSION: whether {@code extension} (a {@code VfioExtension}) is supported. */
    public boolean checkExtension(long extension) {
        return ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(extension)) == 1;
    }

    /** VFIO_SET_IOMMU with TYPE1_IOMMU or TYPE1v2_IOMMU. */
    public void setIommu(long type) {
        ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(type));
    }

    /**
     * VFIO_IOMMU_GET_INFO with an {@code argsz}-byte buffer; returns that buffer, the struct at 0
     * and the capability chain from its {@code cap_offset} (see {@link #info(ByteBuffer)}).
     */
    public ByteBuffer infoBuffer(int argsz) {
        ByteBuffer buf = ByteBuffer.allocate(Math.max(argsz, INFO.minSize())).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(0, INFO.toBytes(new VfioIommuType1Info(argsz, 0, 0, 0, 0)), 0, Math.min(buf.capacity(), INFO.size()));
        ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, buf);
        return buf;
    }

    /** The struct at the start of an {@link #infoBuffer}. */
    public static VfioIommuType1Info info(ByteBuffer infoBuffer) {
        byte[] head = new byte[INFO.size()];
        infoBuffer.get(0, head, 0, Math.min(head.length, infoBuffer.capacity()));
        return INFO.decode(head);
    }

    /** VFIO_IOMMU_MAP_DMA of the calling process's {@code vaddr} at {@code iova}. */
    public void mapDma(int flags, long vaddr, long iova, long size) {
        ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, le(MAP.toBytes(new VfioIommuType1DmaMap(MAP.size(), flags, vaddr, iova, size))));
    }

    /** VFIO_IOMMU_UNMAP_DMA; returns the bytes unmapped. */
    public long unmapDma(int flags, long iova, long size) {
        ByteBuffer arg = le(UNMAP.toBytes(new VfioIommuType1DmaUnmap(UNMAP.size(), flags, iova, size)));
        ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, arg);
        return UNMAP.decode(arg).size();
    }
}
