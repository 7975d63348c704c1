package org.iommufd4j.extension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.TestDriver;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.spi.SelftestDevice;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.KernelStruct;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.Test;

/** A driver's own ioctl: registered at load, dispatched with the iommufd rules, objects cleaned up. */
class ExtensionIoctlTest {
    /** A made-up extension struct: op, target id, two outputs; min_size ends at {@code id}. */
    @KernelStruct(name = "test_ext_cmd", size = 20, minSize = 12)
    public record TestExtCmd(@At(offset = 4, bytes = 4) int op, @At(offset = 8, bytes = 4) int id,
            @At(offset = 12, bytes = 4) int out1, @At(offset = 16, bytes = 4) int out2) {
    }

    static final int BIND_AND_ATTACH = 1;
    static final int BIND_THEN_FAIL = 2;
    static final int RESERVE = 3;
    static final int REPLACE = 4;

    /** The ioctl, as a driver would write it. */
    static final class TestExt implements ExtensionIoctl<TestExtCmd> {
        TestDriver driver;

        @Override
        public int command() {
            return IommufdIoctl.IOMMU_TEST_CMD;
        }

        @Override
        public StructCodec<TestExtCmd> codec() {
            return StructCodec.of(TestExtCmd.class);
        }

        @Override
        public TestExtCmd handle(ExtensionCall call, TestExtCmd cmd) {
            switch (cmd.op()) {
                case BIND_AND_ATTACH: {
                    SelftestDevice dev = call.newSelftestDevice(driver.probe(DeviceConfig.named("ext")));
                    int hwpt = dev.attach(cmd.id());
                    return new TestExtCmd(cmd.op(), cmd.id(), dev.selftestId(), hwpt);
                }
                case BIND_THEN_FAIL: {
                    if (cmd.id() != 0) {
                        call.newSelftestDevice(driver.probe(DeviceConfig.named("ext")));
                    } else {
                        call.bindDevice(driver.probe(DeviceConfig.named("ext")));
                    }
                    throw IommufdException.einval("test: failing after the bind");
                }
                case RESERVE:
                    call.reserveIova(cmd.id(), 0, 0xfff);
                    return null;
                case REPLACE:
                    return new TestExtCmd(cmd.op(), cmd.id(), call.selftestDevice(cmd.id()).replace(cmd.out1()), 0);
                default:
                    throw new IommufdException(Errno.EOPNOTSUPP, "test: op " + cmd.op());
            }
        }
    }

    private final TestExt ext = new TestExt();
    private final IommufdComponent machine = TestDriver.machine(Map.of("a", List.of(ext)), "a");

    {
        ext.driver = TestDriver.of(machine, "a");
    }

    private int raw(IommufdContext ctx, int size, TestExtCmd cmd, TestExtCmd[] out, byte tail) {
        byte[] bytes = new byte[Math.max(size, 20) + 4];
        StructCodec<TestExtCmd> codec = StructCodec.of(TestExtCmd.class);
        codec.encode(cmd, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, size);
        if (size > 20) {
            bytes[20] = tail;
        }
        int rc = ctx.ioctl(IommufdIoctl.IOMMU_TEST_CMD, buf);
        if (out != null) {
            out[0] = codec.decode(bytes);
        }
        return rc;
    }

    @Test
    void theDriversIoctlIsDispatchedWithTheIommufdRules() {
        IommufdContext ctx = machine.iommufd().open();
        int ioas = ctx.ioasAlloc();
        TestExtCmd cmd = new TestExtCmd(BIND_AND_ATTACH, ioas, 0, 0);
        assertEquals(-Errno.EINVAL.value(), raw(ctx, 11, cmd, null, (byte) 0));
        assertEquals(-Errno.E2BIG.value(), raw(ctx, 21, cmd, null, (byte) 1));
        assertEquals(-Errno.EOPNOTSUPP.value(), raw(ctx, 20, new TestExtCmd(99, 0, 0, 0), null, (byte) 0));
        TestExtCmd[] out = new TestExtCmd[1];
        assertEquals(0, raw(ctx, 21, cmd, out, (byte) 0));
        int sobj = out[0].out1();
        int hwpt = out[0].out2();
        assertEquals(ioas + 1, sobj, "the selftest object takes its ID before the device, as in the kernel");
        assertEquals(-Errno.EBUSY.value(), destroy(ctx, ioas));
        assertEquals(-Errno.EBUSY.value(), destroy(ctx, hwpt));

        int other = ctx.ioasAlloc();
        assertEquals(0, raw(ctx, 20, new TestExtCmd(REPLACE, sobj, other, 0), out, (byte) 0));
        assertEquals(-Errno.ENOENT.value(), destroy(ctx, hwpt), "the automatic HWPT went with the replace");
        assertEquals(-Errno.ENOENT.value(), raw(ctx, 20, new TestExtCmd(REPLACE, ioas, other, 0), null, (byte) 0),
                "an IOAS is not a selftest object");
        assertEquals(0, destroy(ctx, ioas));
        assertEquals(0, destroy(ctx, sobj), "destroying the selftest object unbinds its device");
        assertEquals(0, destroy(ctx, other));
        assertEquals(0, ctx.objects().size());
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
    }

    @Test
    void aFailedCallLeavesNoDeviceAndNoObject() {
        IommufdContext ctx = machine.iommufd().open();
        assertEquals(-Errno.EINVAL.value(), raw(ctx, 20, new TestExtCmd(BIND_THEN_FAIL, 0, 0, 0), null, (byte) 0));
        assertEquals(-Errno.EINVAL.value(), raw(ctx, 20, new TestExtCmd(BIND_THEN_FAIL, 1, 0, 0), null, (byte) 0));
        assertEquals(0, ctx.objects().size());
        int ioas = ctx.ioasAlloc();
        assertEquals(0, raw(ctx, 20, new TestExtCmd(RESERVE, ioas, 0, 0), null, (byte) 0));
        assertEquals(-Errno.ENOENT.value(), raw(ctx, 20, new TestExtCmd(RESERVE, 77, 0, 0), null, (byte) 0));
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
    }

    @Test
    void twoDriversCannotClaimOneCommand() {
        TestExt second = new TestExt();
        IommufdComponent m = TestDriver.machine(Map.of("a", List.of(new TestExt()), "b", List.of(second)), "a", "b");
        assertThrows(IllegalArgumentException.class, m::drivers);
    }

    private static int destroy(IommufdContext ctx, int id) {
        try {
            ctx.destroy(id);
            return 0;
        } catch (IommufdException e) {
            return -e.errno().value();
        }
    }
}
