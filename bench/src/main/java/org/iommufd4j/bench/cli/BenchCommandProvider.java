package org.iommufd4j.bench.cli;

import org.iommufd4j.cli.CommandProvider;

/** Contributes {@code bench} to the {@code iommufd4j} command line (found with ServiceLoader). */
public final class BenchCommandProvider implements CommandProvider {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public Object command() {
        return new BenchCommand();
    }
}
