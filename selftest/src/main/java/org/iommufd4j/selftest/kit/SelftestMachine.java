package org.iommufd4j.selftest.kit;

import org.iommufd4j.core.Iommufd;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.plugin.LoadedDriver;

/**
 * What a ported selftest runs on: a fresh simulated machine per case (the kernel test's setup
 * opens /dev/iommu), with the driver plugins of the configured folder and the configured driver
 * under test. {@link #close()} is the kernel's teardown, including its leak check.
 *
 * <p>The test process is root, as the kernel suite runs, and has the suite's global buffers
 * (iommufd.c's constructor): {@link #buffer()}, {@value #BUFFER_PAGES} pages of shared anonymous
 * memory at a huge-page-aligned address, and {@link #mfdBuffer()}, a memfd ({@link #mfd()}) of the
 * same size mapped shared. Their pages are touched once at setup, so the frames they use belong to
 * the machine's baseline, not to a test.
 *
 * <p>Fixtures get it as a parameter of their setup method; the {@link FixtureExtension} makes one
 * per case from the {@link SuiteConfig} and closes it (again, harmlessly) when the case ends.
 */
public final class SelftestMachine implements AutoCloseable {
    /** The kernel suite's memory is small; 1 GiB leaves room for the largest variant. */
    private static final long MEMORY = 1L << 30;

    /** iommufd.c: BUFFER_SIZE = PAGE_SIZE * 16. */
    public static final int BUFFER_PAGES = 16;
    public static final long PAGE_SIZE = PhysicalMemory.PAGE_SIZE;
    public static final long BUFFER_SIZE = BUFFER_PAGES * PAGE_SIZE;
    /** Where {@link #buffer()} is mapped: posix_memalign to HUGEPAGE_SIZE (2 MiB) in the kernel suite. */
    private static final long BUFFER_VA = 1L << 30;

    private final SuiteConfig config;
    private final SimProcess process;
    private final long buffer;
    private final int mfd;
    private final long mfdBuffer;
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
        this.process = SimProcess.root(component.memory());
        this.buffer = process.mmap(BUFFER_VA, BUFFER_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE,
                SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_FIXED, -1, 0);
        this.mfd = process.memfdCreate("mfd_buffer");
        process.file(mfd).truncate(BUFFER_SIZE);
        this.mfdBuffer = process.mmap(0, BUFFER_SIZE, SimProcess.PROT_READ | SimProcess.PROT_WRITE, SimProcess.MAP_SHARED, mfd, 0);
        byte[] zero = new byte[1];
        for (long off = 0; off < BUFFER_SIZE; off += PAGE_SIZE) {
            process.write(buffer + off, zero, 0, 1);
            process.write(mfdBuffer + off, zero, 0, 1);
        }
        this.ctx = component.iommufd().open(process);
    }

    /** The process the test runs as (root, with the suite's buffers). */
    public SimProcess process() {
        return process;
    }

    /** iommufd.c's {@code buffer}: {@link #BUFFER_SIZE} bytes of shared anonymous memory. */
    public long buffer() {
        return buffer;
    }

    /** iommufd.c's {@code mfd}: a memfd of {@link #BUFFER_SIZE} bytes, open in {@link #process()}. */
    public int mfd() {
        return mfd;
    }

    /** iommufd.c's {@code mfd_buffer}: {@link #mfd()} mapped shared. */
    public long mfdBuffer() {
        return mfdBuffer;
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
        if (driversLoaded) {
            return component.drivers();
        }
        // Drivers may keep frames of their own for the machine's lifetime; they are not the test's.
        long before = component.memory().allocatedFrames();
        DriverRegistry registry = component.drivers();
        driversLoaded = true;
        baselineFrames += component.memory().allocatedFrames() - before;
        return registry;
    }

    /**
     * Teardown: closes the context and checks, as teardown_iommufd does, that nothing is left:
     * no object of any context of this machine, no pin on {@link #buffer()} (its MD_CHECK_REFS)
     * and, once the test process has exited, no page frame beyond what the machine held before
     * the test. A second call does nothing.
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
            for (long off = 0; off < BUFFER_SIZE; off += PAGE_SIZE) {
                long pins = process.pinCountAt(buffer + off);
                if (pins != 0) {
                    throw new AssertionError("teardown: page " + (off / PAGE_SIZE) + " of buffer is still pinned " + pins + " time(s)");
                }
            }
            process.exit();
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
