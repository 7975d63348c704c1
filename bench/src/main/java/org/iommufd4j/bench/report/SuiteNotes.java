package org.iommufd4j.bench.report;

import org.iommufd4j.bench.Suite;
import org.iommufd4j.bench.Suites;

/** How each suite measures, said under its table, so the figures can be read for what they are. */
final class SuiteNotes {
    private SuiteNotes() {
    }

    static String of(Suite suite) {
        if (suite == Suites.FORMATS) {
            return """
                    How this suite measures:

                    - **map/unmap are measured one call at a time on a steady state.** A map changes the table, so the
                      same call cannot be repeated in a loop. Each invocation of `map*`/`unmap*` makes 256 calls, each
                      on its own slot (256 slots of 1 or 256 pages), and an untimed `@Setup(Level.Invocation)` empties
                      (for map) or fills (for unmap) all slots before the next invocation. The figure is the
                      invocation's time / 256 (`@OperationsPerInvocation(256)`): one map or one unmap, with the caches
                      as warm as a loop of calls over 256 different slots leaves them, plus 1/256 of the timer's own
                      cost.
                    - **Tables exist already.** Slots smaller than a table share tables whose first item holds an
                      anchor page that stays mapped, so no call allocates or frees a table, as in Linux's figures for 1
                      and 256 pages. Calls that cover whole tables (256 x 64K with 4K tables, 256 x 2M with 512-entry
                      level-1 tables ...) are laid end to end and allocate and free the tables they cover.
                    - **Leaves of exactly the page size.** Each call maps IOVA to IOVA + one page, so IOVA and PA never
                      share an alignment above the page size; with equal alignments the engine (like Linux's iommu_map)
                      would fuse runs into larger or contiguous pages.
                    - **Pages swept per format:** each leaf level's page size and its largest contiguous size, up to
                      1 GiB, where 256 slots of 256 pages fit the format's IOVA space (`--quick`: the smallest only).
                    - `iovaToPhys` walks addresses spread over the 256 x 256-page slots; `readAndClearDirty` reads and
                      clears 1 GiB of `page` leaves of which 1 in 512 is dirty, re-dirtied by one 8-byte store each at
                      the start of the call (formats without dirty tracking are not run).
                    - The chart shows the calls that write entries at each format's smallest page, per entry; the
                      table has every page size.

                    """;
        }
        if (suite == Suites.STACK) {
            return """
                    How this suite measures: each call is one ioctl through the byte API (`ctx.ioctl(cmd, ByteBuffer)`)
                    on 1 GiB (262,144 pages of 4 KiB) of a process whose pages were faulted in beforehand; an untimed
                    `@Setup(Level.Invocation)` restores the state between calls (a call takes milliseconds, so the timer's
                    own cost does not matter). **Domains come from devices attached through the device API**: devices
                    of the driver that exports `format` are bound to the context; the first is attached to the IOAS (its
                    automatic HWPT), a second to a HWPT_PAGING allocated on the IOAS with IOMMU_HWPT_ALLOC. With 0 domains
                    IOAS_MAP pins nothing (as in Linux). `backing=scattered`: the process's frames are in reverse order,
                    so each 4 KiB page is its own domain map call and leaf; `contiguous`: frames in order, so the
                    io_pagetable passes long runs and the engine may use larger pages where IOVA and PA alignments
                    agree. IOAS_COPY copies the mapped 1 GiB into a second IOAS with as many domains. "Entries per call"
                    counts the call's 4 KiB pages; with 0 domains no page-table entry is written, so those rows' per-entry
                    and floor columns only say how little the call costs.

                    """;
        }
        if (suite == Suites.MIXED) {
            return """
                    How this suite measures: with `others=none` the fork only ever runs `format`; with `others=all` its
                    trial setup first runs the same work (30,000 map/unmap pairs and walks each) over every other format
                    of the pool the plugins export (amdv1, amdv2, vtd-ss-48, x86-64-48, arm-lpae-s1-4k, arm-lpae-s2-4k,
                    arm-lpae-s1-64k, mock), one after the other, and then measures `format`: the engine's call sites have
                    seen all of them. The ratio below is `all` ÷ `none` (above 1: slower after other formats).

                    """;
        }
        return "";
    }
}
