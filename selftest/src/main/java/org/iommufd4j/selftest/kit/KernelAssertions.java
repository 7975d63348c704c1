package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.function.Executable;

/** The kselftest harness's errno checks, for calls through the typed API. */
public final class KernelAssertions {
    private KernelAssertions() {
    }

    /** {@code EXPECT_ERRNO(expected, call)}: the call fails, and with exactly that errno. */
    public static IommufdException expectErrno(Errno expected, Executable call) {
        IommufdException e = assertThrows(IommufdException.class, call, "expected " + expected);
        assertEquals(expected, e.errno(), () -> "errno of: " + e.getMessage());
        return e;
    }
}
