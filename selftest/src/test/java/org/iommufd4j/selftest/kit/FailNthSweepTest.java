package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fail_nth sweep over what exists today: IOAS alloc and destroy. */
class FailNthSweepTest {
    private final SelftestMachine machine = SelftestMachine.fromSystemProperties();

    @AfterEach
    void teardown() {
        machine.close();
    }

    @Test
    void sweepsEveryInjectionPointOfIoasAllocAndDestroy() {
        List<Integer> stoppedAt = new ArrayList<>();
        FailNthSweep.Result r = FailNthSweep.run(machine, pass -> {
            IommufdContext ctx = pass.ctx();
            pass.failNthEnable();
            try {
                int a = ctx.ioasAlloc();
                int b = ctx.ioasAlloc();
                ctx.destroy(a);
                int c = ctx.ioasAlloc();
                ctx.destroy(b);
                ctx.destroy(c);
            } catch (IommufdException e) {
                stoppedAt.add(pass.nth());
                throw e;
            }
        });
        assertTrue(r.injectionPoints() >= 3, "three allocations at least: " + r);
        assertEquals(r.injectionPoints(), r.injectedPasses(), "one pass per point the clean run reached");
        assertFalse(r.capped());
        assertEquals(r.injectedPasses(), stoppedAt.size(), "every injected pass stopped at an ioctl error: " + stoppedAt);
        assertEquals(0, machine.iommufd().liveObjects());
    }

    @Test
    void theRunWithoutInjectionMustPass() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> {
            pass.failNthEnable();
            pass.ctx().destroy(42);
        }));
        assertTrue(e.getMessage().startsWith("the run without injection must pass"), e.getMessage());
    }

    @Test
    void aBodyThatNeverEnablesInjectionFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> { }));
        assertTrue(e.getMessage().contains("never called failNthEnable()"), e.getMessage());
    }

    @Test
    void anObjectLeakedOnTheFailurePathIsCaught() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> {
            pass.failNthEnable();
            IommufdContext other = pass.machine().iommufd().open();
            try {
                other.ioasAlloc();
                pass.ctx().ioasAlloc();
            } catch (IommufdException failed) {
                // Forgets to close 'other' on the error path, leaving its IOAS behind.
                throw failed;
            }
            other.close();
        }));
        assertThrows(AssertionError.class, machine::close, "the machine's own teardown sees the leak too");
        assertTrue(e.getMessage().matches("pass \\d+: after teardown 1 object\\(s\\) and 0 page frame\\(s\\) leaked.*"), e.getMessage());
    }

    @Test
    void aPageFrameLeakedOnTheFailurePathIsCaught() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> {
            pass.failNthEnable();
            long pa = pass.machine().memory().allocate(0);
            pass.ctx().ioasAlloc();
            pass.machine().memory().free(pa, 0);
        }));
        assertThrows(AssertionError.class, machine::close, "the machine's own teardown sees the leak too");
        assertTrue(e.getMessage().matches("pass 2: after teardown 0 object\\(s\\) and 1 page frame\\(s\\) leaked.*"), e.getMessage());
    }

    @Test
    void aContextLeftUnusableIsCaught() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> {
            pass.failNthEnable();
            try {
                pass.ctx().ioasAlloc();
            } catch (IommufdException failed) {
                pass.ctx().close();
                throw failed;
            }
        }));
        assertTrue(e.getMessage().startsWith("pass 1: the context is unusable after the failure"), e.getMessage());
    }

    @Test
    void otherExceptionsInTheBodyFailTheSweep() {
        AssertionError e = assertThrows(AssertionError.class, () -> FailNthSweep.run(machine, pass -> {
            pass.failNthEnable();
            try {
                pass.ctx().ioasAlloc();
            } catch (IommufdException failed) {
                throw new IllegalStateException("a bug on the error path");
            }
        }));
        assertTrue(e.getMessage().startsWith("pass 1: the body failed: java.lang.IllegalStateException"), e.getMessage());
    }
}
