package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasChangeProcess;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(change_process) of iommufd.c: IOMMU_IOAS_CHANGE_PROCESS moves pinned-page accounting to
 * another process. The setup drops CAP_IPC_LOCK, sets RLIMIT_MODE and adds a mock domain.
 * /proc/pid/status VmPin and VmLck are read from the simulated mm counters
 * ({@link SimProcess#pinnedVm()}, {@link SimProcess#lockedVm()}), in kB as /proc prints them.
 */
@Fixture(value = "change_process", variants = ChangeProcessTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
final class ChangeProcessTest {
    /** FIXTURE_VARIANT_ADD entries; accounting mode. */
    enum Variant {
        /** IOPT_PAGES_ACCOUNT_NONE */
        account_none,
        /** IOPT_PAGES_ACCOUNT_USER */
        account_user,
        /** IOPT_PAGES_ACCOUNT_MM */
        account_mm
    }

    private static final StructCodec<IommuIoasChangeProcess> CHANGE_PROCESS = StructCodec.of(IommuIoasChangeProcess.class);
    private static final long PAGE_SIZE = SelftestMachine.PAGE_SIZE;

    private SelftestMachine machine;
    private Variant variant;
    private IommufdUtils t;
    private int ioasId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        // The mock driver answers IOMMU_TEST_CMD once it is loaded.
        machine.driverUnderTest();
        t = new IommufdUtils(machine);

        // drop_cap_ipc_lock
        machine.process().dropCapability(Capability.IPC_LOCK);
        if (variant != Variant.account_none) {
            machine.ctx().call(new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.SET, 0, 0,
                    variant == Variant.account_mm ? 1 : 0));
        }

        ioasId = t.ioasAlloc();
        t.mockDomain(ioasId, 0);
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    /** ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd) made by {@code caller}: 0 or -errno. */
    private int changeProcess(SimProcess caller) {
        ByteBuffer cmd = ByteBuffer.wrap(CHANGE_PROCESS.toBytes(new IommuIoasChangeProcess(0))).order(ByteOrder.LITTLE_ENDIAN);
        return machine.ctx().ioctl(IommufdIoctl.IOMMU_IOAS_CHANGE_PROCESS, cmd, caller);
    }

    /** get_vm_pinned: VmPin of /proc/pid/status, in kB. */
    private static long vmPinned(SimProcess p) {
        return p.pinnedVm() * (PAGE_SIZE / 1024);
    }

    /** get_vm_locked: VmLck of /proc/pid/status, in kB. */
    private static long vmLocked(SimProcess p) {
        return p.lockedVm() * (PAGE_SIZE / 1024);
    }

    @KernelTest
    void basic() {
        SimProcess parent = machine.process();

        // Expect failure if non-file maps exist
        long iova = t.ioasMap(ioasId, machine.buffer(), PAGE_SIZE);
        assertEquals(-Errno.EINVAL.value(), changeProcess(parent));
        assertEquals(0, t.ioasUnmap(ioasId, iova, PAGE_SIZE));

        // Change process works in current process.
        t.ioasMapFile(ioasId, machine.mfd(), 0, PAGE_SIZE);
        assertEquals(0, changeProcess(parent));

        // Change process works in another process
        SimProcess child = parent.fork();
        try {
            long nlock = PAGE_SIZE / 1024;

            // Parent accounts for locked memory before
            assertEquals(nlock, vmPinned(parent));
            if (variant == Variant.account_mm) {
                assertEquals(nlock, vmLocked(parent));
            }
            assertEquals(0, vmPinned(child));
            assertEquals(0, vmLocked(child));

            assertEquals(0, changeProcess(child));

            // Child accounts for locked memory after
            assertEquals(0, vmPinned(parent));
            assertEquals(0, vmLocked(parent));
            assertEquals(nlock, vmPinned(child));
            if (variant == Variant.account_mm) {
                assertEquals(nlock, vmLocked(child));
            }
        } finally {
            // exit(0) in the child; the parent's waitpid
            child.exit();
        }
    }
}
