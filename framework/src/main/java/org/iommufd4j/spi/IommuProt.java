package org.iommufd4j.spi;

/** Mapping permissions, the values of Linux's include/linux/iommu.h IOMMU_READ and friends. */
public final class IommuProt {
    private IommuProt() {
    }

    public static final int READ = 1 << 0;
    public static final int WRITE = 1 << 1;
    public static final int CACHE = 1 << 2;
    public static final int NOEXEC = 1 << 3;
    public static final int MMIO = 1 << 4;
    public static final int PRIV = 1 << 5;
}
