package org.iommufd4j.core;

import java.nio.ByteBuffer;

/**
 * An ioctl that does not follow iommufd's {@code size}-header rules: the VFIO type1 commands,
 * whose structs start with {@code argsz} and whose return value can be positive
 * (VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION). The handler decodes its own argument at this
 * boundary into a typed record, and writes its answer back into {@code arg}.
 */
public interface CompatIoctlHandler extends Ioctl {
    /**
     * Runs the ioctl on the caller's argument ({@code arg} may be null for commands without one).
     * Returns the non-negative ioctl return value or throws with the errno.
     */
    int handle(Ucmd ucmd, ByteBuffer arg);
}
