package org.iommufd4j.inject;

import dagger.Module;
import dagger.Provides;
import jakarta.inject.Singleton;
import java.util.Set;
import org.iommufd4j.core.Ioctl;
import org.iommufd4j.core.IoctlTable;
import org.iommufd4j.core.Iommufd;
import org.iommufd4j.extension.ExtensionRegistrar;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.spi.HostServices;

/** The machine-wide singletons: memory, the fault injector, the ioctl table, the drivers. */
@Module
interface HostModule {
    @Provides
    @Singleton
    static FailNth failNth() {
        return new FailNth();
    }

    @Provides
    @Singleton
    static PhysicalMemory memory(MachineConfig config, FailNth failNth) {
        return new PhysicalMemory(config.memoryBytes(), failNth);
    }

    @Provides
    @Singleton
    static HostServices hostServices(PhysicalMemory memory, FailNth failNth) {
        return HostServices.of(memory, failNth);
    }

    @Provides
    @Singleton
    static Iommufd iommufd(Set<Ioctl> ioctls, FailNth failNth) {
        return new Iommufd(new IoctlTable(ioctls), failNth);
    }

    @Provides
    @Singleton
    static DriverRegistry drivers(MachineConfig config, HostServices host, ExtensionRegistrar extensions) {
        return DriverRegistry.load(config.pluginsDir(), host, config.builtinDrivers(), extensions::register);
    }
}
