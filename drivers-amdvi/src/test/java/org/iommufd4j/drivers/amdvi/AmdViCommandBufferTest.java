package org.iommufd4j.drivers.amdvi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iommufd4j.drivers.amdvi.cmdbuf.AmdCommand;
import org.iommufd4j.drivers.amdvi.cmdbuf.AmdViUnit;
import org.iommufd4j.drivers.amdvi.pagetable.AmdV1Format;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.StaleTranslation;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.spi.PageTableDomain;
import org.junit.jupiter.api.Test;

/**
 * The AMD-Vi domain's flushes through the modelled command buffer: DMA through the IOMMU's IOTLB
 * sees every unmap; a driver that drops the invalidation is caught serving a stale translation;
 * the buffer wraps; an illegal command is logged and halts the buffer.
 */
class AmdViCommandBufferTest {
    private static final long PAGE = 4096;
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final DriverBugLog bugs = new DriverBugLog();

    private AmdDomain domain(AmdIommu iommu, PageTableDomain.IotlbFlusher flusher) {
        int id = iommu.allocDomainId();
        PageTable table = new PageTable(AmdV1Format.linuxDefault(), memory);
        return new AmdDomain(iommu, table, id, flusher == null ? iommu.flusherFor(id) : flusher);
    }

    private DmaRemapper deviceOn(AmdIommu iommu, AmdDomain domain) {
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
    void unmapThroughTheCommandBufferLeavesNothingStaleAndTheDmaFaults() {
        AmdIommu iommu = new AmdIommu(memory, 9);
        AmdDomain domain = domain(iommu, null);
        DmaRemapper dma = deviceOn(iommu, domain);
        long pa = memory.allocate(2);
        memory.write(pa + 3 * PAGE, new byte[] {42}, 0, 1);
        // two maps, so the v1 engine's 8 KiB pages let the second be unmapped alone
        domain.map(0x40_0000, pa, PAGE, 2, IommuProt.READ | IommuProt.WRITE);
        domain.map(0x40_2000, pa + 2 * PAGE, PAGE, 2, IommuProt.READ | IommuProt.WRITE);
        for (int i = 0; i < 4; i++) {
            readByte(dma, 0x40_0000 + i * PAGE);
        }
        assertEquals(42, readByte(dma, 0x40_3000));
        long executed = iommu.unit().executed();
        domain.unmap(0x40_2000, PAGE, 2);
        assertEquals(executed + 2, iommu.unit().executed(), "INVALIDATE_IOMMU_PAGES and COMPLETION_WAIT");
        DmaFault fault = assertThrows(DmaFault.class, () -> readByte(dma, 0x40_3000));
        assertEquals(DmaFault.Reason.NOT_PRESENT, fault.reason());
        readByte(dma, 0x40_0000);
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
        assertTrue(iommu.unit().eventLog().isEmpty());
        domain.free();
        assertEquals(0, iommu.unit().iotlb().size(), "freeing the domain flushed its DomainID");
    }

    @Test
    void aFlusherThatDropsTheInvalidationIsCaughtServingAStaleTranslation() {
        AmdIommu iommu = new AmdIommu(memory, 9);
        AmdDomain domain = domain(iommu, PageTableDomain.IotlbFlusher.NONE);
        DmaRemapper dma = deviceOn(iommu, domain);
        long pa = memory.allocate(0);
        memory.write(pa, new byte[] {7}, 0, 1);
        domain.map(0x1000, pa, PAGE, 1, IommuProt.READ);
        assertEquals(7, readByte(dma, 0x1000));
        domain.unmap(0x1000, PAGE, 1);
        assertEquals(7, readByte(dma, 0x1000), "the IOMMU still serves its cached entry");
        List<StaleTranslation> stale = bugs.staleTranslations();
        assertEquals(1, stale.size());
        assertEquals(domain.domainId(), stale.get(0).tag());
        assertNull(stale.get(0).current());
    }

    @Test
    void theBufferWrapsAndKeepsTheIotlbCoherent() {
        AmdIommu iommu = new AmdIommu(memory, 3);
        AmdDomain domain = domain(iommu, null);
        DmaRemapper dma = deviceOn(iommu, domain);
        long[] pages = {memory.allocate(0), memory.allocate(0)};
        memory.write(pages[0], new byte[] {1}, 0, 1);
        memory.write(pages[1], new byte[] {2}, 0, 1);
        for (int round = 0; round < 21; round++) {
            domain.map(0x5000, pages[round & 1], PAGE, 1, IommuProt.READ);
            assertEquals((round & 1) + 1, readByte(dma, 0x5000));
            domain.unmap(0x5000, PAGE, 1);
        }
        assertTrue(iommu.unit().commandBuffer().head() > 4L * iommu.unit().commandBuffer().capacity());
        assertTrue(bugs.isEmpty(), () -> bugs.staleTranslations().toString());
        assertTrue(iommu.unit().eventLog().isEmpty());
    }

    @Test
    void anIllegalCommandIsLoggedHaltsTheBufferAndTheDriverRecovers() {
        AmdIommu iommu = new AmdIommu(memory, 9);
        AmdViUnit unit = iommu.unit();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> iommu.queue().submitSync(new long[] {0xfL << 60, 0}));
        assertTrue(e.getMessage().contains("opcode 0xf"), e.getMessage());
        assertEquals(AmdViUnit.EVENT_ILLEGAL_COMMAND, unit.eventLog().get(0).code());
        assertTrue(unit.commandBufferRunning(), "the driver restarted the buffer");
        // Reserved bits of INVALIDATE_IOMMU_PAGES (data[2] bit 3) and a PASID without GN.
        long[] pages = AmdCommand.invalidateIommuPages(3, 0x1000, 4096, true);
        assertThrows(IllegalStateException.class, () -> iommu.queue().submitSync(new long[] {pages[0], pages[1] | 1L << 3}));
        assertThrows(IllegalStateException.class, () -> iommu.queue().submitSync(new long[] {pages[0] | 5, pages[1]}));
        assertEquals(3, unit.eventLog().size());
        long before = unit.executed();
        iommu.queue().submitSync(AmdCommand.invalidateIommuAll());
        assertEquals(before + 2, unit.executed());
    }

    @Test
    void theHardwareHaltsOnTheIllegalCommand() {
        AmdViUnit unit = new AmdViUnit(memory, 4, 16);
        unit.commandBuffer().submit(AmdCommand.invalidateIommuAll());
        unit.commandBuffer().submit(AmdCommand.invalidateDevtabEntry(1)[0] | 1L << 20, 0);
        unit.commandBuffer().submit(AmdCommand.invalidateIommuAll());
        unit.writeTail();
        assertFalse(unit.commandBufferRunning());
        assertEquals(1, unit.executed());
        assertEquals(unit.commandBuffer().slotPa(1), unit.eventLog().get(0).commandPa());
        unit.writeTail();
        assertEquals(1, unit.executed(), "nothing runs while halted");
    }
}
