package org.iommufd4j.memory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A dma-buf: physically contiguous memory an exporter (a driver) shares through an fd, which
 * importers (an IOAS mapping it with IOMMU_IOAS_MAP_FILE) may use until the exporter revokes it
 * (Linux's dma-buf move/revoke notification): every importer is told to stop using the frames at
 * once; while revoked, no new use is allowed (ENODEV). Un-revoking allows new uses; importers
 * that were revoked stay so. The frames go back to the exporter when the fd is closed and the last
 * importer detached.
 */
public final class DmaBuf implements FileOps {
    /** An importer of the dma-buf ({@code dma_buf_attach_ops.move_notify}). */
    public interface Importer {
        /** The exporter revoked the buffer: stop every use of its frames before returning. */
        void revoke(DmaBuf buf);
    }

    private final Object exporter;
    private final long pa;
    private final long length;
    private final Runnable onLastRelease;
    private final Map<Importer, int[]> importers = new IdentityHashMap<>();
    private boolean revoked;
    private boolean fdOpen = true;

    private DmaBuf(Object exporter, long pa, long length, Runnable onLastRelease) {
        this.exporter = exporter;
        this.pa = pa;
        this.length = length;
        this.onLastRelease = onLastRelease;
    }

    /**
     * Exports {@code length} bytes (whole pages) from {@code pa}; {@code onLastRelease} returns them
     * to the exporter, which {@code exporter} identifies (so it can tell its own buffers from others).
     */
    public static DmaBuf export(Object exporter, long pa, long length, Runnable onLastRelease) {
        if ((pa & (PhysicalMemory.PAGE_SIZE - 1)) != 0 || length <= 0 || (length & (PhysicalMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("a dma-buf is whole pages: 0x" + Long.toHexString(pa) + " +0x" + Long.toHexString(length));
        }
        return new DmaBuf(exporter, pa, length, onLastRelease);
    }

    /** Who exported it ({@code dma_buf->ops}). */
    public Object exporter() {
        return exporter;
    }

    public long physicalAddress() {
        return pa;
    }

    public long length() {
        return length;
    }

    public synchronized boolean isRevoked() {
        return revoked;
    }

    /** ENODEV while revoked: the check an importer makes before a new use. */
    public synchronized void checkUsable() {
        if (revoked) {
            throw new IommufdException(Errno.ENODEV, "the dma-buf is revoked");
        }
    }

    /**
     * Revokes (true) or un-revokes (false). A revoke tells every importer, outside this buffer's
     * lock, and returns when they have all stopped using it.
     */
    public void setRevoked(boolean revoke) {
        List<Importer> tell;
        synchronized (this) {
            boolean was = revoked;
            revoked = revoke;
            if (!revoke || was) {
                return;
            }
            tell = new ArrayList<>(importers.keySet());
        }
        for (Importer i : tell) {
            i.revoke(this);
        }
    }

    /** Registers one more use by {@code importer} (counted). */
    public synchronized void attach(Importer importer) {
        importers.computeIfAbsent(importer, k -> new int[1])[0]++;
    }

    /** Drops one use by {@code importer}. */
    public void detach(Importer importer) {
        boolean free;
        synchronized (this) {
            int[] n = importers.get(importer);
            if (n == null) {
                throw new IllegalStateException(importer + " is not attached to this dma-buf");
            }
            if (--n[0] == 0) {
                importers.remove(importer);
            }
            free = !fdOpen && importers.isEmpty();
        }
        if (free && onLastRelease != null) {
            onLastRelease.run();
        }
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        throw IommufdException.einval("read(2) on a dma-buf");
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        throw IommufdException.einval("write(2) on a dma-buf");
    }

    @Override
    public void release() {
        boolean free;
        synchronized (this) {
            if (!fdOpen) {
                return;
            }
            fdOpen = false;
            free = importers.isEmpty();
        }
        if (free && onLastRelease != null) {
            onLastRelease.run();
        }
    }
}
