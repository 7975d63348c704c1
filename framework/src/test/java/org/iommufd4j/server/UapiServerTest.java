package org.iommufd4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.memory.host.LiveChild;
import org.iommufd4j.server.Wire.Frame;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuFaultAlloc;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol against a running server, with a Java client in the shim's place and a real
 * child process ({@code sleep}) as the C program whose memory holds the structs.
 */
class UapiServerTest {
    @TempDir
    Path dir;
    private UapiServer server;
    private LiveChild child;
    private int pid;

    @BeforeEach
    void start() throws Exception {
        child = LiveChild.start();
        pid = child.pid();
        Files.createDirectories(dir.resolve("plugins"));
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(64L << 20, dir.resolve("plugins")));
        machine.drivers();
        server = UapiServer.start(dir.resolve("iommufd4j.sock"), machine);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            assertEquals(0, server.openContexts());
            assertEquals(0, server.liveObjects());
            assertEquals(0, server.pinnedFrames());
        }
        if (child != null) {
            child.close();
        }
    }

    private TestClient client() throws Exception {
        return new TestClient(server.socket());
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

    private <T extends Record> long put(int page, StructCodec<T> codec, T value) throws Exception {
        long va = child.scratch(page);
        child.write(va, codec.toBytes(value));
        return va;
    }

    private <T extends Record> T get(long va, StructCodec<T> codec) throws Exception {
        return codec.decode(child.read(va, codec.size()));
    }

    private static final StructCodec<IommuIoasAlloc> IOAS_ALLOC = StructCodec.of(IommuIoasAlloc.class);
    private static final StructCodec<IommuFaultAlloc> FAULT_ALLOC = StructCodec.of(IommuFaultAlloc.class);
    private static final StructCodec<IommuDestroy> DESTROY = StructCodec.of(IommuDestroy.class);
    private static final StructCodec<IommuIoasMap> IOAS_MAP = StructCodec.of(IommuIoasMap.class);

    @Test
    void anIoctlReadsTheStructFromTheCallerAndWritesTheAnswerBack() throws Exception {
        try (TestClient c = client()) {
            long token = c.open(pid);
            assertNotEquals(0, token);
            assertEquals(1, server.openContexts());
            long va = put(0, IOAS_ALLOC, new IommuIoasAlloc(0, 0));
            assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, va));
            int id = get(va, IOAS_ALLOC).outIoasId();
            assertNotEquals(0, id, "out_ioas_id written into the child's memory");
            assertEquals(1, server.liveObjects());
            long d = put(1, DESTROY, new IommuDestroy(id));
            assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, d));
            assertEquals(0, server.liveObjects());
        }
    }

    @Test
    void dispatchErrnosAreTheKernels() throws Exception {
        try (TestClient c = client()) {
            c.open(pid);
            assertEquals(-Errno.EFAULT.value(), c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, 0x10), "bogus pointer");
            assertEquals(-Errno.ENOTTY.value(), c.ioctl(pid, 0x3bff, child.scratch(0)), "unknown iommufd number");
            assertEquals(-Errno.ENOTTY.value(), c.ioctl(pid, 0xc0045401, child.scratch(0)), "not an iommufd command at all");
            ByteBuffer small = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 8);
            child.write(child.scratch(0), small.array());
            assertEquals(-Errno.EINVAL.value(), c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, child.scratch(0)), "size below minimum");
            ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 16).putInt(12, 1);
            child.write(child.scratch(0), big.array());
            assertEquals(-Errno.E2BIG.value(), c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, child.scratch(0)), "non-zero tail");
            assertEquals(0, c.ioctl(pid, VfioIoctl.VFIO_GET_API_VERSION, 0), "a by-value VFIO command");
            assertEquals(0, server.liveObjects());
        }
    }

    @Test
    void aMapPinsTheChildsPagesAndADisconnectReleasesEverything() throws Exception {
        TestClient c = client();
        c.open(pid);
        long va = put(0, IOAS_ALLOC, new IommuIoasAlloc(0, 0));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, va));
        int ioas = get(va, IOAS_ALLOC).outIoasId();
        // No domain is attached, so the IOAS pins nothing yet; an access would. Map anyway: the
        // area must go with the context.
        long m = put(1, IOAS_MAP, new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE
                | IommuIoasMapFlags.WRITEABLE, ioas, 0, child.scratch(2), 8192, 1L << 20));
        assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_MAP, m));
        assertEquals(1, server.liveObjects());
        c.close();
        await("the context is closed", () -> server.openContexts() == 0);
        assertEquals(0, server.liveObjects());
        assertEquals(0, server.pinnedFrames());
    }

    @Test
    void onlyChangedBytesAreWrittenBackAndAnAnswerTheCallerCannotTakeAbortsTheCall() throws Exception {
        try (TestClient c = client()) {
            c.open(pid);
            long va = put(0, IOAS_ALLOC, new IommuIoasAlloc(0, 0));
            assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, va));
            int id = get(va, IOAS_ALLOC).outIoasId();
            // A struct in read-only memory (written there by force, as a const struct is): DESTROY
            // only reads it, so it works; IOAS_ALLOC must answer, so it is EFAULT and leaves no IOAS.
            long ro = child.readOnlyPage();
            byte[] saved = child.read(ro, 16);
            try {
                child.write(ro, DESTROY.toBytes(new IommuDestroy(id)));
                assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, ro));
                child.write(ro, IOAS_ALLOC.toBytes(new IommuIoasAlloc(0, 0)));
                assertEquals(-Errno.EFAULT.value(), c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, ro));
                assertEquals(0, server.liveObjects(), "the IOAS whose ID could not be returned was aborted");
            } finally {
                child.write(ro, saved);
            }
        }
    }

    @Test
    void aMemfdOfTheCallerIsMappedThroughProcFd() throws Exception {
        String program = "import os, mmap, ctypes, time\n"
                + "fd = os.memfd_create('buf')\n"
                + "os.ftruncate(fd, 16384)\n"
                + "scratch = mmap.mmap(-1, 65536)\n"
                + "print(fd, ctypes.addressof(ctypes.c_char.from_buffer(scratch)), flush=True)\n"
                + "time.sleep(60)\n";
        try (LiveChild py = LiveChild.start("python", "python3", "-c", program); TestClient c = client()) {
            String[] line = py.readLine().trim().split(" ");
            int memfd = Integer.parseInt(line[0]);
            long scratch = Long.parseLong(line[1]);
            c.open(py.pid());
            py.write(scratch, IOAS_ALLOC.toBytes(new IommuIoasAlloc(0, 0)));
            assertEquals(0, c.ioctl(py.pid(), IommufdIoctl.IOMMU_IOAS_ALLOC, scratch));
            int ioas = IOAS_ALLOC.decode(py.read(scratch, IOAS_ALLOC.size())).outIoasId();
            StructCodec<IommuIoasMapFile> mapFile = StructCodec.of(IommuIoasMapFile.class);
            int rw = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;
            py.write(scratch, mapFile.toBytes(new IommuIoasMapFile(rw, ioas, memfd, 0, 8192, 0)));
            assertEquals(0, c.ioctl(py.pid(), IommufdIoctl.IOMMU_IOAS_MAP_FILE, scratch));
            assertNotEquals(0, mapFile.decode(py.read(scratch, mapFile.size())).iova(), "an IOVA was allocated and written back");
            py.write(scratch, mapFile.toBytes(new IommuIoasMapFile(rw, ioas, 1, 0, 8192, 0)));
            assertEquals(-Errno.EOPNOTSUPP.value(), c.ioctl(py.pid(), IommufdIoctl.IOMMU_IOAS_MAP_FILE, scratch), "a pipe");
            py.write(scratch, mapFile.toBytes(new IommuIoasMapFile(rw, ioas, 999, 0, 8192, 0)));
            assertEquals(-Errno.EBADF.value(), c.ioctl(py.pid(), IommufdIoctl.IOMMU_IOAS_MAP_FILE, scratch));
            py.write(scratch, mapFile.toBytes(new IommuIoasMapFile(rw, ioas, memfd, 12288, 8192, 0)));
            assertEquals(-Errno.EINVAL.value(), c.ioctl(py.pid(), IommufdIoctl.IOMMU_IOAS_MAP_FILE, scratch), "past the end");
        }
        await("closed", () -> server.openContexts() == 0);
    }

    @Test
    void joinSharesTheContextUntilTheLastConnectionGoes() throws Exception {
        TestClient parent = client();
        long token = parent.open(pid);
        try (TestClient kid = client()) {
            assertEquals(0, kid.join(pid, token));
            parent.close();
            Thread.sleep(50);
            assertEquals(1, server.openContexts(), "the fork child still holds it");
            long va = put(0, IOAS_ALLOC, new IommuIoasAlloc(0, 0));
            assertEquals(0, kid.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, va));
        }
        await("the last connection closed the context", () -> server.openContexts() == 0);
        assertEquals(0, server.liveObjects());
    }

    @Test
    void unknownTokensAreEnoent() throws Exception {
        try (TestClient c = client()) {
            assertEquals(-Errno.ENOENT.value(), c.join(pid, 0x1234));
            assertEquals(-Errno.ENOENT.value(), c.attach(pid, 1, 0x1234));
            long token;
            try (TestClient o = client()) {
                token = o.open(pid);
                assertEquals(-Errno.ENOENT.value(), c.attach(pid, 77, token), "no such file in a live context");
            }
            await("closed", () -> server.openContexts() == 0);
            assertEquals(-Errno.ENOENT.value(), c.join(pid, token), "a closed context cannot be joined");
        }
    }

    @Test
    void unknownTypesAndTruncatedRequestsAreEinvalAndTheConnectionStaysUsable() throws Exception {
        try (TestClient c = client()) {
            assertEquals(-Errno.EINVAL.value(), c.call(99, TestClient.le(0)).u32(0), "unknown type before the handshake");
            assertEquals(-Errno.EINVAL.value(), c.call(Wire.OPEN, TestClient.le(2).putShort((short) 1)).u32(0), "short OPEN");
            c.open(pid);
            assertEquals(-Errno.EINVAL.value(), c.call(99, TestClient.le(4)).u32(0));
            assertEquals(-Errno.EINVAL.value(), c.call(Wire.IOCTL, TestClient.le(8).putInt(pid).putInt(0)).u32(0), "short IOCTL");
            assertEquals(-Errno.EINVAL.value(), c.call(Wire.READ, TestClient.le(8)).u32(0), "READ is for file connections");
            long va = put(0, IOAS_ALLOC, new IommuIoasAlloc(0, 0));
            assertEquals(0, c.ioctl(pid, IommufdIoctl.IOMMU_IOAS_ALLOC, va));
        }
    }

    @Test
    void aMalformedHeaderEndsTheConnectionAndReleasesItsContext() throws Exception {
        int[][] cases = {{0x12345678, 1, 16}, {Wire.MAGIC, 2, 16}, {Wire.MAGIC, 1, Wire.MAX_PAYLOAD + 1}};
        Errno[] expect = {Errno.EPROTO, Errno.EPROTONOSUPPORT, Errno.EPROTO};
        for (int i = 0; i < cases.length; i++) {
            try (TestClient c = client()) {
                c.open(pid);
                assertEquals(1, server.openContexts());
                ByteBuffer h = TestClient.le(16).putInt(cases[i][0]).putShort((short) cases[i][1]).putShort((short) Wire.IOCTL)
                        .putInt(cases[i][2]).putInt(7);
                c.raw(h);
                Frame f = c.receive();
                assertEquals(-expect[i].value(), f.u32(0), "case " + i);
                assertTrue(c.closedByServer(), "case " + i);
                await("context released", () -> server.openContexts() == 0);
            }
        }
    }

    @Test
    void aTruncatedFrameIsEprotoAndAClientDyingMidMessageLeaksNothing() throws Exception {
        try (TestClient c = client()) {
            c.open(pid);
            ByteBuffer h = TestClient.le(20).putInt(Wire.MAGIC).putShort((short) 1).putShort((short) Wire.IOCTL).putInt(16).putInt(3)
                    .putInt(pid);
            c.raw(h);
            c.channel.shutdownOutput();
            assertEquals(-Errno.EPROTO.value(), c.receive().u32(0));
            await("context released", () -> server.openContexts() == 0);
        }
    }

    @Test
    void aFaultQueueFdIsInstalledThroughTheClientAndHoldsTheObject() throws Exception {
        try (TestClient c = client()) {
            long token = c.open(pid);
            long va = put(0, FAULT_ALLOC, new IommuFaultAlloc(0, 0, 0));
            int s = c.send(Wire.IOCTL, TestClient.le(16).putInt(pid).putInt(IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC).putLong(va));
            Frame cb = c.receive();
            assertEquals(Wire.INSTALL_FD, cb.type());
            assertEquals(s, cb.seq());
            assertEquals(CallFds.O_CLOEXEC, cb.u32(4));
            assertEquals(token, cb.u64(8));
            TestClient fd = client();
            assertEquals(0, fd.attach(pid, cb.u32(0), token));
            c.answer(Wire.INSTALL_FD, s, TestClient.le(4).putInt(42));
            Frame reply = c.receive();
            assertEquals(Wire.IOCTL, reply.type());
            assertEquals(0, reply.u32(0));
            IommuFaultAlloc out = get(va, FAULT_ALLOC);
            assertEquals(42, out.outFaultFd(), "the struct holds the client's real fd number");

            assertEquals(FileOps.POLLOUT, fd.call(Wire.POLL, TestClient.le(4).putInt(FileOps.POLLIN | FileOps.POLLOUT)).u32(0));
            assertEquals(0, fd.call(Wire.READ, TestClient.le(8).putInt(pid).putInt(40)).u32(0), "nothing queued");
            assertEquals(-Errno.ESPIPE.value(), fd.call(Wire.READ, TestClient.le(8).putInt(pid).putInt(10)).u32(0));
            assertEquals(-Errno.EINVAL.value(), fd.call(Wire.IOCTL, TestClient.le(16)).u32(0), "no ioctl on a queue fd");

            long d = put(1, DESTROY, new IommuDestroy(out.outFaultId()));
            assertEquals(-Errno.EBUSY.value(), c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, d), "the fd holds the FAULT object");
            fd.close();
            await("the fd released its object", () -> {
                try {
                    return c.ioctl(pid, IommufdIoctl.IOMMU_DESTROY, d) == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(0, server.liveObjects());
        }
    }

    @Test
    void aQueueFdOutlivingItsContextReportsAnErrorInsteadOfReachingAGoneObject() throws Exception {
        TestClient c = client();
        long token = c.open(pid);
        long va = put(0, FAULT_ALLOC, new IommuFaultAlloc(0, 0, 0));
        int s = c.send(Wire.IOCTL, TestClient.le(16).putInt(pid).putInt(IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC).putLong(va));
        Frame cb = c.receive();
        try (TestClient fd = client()) {
            assertEquals(0, fd.attach(pid, cb.u32(0), token));
            c.answer(Wire.INSTALL_FD, s, TestClient.le(4).putInt(5));
            assertEquals(0, c.receive().u32(0));
            c.close();
            await("the context closed though its fd is open", () -> server.openContexts() == 0);
            assertEquals(0, server.liveObjects(), "closing the context destroyed the FAULT object");
            assertEquals(FileOps.POLLERR, fd.call(Wire.POLL, TestClient.le(4).putInt(FileOps.POLLIN)).u32(0));
            assertEquals(-Errno.EBADF.value(), fd.call(Wire.READ, TestClient.le(8).putInt(pid).putInt(40)).u32(0));
        }
    }

    @Test
    void aClientThatCannotInstallTheFdFailsTheIoctlWithNothingLeft() throws Exception {
        try (TestClient c = client()) {
            c.open(pid);
            long va = put(0, FAULT_ALLOC, new IommuFaultAlloc(0, 0, 0));
            int s = c.send(Wire.IOCTL, TestClient.le(16).putInt(pid).putInt(IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC).putLong(va));
            Frame cb = c.receive();
            assertEquals(Wire.INSTALL_FD, cb.type());
            c.answer(Wire.INSTALL_FD, s, TestClient.le(4).putInt(-Errno.EMFILE.value()));
            assertEquals(-Errno.EMFILE.value(), c.receive().u32(0));
            assertEquals(0, get(va, FAULT_ALLOC).outFaultId(), "nothing written back");
            assertEquals(0, server.liveObjects());
        }
    }

    @Test
    void anotherUsersProcessIsRefused() throws Exception {
        try (TestClient c = client()) {
            // pid 1 belongs to root; a root client may act for it, anyone else may not.
            Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Frame f = c.call(Wire.OPEN, TestClient.le(4).putInt(1));
            if (!Integer.valueOf(0).equals(me)) {
                assertEquals(-Errno.EPERM.value(), f.u32(0));
            }
            assertEquals(-Errno.ESRCH.value(), c.call(Wire.OPEN, TestClient.le(4).putInt(Integer.MAX_VALUE)).u32(0));
        }
        await("nothing open", () -> server.openContexts() == 0);
    }
}
