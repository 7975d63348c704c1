package org.iommufd4j.extension;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The machine-wide temporary memory limit of the io_pagetable's page batches, in KiB (Linux
 * {@code iommufd_test_memory_limit}, set by the selftest's SET_TEMP_MEMORY_LIMIT; 65536 by
 * default). The kernel uses it to force many small batches. This io_pagetable maps areas in
 * physically contiguous runs without a batch buffer, so the value is recorded for the tests that
 * set it and for a batching implementation to read, but changes no result.
 */
@Singleton
public final class TemporaryMemoryLimit {
    /** The kernel's default, in KiB. */
    public static final int DEFAULT_KIB = 65536;

    private volatile int kib = DEFAULT_KIB;

    @Inject
    public TemporaryMemoryLimit() {
    }

    public int kib() {
        return kib;
    }

    /** Sets the limit; 0 restores the default. */
    public void set(int kib) {
        if (kib < 0) {
            throw new IllegalArgumentException("limit " + kib);
        }
        this.kib = kib == 0 ? DEFAULT_KIB : kib;
    }
}
