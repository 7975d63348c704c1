package org.iommufd4j.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every benchmark suite, in report order. The ones whose implementation has not landed are
 * declared with the parameters they will sweep, so the report and {@code --suite} know them now.
 */
public final class Suites {
    /** The store floor: always run, because every other figure is reported as a ratio to it. */
    public static final Suite FLOOR = new Suite("floor",
            "raw 8-byte stores into preallocated 4 KiB tables: the physical limit",
            "org.iommufd4j.bench.floor.StoreFloorBench", Suite.ChartMetric.PER_ENTRY,
            Map.of("tables", List.of("1", "512")), Map.of(), "");

    public static final Suite DISPATCH = new Suite("dispatch",
            "the ioctl path itself: IOMMU_DESTROY of a missing ID, IOAS_ALLOC + DESTROY, byte and typed API",
            "org.iommufd4j.bench.dispatch.IoctlDispatchBench", Suite.ChartMetric.PER_CALL,
            Map.of(), Map.of(), "");

    /**
     * Every format the loaded plugins export (the runner asks them; {@code --formats} filters), each
     * with its own page sizes ({@code FormatCatalog.pageSizes}); the lists below say what the
     * plugins of this build export, for the report while the suite is not compiled.
     */
    public static final Suite FORMATS = new Suite("formats",
            "each exported page-table format through the generic engine: map/unmap of 1 and of 256 pages per call, "
                    + "iova-to-phys, read-and-clear dirty over 1 GiB",
            "org.iommufd4j.bench.formats.PageTableFormatBench", Suite.ChartMetric.PER_ENTRY,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "amdv2", "vtd-ss-39", "vtd-ss-48", "vtd-ss-57", "x86-64-48",
                            "x86-64-57", "arm-lpae-s1-4k", "arm-lpae-s1-16k", "arm-lpae-s1-64k", "arm-lpae-s2-4k",
                            "arm-lpae-s2-16k", "arm-lpae-s2-64k", "mock", "mock-huge", "mock-grow"),
                    "page", List.of("2K", "4K", "16K", "64K", "1M", "2M", "32M", "512M", "1G")),
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss-48", "arm-lpae-s1-4k")),
            "the page-table engine (issue #6)");

    /**
     * 1 GiB through the byte ioctl API: IOAS_MAP, IOAS_UNMAP and IOAS_COPY with 0, 1 or 2 engine
     * domains of {@code format} in the IOAS; {@code backing} says whether the process's 4 KiB
     * frames are physically contiguous (the domain can use 2 MiB pages) or scattered (every 4 KiB
     * page is its own domain entry).
     */
    public static final Suite STACK = new Suite("stack",
            "IOMMU_IOAS_MAP/UNMAP/COPY of 1 GiB of 4 KiB process pages through the byte ioctl API, down to 0, 1 or 2 "
                    + "domains' page tables",
            "org.iommufd4j.bench.stack.IoasStackBench", Suite.ChartMetric.PER_CALL,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss-48", "arm-lpae-s1-4k"),
                    "domains", List.of("0", "1", "2"),
                    "backing", List.of("scattered", "contiguous")),
            Map.of(Suite.FORMAT_PARAM, List.of("vtd-ss-48"), "backing", List.of("scattered"), "domains", List.of("1", "0", "2")),
            "the IO address space (issue #3)");

    /**
     * Megamorphic call sites: the engine driven by several formats in one JVM. With
     * {@code others=none} the fork sees one format (the monomorphic baseline); with
     * {@code others=all} the trial setup first runs the same work over every other format of the
     * list, so the measured format meets call sites that have seen them all.
     */
    public static final Suite MIXED = new Suite("mixed",
            "several formats in one JVM: the same map+unmap and walk after the engine has run other formats, "
                    + "against the same fork with one format",
            "org.iommufd4j.bench.mixed.MixedFormatsBench", Suite.ChartMetric.PER_CALL,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss-48", "arm-lpae-s1-4k", "amdv2"),
                    "others", List.of("none", "all")),
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss-48", "arm-lpae-s1-4k")),
            "the page-table engine (issue #6)");

    /** All suites, in report order. */
    public static final List<Suite> ALL = List.of(FLOOR, DISPATCH, FORMATS, STACK, MIXED);

    private Suites() {
    }

    public static Optional<Suite> byName(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Suite names to suites, in order (for help and completion). */
    public static Map<String, Suite> byName() {
        Map<String, Suite> m = new LinkedHashMap<>();
        ALL.forEach(s -> m.put(s.name(), s));
        return m;
    }
}
