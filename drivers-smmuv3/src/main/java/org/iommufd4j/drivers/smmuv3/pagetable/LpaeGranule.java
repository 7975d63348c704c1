package org.iommufd4j.drivers.smmuv3.pagetable;

/**
 * The three VMSAv8-64 translation granules (Arm ARM DDI 0487, D8.2 "Translation table walk"
 * and Table D8-x "Translation granule sizes, with block and page sizes"). Levels use the generic
 * page-table numbering: level 0 holds pages (Arm level 3), higher levels are closer to the root.
 */
public enum LpaeGranule {
    /** 4 KiB: 9 index bits per level; blocks of 2 MiB (level 1) and 1 GiB (level 2). */
    G4K(12, 2, new int[] {4, 4, 4}),
    /** 16 KiB: 11 index bits per level; blocks of 32 MiB (level 1); 64 GiB blocks need LPA2. */
    G16K(14, 1, new int[] {7, 5}),
    /** 64 KiB: 13 index bits per level; blocks of 512 MiB (level 1); 4 TiB blocks need 52-bit OA. */
    G64K(16, 1, new int[] {5, 5, 0});

    private final int shift;
    private final int maxBlockLevel;
    private final int[] contigLg2;

    LpaeGranule(int shift, int maxBlockLevel, int[] contigLg2) {
        this.shift = shift;
        this.maxBlockLevel = maxBlockLevel;
        this.contigLg2 = contigLg2;
    }

    /** log2 of the granule (and page) size. */
    public int shift() {
        return shift;
    }

    /** log2 of the granule size in 4 KiB frames, the allocation order of one table. */
    public int frameOrder() {
        return shift - 12;
    }

    /** Index bits a full table resolves: a granule holds 2^(shift-3) 8-byte descriptors. */
    public int bitsPerLevel() {
        return shift - 3;
    }

    /** log2 of the VA span of one item at {@code level}. */
    public int itemShift(int level) {
        return shift + level * bitsPerLevel();
    }

    /**
     * The highest level that may hold a block descriptor; 64 KiB gains level 2 (4 TiB blocks)
     * when the output address is 52 bits (FEAT_LPA). 4 KiB level-3 and 16 KiB level-2 blocks need
     * FEAT_LPA2, which this format does not implement.
     */
    public int maxLeafLevel(boolean lpa) {
        return this == G64K && lpa ? 2 : maxBlockLevel;
    }

    /**
     * log2 of the number of adjacent descriptors the Contiguous bit joins at {@code level}
     * (Arm ARM D8.6.1 "The Contiguous bit": 4K: 16 at levels 3, 2 and 1; 16K: 128 pages, 32 level-2
     * blocks; 64K: 32 pages or level-2 blocks). 0 where this format uses no contiguous run: the
     * 4 TiB level-1 blocks of 64K with 52-bit output.
     */
    public int contigLg2(int level) {
        return contigLg2[level];
    }

    /** Suffix used in format names: "4k", "16k", "64k". */
    public String suffix() {
        return (1 << (shift - 10)) + "k";
    }
}
