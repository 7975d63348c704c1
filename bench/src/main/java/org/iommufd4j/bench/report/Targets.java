package org.iommufd4j.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.iommufd4j.bench.Suites;
import org.iommufd4j.bench.catalog.FormatCatalog;
import org.iommufd4j.bench.heap.HeapRun;

/**
 * The performance targets of issue #7, each with the figure this run measured and whether it was
 * met. A target whose figure was not measured in this run says so; none is assumed.
 */
final class Targets {
    static final double BATCH_NS_PER_ENTRY = 1.0;
    static final double SINGLE_NS = 30.0;
    static final double FLOOR_FACTOR = 4.0;
    static final double IOAS_MAP_NS = 5e6;
    static final double HEAP_BYTES_PER_PAGE = 24.0;

    private Targets() {
    }

    private record Row(String target, String measured, String limit, Boolean met) {
    }

    static void write(StringBuilder md, List<Measurement> all, Optional<Measurement> floor, List<HeapRun> heap) {
        List<Row> rows = new ArrayList<>();
        double floorNs = floor.map(Measurement::nsPerEntry).orElse(Double.NaN);
        Map<String, List<Measurement>> byFormat = new TreeMap<>();
        for (Measurement m : all) {
            if (m.suite() == Suites.FORMATS && m.format() != null) {
                byFormat.computeIfAbsent(m.format(), k -> new ArrayList<>()).add(m);
            }
        }
        byFormat.forEach((format, ms) -> {
            // The smallest page measured for the format: 4K where it has it (16K/64K granules have not).
            Optional<String> page = ms.stream().map(m -> m.params().get("page"))
                    .min(Comparator.comparingLong(FormatCatalog::bytes));
            if (page.isEmpty()) {
                return;
            }
            String p = page.get();
            String what = format + ", " + p + (p.equals("4K") ? "" : " (its smallest page; no 4K)");
            for (String op : List.of("map", "unmap")) {
                String batch = what + ": " + op + " of 256 pages in one call, ns per entry";
                String ratio = what + ": " + op + " of 256 pages, ns per entry ÷ store floor";
                find(ms, op + "256", p).ifPresentOrElse(m -> {
                    rows.add(row(batch, m.nsPerEntry(), BATCH_NS_PER_ENTRY, "≤ 1.0 ns"));
                    if (Double.isNaN(floorNs)) {
                        rows.add(new Row(ratio, "no floor in this run", "≤ 4×", null));
                    } else {
                        rows.add(new Row(ratio, String.format(Locale.ROOT, "%.2f×", m.nsPerEntry() / floorNs),
                                "≤ 4× (floor " + ns(floorNs) + " ns)", m.nsPerEntry() / floorNs <= FLOOR_FACTOR));
                    }
                }, () -> rows.add(new Row(batch, "not measured in this run", "≤ 1.0 ns", null)));
            }
            for (String op : List.of("map", "unmap")) {
                String single = what + ": single " + op + " (1 page), ns per call";
                find(ms, op + "1", p).ifPresentOrElse(m -> rows.add(row(single, m.nsPerCall(), SINGLE_NS, "≤ 30 ns")),
                        () -> rows.add(new Row(single, "not measured in this run", "≤ 30 ns", null)));
            }
        });
        List<Measurement> maps = all.stream().filter(m -> m.suite() == Suites.STACK && m.method().equals("ioasMap")
                && "1".equals(m.params().get("domains"))).collect(Collectors.toList());
        for (Measurement m : maps) {
            rows.add(new Row("IOAS_MAP of 1 GiB of 4 KiB pages, 1 domain (" + m.format() + ", backing=" + m.params().get("backing")
                    + ")", String.format(Locale.ROOT, "%.2f ms", m.nsPerCall() / 1e6), "≤ 5 ms", m.nsPerCall() <= IOAS_MAP_NS));
        }
        if (maps.isEmpty()) {
            rows.add(new Row("IOAS_MAP of 1 GiB of 4 KiB pages, 1 domain", "not measured in this run (stack suite)", "≤ 5 ms", null));
        }
        for (HeapRun h : heap) {
            rows.add(row("heap per mapped 4 KiB page, 1 GiB mapped, 1 domain (" + h.result().format() + ", backing="
                    + h.result().backing() + ", GC " + h.gc() + ")", h.result().perPage(), HEAP_BYTES_PER_PAGE, "≤ 24 bytes"));
        }
        if (heap.isEmpty()) {
            rows.add(new Row("heap per mapped 4 KiB page with 1 GiB mapped", "not measured in this run (runs with the stack suite)",
                    "≤ 24 bytes", null));
        }
        md.append("## Targets (issue #7)\n\n");
        md.append("Measured in this run on the machine above; a target is met when the mean is within the limit ")
                .append("(the error bars of a noisy machine are in the suite tables).\n\n");
        md.append("| target | measured | limit | met |\n|---|---:|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.target()).append(" | ").append(r.measured()).append(" | ").append(r.limit())
                    .append(" | ").append(r.met() == null ? "—" : r.met() ? "yes" : "**no**").append(" |\n");
        }
        long missed = rows.stream().filter(r -> Boolean.FALSE.equals(r.met())).count();
        long met = rows.stream().filter(r -> Boolean.TRUE.equals(r.met())).count();
        md.append("\n").append(met).append(" met, ").append(missed).append(" missed");
        long unknown = rows.size() - met - missed;
        if (unknown > 0) {
            md.append(", ").append(unknown).append(" not measured");
        }
        md.append(".\n\n");
    }

    private static Row row(String target, double value, double limit, String limitText) {
        return new Row(target, ns(value), limitText, value <= limit);
    }

    private static Optional<Measurement> find(List<Measurement> ms, String method, String page) {
        return ms.stream().filter(m -> m.method().equals(method) && page.equals(m.params().get("page"))).findFirst();
    }

    /** The mixed suite's {@code others=all} ÷ {@code others=none} per method and format. */
    static void mixedRatios(StringBuilder md, List<Measurement> rows) {
        Map<String, Measurement> none = new LinkedHashMap<>();
        for (Measurement m : rows) {
            if ("none".equals(m.params().get("others"))) {
                none.put(m.method() + "|" + m.format(), m);
            }
        }
        StringBuilder t = new StringBuilder();
        for (Measurement m : rows) {
            Measurement base = "all".equals(m.params().get("others")) ? none.get(m.method() + "|" + m.format()) : null;
            if (base != null) {
                t.append("| ").append(m.method()).append(" | ").append(m.format()).append(" | ")
                        .append(ns(base.nsPerCall())).append(" | ").append(ns(m.nsPerCall())).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f×", m.nsPerCall() / base.nsPerCall())).append(" |\n");
            }
        }
        if (t.length() > 0) {
            md.append("Megamorphic cost: ns per call after the other formats ran in the same JVM, against the format alone.\n\n");
            md.append("| benchmark | format | alone (others=none) | after others (others=all) | ratio |\n|---|---|---:|---:|---:|\n");
            md.append(t).append('\n');
        }
    }

    /** The heap measurement, with how it was made. */
    static void heapSection(StringBuilder md, List<HeapRun> heap) {
        if (heap.isEmpty()) {
            return;
        }
        md.append("### Heap per mapped page (1 GiB mapped, 1 domain)\n\n");
        md.append("Measured in a fresh JVM per line (`org.iommufd4j.bench.heap.HeapPerPage`): the process's 1 GiB is ")
                .append("faulted in, the heap is measured after full GCs, IOAS_MAP maps the 1 GiB through the byte API into an ")
                .append("IOAS with one device attached (one engine domain), and the heap is measured again. The difference is the page tables ")
                .append("(frames in PhysicalMemory's 2 MiB chunks) and the pin tracking (iopt_pages' frame and holder arrays); ")
                .append("PhysicalMemory's per-frame pin counter (4 bytes) was allocated when the pages were faulted in, so it ")
                .append("is added rather than measured. Under G1 a 2 MiB chunk array is a humongous object and occupies whole ")
                .append("regions, so G1's figure is the heap really taken and the parallel collector's is the objects' size.\n\n");
        md.append("| format | backing | GC | heap delta | table frames | bytes per page (delta/page + 4) | target |\n")
                .append("|---|---|---|---:|---:|---:|---|\n");
        for (HeapRun h : heap) {
            double perPage = h.result().perPage();
            md.append("| ").append(h.result().format()).append(" | ").append(h.result().backing()).append(" | ").append(h.gc())
                    .append(" | ").append(String.format(Locale.ROOT, "%,d bytes", h.result().deltaBytes()))
                    .append(" | ").append(h.result().tableFrames())
                    .append(" | ").append(ns(perPage))
                    .append(" | ").append(perPage <= HEAP_BYTES_PER_PAGE ? "≤ 24: met" : "≤ 24: **missed**").append(" |\n");
        }
        md.append('\n');
    }

    private static String ns(double v) {
        return Report.ns(v);
    }
}
