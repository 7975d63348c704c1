package org.iommufd4j.bench.catalog;

import java.util.Map;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;

/**
 * Paging domains of a named page-table format, made the way the device API will make them: a
 * device probed on the driver that exports the format, with the driver's option selecting it, and
 * that device's {@link IommuDevice#allocPagingDomain}. The result is checked to be an engine
 * domain of exactly that format.
 */
public final class DomainSource {
    private DomainSource() {
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
