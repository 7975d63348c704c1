package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The machine a case runs on: the configured driver under test and the teardown's leak check. */
class SelftestMachineTest {
    private static SuiteConfig config(String driver) {
        return new SuiteConfig(driver, Path.of(System.getProperty(SuiteConfig.PLUGINS_DIR)), List.of());
    }

    @Test
    void theDriverUnderTestIsTheConfiguredOne() {
        try (SelftestMachine m = new SelftestMachine(config("smmuv3"))) {
            assertEquals("smmuv3", m.driverUnderTest().name());
        }
    }

    @Test
    void aDriverThatDidNotLoadFailsTheCaseNamingWhatDid() {
        try (SelftestMachine m = new SelftestMachine(config("nope"))) {
            AssertionError e = assertThrows(AssertionError.class, m::driverUnderTest);
            assertTrue(e.getMessage().contains("driver under test 'nope'") && e.getMessage().contains("mock"), e.getMessage());
        }
    }

    @Test
    void teardownFailsOnAnObjectLeftInAnotherContext() {
        SelftestMachine m = new SelftestMachine(config("mock"));
        m.iommufd().open().ioasAlloc();
        AssertionError e = assertThrows(AssertionError.class, m::close);
        assertEquals("teardown: 1 object(s) outlived their context", e.getMessage());
        m.close(); // a second close does nothing
    }

    @Test
    void teardownFailsOnALeakedPageFrame() {
        SelftestMachine m = new SelftestMachine(config("mock"));
        m.memory().allocate(0);
        AssertionError e = assertThrows(AssertionError.class, m::close);
        assertEquals("teardown: 1 page frame(s) still allocated after close", e.getMessage());
    }

    @Test
    void objectsOfTheSetupContextAreFreedByTeardown() {
        SelftestMachine m = new SelftestMachine(config("mock"));
        m.ctx().ioasAlloc();
        m.close();
        assertEquals(0, m.iommufd().liveObjects());
    }
}
