package org.iommufd4j.ioas;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommuIoasAllowIovas;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasIovaRanges;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommuIovaRange;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.StructCodec;

/**
 * Typed shorthands for the IOAS ioctls, as the selftest's {@code test_ioctl_ioas_*} helpers are:
 * each builds the struct, goes through {@link IommufdContext#call} (the same handler as the byte
 * API) and returns the output field. Failures throw {@link org.iommufd4j.uapi.IommufdException}.
 */
public final class IoasCalls {
    /** READABLE | WRITEABLE, the selftest's default map flags. */
    public static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;
    private static final StructCodec<IommuIovaRange> RANGE = StructCodec.of(IommuIovaRange.class);

    private IoasCalls() {
    }

    public static int alloc(IommufdContext ctx) {
        return ctx.call(new IommuIoasAlloc(0, 0)).outIoasId();
    }

    /** IOAS_MAP with an allocated IOVA; returns it. */
    public static long map(IommufdContext ctx, int ioasId, long userVa, long length) {
        return ctx.call(new IommuIoasMap(RW, ioasId, 0, userVa, length, 0)).iova();
    }

    /** IOAS_MAP at a fixed IOVA. */
    public static void mapFixed(IommufdContext ctx, int ioasId, long userVa, long length, long iova) {
        ctx.call(new IommuIoasMap(RW | IommuIoasMapFlags.FIXED_IOVA, ioasId, 0, userVa, length, iova));
    }

    /** IOAS_MAP_FILE with an allocated IOVA; returns it. */
    public static long mapFile(IommufdContext ctx, int ioasId, int fd, long start, long length) {
        return ctx.call(new IommuIoasMapFile(RW, ioasId, fd, start, length, 0)).iova();
    }

    /** IOAS_COPY to an allocated IOVA; returns it. */
    public static long copy(IommufdContext ctx, int dstIoasId, int srcIoasId, long srcIova, long length) {
        return ctx.call(new IommuIoasCopy(RW, dstIoasId, srcIoasId, length, 0, srcIova)).dstIova();
    }

    /** IOAS_UNMAP; returns the bytes unmapped. */
    public static long unmap(IommufdContext ctx, int ioasId, long iova, long length) {
        return ctx.call(new IommuIoasUnmap(ioasId, iova, length)).length();
    }

    /** IOAS_UNMAP of everything; returns the bytes unmapped. */
    public static long unmapAll(IommufdContext ctx, int ioasId) {
        return unmap(ctx, ioasId, 0, -1L);
    }

    /** IOMMU_OPTION GET. */
    public static long getOption(IommufdContext ctx, int optionId, int objectId) {
        return ctx.call(new IommuOption(optionId, IommuOptionOps.GET, 0, objectId, 0)).val64();
    }

    /** IOMMU_OPTION SET. */
    public static void setOption(IommufdContext ctx, int optionId, int objectId, long value) {
        ctx.call(new IommuOption(optionId, IommuOptionOps.SET, 0, objectId, value));
    }

    /** IOAS_ALLOW_IOVAS, passing the array through a scratch mapping of {@code process}. */
    public static void allowIovas(IommufdContext ctx, SimProcess process, int ioasId, List<IovaRange> ranges) {
        long len = Math.max(1, ranges.size()) * (long) RANGE.size();
        long buf = process.mmapAnonymous(len, false);
        try {
            for (int i = 0; i < ranges.size(); i++) {
                byte[] b = RANGE.toBytes(new IommuIovaRange(ranges.get(i).start(), ranges.get(i).last()));
                process.write(buf + (long) i * RANGE.size(), b, 0, b.length);
            }
            ctx.call(new IommuIoasAllowIovas(ioasId, ranges.size(), 0, buf), process);
        } finally {
            process.munmap(buf, len);
        }
    }

    /** IOAS_IOVA_RANGES with room for {@code capacity} ranges, through a scratch mapping of {@code process}. */
    public static List<IovaRange> iovaRanges(IommufdContext ctx, SimProcess process, int ioasId, int capacity) {
        long len = Math.max(1, capacity) * (long) RANGE.size();
        long buf = process.mmapAnonymous(len, false);
        try {
            IommuIoasIovaRanges out = ctx.call(new IommuIoasIovaRanges(ioasId, capacity, 0, buf, 0), process);
            List<IovaRange> ranges = new ArrayList<>();
            byte[] b = new byte[RANGE.size()];
            for (int i = 0; i < out.numIovas(); i++) {
                process.read(buf + (long) i * RANGE.size(), b, 0, b.length);
                IommuIovaRange r = RANGE.decode(b);
                ranges.add(new IovaRange(r.start(), r.last()));
            }
            return ranges;
        } finally {
            process.munmap(buf, len);
        }
    }
}
