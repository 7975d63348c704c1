package org.iommufd4j.inject;

import dagger.BindsInstance;
import dagger.Component;
import jakarta.inject.Singleton;
import org.iommufd4j.core.CoreModule;
import org.iommufd4j.core.Iommufd;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.ioas.IoasModule;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.vfio.VfioModule;

/**
 * The framework's wiring: one component is one simulated machine. Subsystem modules contribute
 * their ioctls to the set the dispatcher is built from. Drivers are loaded (from the plugins
 * folder) the first time {@link #drivers()} is asked for.
 */
@Singleton
@Component(modules = {HostModule.class, CoreModule.class, IoasModule.class, VfioModule.class})
public interface IommufdComponent {
    Iommufd iommufd();

    PhysicalMemory memory();

    FailNth failNth();

    DriverRegistry drivers();

    /** A new machine. */
    static IommufdComponent create(MachineConfig config) {
        return DaggerIommufdComponent.factory().create(config);
    }

    @Component.Factory
    interface Factory {
        IommufdComponent create(@BindsInstance MachineConfig config);
    }
}
