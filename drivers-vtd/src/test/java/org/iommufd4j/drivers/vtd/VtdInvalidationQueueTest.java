package org.iommufd4j.drivers.vtd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iommufd4j.drivers.vtd.pagetable.VtdSecondStageFormat;
import org.iommufd4j.drivers.vtd.qi.QiDescriptor;
import org.iommufd4j.drivers.vtd.qi.VtdUnit;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.StaleTranslation;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PageTableDomain;
import org.junit.jupiter.api.Test;

/**
 * The VT-d domain's flushes through the modelled invalidation queue: DMA through the unit's IOTLB
 * sees every unmap; a driver that drops the invalidation is caught serving a stale translation;
 * the queue wraps; a malformed descriptor is an Invalidation Queue Error.
 */
class VtdInvalidationQueueTest {
    private static final long PAGE = 4096;
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final DriverBugLog bugs = new DriverBugLog();

    private DmaRemapper deviceOn(VtdIommu iommu, VtdDomain domain) {
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
        for (boolean firstStage : new boolean[] {false, true}) {
            VtdIommu iommu = new VtdIommu(memory, 8);
            PageTableFormat f = firstStage ? new X8664Format(48, true, true) : VtdSecondStageFormat.of(4);
            VtdDomain domain = VtdDomain.create(iommu, new PageTable(f, memory), firstStage, false);
            DmaRemapper dma = deviceOn(iommu, domain);
            long pa = memory.allocate(1);
            memory.write(pa + PAGE, new byte[] {42}, 0, 1);
            domain.map(0x40_0000, pa, PAGE, 2, IommuProt.READ | IommuProt.WRITE);
            assertEquals(42, readByte(dma, 0x40_1000));
            long executed = iommu.unit().executed();
            domain.unmap(0x40_0000, PAGE, 2);
            // one page-selective invalidation covering both pages, then the wait
            assertEquals(executed + 2, iommu.unit().executed());
            DmaFault fault = assertThrows(DmaFault.class, () -> readByte(dma, 0x40_1000));
            assertEquals(DmaFault.Reason.NOT_PRESENT, fault.reason());
            assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
            assertTrue(iommu.unit().queueErrors().isEmpty());
            domain.free();
        }
    }

    @Test
    void aFlusherThatDropsTheInvalidationIsCaughtServingAStaleTranslation() {
        VtdIommu iommu = new VtdIommu(memory, 8);
        PageTable table = new PageTable(VtdSecondStageFormat.of(4), memory);
        VtdDomain domain = new VtdDomain(iommu, table, iommu.allocDid(), false, false, PageTableDomain.IotlbFlusher.NONE);
        DmaRemapper dma = deviceOn(iommu, domain);
        long pa = memory.allocate(0);
        memory.write(pa, new byte[] {7}, 0, 1);
        domain.map(0x1000, pa, PAGE, 1, IommuProt.READ);
        assertEquals(7, readByte(dma, 0x1000));
        domain.unmap(0x1000, PAGE, 1);
        // Hardware keeps serving its cached entry: the DMA still reaches the old page ...
        assertEquals(7, readByte(dma, 0x1000));
        // ... and the model says so.
        List<StaleTranslation> stale = bugs.staleTranslations();
        assertEquals(1, stale.size());
        assertEquals(domain.did(), stale.get(0).tag());
        assertEquals(0x1000, stale.get(0).iova());
        assertNull(stale.get(0).current());
    }

    @Test
    void largeRangesUseOneDomainSelectiveInvalidation() {
        VtdIommu iommu = new VtdIommu(memory, 8);
        VtdDomain domain = VtdDomain.create(iommu, new PageTable(VtdSecondStageFormat.of(4), memory), false, false);
        DmaRemapper dma = deviceOn(iommu, domain);
        long pa = memory.allocate(0);
        // Two pages 2^40 apart: the covering block's mask exceeds CAP.MAMV.
        domain.map(0, pa, PAGE, 1, IommuProt.READ);
        domain.map(1L << 40, pa, PAGE, 1, IommuProt.READ);
        readByte(dma, 0);
        readByte(dma, 1L << 40);
        assertArrayEquals(new long[] {0, 29}, VtdIommu.psiAlignedAddress(0, (1L << 40) + PAGE - 1));
        PageTableDomain.IotlbFlusher real = iommu.flusherFor(domain.did(), false);
        assertEquals(2, iommu.unit().iotlb().size());
        org.iommufd4j.pt.IotlbGather g = new org.iommufd4j.pt.IotlbGather();
        g.add(0, (1L << 40) + PAGE);
        real.flush(g);
        assertEquals(0, iommu.unit().iotlb().size(), "the DSI dropped every entry of the DID");
    }

    @Test
    void psiCoversTheRangeWithTheSmallestAlignedBlock() {
        assertArrayEquals(new long[] {0x1000, 0}, VtdIommu.psiAlignedAddress(0x1000, 0x1fff));
        // 2 pages straddling a 4-page boundary need the 16 KiB block at 0
        assertArrayEquals(new long[] {0, 2}, VtdIommu.psiAlignedAddress(0x1000, 0x2fff));
        assertArrayEquals(new long[] {0x20_0000, 9}, VtdIommu.psiAlignedAddress(0x20_0000, 0x3f_ffff));
        assertArrayEquals(new long[] {0, 3}, VtdIommu.psiAlignedAddress(0x3000, 0x4fff));
    }

    @Test
    void theQueueWrapsAndKeepsTheIotlbCoherent() {
        VtdIommu iommu = new VtdIommu(memory, 3); // 8 descriptors of 256 bits
        VtdDomain domain = VtdDomain.create(iommu, new PageTable(VtdSecondStageFormat.of(4), memory), false, false);
        DmaRemapper dma = deviceOn(iommu, domain);
        long[] pages = {memory.allocate(0), memory.allocate(0)};
        memory.write(pages[0], new byte[] {1}, 0, 1);
        memory.write(pages[1], new byte[] {2}, 0, 1);
        for (int round = 0; round < 21; round++) {
            // remap the same IOVA to alternating pages: a missed invalidation would serve the old one
            domain.map(0x5000, pages[round & 1], PAGE, 1, IommuProt.READ);
            assertEquals((round & 1) + 1, readByte(dma, 0x5000));
            domain.unmap(0x5000, PAGE, 1);
        }
        assertTrue(iommu.unit().queue().head() > 4L * iommu.unit().queue().capacity(), "the ring wrapped several times");
        assertEquals(0, iommu.unit().queue().pending());
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
        assertTrue(iommu.unit().queueErrors().isEmpty());
    }

    @Test
    void aMalformedDescriptorIsAnInvalidationQueueErrorAndTheQueueRecovers() {
        VtdIommu iommu = new VtdIommu(memory, 8);
        VtdUnit unit = iommu.unit();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(new long[] {0xf, 0}));
        assertTrue(e.getMessage().contains("type 0xf"), e.getMessage());
        assertEquals(1, unit.queueErrors().size());
        assertEquals(0, unit.faultStatus() & VtdUnit.FSTS_IQE, "the driver cleared IQE after repairing the slot");
        assertEquals(0, unit.queue().pending());

        // A page-selective invalidation whose address is not aligned to its mask.
        assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(QiDescriptor.iotlbPage(3, 0x1000, 1, false, false, false)));
        assertTrue(unit.queueErrors().get(1).reason().contains("not aligned"), unit.queueErrors().get(1).reason());
        // Reserved bits in qw0 of an IOTLB descriptor.
        assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(new long[] {QiDescriptor.iotlbDomain(3, false, false)[0] | 1L << 40, 0}));
        // A mask beyond CAP.MAMV.
        assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(QiDescriptor.iotlbPage(3, 0, VtdUnit.MAMV + 1, false, false, false)));
        assertEquals(4, unit.queueErrors().size());

        // The queue works again.
        long before = unit.executed();
        iommu.queue().submitSync(QiDescriptor.iotlbGlobal(true, true));
        assertEquals(before + 2, unit.executed());
    }

    @Test
    void theHardwareHaltsOnTheBadDescriptorUntilIqeIsCleared() {
        VtdUnit unit = new VtdUnit(memory, 4, false, 16);
        unit.queue().submit(QiDescriptor.iotlbGlobal(false, false));
        unit.queue().submit(0x2 /* IOTLB with granularity 0 */, 0);
        unit.queue().submit(QiDescriptor.iotlbGlobal(false, false));
        unit.writeTail();
        assertEquals(VtdUnit.FSTS_IQE, unit.faultStatus() & VtdUnit.FSTS_IQE);
        assertEquals(1, unit.queue().head(), "IQH is on the bad descriptor");
        assertEquals(1, unit.executed());
        assertTrue(unit.queueErrors().get(0).reason().contains("granularity 0"));
        unit.writeTail();
        assertEquals(1, unit.executed(), "nothing runs while IQE is set");
        unit.clearQueueError();
        unit.writeTail();
        assertFalse(unit.queueErrors().isEmpty());
        assertEquals(1, unit.queue().head(), "the unrepaired descriptor faults again");
    }
}
