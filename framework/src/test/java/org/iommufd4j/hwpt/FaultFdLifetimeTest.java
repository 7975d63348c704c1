package org.iommufd4j.hwpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.TestMachine;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuFaultAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/** A FAULT fd holds its object while open, and a context that closes first is not blocked by it. */
class FaultFdLifetimeTest {
    private final IommufdComponent machine = TestMachine.create();
    private final SimProcess process = SimProcess.root(machine.memory());

    @Test
    void anOpenFdMakesDestroyBusyUntilItIsClosed() {
        IommufdContext ctx = machine.iommufd().open(process);
        IommuFaultAlloc fault = ctx.call(new IommuFaultAlloc(0, 0, 0));
        assertEquals(Errno.EBUSY, assertThrows(IommufdException.class, () -> ctx.destroy(fault.outFaultId())).errno());
        process.close(fault.outFaultFd());
        ctx.destroy(fault.outFaultId());
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
    }

    @Test
    void closingTheContextWithTheFdStillOpenDestroysTheQueueAndTheFdGoesStale() {
        IommufdContext ctx = machine.iommufd().open(process);
        IommuFaultAlloc fault = ctx.call(new IommuFaultAlloc(0, 0, 0));
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects(), "the open fd did not keep the queue alive");
        byte[] buf = new byte[40];
        IommufdException e = assertThrows(IommufdException.class, () -> process.readFd(fault.outFaultFd(), buf, 0, buf.length));
        assertEquals(Errno.EBADF, e.errno());
        process.close(fault.outFaultFd());
    }
}
