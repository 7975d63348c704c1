package org.iommufd4j.bench.catalog;

import java.util.Map;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;

/**
 * Devices whose paging domains use a named page-table format: a device probed on the driver that
 * exports the format, with the driver's option selecting it. The benchmarks bind such devices to a
 * context and attach them to an IOAS through the device API; {@link #allocate} makes a domain
 * directly (checked to be an engine domain of exactly that format).
 */
public final class DomainSource {
    private DomainSource() {
    }

    /** A probed device and the driver that probed it. */
    public record Probed(IommuDriver driver, IommuDevice device) {
    }

    /** A device of the driver that exports {@code format}, configured to use it. */
    public static Probed probe(IommufdComponent machine, String format, String deviceName) {
        for (LoadedDriver d : machine.drivers().drivers()) {
            if (d.driver().pageTableFormats().containsKey(format)) {
                return new Probed(d.driver(), d.driver().probe(new DeviceConfig(deviceName, options(d.name(), format))));
            }
        }
        throw new IllegalArgumentException("no loaded driver exports page-table format '" + format + "'");
    }

    /** True when {@code domain} is an engine domain of {@code format} as the plugins export it. */
    public static boolean isOfFormat(IommufdComponent machine, PagingDomain domain, String format) {
        return domain instanceof PageTableDomain ptd
                && ptd.pageTable().format().name().equals(FormatCatalog.named(machine, format).name());
    }

    /** A new empty paging domain of {@code format}, from a device of the driver that exports it. */
    public static PagingDomain allocate(IommufdComponent machine, String format, String deviceName) {
        for (LoadedDriver d : machine.drivers().drivers()) {
            if (!d.driver().pageTableFormats().containsKey(format)) {
                continue;
            }
            IommuDevice device = d.driver().probe(new DeviceConfig(deviceName, options(d.name(), format)));
            PagingDomain domain = device.allocPagingDomain(0);
            if (!(domain instanceof PageTableDomain ptd) || !ptd.pageTable().format().name().equals(
                    d.driver().pageTableFormats().get(format).name())) {
                domain.free();
                throw new IllegalStateException(d.name() + " device options " + options(d.name(), format)
                        + " did not give a domain of format " + format + ": " + domain);
            }
            return domain;
        }
        throw new IllegalArgumentException("no loaded driver exports page-table format '" + format + "'");
    }

    /** The device options that make each driver use {@code format} (see each driver's device class). */
    static Map<String, String> options(String driver, String format) {
        if (format.startsWith("vtd-ss-")) {
            return Map.of("stage", "second", "levels", levelsOfWidth(format));
        }
        if (format.startsWith("x86-64-")) {
            return Map.of("stage", "first", "levels", levelsOfWidth(format));
        }
        if (format.startsWith("mock")) {
            return Map.of("pagetable", format.equals("mock-huge") ? "huge" : format.equals("mock-grow") ? "grow" : "default");
        }
        return Map.of("format", format);
    }

    private static String levelsOfWidth(String format) {
        String width = format.substring(format.lastIndexOf('-') + 1);
        switch (width) {
            case "39":
                return "3";
            case "48":
                return "4";
            case "57":
                return "5";
            default:
                throw new IllegalArgumentException("no level count for " + format);
        }
    }
}
