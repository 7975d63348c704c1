package org.iommufd4j.viommu;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimFile;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * mmap of the iommufd file itself (main.c {@code iommufd_fops_mmap}): maps a region a vIOMMU
 * published (e.g. the mock's loopback pages, a real driver's doorbell page) into a process. The
 * mapping holds a users reference on the owning vIOMMU until it is unmapped
 * ({@link SimProcess#munmap}), so DESTROY of that vIOMMU is EBUSY meanwhile.
 */
public final class ViommuMmap {
    public static final int PROT_EXEC = 4;

    private ViommuMmap() {
    }

    /**
     * {@code mmap(NULL, length, prot, flags, iommufd, offset)} in {@code process}; returns the
     * address. {@code length} is rounded up to whole pages, as mmap(2) does before the file's
     * handler sees the VMA. Not MAP_SHARED, length 0 or an unaligned offset: EINVAL; PROT_EXEC:
     * EPERM; {@code offset} and the length not exactly one published region: ENXIO.
     */
    public static long mmap(IommufdContext ctx, SimProcess process, long requestedLength, int prot, int flags, long offset) {
        long length = (requestedLength + PhysicalMemory.PAGE_SIZE - 1) & -PhysicalMemory.PAGE_SIZE;
        if ((flags & SimProcess.MAP_SHARED) == 0 || requestedLength <= 0 || length <= 0
                || (offset & (PhysicalMemory.PAGE_SIZE - 1)) != 0) {
            throw IommufdException.einval("iommufd mmap: length 0x" + Long.toHexString(length) + ", offset 0x"
                    + Long.toHexString(offset) + ", flags 0x" + Integer.toHexString(flags)
                    + " (a MAP_SHARED mapping of whole pages is needed)");
        }
        if ((prot & PROT_EXEC) != 0) {
            throw new IommufdException(Errno.EPERM, "iommufd mmap: PROT_EXEC is not allowed");
        }
        MmapRegions.Region r = MmapRegions.of(ctx).containing(offset);
        if (r == null || r.offset() != offset || r.length() != length) {
            throw new IommufdException(Errno.ENXIO, "iommufd mmap: offset 0x" + Long.toHexString(offset) + " length 0x"
                    + Long.toHexString(length) + " is not a published region"
                    + (r == null ? "" : " (the region there is 0x" + Long.toHexString(r.offset()) + " +0x"
                    + Long.toHexString(r.length()) + ")"));
        }
        Viommu owner = r.owner();
        owner.ref();
        SimFile pages;
        try {
            pages = SimFile.ofFrames(process.memory(), "iommufd-mmap:" + owner, r.pa(), r.length(), owner::unref);
        } catch (RuntimeException e) {
            owner.unref();
            throw e;
        }
        return process.mmapFile(pages, length, prot);
    }
}
