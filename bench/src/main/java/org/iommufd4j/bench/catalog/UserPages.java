package org.iommufd4j.bench.catalog;

import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;

/** A process's memory prepared for IOAS_MAP: every page faulted in (frames exist) without writing its bytes. */
public final class UserPages {
    private UserPages() {
    }

    /**
     * Faults the pages of [va, va+length) in, without touching their contents (no heap for them).
     * {@code contiguous}: in order, so the frames are physically contiguous and a domain can use
     * large pages; {@code scattered}: in reverse order, so no two neighbouring pages are
     * contiguous and every 4 KiB page becomes its own domain entry.
     */
    public static void fault(SimProcess process, long va, long length, String backing) {
        PhysicalMemory memory = process.memory();
        int pages = (int) (length >>> PhysicalMemory.PAGE_SHIFT);
        switch (backing) {
            case "contiguous":
                for (long pfn : process.pinPages(va, pages, true)) {
                    memory.unpinFrame(pfn);
                }
                break;
            case "scattered":
                for (int i = pages - 1; i >= 0; i--) {
                    memory.unpinFrame(process.pinPages(va + ((long) i << PhysicalMemory.PAGE_SHIFT), 1, true)[0]);
                }
                break;
            default:
                throw new IllegalArgumentException("backing=" + backing + " is not 'contiguous' or 'scattered'");
        }
    }
}
