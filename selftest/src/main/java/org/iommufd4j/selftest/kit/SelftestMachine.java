package org.iommufd4j.selftest.kit;

import org.iommufd4j.core.Iommufd;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.plugin.LoadedDriver;

/**
 * What a ported selftest runs on: a fresh simulated machine per case (the kernel test's setup
 * opens /dev/iommu), with the driver plugins of the configured folder and the configured driver
 * under test. {@link #close()} is the kernel's teardown, including its leak check.
 *
 * <p>Fixtures get it as a parameter of their setup method; the {@link FixtureExtension} makes one
 * per case from the {@link SuiteConfig} and closes it (again, harmlessly) when the case ends.
 */
public final class SelftestMachine implements AutoCloseable {
    /** The kernel suite's memory is small; 1 GiB leaves room for the largest variant. */
    private static final long MEMORY = 1L << 30;

    private final SuiteConfig config;
    private final IommufdComponent component;
    private final IommufdContext ctx;
    /** Frames the machine itself holds (loaded drivers' own tables): teardown returns to it. */
    private long baselineFrames;
    private boolean driversLoaded;
    private boolean closed;

    public SelftestMachine(SuiteConfig config) {
        this.config = config;
        this.component = IommufdComponent.create(new MachineConfig(MEMORY, config.pluginsDir()));
        this.baselineFrames = component.memory().allocatedFrames();
        this.ctx = component.iommufd().open();
    }

    /** A machine configured from system properties (for unit tests of the kit itself). */
    public static SelftestMachine fromSystemProperties() {
        return new SelftestMachine(SuiteConfig.fromSystemProperties());
    }

    public SuiteConfig config() {
        return config;
    }

    public IommufdComponent component() {
        return component;
    }

    public Iommufd iommufd() {
        return component.iommufd();
    }

    public PhysicalMemory memory() {
        return component.memory();
    }

    /** The context the test's setup opened ({@code self->fd}). */
    public IommufdContext ctx() {
        return ctx;
    }

    /**
     * The driver under test ({@link SuiteConfig#driver()}), loaded from the plugins folder on first
     * use. Fails the case, naming the folder and what did load, when the driver is not there.
     */
    public synchronized LoadedDriver driverUnderTest() {
        DriverRegistry registry = drivers();
        return registry.driver(config.driver()).orElseThrow(() -> new AssertionError(
                "driver under test '" + config.driver() + "' is not among the drivers loaded from "
                        + registry.pluginsDir() + ": " + registry.drivers().stream().map(LoadedDriver::name).toList()
                        + (registry.failures().isEmpty() ? "" : "; failures: " + registry.failures())));
    }

    private DriverRegistry drivers() {
        DriverRegistry registry = component.drivers();
        if (!driversLoaded) {
            // Drivers may keep frames of their own for the machine's lifetime; they are not the test's.
            driversLoaded = true;
            baselineFrames = component.memory().allocatedFrames();
        }
        return registry;
    }

    /**
     * Teardown: closes the context and checks, as teardown_iommufd does, that nothing is left:
     * no object of any context of this machine and no page frame beyond what the machine held
     * before the test. A second call does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ctx.close();
            long live = component.iommufd().liveObjects();
            if (live != 0) {
                throw new AssertionError("teardown: " + live + " object(s) outlived their context");
            }
            long frames = component.memory().allocatedFrames() - baselineFrames;
            if (frames != 0) {
                throw new AssertionError("teardown: " + frames + " page frame(s) still allocated after close");
            }
        } finally {
            if (driversLoaded) {
                component.drivers().close();
            }
        }
    }
}
