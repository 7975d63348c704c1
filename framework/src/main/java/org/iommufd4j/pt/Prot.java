package org.iommufd4j.pt;

/**
 * Mapping permissions handed to {@link PageTable#map}: the values of Linux's include/linux/iommu.h
 * {@code IOMMU_READ} and friends (the same values as {@code org.iommufd4j.spi.IommuProt}, which
 * the engine cannot import because {@code pt} sits below {@code spi}).
 */
public final class Prot {
    private Prot() {
    }

    public static final int READ = 1 << 0;
    public static final int WRITE = 1 << 1;
    /** Cache-coherent DMA (formats may set a snoop bit). */
    public static final int CACHE = 1 << 2;
    public static final int NOEXEC = 1 << 3;
    public static final int MMIO = 1 << 4;
    public static final int PRIV = 1 << 5;
    /** Every bit a format may be asked to encode. */
    public static final int ALL = READ | WRITE | CACHE | NOEXEC | MMIO | PRIV;
}
