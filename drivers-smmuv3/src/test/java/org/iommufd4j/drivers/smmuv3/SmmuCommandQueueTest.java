package org.iommufd4j.drivers.smmuv3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iommufd4j.drivers.smmuv3.cmdq.CmdqCommand;
import org.iommufd4j.drivers.smmuv3.cmdq.SmmuUnit;
import org.iommufd4j.drivers.smmuv3.pagetable.ArmLpaeFormat;
import org.iommufd4j.drivers.smmuv3.pagetable.LpaeGranule;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.StaleTranslation;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PageTableDomain;
import org.junit.jupiter.api.Test;

/**
 * The SMMUv3 domain's flushes through the modelled command queue: DMA through the SMMU's TLB
 * sees every unmap (stage 1 by ASID, stage 2 by VMID); a driver that drops the invalidation is
 * caught serving a stale translation; the queue wraps; an illegal command is CERROR_ILL.
 */
class SmmuCommandQueueTest {
    private static final long PAGE = 4096;
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final DriverBugLog bugs = new DriverBugLog();

    private SmmuDomain domain(SmmuIommu iommu, ArmLpaeFormat f) {
        return SmmuDomain.create(iommu, new PageTable(f, memory), (1L << f.vaBits()) - 1);
    }

    private DmaRemapper deviceOn(SmmuIommu iommu, SmmuDomain domain) {
        DmaRemapper dma = new DmaRemapper(memory, iommu.unit().iotlb(), bugs);
        dma.attach(TranslationRoot.of(domain.pageTable(), domain.iotlbTag()));
        return dma;
    }

    private static int readByte(DmaRemapper dma, long iova) {
        byte[] b = new byte[1];
        dma.read(iova, b, 0, 1);
        return b[0];
    }

    @Test
    void unmapThroughTheQueueLeavesNothingStaleAndTheDmaFaults() {
        ArmLpaeFormat[] formats = {ArmLpaeFormat.stage1(LpaeGranule.G4K), ArmLpaeFormat.stage2(LpaeGranule.G4K, 48),
            ArmLpaeFormat.stage1(LpaeGranule.G16K)};
        for (ArmLpaeFormat f : formats) {
            SmmuIommu iommu = new SmmuIommu(memory, 8);
            SmmuDomain domain = domain(iommu, f);
            DmaRemapper dma = deviceOn(iommu, domain);
            long page = Long.lowestOneBit(domain.pgsizeBitmap());
            long pa = memory.allocate(Long.numberOfTrailingZeros(page) - 12 + 2);
            memory.write(pa + 3 * page, new byte[] {42}, 0, 1);
            for (int i = 0; i < 4; i++) {
                domain.map(0x4000_0000L + i * page, pa + i * page, page, 1, IommuProt.READ | IommuProt.WRITE);
                readByte(dma, 0x4000_0000L + i * page);
            }
            assertEquals(42, readByte(dma, 0x4000_0000L + 3 * page), f.name());
            long executed = iommu.unit().executed();
            domain.unmap(0x4000_0000L + 2 * page, page, 2);
            assertEquals(executed + 2, iommu.unit().executed(), f.name() + ": one range TLBI and CMD_SYNC");
            DmaFault fault = assertThrows(DmaFault.class, () -> readByte(dma, 0x4000_0000L + 3 * page));
            assertEquals(DmaFault.Reason.NOT_PRESENT, fault.reason());
            readByte(dma, 0x4000_0000L + page);
            assertTrue(bugs.isEmpty(), () -> f.name() + ": " + bugs.staleTranslations());
            assertTrue(iommu.unit().errors().isEmpty(), () -> f.name() + ": " + iommu.unit().errors());
            domain.free();
            assertEquals(0, iommu.unit().iotlb().size(), f.name() + ": freeing the domain dropped its ASID/VMID");
        }
    }

    @Test
    void aFlusherThatDropsTheInvalidationIsCaughtServingAStaleTranslation() {
        SmmuIommu iommu = new SmmuIommu(memory, 8);
        ArmLpaeFormat f = ArmLpaeFormat.stage1(LpaeGranule.G4K);
        SmmuDomain domain = new SmmuDomain(iommu, new PageTable(f, memory), (1L << 48) - 1, iommu.allocId(), false,
                PageTableDomain.IotlbFlusher.NONE);
        DmaRemapper dma = deviceOn(iommu, domain);
        long pa = memory.allocate(0);
        memory.write(pa, new byte[] {7}, 0, 1);
        domain.map(0x1000, pa, PAGE, 1, IommuProt.READ);
        assertEquals(7, readByte(dma, 0x1000));
        domain.unmap(0x1000, PAGE, 1);
        assertEquals(7, readByte(dma, 0x1000), "the SMMU still serves its cached entry");
        List<StaleTranslation> stale = bugs.staleTranslations();
        assertEquals(1, stale.size());
        assertEquals(domain.id(), stale.get(0).tag());
        assertNull(stale.get(0).current());
    }

    @Test
    void rangeCommandsFollowLinuxAndCoverTheRange() {
        IotlbGather g = new IotlbGather();
        g.add(0x1000, PAGE);
        // a lone 4K page: count bumped to 2 so NUM=0, SCALE=1 (TTL=0 with SCALE=NUM=0 is reserved)
        long[][] one = SmmuIommu.rangeCommands(5, false, 12, g);
        assertEquals(1, one.length);
        assertArrayEquals(CmdqCommand.tlbiNhVa(0, 5, 0x1000, true, 0, 1, 0, 1), one[0]);
        // 65 pages → bumped to 66 = 2 pages at 0, then 64 pages (NUM 0, SCALE 6) at 0x2000
        g.reset();
        g.add(0, 65 * PAGE);
        long[][] two = SmmuIommu.rangeCommands(9, true, 12, g);
        assertEquals(2, two.length);
        assertArrayEquals(CmdqCommand.tlbiS2Ipa(9, 0, true, 0, 1, 0, 1), two[0]);
        assertArrayEquals(CmdqCommand.tlbiS2Ipa(9, 0x2000, true, 0, 1, 0, 6), two[1]);
        // 31 pages of 64K: one command NUM 30 SCALE 0, TG 3
        g.reset();
        g.add(0x10_0000, 31 * 0x1_0000L);
        assertArrayEquals(new long[][] {CmdqCommand.tlbiNhVa(0, 2, 0x10_0000, true, 0, 3, 30, 0)},
                SmmuIommu.rangeCommands(2, false, 16, g));
        // the whole address space: the ASID / VMID
        g.reset();
        g.add(0, 0);
        g.add(-PAGE, PAGE);
        assertArrayEquals(new long[][] {CmdqCommand.tlbiNhAsid(0, 4)}, SmmuIommu.rangeCommands(4, false, 12, g));
        assertArrayEquals(new long[][] {CmdqCommand.tlbiS12Vmall(4)}, SmmuIommu.rangeCommands(4, true, 12, g));
    }

    @Test
    void theQueueWrapsAndKeepsTheTlbCoherent() {
        SmmuIommu iommu = new SmmuIommu(memory, 3);
        SmmuDomain domain = domain(iommu, ArmLpaeFormat.stage1(LpaeGranule.G4K));
        DmaRemapper dma = deviceOn(iommu, domain);
        long[] pages = {memory.allocate(0), memory.allocate(0)};
        memory.write(pages[0], new byte[] {1}, 0, 1);
        memory.write(pages[1], new byte[] {2}, 0, 1);
        for (int round = 0; round < 21; round++) {
            domain.map(0x5000, pages[round & 1], PAGE, 1, IommuProt.READ);
            assertEquals((round & 1) + 1, readByte(dma, 0x5000));
            domain.unmap(0x5000, PAGE, 1);
        }
        assertTrue(iommu.unit().queue().head() > 4L * iommu.unit().queue().capacity());
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
        assertTrue(iommu.unit().errors().isEmpty());
    }

    @Test
    void anIllegalCommandIsCerrorIllAndTheDriverSkipsIt() {
        SmmuIommu iommu = new SmmuIommu(memory, 8);
        SmmuUnit unit = iommu.unit();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(new long[] {0x7f, 0}));
        assertTrue(e.getMessage().contains("opcode 0x7f"), e.getMessage());
        assertEquals(SmmuUnit.CERROR_ILL, unit.errors().get(0).cerror());
        assertEquals(SmmuUnit.CERROR_NONE, unit.consErr(), "the driver acknowledged the error");
        // TG != 0 with TTL = SCALE = NUM = 0 is reserved
        assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(CmdqCommand.tlbiNhVa(0, 1, 0x1000, true, 0, 1, 0, 0)));
        assertTrue(unit.errors().get(1).reason().contains("reserved"), unit.errors().get(1).reason());
        // a reserved bit in CMD_CFGI_STE word 1
        assertThrows(IllegalStateException.class, () -> iommu.queue().submitSync(new long[] {0x3, 2}));
        assertEquals(3, unit.errors().size());
        long before = unit.executed();
        iommu.queue().submitSync(CmdqCommand.tlbiNhAsid(0, 1));
        assertEquals(before + 2, unit.executed());
    }

    @Test
    void theSmmuStopsOnTheIllegalCommandUntilAcknowledged() {
        SmmuUnit unit = new SmmuUnit(memory, 4, 16);
        unit.queue().submit(CmdqCommand.tlbiS12Vmall(1));
        unit.queue().submit(CmdqCommand.sync(3, 0, 0, 0, 0)); // CS=3 is reserved
        unit.queue().submit(CmdqCommand.tlbiS12Vmall(1));
        unit.writeProd();
        assertTrue(unit.commandQueueError());
        assertEquals(SmmuUnit.CERROR_ILL, unit.consErr());
        assertEquals(1, unit.queue().head(), "CONS stays on the bad command");
        unit.writeProd();
        assertEquals(1, unit.executed(), "nothing runs until GERRORN acknowledges");
    }
}
