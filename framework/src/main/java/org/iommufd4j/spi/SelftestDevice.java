package org.iommufd4j.spi;

/** A device bound under a SELFTEST object (the mock's "stdev"): destroying that object unbinds it. */
public interface SelftestDevice extends BoundDevice {
    /** The SELFTEST object's ID. */
    int selftestId();
}
