package org.iommufd4j.selftest;

import java.nio.file.Path;
import org.iommufd4j.core.Iommufd;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;

/**
 * What a ported selftest runs on: a fresh simulated machine per test (the kernel test's setup
 * opens /dev/iommu), with the driver plugins of the {@code iommufd4j.pluginsDir} folder.
 * {@link #close()} is the kernel's teardown, including its leak check.
 */
public final class SelftestMachine implements AutoCloseable {
    /** The kernel suite's memory is small; 1 GiB leaves room for the largest variant. */
    private static final long MEMORY = 1L << 30;

    private final IommufdComponent component;
    private final IommufdContext ctx;

    public SelftestMachine() {
        String dir = System.getProperty("iommufd4j.pluginsDir", "target/iommufd4j/plugins");
        this.component = IommufdComponent.create(new MachineConfig(MEMORY, Path.of(dir)));
        this.ctx = component.iommufd().open();
    }

    public IommufdComponent component() {
        return component;
    }

    public Iommufd iommufd() {
        return component.iommufd();
    }

    /** The context the test's setup opened ({@code self->fd}). */
    public IommufdContext ctx() {
        return ctx;
    }

    /**
     * Teardown: closes the context and checks, as teardown_iommufd does, that nothing is left:
     * no object of any context of this machine.
     */
    @Override
    public void close() {
        ctx.close();
        long live = component.iommufd().liveObjects();
        if (live != 0) {
            throw new AssertionError("teardown: " + live + " object(s) outlived their context");
        }
    }
}
