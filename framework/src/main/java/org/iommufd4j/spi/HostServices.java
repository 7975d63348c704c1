package org.iommufd4j.spi;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * What the host hands a driver: the physical memory its page tables live in, and the fault
 * injector its fallible steps must consult. Drivers get nothing else of the framework.
 */
public interface HostServices {
    PhysicalMemory memory();

    FailNth failNth();

    /** The services of a host with this memory and fault injector. */
    static HostServices of(PhysicalMemory memory, FailNth failNth) {
        return new HostServices() {
            @Override
            public PhysicalMemory memory() {
                return memory;
            }

            @Override
            public FailNth failNth() {
                return failNth;
            }
        };
    }
}
