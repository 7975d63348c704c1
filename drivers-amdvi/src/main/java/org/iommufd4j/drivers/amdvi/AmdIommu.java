package org.iommufd4j.drivers.amdvi;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iommufd4j.drivers.amdvi.cmdbuf.AmdCommand;
import org.iommufd4j.drivers.amdvi.cmdbuf.AmdViUnit;
import org.iommufd4j.drivers.amdvi.cmdbuf.CommandQueue;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The driver's view of one AMD IOMMU (Linux {@code struct amd_iommu}): its hardware model, the
 * command buffer, the protection-domain id allocator, and the flushes of Linux iommu.c issued
 * through the command buffer.
 */
final class AmdIommu {
    /** Linux pdom_id_alloc: DomainID 0 is never handed out. */
    static final int FIRST_DOMAIN_ID = 1;
    private static final int IOTLB_ENTRIES = 512;

    private final AmdViUnit unit;
    private final CommandQueue queue;
    private final BitSet ids = new BitSet();

    AmdIommu(PhysicalMemory memory, int log2Entries) {
        this.unit = new AmdViUnit(memory, log2Entries, IOTLB_ENTRIES);
        this.queue = new CommandQueue(unit, memory);
    }

    AmdViUnit unit() {
        return unit;
    }

    CommandQueue queue() {
        return queue;
    }

    synchronized int allocDomainId() {
        int id = ids.nextClearBit(FIRST_DOMAIN_ID);
        if (id >= AmdViUnit.DOMAIN_IDS) {
            throw new IommufdException(Errno.ENOSPC, "amdvi: all " + (AmdViUnit.DOMAIN_IDS - FIRST_DOMAIN_ID)
                    + " domain ids are in use");
        }
        ids.set(id);
        return id;
    }

    synchronized void freeDomainId(int id) {
        ids.clear(id);
    }

    /**
     * Linux amd_iommu_iotlb_sync → amd_iommu_domain_flush_pages: one INVALIDATE_IOMMU_PAGES whose
     * S-bit encoding covers the gathered range (whole domain when it passes bit 51), PDE set, then
     * the completion wait (domain_flush_complete).
     */
    PageTableDomain.IotlbFlusher flusherFor(int domainId) {
        return gather -> flushPages(domainId, gather);
    }

    void flushPages(int domainId, IotlbGather gather) {
        queue.submitSync(AmdCommand.invalidateIommuPages(domainId, gather.start(), gather.last() - gather.start() + 1, true));
    }

    /** amd_iommu_domain_flush_all: the whole address space of {@code domainId}. */
    void flushDomain(int domainId) {
        queue.submitSync(AmdCommand.invalidateIommuPages(domainId, 0, AmdCommand.ALL_PAGES_ADDRESS, true));
    }

    /** device_flush_dte after a DTE update. */
    void flushDte(int deviceId) {
        queue.submitSync(AmdCommand.invalidateDevtabEntry(deviceId));
    }

    /** do_detach: clear the DTE and flush it, then flush everything the old domain cached. */
    void flushDetach(int deviceId, int oldDomainId) {
        queue.submitSync(AmdCommand.invalidateDevtabEntry(deviceId),
                AmdCommand.invalidateIommuPages(oldDomainId, 0, AmdCommand.ALL_PAGES_ADDRESS, true));
    }

    private static final Pattern BDF = Pattern.compile("(?:[0-9a-fA-F]{4}:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\\.([0-7])");

    /** The 16-bit DeviceID (bus << 8 | devfn) of a PCI name {@code dddd:bb:dd.f}, else 0. */
    static int deviceId(String name) {
        Matcher m = BDF.matcher(name);
        if (!m.matches()) {
            return 0;
        }
        int dev = Integer.parseInt(m.group(2), 16);
        return dev > 31 ? 0 : Integer.parseInt(m.group(1), 16) << 8 | dev << 3 | Integer.parseInt(m.group(3));
    }
}
