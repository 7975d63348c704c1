package org.iommufd4j.spi;

/**
 * The kernel selftest's emulated device behind an access fd ({@code struct selftest_access},
 * selftest.c), as a driver's IOMMU_TEST_CMD sees it through {@link ExtensionCall#access}. Every
 * call acts on behalf of the calling process (its memory at {@code uptr}); failures are
 * {@link org.iommufd4j.uapi.IommufdException}s with the kernel's errno.
 */
public interface EmulatedAccess {
    /**
     * ACCESS_PAGES: pins IOVA [iova, iova+length) and returns the new item's ID. A non-zero
     * {@code uptr} must map the same frames (EFAULT when unmapped, EBADE when different).
     * {@code flags}: MOCK_FLAGS_ACCESS_WRITE; others EOPNOTSUPP. EOPNOTSUPP also when the access
     * was created without NEEDS_PIN_PAGES; ENOMEM above 16 MiB.
     */
    int pinPages(long iova, long length, long uptr, int flags);

    /** DESTROY_ACCESS_PAGES: unpins item {@code itemId}; ENOENT when there is none (an unmap removed it). */
    void destroyPages(int itemId);

    /**
     * ACCESS_RW: copies {@code length} bytes between the caller's {@code uptr} and IOVA
     * {@code iova}; {@code flags} MOCK_ACCESS_RW_WRITE writes to the IOVA, MOCK_ACCESS_RW_SLOW_PATH
     * forces the slow path, others EOPNOTSUPP.
     */
    void rw(long iova, long length, long uptr, int flags);

    /** ACCESS_REPLACE_IOAS: moves the access to IOAS {@code ioasId} (ENOENT when it is not one). */
    void replaceIoas(int ioasId);
}
