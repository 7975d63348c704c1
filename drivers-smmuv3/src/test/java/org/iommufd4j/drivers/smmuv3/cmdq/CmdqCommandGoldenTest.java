package org.iommufd4j.drivers.smmuv3.cmdq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Raw command words for given fields, laid out by hand from IHI 0070 §4 / Linux arm-smmu-v3.h. */
class CmdqCommandGoldenTest {
    @Test
    void cfgiSte() {
        // opcode 0x03 | SID 0x10 at 63:32; word 1 LEAF
        assertArrayEquals(new long[] {0x0000_0010_0000_0003L, 1}, CmdqCommand.cfgiSte(0x10, true));
        assertArrayEquals(new long[] {0xffff_ffff_0000_0003L, 0}, CmdqCommand.cfgiSte(-1, false));
    }

    @Test
    void asidAndVmidWideInvalidations() {
        assertArrayEquals(new long[] {0x1234_0000_0000_0011L, 0}, CmdqCommand.tlbiNhAsid(0, 0x1234));
        assertArrayEquals(new long[] {0x1234_0009_0000_0011L, 0}, CmdqCommand.tlbiNhAsid(9, 0x1234));
        assertArrayEquals(new long[] {0x0000_0007_0000_0028L, 0}, CmdqCommand.tlbiS12Vmall(7));
    }

    @Test
    void tlbiNhVa() {
        // NUM 1 at 16:12, ASID 5 at 63:48; word 1 LEAF | TTL 3 at 9:8 | TG 1 at 11:10 | VA
        assertArrayEquals(new long[] {0x0005_0000_0000_1012L, 0x0000_0000_1234_5701L},
                CmdqCommand.tlbiNhVa(0, 5, 0x1234_5000L, true, 3, 1, 1, 0));
        // every range field at its maximum: NUM 31, SCALE 31 at 24:20, VMID and ASID 0xffff
        assertArrayEquals(new long[] {0xffff_ffff_01f1_f012L, 0xffff_ffff_ffff_f000L},
                CmdqCommand.tlbiNhVa(0xffff, 0xffff, -1L, false, 0, 0, 31, 31));
    }

    @Test
    void tlbiS2Ipa() {
        // NUM 2, SCALE 4, VMID 3; word 1 TG 3 (64K) | IPA 51:12 (bits above 51 dropped)
        assertArrayEquals(new long[] {0x0000_0003_0040_202aL, 0x0000_0000_8000_0c00L},
                CmdqCommand.tlbiS2Ipa(3, 0x8000_0000L, false, 0, 3, 2, 4));
        assertArrayEquals(new long[] {0x0000_0001_0000_002aL, 0x000f_ffff_ffff_f401L},
                CmdqCommand.tlbiS2Ipa(1, -1L, true, 0, 1, 0, 0));
    }

    @Test
    void cmdSync() {
        // CS=IRQ at 13:12, MSH=ISH at 23:22, MSIATTR=OIWB at 27:24, MSIDATA 0; word 1 MSIADDR 51:2
        assertArrayEquals(new long[] {0x0000_0000_0fc0_1046L, 0x0000_0000_0001_2340L}, CmdqCommand.syncWithMsi(0x1_2340L));
        assertArrayEquals(new long[] {0xdead_beef_0000_2046L, 0}, CmdqCommand.sync(CmdqCommand.CS_SEV, 0, 0, 0xdead_beef, 0));
    }

    @Test
    void fieldsThatDoNotFitAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CmdqCommand.tlbiNhAsid(0, 0x1_0000));
        assertThrows(IllegalArgumentException.class, () -> CmdqCommand.tlbiNhVa(0, 1, 0, true, 0, 1, 32, 0));
        assertThrows(IllegalArgumentException.class, () -> CmdqCommand.tlbiS2Ipa(1, 0, true, 4, 1, 0, 0));
    }
}
