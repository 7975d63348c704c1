package org.iommufd4j.core;

import java.nio.file.Path;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;

/** A small machine for framework tests: 256 MiB of host memory and no plugins. */
public final class TestMachine {
    private TestMachine() {
    }

    public static IommufdComponent create() {
        return IommufdComponent.create(new MachineConfig(256L << 20, Path.of("no-plugins")));
    }
}
