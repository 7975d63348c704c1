package org.iommufd4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.iommufd4j.ioas.SelftestAccess;
import org.iommufd4j.memory.host.LiveChild;
import org.iommufd4j.server.Wire.Frame;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommuViommuAlloc;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.AccessRw;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckMap;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckRefs;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CreateAccess;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomain;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuSelftest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with the mock driver plugin, end to end, with a real child process as the program:
 * a mock device's domain maps the child's pages (MD_CHECK_MAP compares the pinned frames), and an
 * access writing through the IOVA changes the child's buffer.
 */
class UapiServerMockTest {
    private static final StructCodec<IommuIoasAlloc> IOAS_ALLOC = StructCodec.of(IommuIoasAlloc.class);
    private static final StructCodec<IommuIoasMap> IOAS_MAP = StructCodec.of(IommuIoasMap.class);
    private static final StructCodec<IommuTestCmd> TEST = StructCodec.of(IommuTestCmd.class);
    /** Above the mock domain's reserved [0, 16 MiB). */
    private static final long IOVA = 1L << 30;

    @TempDir
    Path dir;
    private UapiServer server;
    private LiveChild child;
    private int pid;

    @BeforeEach
    void start() throws Exception {
        child = LiveChild.start();
        pid = child.pid();
        Path plugins = Path.of(System.getProperty("iommufd4j.pluginsDir", "target/iommufd4j/plugins"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(plugins), "no plugins folder " + plugins);
        server = UapiServer.start(dir.resolve("i4j.sock"), plugins);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (child != null) {
            child.close();
        }
    }

    private IommuTestCmd test(int op, int id, Record payload) {
        @SuppressWarnings("unchecked")
        StructCodec<Record> codec = (StructCodec<Record>) StructCodec.of(payload.getClass());
        return new IommuTestCmd(op, id, 0, new byte[IommuTestCmd.PAYLOAD_SIZE], 0).withPayload(codec.toBytes(payload));
    }

    private int testCmd(TestClient c, long va, IommuTestCmd cmd) throws Exception {
        child.write(va, TEST.toBytes(cmd));
        return c.ioctl(pid, IommufdIoctl.IOMMU_TEST_CMD, va);
    }

    private <T extends Record> T out(long va, Class<T> type) throws Exception {
        byte[] payload = TEST.decode(child.read(va, TEST.size())).payload();
        return StructCodec.of(type).decode(payload);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aMockDomainMapsTheChildsPagesAndAnAccessWritesIntoTheChild() throws Exception {
        long cmdVa = child.scratch(0);
        long buffer = child.scratch(2);
        long source = child.scratch(5);
        TestClient c = new TestClient(server.socket());
        long token = c.open(pid);

        child.write(cmdVa, IOAS_ALLOC.toBytes(new IommuIoasAlloc(0, 0)));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, cmdVa));
        int ioas = IOAS_ALLOC.decode(child.read(cmdVa, IOAS_ALLOC.size())).outIoasId();

        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.MOCK_DOMAIN, ioas, new MockDomain(0, 0, 0))));
        int hwpt = out(cmdVa, MockDomain.class).outHwptId();
        assertNotEquals(0, hwpt);

        child.write(cmdVa, IOAS_MAP.toBytes(new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE
                | IommuIoasMapFlags.WRITEABLE, ioas, 0, buffer, 2 * 4096, IOVA)));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_MAP, cmdVa));
        assertEquals(2, server.pinnedFrames(), "the domain pinned the child's two pages");

        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.MD_CHECK_MAP, hwpt, new CheckMap(IOVA, 2 * 4096, buffer))),
                "the IOVA translates to the frames of the child's pages");
        assertEquals(-Errno.EINVAL.value(), testCmd(c, cmdVa, test(IommuTestOp.MD_CHECK_MAP, hwpt,
                new CheckMap(IOVA, 4096, child.scratch(4)))), "another page of the child is not what the IOVA maps");
        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.MD_CHECK_REFS, 0, new CheckRefs(2 * 4096, buffer, 1))));

        // An access fd comes back through INSTALL_FD as a real descriptor number of the client.
        child.write(cmdVa, TEST.toBytes(test(IommuTestOp.CREATE_ACCESS, ioas, new CreateAccess(0, 0))));
        int s = c.send(Wire.IOCTL, TestClient.le(16).putInt(pid).putInt(IommufdIoctl.IOMMU_TEST_CMD).putLong(cmdVa));
        Frame cb = c.receive();
        assertEquals(Wire.INSTALL_FD, cb.type());
        TestClient accessFd = new TestClient(server.socket());
        assertEquals(0, accessFd.attach(pid, cb.u32(0), token));
        c.answer(Wire.INSTALL_FD, s, TestClient.le(4).putInt(57));
        assertEquals(0, c.receive().u32(0));
        assertEquals(57, out(cmdVa, CreateAccess.class).outAccessFd());

        byte[] data = {0x13, 0x37, 0x42, 0x24};
        child.write(source, data);
        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.ACCESS_RW, 57, new AccessRw(IOVA + 4096 + 100, 4, source,
                SelftestAccess.RW_WRITE))));
        assertArrayEquals(data, child.read(buffer + 4096 + 100, 4), "DMA through the access changed the child's buffer");
        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.ACCESS_RW, 57, new AccessRw(IOVA + 4096 + 100, 4, source,
                SelftestAccess.RW_WRITE | SelftestAccess.RW_SLOW_PATH))), "the slow path too");

        accessFd.close();
        c.close();
        await("the context is closed", () -> server.openContexts() == 0);
        await("the access fd is released", () -> server.liveObjects() == 0);
        assertEquals(0, server.pinnedFrames(), "every pin of the child's pages is gone");
        assertEquals(0, server.machine().memory().externalFrames());
    }

    /** A vIOMMU with the mock's loopback page published: {viommu id, mmap offset, mmap length}. */
    private long[] selftestViommu(TestClient c, long cmdVa, long dataVa) throws Exception {
        child.write(cmdVa, IOAS_ALLOC.toBytes(new IommuIoasAlloc(0, 0)));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, cmdVa));
        int ioas = IOAS_ALLOC.decode(child.read(cmdVa, IOAS_ALLOC.size())).outIoasId();
        assertEquals(0, testCmd(c, cmdVa, test(IommuTestOp.MOCK_DOMAIN, ioas, new MockDomain(0, 0, 0))));
        int idev = out(cmdVa, MockDomain.class).outIdevId();

        StructCodec<IommuHwptAlloc> hwptAlloc = StructCodec.of(IommuHwptAlloc.class);
        child.write(cmdVa, hwptAlloc.toBytes(new IommuHwptAlloc(IommuHwptAllocFlags.NEST_PARENT, idev, ioas, 0, 0, 0, 0, 0, 0, 0)));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_HWPT_ALLOC, cmdVa));
        int parent = hwptAlloc.decode(child.read(cmdVa, hwptAlloc.size())).outHwptId();

        StructCodec<IommuViommuSelftest> data = StructCodec.of(IommuViommuSelftest.class);
        child.write(dataVa, data.toBytes(new IommuViommuSelftest(0xbeef, 0, 0, 0)));
        StructCodec<IommuViommuAlloc> viommuAlloc = StructCodec.of(IommuViommuAlloc.class);
        child.write(cmdVa, viommuAlloc.toBytes(new IommuViommuAlloc(0, SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST, idev, parent, 0,
                data.size(), 0, dataVa)));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_VIOMMU_ALLOC, cmdVa));
        int viommu = viommuAlloc.decode(child.read(cmdVa, viommuAlloc.size())).outViommuId();
        IommuViommuSelftest out = data.decode(child.read(dataVa, data.size()));
        return new long[] {viommu, out.outMmapOffset(), out.outMmapLength()};
    }

    private static final int PROT_RW = 3;
    private static final int MAP_SHARED = 1;

    @Test
    void anMmapOfAPublishedRegionCopiesItAndHoldsTheViommuUntilMunmap() throws Exception {
        long cmdVa = child.scratch(0);
        long mapVa = child.scratch(3);
        try (TestClient c = new TestClient(server.socket())) {
            c.open(pid);
            long[] v = selftestViommu(c, cmdVa, child.scratch(1));
            long off = v[1];
            long len = v[2];
            assertEquals(-Errno.ENXIO.value(), mmap(c, PROT_RW, MAP_SHARED, mapVa, len, off + 4096));
            assertEquals(-Errno.ENXIO.value(), mmap(c, PROT_RW, MAP_SHARED, mapVa, len * 2, off));
            assertEquals(-Errno.EINVAL.value(), mmap(c, PROT_RW, 2, mapVa, len, off), "MAP_PRIVATE");
            assertEquals(-Errno.EPERM.value(), mmap(c, PROT_RW | 4, MAP_SHARED, mapVa, len, off), "PROT_EXEC");
            assertEquals(0, mmap(c, PROT_RW, MAP_SHARED, mapVa, len, off));
            assertArrayEquals(new byte[] {(byte) 0xef, (byte) 0xbe, 0, 0}, child.read(mapVa, 4), "the loopback page holds in_data");

            StructCodec<IommuDestroy> destroy = StructCodec.of(IommuDestroy.class);
            child.write(cmdVa, destroy.toBytes(new IommuDestroy((int) v[0])));
            assertEquals(-Errno.EBUSY.value(), c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, cmdVa), "the mapping holds the vIOMMU");
            assertEquals(0, c.call(Wire.MUNMAP, TestClient.le(24).putInt(pid).putInt(0).putLong(mapVa).putLong(len)).u32(0));
            assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, cmdVa));
            assertEquals(-Errno.ENXIO.value(), mmap(c, PROT_RW, MAP_SHARED, mapVa, len, off), "the region went with its vIOMMU");
        }
        await("the context is closed", () -> server.openContexts() == 0);
        assertEquals(0, server.liveObjects());
    }

    @Test
    void aMappingLeftAtExitIsReleasedWithTheContext() throws Exception {
        TestClient c = new TestClient(server.socket());
        c.open(pid);
        long[] v = selftestViommu(c, child.scratch(0), child.scratch(1));
        assertEquals(0, mmap(c, PROT_RW, MAP_SHARED, child.scratch(3), v[2], v[1]));
        c.close();
        await("the context is closed", () -> server.openContexts() == 0);
        assertEquals(0, server.liveObjects(), "the vIOMMU went although the mapping was never unmapped");
        assertEquals(0, server.pinnedFrames());
    }

    private int mmap(TestClient c, int prot, int flags, long addr, long length, long offset) throws Exception {
        return c.call(Wire.MMAP, TestClient.le(40).putInt(pid).putInt(prot).putInt(flags).putInt(0).putLong(addr).putLong(length)
                .putLong(offset)).u32(0);
    }
}
