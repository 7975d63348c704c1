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
     * For the implementer: sweep {@code @Param("format")}, {@code @Param("op")} and
     * {@code @Param("size")} with these values and annotate the method
     * {@code @ReportAs(call = "...", entriesParam = "size", linux = "{op}.{size}")}: the report then
     * finds Linux's figure for every combination (262144x4K is 1 GiB as 4 KiB pages).
     */
    public static final Suite FORMATS = new Suite("formats",
            "each page-table format's map and unmap through the generic engine, against the floor and Linux generic_pt",
            "org.iommufd4j.bench.formats.PageTableFormatBench", Suite.ChartMetric.PER_CALL,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "amdv2", "vtd-ss", "vtd-fs", "arm-lpae-s1", "arm-lpae-s2"),
                    "op", List.of("map", "unmap"),
                    "size", List.of("1x4K", "256x4K", "256x2M", "262144x4K")),
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss", "arm-lpae-s1"), "size", List.of("1x4K", "256x4K")),
            "the page-table engine (issue #6)");

    public static final Suite STACK = new Suite("stack",
            "IOMMU_IOAS_MAP/UNMAP through the ioctl API down to a domain's page table: the whole stack",
            "org.iommufd4j.bench.stack.IoasStackBench", Suite.ChartMetric.PER_CALL,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss", "arm-lpae-s1"),
                    "size", List.of("4K", "1M", "2M", "1G"),
                    "api", List.of("bytes", "typed")),
            Map.of(Suite.FORMAT_PARAM, List.of("vtd-ss"), "size", List.of("4K", "2M")),
            "the IO address space (issue #3)");

    public static final Suite MIXED = new Suite("mixed",
            "a mixed workload: threads mapping and unmapping a size mix in one IOAS (contention, fragmentation)",
            "org.iommufd4j.bench.mixed.MixedWorkloadBench", Suite.ChartMetric.PER_CALL,
            Map.of(Suite.FORMAT_PARAM, List.of("amdv1", "vtd-ss", "arm-lpae-s1"),
                    "threads", List.of("1", "2"),
                    "mix", List.of("4K:90,2M:10", "4K:50,64K:30,2M:20")),
            Map.of(Suite.FORMAT_PARAM, List.of("vtd-ss"), "threads", List.of("2"), "mix", List.of("4K:90,2M:10")),
            "the IO address space (issue #3)");

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
