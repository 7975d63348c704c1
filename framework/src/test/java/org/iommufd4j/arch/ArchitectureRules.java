package org.iommufd4j.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture of ../shared/DESIGN.md as ArchUnit rules, shared by the framework's own test and
 * by selftest's test over the driver plugins. A new package must be added to {@link #FRAMEWORK}.
 */
public final class ArchitectureRules {
    private ArchitectureRules() {
    }

    public static final String ROOT = "org.iommufd4j";

    /** Libraries any framework package may use. */
    private static final String[] LIBRARIES = {"java..", "it.unimi.dsi.fastutil..", "org.slf4j.."};

    /**
     * Framework packages and the framework packages each may use (besides itself). Top to bottom
     * is the path of an ioctl; the composition root (plugin, inject, cli) may use everything.
     */
    public static final Map<String, Set<String>> FRAMEWORK = new LinkedHashMap<>();

    static {
        FRAMEWORK.put("uapi", Set.of());
        FRAMEWORK.put("failnth", Set.of("uapi"));
        FRAMEWORK.put("memory", Set.of("uapi", "failnth"));
        // The real-process backend of memory.UserProcess (/proc/<pid>); drivers do not see it.
        FRAMEWORK.put("memory.host", Set.of("uapi", "failnth", "memory"));
        FRAMEWORK.put("pt", Set.of("uapi", "failnth", "memory"));
        FRAMEWORK.put("hw", Set.of("uapi", "failnth", "memory", "pt"));
        FRAMEWORK.put("spi", Set.of("uapi", "failnth", "memory", "pt", "hw"));
        FRAMEWORK.put("core", Set.of("uapi", "failnth", "memory"));
        Set<String> subsystem = Set.of("uapi", "failnth", "memory", "pt", "hw", "spi", "core");
        FRAMEWORK.put("ioas", subsystem);
        FRAMEWORK.put("device", union(subsystem, "ioas"));
        FRAMEWORK.put("hwpt", union(subsystem, "ioas", "device"));
        FRAMEWORK.put("viommu", union(subsystem, "ioas", "device", "hwpt"));
        FRAMEWORK.put("vfio", union(subsystem, "ioas"));
        // What a driver's extension ioctl may do to the framework (spi.ExtensionCall's implementation).
        FRAMEWORK.put("extension", union(subsystem, "ioas", "device", "hwpt"));
        Set<String> everything = new TreeSet<>(FRAMEWORK.keySet());
        FRAMEWORK.put("plugin", everything);
        FRAMEWORK.put("inject", union(everything, "plugin"));
        // The uAPI server behind a Unix socket: a composition root like cli, which launches it.
        FRAMEWORK.put("server", union(everything, "plugin", "inject"));
        FRAMEWORK.put("cli", union(everything, "plugin", "inject", "server"));
    }

    /** What a driver plugin may see of the framework. */
    public static final Set<String> DRIVER_VISIBLE = Set.of("spi", "pt", "hw", "memory", "uapi", "failnth");

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> s = new TreeSet<>(base);
        s.addAll(List.of(more));
        return s;
    }

    /** One rule per framework package: it depends only on what the table allows. */
    public static List<ArchRule> frameworkLayering() {
        List<ArchRule> rules = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : FRAMEWORK.entrySet()) {
            List<String> allowed = new ArrayList<>(List.of(LIBRARIES));
            allowed.add(ROOT + "." + e.getKey() + "..");
            e.getValue().forEach(p -> allowed.add(ROOT + "." + p + ".."));
            allowed.addAll(externalsFor(e.getKey()));
            rules.add(classes().that().resideInAPackage(ROOT + "." + e.getKey() + "..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
                    .allowEmptyShould(true) // a package may not exist yet
                    .as("framework package '" + e.getKey() + "' uses only " + e.getValue() + " of the framework"));
        }
        return rules;
    }

    /** Third-party libraries beyond the common ones, by package. */
    private static List<String> externalsFor(String pkg) {
        switch (pkg) {
            case "spi":
                return List.of("org.pf4j..");
            case "core":
            case "ioas":
            case "device":
            case "hwpt":
            case "viommu":
            case "vfio":
            case "extension":
                return List.of("jakarta.inject..", "dagger..");
            case "plugin":
                return List.of("org.pf4j..");
            case "inject":
                return List.of("jakarta.inject..", "dagger..", "org.pf4j..");
            case "server":
                // jdk.net: SO_PEERCRED, to check who is asking for a process's memory.
                return List.of("jakarta.inject..", "dagger..", "org.pf4j..", "jdk.net..");
            case "cli":
                return List.of("picocli..", "jakarta.inject..", "dagger..", "org.pf4j..");
            default:
                return List.of();
        }
    }

    /** Every framework class lives in a package the table knows. */
    public static ArchRule everyPackageIsListed() {
        String[] known = FRAMEWORK.keySet().stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new);
        return classes().that().resideInAPackage(ROOT + "..").and().resideOutsideOfPackage(ROOT + ".drivers..")
                .and().resideOutsideOfPackage(ROOT + ".selftest..").and().resideOutsideOfPackage(ROOT + ".bench..")
                .should().resideInAnyPackage(known)
                .as("every framework package is listed in ArchitectureRules.FRAMEWORK");
    }

    /** No cycles between framework packages. */
    public static ArchRule noPackageCycles() {
        return slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();
    }

    /** Dagger is used with jakarta.inject only: mixing the two annotation sets hides bindings. */
    public static ArchRule noJavaxInject() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("javax.inject..")
                .as("use jakarta.inject, not javax.inject");
    }

    /**
     * A driver plugin uses only {@link #DRIVER_VISIBLE} of the framework, and no other driver: it
     * is compiled against the SPI and loaded in its own class loader.
     */
    public static ArchRule driversSeeOnlyTheSpi() {
        String[] forbidden = FRAMEWORK.keySet().stream().filter(p -> !DRIVER_VISIBLE.contains(p))
                .map(p -> ROOT + "." + p + "..").toArray(String[]::new);
        return noClasses().that().resideInAPackage(ROOT + ".drivers..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .as("drivers use only " + new TreeSet<>(DRIVER_VISIBLE) + " of the framework");
    }

    /** Each driver stays in its own package tree: no driver imports another. */
    public static ArchRule driversAreIndependent() {
        return slices().matching(ROOT + ".drivers.(*)..").should().notDependOnEachOther()
                .as("drivers do not depend on each other");
    }
}
