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
        Mapping m = map(ctx, requestedLength, prot, flags, offset);
        SimFile pages;
        try {
            pages = SimFile.ofFrames(process.memory(), "iommufd-mmap:" + m.owner, m.pa, m.length, m::unmap);
        } catch (RuntimeException e) {
            m.unmap();
            throw e;
        }
        return process.mmapFile(pages, m.length, prot);
    }

    /**
     * The checks and the reference of iommufd_fops_mmap, for a mapping made elsewhere (a real
     * process's, through the uAPI server): the returned mapping holds the owning vIOMMU until
     * {@link Mapping#unmap()}. Errnos as {@link #mmap}.
     */
    public static Mapping map(IommufdContext ctx, long requestedLength, int prot, int flags, long offset) {
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
        r.owner().ref();
        return new Mapping(r.owner(), r.pa(), r.length());
    }

    /** A mapping of a published region: its host pages, and a reference on their vIOMMU until unmapped. */
    public static final class Mapping {
        private final Viommu owner;
        private final long pa;
        private final long length;
        private boolean unmapped;

        private Mapping(Viommu owner, long pa, long length) {
            this.owner = owner;
            this.pa = pa;
            this.length = length;
        }

        /** Host physical address of the region's first page. */
        public long pa() {
            return pa;
        }

        public long length() {
            return length;
        }

        /** The last unmap of the mapping: drops its reference (idempotent). */
        public synchronized void unmap() {
            if (!unmapped) {
                unmapped = true;
                owner.unref();
            }
        }

        @Override
        public String toString() {
            return "iommufd-mmap:" + owner + "@0x" + Long.toHexString(pa) + "+0x" + Long.toHexString(length);
        }
    }
}
