package org.iommufd4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kernel's dispatch rules (main.c iommufd_fops_ioctl), through the byte API. */
class IoctlDispatchTest {
    private final Iommufd iommufd = TestMachine.create().iommufd();
    private final IommufdContext ctx = iommufd.open();

    @AfterEach
    void close() {
        ctx.close();
    }

    private static ByteBuffer struct(int bytes, int size) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, size);
        return b;
    }

    @Test
    void unknownCommandsAreEnotty() {
        assertEquals(-Errno.ENOTTY.value(), ctx.ioctl(IommufdIoctl.io(0x7f), struct(8, 8)));
        // A free slot inside the iommufd range, and a number with another magic.
        assertEquals(-Errno.ENOTTY.value(), ctx.ioctl(IommufdIoctl.io(0x9f), struct(8, 8)));
        assertEquals(-Errno.ENOTTY.value(), ctx.ioctl(0x4B80, struct(8, 8)));
    }

    @Test
    void missingOrShortBufferIsEfault() {
        assertEquals(-Errno.EFAULT.value(), ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, null));
        assertEquals(-Errno.EFAULT.value(), ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, ByteBuffer.allocate(2)));
        // size claims more bytes than the caller's buffer holds
        assertEquals(-Errno.EFAULT.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, struct(12, 16)));
    }

    @Test
    void sizeBelowMinimumIsEinval() {
        assertEquals(-Errno.EINVAL.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, struct(12, 11)));
        assertEquals(-Errno.EINVAL.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, struct(12, 0)));
    }

    @Test
    void nonZeroTailIsE2bigAndZeroTailIsAccepted() {
        ByteBuffer longer = struct(16, 16);
        longer.put(15, (byte) 1);
        assertEquals(-Errno.E2BIG.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, longer));
        assertEquals(0, ctx.objects().size(), "a rejected call creates nothing");

        ByteBuffer zeroTail = struct(16, 16);
        assertEquals(0, ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, zeroTail));
        assertEquals(1, zeroTail.getInt(8), "out_ioas_id written back");
        assertEquals(0, zeroTail.getInt(12), "bytes past the kernel struct are not written");
    }

    @Test
    void outputsAreWrittenBackOnlyWithinTheCallersSize() {
        ByteBuffer b = struct(12, 12);
        b.putInt(8, 0x5a5a5a5a);
        assertEquals(0, ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, b));
        assertEquals(12, b.getInt(0), "size is left as the caller wrote it");
        assertEquals(1, b.getInt(8));
    }

    @Test
    void byteAndTypedApiReachTheSameHandler() {
        ByteBuffer b = struct(12, 12);
        b.putInt(4, 1);
        assertEquals(-Errno.EOPNOTSUPP.value(), ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, b));
        IommufdException e = assertThrows(IommufdException.class, () -> ctx.call(new IommuIoasAlloc(1, 0)));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertEquals(1, ctx.ioasAlloc(), "the failed calls left ID 1 free");
    }

    @Test
    void callsAfterCloseAreEbadf() {
        ctx.close();
        assertEquals(-Errno.EBADF.value(), ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, struct(8, 8)));
        assertThrows(IommufdException.class, ctx::ioasAlloc);
    }

    @Test
    void typedFailuresKeepTheirStackTraceAndByteFailuresAreJustErrnos() {
        IommufdException typed = assertThrows(IommufdException.class, () -> ctx.destroy(42));
        assertEquals(Errno.ENOENT, typed.errno());
        assertTrue(typed.getStackTrace().length > 0, "the typed API shows where it failed");
        // The byte API turns the same failure into -ENOENT; errnoOnly scopes nest and unwind.
        assertEquals(-Errno.ENOENT.value(), IommufdException.errnoOnly(() -> ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, struct(8, 8)) == 0 ? 0 : ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, struct(8, 8))));
        assertTrue(assertThrows(IommufdException.class, () -> ctx.destroy(42)).getStackTrace().length > 0,
                "after the scope, traces are back");
    }
}
