package org.iommufd4j.selftest.runner;

import org.iommufd4j.cli.CommandProvider;

/** Contributes {@code ./iommufd4j selftest} to the launcher (META-INF/services). */
public final class SelftestCommandProvider implements CommandProvider {
    @Override
    public String name() {
        return "selftest";
    }

    @Override
    public Object command() {
        return new SelftestCommand();
    }
}
