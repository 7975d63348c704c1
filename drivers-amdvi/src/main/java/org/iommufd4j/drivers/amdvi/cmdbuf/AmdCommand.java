package org.iommufd4j.drivers.amdvi.cmdbuf;

/**
 * Encoders of the AMD-Vi commands the driver uses (AMD IOMMU spec 48882 §2.4 "Commands"; Linux
 * drivers/iommu/amd/amd_iommu_types.h {@code CMD_*} and iommu.c {@code build_*}). A command is
 * 128 bits, Linux's {@code u32 data[4]}; here two little-endian quadwords: qw0 = data[1]:data[0],
 * qw1 = data[3]:data[2]. The opcode is data[1] bits 31:28 (CMD_SET_TYPE).
 */
public final class AmdCommand {
    public static final int COMPLETION_WAIT = 0x01;
    public static final int INVALIDATE_DEVTAB_ENTRY = 0x02;
    public static final int INVALIDATE_IOMMU_PAGES = 0x03;
    public static final int INVALIDATE_IOMMU_ALL = 0x08;

    /** COMPLETION_WAIT data[0] bit 0 (CMD_COMPL_WAIT_STORE_MASK), bit 1 interrupt, bit 2 flush queue. */
    public static final long WAIT_STORE = 1L;
    /** INVALIDATE_IOMMU_PAGES data[2] bit 0 S, bit 1 PDE, bit 2 GN (CMD_INV_IOMMU_PAGES_*_MASK). */
    public static final long PAGES_SIZE = 1L;
    public static final long PAGES_PDE = 1L << 1;
    public static final long PAGES_GN = 1L << 2;
    /** CMD_INV_IOMMU_ALL_PAGES_ADDRESS with bits 11:0 cleared: S=1 and every page. */
    public static final long ALL_PAGES_ADDRESS = 0x7fff_ffff_ffff_f000L;

    private static final long PAGE_MASK = ~0xfffL;

    private AmdCommand() {
    }

    /** The opcode of a command (data[1] bits 31:28 = qw0 bits 63:60). */
    public static int opcode(long qw0) {
        return (int) (qw0 >>> 60);
    }

    private static long type(int opcode) {
        return (long) opcode << 60;
    }

    /**
     * COMPLETION_WAIT with store (build_completion_wait): when every earlier command has completed
     * the IOMMU writes the 64-bit {@code data} to {@code storePa} (8-byte aligned, 52 bits).
     */
    public static long[] completionWait(long storePa, long data) {
        if ((storePa & 7) != 0 || (storePa >>> 52) != 0) {
            throw new IllegalArgumentException("store address 0x" + Long.toHexString(storePa) + " is not an aligned 52-bit address");
        }
        return new long[] {type(COMPLETION_WAIT) | storePa | WAIT_STORE, data};
    }

    /** INVALIDATE_DEVTAB_ENTRY of {@code deviceId} (build_inv_dte: data[0] 15:0). */
    public static long[] invalidateDevtabEntry(int deviceId) {
        return new long[] {type(INVALIDATE_DEVTAB_ENTRY) | u16(deviceId, "DeviceID"), 0};
    }

    /**
     * INVALIDATE_IOMMU_PAGES of {@code [address, address + size)} in {@code domainId} (Linux
     * build_inv_iommu_pages without GN): the S-bit range encoding of {@link #invAddress}, and PDE
     * so cached page-directory entries go too (Linux always sets it).
     */
    public static long[] invalidateIommuPages(int domainId, long address, long size, boolean pde) {
        long inv = invAddress(address, size);
        return new long[] {type(INVALIDATE_IOMMU_PAGES) | u16(domainId, "DomainID") << 32, inv | (pde ? PAGES_PDE : 0)};
    }

    /** INVALIDATE_IOMMU_ALL (needs EFR.IA): every cached translation of every domain. */
    public static long[] invalidateIommuAll() {
        return new long[] {type(INVALIDATE_IOMMU_ALL), 0};
    }

    /**
     * Linux build_inv_address: a single page is its address with S=0; a longer range is the
     * naturally aligned power-of-two block holding it, encoded by setting every address bit below
     * the highest bit where start and end differ, with S=1; ranges past bit 51 are all pages.
     */
    public static long invAddress(long address, long size) {
        long pages = ((address & 0xfff) + size + 0xfff) >>> 12;
        if (Long.compareUnsigned(pages, 1) <= 0 && size != 0) {
            return address & PAGE_MASK;
        }
        long end = address + size - 1;
        int msbDiff = 63 - Long.numberOfLeadingZeros(end ^ address);
        if (msbDiff > 51) {
            address = ALL_PAGES_ADDRESS;
        } else {
            address |= (1L << msbDiff) - 1;
        }
        return (address & PAGE_MASK) | PAGES_SIZE;
    }

    /**
     * The hardware's reading of an INVALIDATE_IOMMU_PAGES address: {first, last} byte invalidated.
     * S=0 is the 4 KiB page; S=1 extends it to the block whose size is given by the lowest clear
     * address bit at or above 12 (bit n clear: 2^(n+1) bytes).
     */
    public static long[] decodeRange(long qw1) {
        long addr = qw1 & PAGE_MASK;
        if ((qw1 & PAGES_SIZE) == 0) {
            return new long[] {addr, addr + 0xfff};
        }
        int zero = Long.numberOfTrailingZeros(~(addr | 0xfff));
        if (zero >= 63) {
            return new long[] {0, -1L};
        }
        long size = 1L << (zero + 1);
        long first = addr & -size;
        return new long[] {first, first + size - 1};
    }

    private static long u16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " " + v + " does not fit 16 bits");
        }
        return v;
    }
}
