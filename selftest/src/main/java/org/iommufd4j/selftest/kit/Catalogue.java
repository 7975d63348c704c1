package org.iommufd4j.selftest.kit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel suite's case list: every case kselftest runs from iommufd.c and iommufd_fail_nth.c,
 * one {@code fixture.variant.test} (or {@code fixture.test}) per line, in the kernel's order. It
 * ships in the jar so the kit can check itself without the source tree.
 */
public final class Catalogue {
    public static final String RESOURCE = "/org/iommufd4j/selftest/selftest-cases.txt";

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    Catalogue(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < this.names.size(); i++) {
            index.putIfAbsent(this.names.get(i), i);
        }
    }

    /** The catalogue shipped in this jar. */
    public static Catalogue load() {
        try (InputStream in = Catalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the case catalogue " + RESOURCE + " is missing from the class path");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A catalogue from its lines; blank lines and {@code #} comments are ignored. */
    public static Catalogue parse(List<String> lines) {
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                names.add(s);
            }
        }
        return new Catalogue(names);
    }

    public List<String> names() {
        return names;
    }

    /** The case's position in kernel order; cases not listed sort last. */
    public int position(String name) {
        return index.getOrDefault(name, Integer.MAX_VALUE);
    }

    /**
     * What does not match one to one between the catalogue and the Java cases: a line with no
     * Java test, a Java test with no line, a name listed or implemented twice. Empty when they agree.
     */
    public List<String> check(Collection<KernelCase> cases) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                problems.add("catalogue lists " + n + " twice");
            }
        }
        Map<String, KernelCase> java = new HashMap<>();
        for (KernelCase c : cases) {
            KernelCase other = java.putIfAbsent(c.name(), c);
            if (other != null) {
                problems.add("two Java tests are named " + c.name() + ": " + where(other) + " and " + where(c));
            }
        }
        for (String n : seen) {
            if (!java.containsKey(n)) {
                problems.add("no Java test for catalogue case " + n);
            }
        }
        for (KernelCase c : cases) {
            if (!index.containsKey(c.name())) {
                problems.add("Java test " + where(c) + " (" + c.name() + ") is not in the catalogue");
            }
        }
        return problems;
    }

    private static String where(KernelCase c) {
        return c.fixtureClass().getSimpleName() + "#" + c.method().getName();
    }
}
