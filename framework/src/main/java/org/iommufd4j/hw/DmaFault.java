package org.iommufd4j.hw;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A DMA the IOMMU refused: nothing mapped at the IOVA, or the leaf lacks the permission. Real
 * hardware records a fault (and may raise a page request); the model throws, with EFAULT.
 */
public final class DmaFault extends IommufdException {
    private static final long serialVersionUID = 1L;

    /** Why the translation failed. */
    public enum Reason {
        NOT_PRESENT,
        PERMISSION,
        BLOCKED,
        OUT_OF_RANGE
    }

    private final long iova;
    private final Access access;
    private final Reason reason;

    public DmaFault(long iova, Access access, Reason reason) {
        super(Errno.EFAULT, "DMA " + access + " at IOVA 0x" + Long.toHexString(iova) + " faulted: " + reason);
        this.iova = iova;
        this.access = access;
        this.reason = reason;
    }

    public long iova() {
        return iova;
    }

    public Access access() {
        return access;
    }

    public Reason reason() {
        return reason;
    }
}
