package org.iommufd4j.bench.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Linux generic_pt's figures for the operations the suites measure, read from
 * {@code linux-generic-pt.csv} (which says where each comes from). They were measured separately;
 * the report prints them beside this run's figures, never mixed into them.
 */
final class LinuxFigures {
    static final String RESOURCE = "linux-generic-pt.csv";

    /** Where a figure was measured. */
    enum Origin {
        /** perf-anchors §7: Linux's code in user space on this project's machine class. */
        MACHINE("machine"),
        /** perf-anchors §1a: the series' own kunit micro-benchmark on an i7-12700. */
        PUBLISHED("published");

        final String csvName;

        Origin(String csvName) {
            this.csvName = csvName;
        }

        static Origin of(String s) {
            for (Origin o : values()) {
                if (o.csvName.equals(s)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown origin '" + s + "'");
        }
    }

    /** One figure: NaN where the source does not give it. */
    record Figure(String key, Set<String> formats, Origin origin, double nsPerCall, double nsPerEntry, String note) {
        boolean appliesTo(String format) {
            return formats.contains("*") || (format != null && formats.contains(format));
        }
    }

    private final List<Figure> figures;
    private final List<String> sourceNotes;

    private LinuxFigures(List<Figure> figures, List<String> sourceNotes) {
        this.figures = List.copyOf(figures);
        this.sourceNotes = List.copyOf(sourceNotes);
    }

    static LinuxFigures load() {
        try (InputStream in = LinuxFigures.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the bench jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LinuxFigures parse(BufferedReader reader) throws IOException {
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            if (line.startsWith("#")) {
                String note = line.substring(line.startsWith("# ") ? 2 : 1);
                if (!note.startsWith("key;")) {
                    notes.add(note);
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(";", 6); // the note may contain ';'
            if (f.length != 6) {
                throw new IllegalStateException(RESOURCE + " line " + n + ": expected 6 fields, got " + f.length);
            }
            figures.add(new Figure(f[0], Set.of(f[1].split("\\|")), Origin.of(f[2]), number(f[3]), number(f[4]), f[5]));
        }
        return new LinuxFigures(figures, notes);
    }

    private static double number(String s) {
        return s.isBlank() ? Double.NaN : Double.parseDouble(s);
    }

    /** The figure of {@code origin} for {@code key} and {@code format} (null when the suite has no format). */
    Optional<Figure> find(String key, String format, Origin origin) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        return figures.stream()
                .filter(f -> f.key().equals(key) && f.origin() == origin && f.appliesTo(format))
                .findFirst();
    }

    List<Figure> all() {
        return figures;
    }

    /** The comment lines of the resource: where the figures come from. */
    List<String> sourceNotes() {
        return sourceNotes;
    }
}
