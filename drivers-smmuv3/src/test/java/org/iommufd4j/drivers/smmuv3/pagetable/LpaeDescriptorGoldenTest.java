package org.iommufd4j.drivers.smmuv3.pagetable;

import static org.iommufd4j.spi.IommuProt.CACHE;
import static org.iommufd4j.spi.IommuProt.MMIO;
import static org.iommufd4j.spi.IommuProt.NOEXEC;
import static org.iommufd4j.spi.IommuProt.PRIV;
import static org.iommufd4j.spi.IommuProt.READ;
import static org.iommufd4j.spi.IommuProt.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Raw VMSAv8-64 descriptors, written by hand from the Arm ARM (DDI 0487, D8.3 "Translation table
 * descriptor formats": bits 1:0 type, 4:2 AttrIndx, 7:6 AP[2:1] or S2AP, 5:2 S2 MemAttr, 9:8 SH,
 * 10 AF, 11 nG, OA 47:granule, 51 DBM, 52 Contiguous, 53 PXN/XN[0], 54 UXN/XN[1], 63 NSTable)
 * and the SMMUv3 spec (IHI 0070, 3.13 "Translation table entries and Access/Dirty flags").
 * Attribute choices (nG on every stage-1 leaf, MAIR index 1 = cacheable, 2 = device, SH inner
 * for cacheable and outer otherwise) follow Linux's io-pgtable-arm.
 */
class LpaeDescriptorGoldenTest {
    private static final LpaeGranule G4K = LpaeGranule.G4K;

    private static long s1(int prot) {
        return LpaeDescriptor.leafAttributes(false, prot, false, false);
    }

    private static long s2(int prot) {
        return LpaeDescriptor.leafAttributes(true, prot, false, false);
    }

    @Test
    void stage1ReadWritePageIsValidPageAfOuterShareableNonGlobalEl0() {
        // 0b11 page | AP[1]=1 (0x40) | SH=0b10 (0x200) | AF (0x400) | nG (0x800) | AttrIndx 0
        assertEquals(0x0000_0000_1234_5E43L, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, s1(READ | WRITE)));
    }

    @Test
    void stage1CacheableBlockUsesAttrIndx1InnerShareableAndBlockType() {
        // level 1 (Arm L2) 2 MiB block: type 0b01 | AttrIndx=1 (0x4) | AP 0x40 | SH=0b11 (0x300) | AF | nG
        assertEquals(0x0000_0000_4020_0F45L, LpaeDescriptor.leaf(G4K, 1, 0x4020_0000L, s1(READ | WRITE | CACHE)));
    }

    @Test
    void stage1ReadOnlyPrivilegedNoExecBlock() {
        // 1 GiB block: AP[2]=1 read-only (0x80), AP[1]=0 (privileged only), PXN|UXN (bits 53, 54)
        assertEquals(0x0060_0000_8000_0E81L, LpaeDescriptor.leaf(G4K, 2, 0x8000_0000L, s1(READ | NOEXEC | PRIV)));
    }

    @Test
    void stage1MmioUsesDeviceAttrIndx2() {
        assertEquals(0x0000_0000_1234_5E4BL, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, s1(READ | WRITE | MMIO)));
    }

    @Test
    void stage1DbmWritableStartsDirtyAndCleansBySettingApReadOnly() {
        // SMMUv3 3.13.3: DBM=1, AP[2]=0 writable-dirty; DBM=1, AP[2]=1 writable-clean.
        long dirty = LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, LpaeDescriptor.leafAttributes(false, READ | WRITE, true, false));
        assertEquals(0x0008_0000_1234_5E43L, dirty);
        assertTrue(LpaeDescriptor.isWriteDirty(false, dirty));
        long clean = LpaeDescriptor.writeClean(false, dirty);
        assertEquals(0x0008_0000_1234_5EC3L, clean);
        assertFalse(LpaeDescriptor.isWriteDirty(false, clean));
        assertEquals(dirty, LpaeDescriptor.writeDirty(false, clean));
    }

    @Test
    void stage1ReadOnlyMappingNeverGetsDbm() {
        long ro = LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, LpaeDescriptor.leafAttributes(false, READ, true, false));
        assertEquals(0x0000_0000_1234_5EC3L, ro);
        assertFalse(LpaeDescriptor.isWriteDirty(false, ro));
    }

    @Test
    void stage2ReadWriteCacheablePage() {
        // S2AP=0b11 (0xC0) | MemAttr=0b1111 (0x3C) | SH inner (0x300) | AF (0x400) | 0b11
        assertEquals(0x0000_0000_1234_57FFL, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, s2(READ | WRITE | CACHE)));
    }

    @Test
    void stage2ReadOnlyNonCacheablePage() {
        // S2AP=0b01 (0x40) | MemAttr=0b0101 (0x14) | SH outer (0x200) | AF
        assertEquals(0x0000_0000_1234_5657L, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, s2(READ)));
    }

    @Test
    void stage2DeviceAndForcedWriteBackMemAttr() {
        assertEquals(0x0000_0000_1234_56C7L, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L, s2(READ | WRITE | MMIO)));
        // FEAT_S2FWB: MemAttr 0b0110 forces Normal Write-Back (0x18)
        assertEquals(0x0000_0000_1234_57DBL, LpaeDescriptor.leaf(G4K, 0, 0x1234_5000L,
                LpaeDescriptor.leafAttributes(true, READ | WRITE | CACHE, false, true)));
    }

    @Test
    void stage2DbmDirtyIsS2apWriteSetAndCleanClearsIt() {
        long dirty = LpaeDescriptor.leaf(G4K, 1, 0x4020_0000L, LpaeDescriptor.leafAttributes(true, READ | WRITE | CACHE, true, false));
        assertEquals(0x0008_0000_4020_07FDL, dirty);
        assertTrue(LpaeDescriptor.isWriteDirty(true, dirty));
        long clean = LpaeDescriptor.writeClean(true, dirty);
        assertEquals(0x0008_0000_4020_077DL, clean);
        assertFalse(LpaeDescriptor.isWriteDirty(true, clean));
        assertEquals(dirty, LpaeDescriptor.writeDirty(true, clean));
    }

    @Test
    void tableDescriptorsAreValidTableAndAddressOnly() {
        assertEquals(0x0000_0000_8765_4003L, LpaeDescriptor.table(G4K, 0x8765_4000L, false));
        assertEquals(0x8000_0000_8765_4003L, LpaeDescriptor.table(G4K, 0x8765_4000L, true));
        assertEquals(0x0000_0001_2345_0003L, LpaeDescriptor.table(LpaeGranule.G64K, 0x1_2345_0000L, false));
        assertTrue(LpaeDescriptor.isTable(1, 0x8765_4003L));
        // at level 0 the same type bits mean "page"
        assertFalse(LpaeDescriptor.isTable(0, 0x8765_4003L));
        assertFalse(LpaeDescriptor.isTable(1, 0x4020_0F45L));
    }

    @Test
    void granule64kWith52BitOutputPutsOa51To48InBits15To12() {
        // D8.3 "OA[51:48]" field of 64KB-granule descriptors with FEAT_LPA
        long oa = 0x000F_1234_5678_0000L;
        long entry = LpaeDescriptor.leaf(LpaeGranule.G64K, 0, oa, s1(READ | WRITE));
        assertEquals(0x0000_1234_5678_FE43L, entry);
        assertEquals(oa, LpaeDescriptor.decodeOa(LpaeGranule.G64K, entry));
    }

    @Test
    void granule16kOutputAddressStartsAtBit14() {
        long entry = LpaeDescriptor.leaf(LpaeGranule.G16K, 0, 0x1234_4000L, s1(READ | WRITE));
        assertEquals(0x0000_0000_1234_4E43L, entry);
        assertEquals(0x1234_4000L, LpaeDescriptor.decodeOa(LpaeGranule.G16K, entry));
        assertEquals(0x0000_FFFF_FFFF_C000L, LpaeDescriptor.oaMask(LpaeGranule.G16K));
    }
}
