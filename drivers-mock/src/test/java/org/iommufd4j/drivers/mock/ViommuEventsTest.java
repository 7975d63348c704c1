package org.iommufd4j.drivers.mock;

import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VEVENTQ_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.iommufd4j.hwpt.FaultQueue;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuFaultAlloc;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptPageResponse;
import org.iommufd4j.uapi.IommuHwptPgfault;
import org.iommufd4j.uapi.IommuHwptPgfaultFlags;
import org.iommufd4j.uapi.IommuPageResponseCode;
import org.iommufd4j.uapi.IommuVdeviceAlloc;
import org.iommufd4j.uapi.IommuVeventqAlloc;
import org.iommufd4j.uapi.IommuVeventqFlag;
import org.iommufd4j.uapi.IommuViommuAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.TriggerIopf;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.TriggerVevent;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuSelftest;
import org.iommufd4j.viommu.ViommuMmap;
import org.junit.jupiter.api.Test;

/**
 * Fault queues, vEVENTQs and vIOMMU mmap through the mock driver, on the typed API and on the
 * process fds: what the kernel selftest does not look at (cookies, the LOST_EVENTS record layout,
 * fd references, mmap flag rules).
 */
class ViommuEventsTest {
    /** A mock device attached to a nested HWPT (on a nest parent) whose faults go to a new FAULT object. */
    private static int[] deviceOnIopfHwpt(MockKselftest t, int faultId) {
        int ioas = t.ioasAlloc();
        int[] dev = t.mockDomain(ioas, 0);
        int parent = t.hwptAlloc(dev[2], ioas, IommuHwptAllocFlags.NEST_PARENT);
        byte[] data = MockKselftest.selftestData(IOMMU_TEST_IOTLB_DEFAULT, 0);
        long uptr = t.process.mmapAnonymous(PhysicalMemory.PAGE_SIZE, false);
        t.process.write(uptr, data, 0, data.length);
        IommuHwptAlloc nested = t.ctx.call(new IommuHwptAlloc(IommuHwptAllocFlags.FAULT_ID_VALID, dev[2], parent, 0, 0,
                IOMMU_HWPT_DATA_SELFTEST, data.length, uptr, faultId, 0));
        assertEquals(0, t.mockDomainReplace(dev[0], nested.outHwptId(), null));
        return new int[] {dev[0], dev[2], nested.outHwptId()};
    }

    @Test
    void pageRequestsAreReadWithACookieAndAnsweredOnceThroughTheTypedApi() {
        try (MockKselftest t = new MockKselftest()) {
            IommuFaultAlloc fa = t.ctx.call(new IommuFaultAlloc(0, 0, 0));
            int[] dev = deviceOnIopfHwpt(t, fa.outFaultId());
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_IOPF, 0, new TriggerIopf(dev[1], 0, 7, 3, 0x1234000L), null));
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_IOPF, 0, new TriggerIopf(dev[1], 0, 8, 1, 0x5678000L), null));

            FaultQueue fq = t.ctx.get(fa.outFaultId(), FaultQueue.class);
            try {
                assertEquals(2, fq.pendingGroups());
                List<IommuHwptPgfault> first = fq.readFaults(1);
                assertEquals(List.of(new IommuHwptPgfault(IommuHwptPgfaultFlags.LAST_PAGE, dev[1], 0, 7, 3, 0, 0x1234000L, 0, 1)),
                        first);
                List<IommuHwptPgfault> second = fq.readFaults(4);
                assertEquals(1, second.size());
                assertEquals(2, second.get(0).cookie(), "each group gets its own cookie");
                assertEquals(2, fq.awaitingResponse());

                fq.respond(new IommuHwptPageResponse(1, IommuPageResponseCode.SUCCESS));
                IommufdException again = assertThrows(IommufdException.class,
                        () -> fq.respond(new IommuHwptPageResponse(1, IommuPageResponseCode.SUCCESS)));
                assertEquals(Errno.EINVAL, again.errno(), "a cookie is answered once");
                assertEquals(1, fq.responses());
            } finally {
                t.ctx.put(fq);
            }
            assertEquals(Errno.EBUSY.value(), t.destroy(fa.outFaultId()), "the fd and the HWPT hold the FAULT object");
            t.process.close(fa.outFaultFd());
            assertEquals(0, t.mockDomainReplace(dev[0], t.ioasAlloc(), null));
            assertEquals(0, t.destroy(dev[2]));
            assertEquals(0, t.destroy(fa.outFaultId()));
        }
    }

    @Test
    void aDeviceLeavingTheHwptGetsItsPendingPageRequestsAnsweredInvalid() {
        try (MockKselftest t = new MockKselftest()) {
            IommuFaultAlloc fa = t.ctx.call(new IommuFaultAlloc(0, 0, 0));
            int[] dev = deviceOnIopfHwpt(t, fa.outFaultId());
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_IOPF, 0, new TriggerIopf(dev[1], 0, 1, 1, 0x1000L), null));
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_IOPF, 0, new TriggerIopf(dev[1], 0, 2, 1, 0x2000L), null));
            FaultQueue fq = t.ctx.get(fa.outFaultId(), FaultQueue.class);
            try {
                int cookie = fq.readFaults(1).get(0).cookie();
                assertEquals(0, t.mockDomainReplace(dev[0], t.ioasAlloc(), null));
                assertEquals(0, fq.pendingGroups());
                assertEquals(0, fq.awaitingResponse());
                assertEquals(2, fq.invalidResponses(), "the read and the unread group were both answered INVALID");
                assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                        () -> fq.respond(new IommuHwptPageResponse(cookie, IommuPageResponseCode.SUCCESS))).errno());
            } finally {
                t.ctx.put(fq);
            }
            t.process.close(fa.outFaultFd());
        }
    }

    @Test
    void faultFdMovesWholeRecordsAndRejectsUnknownCookies() {
        try (MockKselftest t = new MockKselftest()) {
            IommuFaultAlloc fa = t.ctx.call(new IommuFaultAlloc(0, 0, 0));
            int fd = fa.outFaultFd();
            int[] dev = deviceOnIopfHwpt(t, fa.outFaultId());
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_IOPF, 0, new TriggerIopf(dev[1], 0, 2, 1, 0xdead000L), null));
            StructCodec<IommuHwptPgfault> codec = StructCodec.of(IommuHwptPgfault.class);
            byte[] buf = new byte[codec.size() * 2];
            IommufdException partial = assertThrows(IommufdException.class, () -> t.process.readFd(fd, buf, 0, codec.size() - 1));
            assertEquals(Errno.ESPIPE, partial.errno());
            assertEquals(codec.size(), t.process.readFd(fd, buf, 0, buf.length), "one group of one fault");
            assertEquals(0, t.process.readFd(fd, buf, 0, buf.length), "nothing left");
            IommuHwptPgfault f = codec.decode(java.util.Arrays.copyOf(buf, codec.size()));
            assertEquals(0xdead000L, f.addr());

            StructCodec<IommuHwptPageResponse> rc = StructCodec.of(IommuHwptPageResponse.class);
            byte[] bad = rc.toBytes(new IommuHwptPageResponse(f.cookie() + 1, 0));
            assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> t.process.writeFd(fd, bad, 0, bad.length)).errno());
            byte[] good = rc.toBytes(new IommuHwptPageResponse(f.cookie(), 0));
            assertEquals(good.length, t.process.writeFd(fd, good, 0, good.length));
            t.process.close(fd);
        }
    }

    private static int[] viommuWithNestedAttach(MockKselftest t, int virtId) {
        int ioas = t.ioasAlloc();
        int[] dev = t.mockDomain(ioas, 0);
        int parent = t.hwptAlloc(dev[2], ioas, IommuHwptAllocFlags.NEST_PARENT);
        int viommu = t.ctx.call(new IommuViommuAlloc(0, IOMMU_VIOMMU_TYPE_SELFTEST, dev[2], parent, 0, 0, 0, 0)).outViommuId();
        int[] nested = new int[1];
        assertEquals(0, t.hwptAlloc(dev[2], viommu, 0, IOMMU_HWPT_DATA_SELFTEST,
                MockKselftest.selftestData(IOMMU_TEST_IOTLB_DEFAULT, 0), nested));
        int vdev = t.ctx.call(new IommuVdeviceAlloc(viommu, dev[2], 0, virtId)).outVdeviceId();
        assertEquals(0, t.mockDomainReplace(dev[0], nested[0], null));
        return new int[] {dev[0], dev[2], viommu, vdev, ioas, nested[0]};
    }

    @Test
    void aFullVeventqDropsEventsAndReportsTheLatestLossOnceAtTheTail() {
        try (MockKselftest t = new MockKselftest()) {
            int[] v = viommuWithNestedAttach(t, 0x42);
            IommuVeventqAlloc q = t.ctx.call(new IommuVeventqAlloc(0, v[2], IOMMU_VEVENTQ_TYPE_SELFTEST, 1, 0, 0, 0));
            for (int i = 0; i < 3; i++) {
                assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_VEVENT, 0, new TriggerVevent(v[1]), null));
            }
            byte[] buf = new byte[64];
            // event seq 0 (header + virt_id), then one LOST_EVENTS header carrying seq 2, no payload
            assertEquals(8 + 4 + 8, t.process.readFd(q.outVeventqFd(), buf, 0, buf.length));
            ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, b.getInt(0));
            assertEquals(0, b.getInt(4));
            assertEquals(0x42, b.getInt(8));
            assertEquals(IommuVeventqFlag.LOST_EVENTS, b.getInt(12));
            assertEquals(2, b.getInt(16));
            assertEquals(0, t.process.readFd(q.outVeventqFd(), buf, 0, buf.length), "an empty queue reads nothing");
            assertEquals(0, t.testCmd(IommuTestOp.TRIGGER_VEVENT, 0, new TriggerVevent(v[1]), null));
            assertEquals(12, t.process.readFd(q.outVeventqFd(), buf, 0, buf.length));
            assertEquals(3, b.getInt(4), "the sequence keeps counting across the loss");

            assertEquals(Errno.EBUSY.value(), t.destroy(q.outVeventqId()), "the open fd holds the vEVENTQ");
            t.process.close(q.outVeventqFd());
            assertEquals(0, t.destroy(q.outVeventqId()));
            assertEquals(Errno.EOPNOTSUPP.value(), t.testCmd(IommuTestOp.TRIGGER_VEVENT, 0, new TriggerVevent(v[1]), null),
                    "no vEVENTQ of the type any more");
        }
    }

    @Test
    void aTombstonedVdeviceIdIsNotReused() {
        try (MockKselftest t = new MockKselftest()) {
            int[] v = viommuWithNestedAttach(t, 0x7);
            assertEquals(0, t.mockDomainReplace(v[0], v[4], null));
            assertEquals(0, t.destroy(v[0]));
            assertEquals(Errno.ENOENT.value(), t.destroy(v[3]));
            int next = t.ioasAlloc();
            assertNotEquals(v[3], next, "the vDEVICE's ID stays taken until close");
        }
    }

    @Test
    void mmapOfAPublishedRegionFollowsTheFlagRulesAndHoldsTheViommu() {
        try (MockKselftest t = new MockKselftest()) {
            int ioas = t.ioasAlloc();
            int[] dev = t.mockDomain(ioas, 0);
            int parent = t.hwptAlloc(dev[2], ioas, IommuHwptAllocFlags.NEST_PARENT);
            StructCodec<IommuViommuSelftest> codec = StructCodec.of(IommuViommuSelftest.class);
            long uptr = t.process.mmapAnonymous(PhysicalMemory.PAGE_SIZE, false);
            t.process.write(uptr, codec.toBytes(new IommuViommuSelftest(0x1234abcd, 0, 0, 0)), 0, codec.size());
            int viommu = t.ctx.call(new IommuViommuAlloc(0, IOMMU_VIOMMU_TYPE_SELFTEST, dev[2], parent, 0, codec.size(), 0, uptr))
                    .outViommuId();
            byte[] out = new byte[codec.size()];
            t.process.read(uptr, out, 0, out.length);
            IommuViommuSelftest data = codec.decode(out);
            assertEquals(2 * PhysicalMemory.PAGE_SIZE, data.outMmapLength());
            int rw = SimProcess.PROT_READ | SimProcess.PROT_WRITE;
            long len = data.outMmapLength();
            long off = data.outMmapOffset();

            assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                    () -> ViommuMmap.mmap(t.ctx, t.process, len, rw, SimProcess.MAP_PRIVATE, off)).errno());
            assertEquals(Errno.EPERM, assertThrows(IommufdException.class,
                    () -> ViommuMmap.mmap(t.ctx, t.process, len, rw | ViommuMmap.PROT_EXEC, SimProcess.MAP_SHARED, off)).errno());

            long va = ViommuMmap.mmap(t.ctx, t.process, len, rw, SimProcess.MAP_SHARED, off);
            long va2 = ViommuMmap.mmap(t.ctx, t.process, len, rw, SimProcess.MAP_SHARED, off);
            byte[] word = new byte[4];
            t.process.read(va2, word, 0, 4);
            assertEquals(0x1234abcd, ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).getInt());
            t.process.munmap(va, len);
            assertEquals(Errno.EBUSY.value(), t.destroy(viommu), "the second mapping still holds the vIOMMU");
            t.process.munmap(va2, len);
            assertEquals(0, t.destroy(viommu));
            assertEquals(Errno.ENXIO, assertThrows(IommufdException.class,
                    () -> ViommuMmap.mmap(t.ctx, t.process, len, rw, SimProcess.MAP_SHARED, off)).errno(),
                    "the region went with its vIOMMU");
        }
    }
}
