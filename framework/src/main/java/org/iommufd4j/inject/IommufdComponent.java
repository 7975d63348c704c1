package org.iommufd4j.inject;

import dagger.BindsInstance;
import dagger.Component;
import jakarta.inject.Singleton;
import org.iommufd4j.core.CoreModule;
import org.iommufd4j.core.Iommufd;
import org.iommufd4j.device.Devices;
import org.iommufd4j.extension.TemporaryMemoryLimit;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hwpt.HwptModule;
import org.iommufd4j.ioas.IoasModule;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.vfio.VfioModule;
import org.iommufd4j.viommu.ViommuModule;

/**
 * The framework's wiring: one component is one simulated machine. Subsystem modules contribute
 * their ioctls to the set the dispatcher is built from. Drivers are loaded (from the plugins
 * folder) the first time {@link #drivers()} is asked for.
 */
@Singleton
@Component(modules = {HostModule.class, CoreModule.class, IoasModule.class, HwptModule.class, ViommuModule.class, VfioModule.class})
public interface IommufdComponent {
    Iommufd iommufd();

    PhysicalMemory memory();

    FailNth failNth();

    DriverRegistry drivers();

    /** Binding and attaching devices (the Java API drivers' users call). */
    Devices devices();

    /** The io_pagetable batch memory limit the selftest's SET_TEMP_MEMORY_LIMIT sets. */
    TemporaryMemoryLimit temporaryMemoryLimit();

    /** A new machine. */
    static IommufdComponent create(MachineConfig config) {
        return DaggerIommufdComponent.factory().create(config);
    }

    @Component.Factory
    interface Factory {
        IommufdComponent create(@BindsInstance MachineConfig config);
    }
}
