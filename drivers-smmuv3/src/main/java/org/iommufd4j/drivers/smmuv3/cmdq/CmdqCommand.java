package org.iommufd4j.drivers.smmuv3.cmdq;

/**
 * Encoders of the SMMUv3 commands the driver uses: two 64-bit words each (Arm IHI 0070 §4
 * "Commands"; Linux drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h {@code CMDQ_*} fields and
 * arm-smmu-v3.c {@code arm_smmu_cmdq_build_cmd}). Word 0 bits 7:0 hold the opcode.
 */
public final class CmdqCommand {
    public static final int CFGI_STE = 0x03;
    public static final int TLBI_NH_ASID = 0x11;
    public static final int TLBI_NH_VA = 0x12;
    public static final int TLBI_S12_VMALL = 0x28;
    public static final int TLBI_S2_IPA = 0x2a;
    public static final int CMD_SYNC = 0x46;

    /** CMD_SYNC completion signal, word 0 bits 13:12 (CMDQ_SYNC_0_CS_*). */
    public static final int CS_NONE = 0;
    public static final int CS_IRQ = 1;
    public static final int CS_SEV = 2;
    /** Linux's MSI attributes for the sync write: ARM_SMMU_SH_ISH, ARM_SMMU_MEMATTR_OIWB. */
    public static final int SH_ISH = 3;
    public static final int MEMATTR_OIWB = 0xf;

    static final long VA_MASK = 0xffff_ffff_ffff_f000L; // CMDQ_TLBI_1_VA_MASK GENMASK(63, 12)
    static final long IPA_MASK = 0x000f_ffff_ffff_f000L; // CMDQ_TLBI_1_IPA_MASK GENMASK(51, 12)
    static final long MSIADDR_MASK = 0x000f_ffff_ffff_fffcL; // CMDQ_SYNC_1_MSIADDR_MASK GENMASK(51, 2)

    private CmdqCommand() {
    }

    public static int opcode(long word0) {
        return (int) (word0 & 0xff);
    }

    /** CMD_CFGI_STE: SID 63:32; word 1 LEAF bit 0 (only the STE itself, not the CDs it points to). */
    public static long[] cfgiSte(int sid, boolean leaf) {
        return new long[] {CFGI_STE | (sid & 0xffff_ffffL) << 32, leaf ? 1 : 0};
    }

    /** CMD_TLBI_NH_ASID: every stage-1 entry of {@code asid} (ASID 63:48, VMID 47:32). */
    public static long[] tlbiNhAsid(int vmid, int asid) {
        return new long[] {TLBI_NH_ASID | field(vmid, 32, 16) | field(asid, 48, 16), 0};
    }

    /** CMD_TLBI_S12_VMALL: every entry of {@code vmid} (VMID 47:32). */
    public static long[] tlbiS12Vmall(int vmid) {
        return new long[] {TLBI_S12_VMALL | field(vmid, 32, 16), 0};
    }

    /**
     * CMD_TLBI_NH_VA: word 0 NUM 16:12, SCALE 24:20, VMID 47:32, ASID 63:48; word 1 LEAF 0,
     * TTL 9:8, TG 11:10, VA 63:12. With TG != 0 it covers (NUM+1) * 2^SCALE granules from VA.
     */
    public static long[] tlbiNhVa(int vmid, int asid, long va, boolean leaf, int ttl, int tg, int num, int scale) {
        return new long[] {TLBI_NH_VA | range0(num, scale) | field(vmid, 32, 16) | field(asid, 48, 16),
                range1(leaf, ttl, tg) | (va & VA_MASK)};
    }

    /** CMD_TLBI_S2_IPA: as NH_VA without ASID, IPA 51:12. */
    public static long[] tlbiS2Ipa(int vmid, long ipa, boolean leaf, int ttl, int tg, int num, int scale) {
        return new long[] {TLBI_S2_IPA | range0(num, scale) | field(vmid, 32, 16), range1(leaf, ttl, tg) | (ipa & IPA_MASK)};
    }

    private static long range0(int num, int scale) {
        return field(num, 12, 5) | field(scale, 20, 5);
    }

    private static long range1(boolean leaf, int ttl, int tg) {
        return (leaf ? 1 : 0) | field(ttl, 8, 2) | field(tg, 10, 2);
    }

    /**
     * CMD_SYNC: CS 13:12, MSH 23:22, MSIATTR 27:24, MSIDATA 63:32; word 1 MSIADDR 51:2. With
     * CS=IRQ the SMMU writes MSIDATA to MSIADDR once every earlier command has completed.
     */
    public static long[] sync(int cs, int msh, int msiAttr, int msiData, long msiAddr) {
        return new long[] {CMD_SYNC | field(cs, 12, 2) | field(msh, 22, 2) | field(msiAttr, 24, 4)
                | (msiData & 0xffff_ffffL) << 32, msiAddr & MSIADDR_MASK};
    }

    /**
     * Linux's sync when MSIs are usable (arm_smmu_cmdq_build_sync_cmd): CS=IRQ, inner-shareable
     * write-back MSI of data 0 to the sync command's own slot, which the driver polls.
     */
    public static long[] syncWithMsi(long slotPa) {
        return sync(CS_IRQ, SH_ISH, MEMATTR_OIWB, 0, slotPa);
    }

    private static long field(long value, int shift, int width) {
        if (value < 0 || value >= 1L << width) {
            throw new IllegalArgumentException("value " + value + " does not fit a " + width + "-bit field");
        }
        return value << shift;
    }
}
