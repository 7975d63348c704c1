package org.iommufd4j.selftestsample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fixture for the runner's own tests (outside the suite's package, and not named *Test, so
 * neither the suite nor surefire picks it up): one case of each outcome.
 */
@Fixture(value = "sample", variants = SampleFixture.Variant.class)
public final class SampleFixture {
    public enum Variant {
        a(1),
        @MockOnly("a mock constant")
        b(2);

        final int value;

        Variant(int value) {
            this.value = value;
        }
    }

    /** The catalogue of this fixture, in declaration order. */
    public static final java.util.List<String> CATALOGUE = java.util.List.of(
            "sample.a.passes", "sample.b.passes", "sample.a.fails_on_b", "sample.b.fails_on_b",
            "sample.a.pending", "sample.b.pending", "sample.a.leaks", "sample.b.leaks", "sample.a.skips_itself", "sample.b.skips_itself");

    private SelftestMachine machine;
    private Variant variant;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    @KernelTest
    void passes() {
        int id = machine.ctx().ioasAlloc();
        machine.ctx().destroy(id);
    }

    @KernelTest
    void fails_on_b() {
        assertEquals(1, variant.value, "variant value");
    }

    @KernelTest
    @Pending(value = Awaits.IOAS_PAGETABLE, detail = "sample")
    void pending() {
        throw new AssertionError("a pending case must not run");
    }

    /** Leaves an IOAS in a second context: the teardown's leak check must catch it. */
    @KernelTest
    void leaks() {
        if (variant == Variant.a) {
            machine.iommufd().open().ioasAlloc();
        }
    }

    /** Skips itself at run time, as a C test calls SKIP() (iommufd_viommu.no_viommu.* do): not pending. */
    @KernelTest
    void skips_itself() {
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "Skipping test for variant " + variant);
        throw new AssertionError("a skipped case must not go on");
    }
}
