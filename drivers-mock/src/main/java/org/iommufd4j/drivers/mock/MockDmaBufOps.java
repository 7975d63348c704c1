package org.iommufd4j.drivers.mock;

import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.DmabufGet;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.DmabufRevoke;

/**
 * The mock dma-buf exporter (selftest.c iommufd_test_dmabuf_get / iommufd_test_dmabuf_revoke):
 * DMABUF_GET makes a zeroed, physically contiguous buffer and returns its fd as the ioctl's value;
 * DMABUF_REVOKE revokes or un-revokes one of the mock's own buffers (another exporter's: EOPNOTSUPP).
 */
final class MockDmaBufOps {
    /** The largest buffer: 512 pages. */
    private static final long MAX_LENGTH = 512 * PhysicalMemory.PAGE_SIZE;

    private MockDmaBufOps() {
    }

    private static UserProcess caller(ExtensionCall call) {
        if (!(call.caller() instanceof UserProcess p)) {
            throw new IommufdException(Errno.EBADF, "the caller has no descriptor table");
        }
        return p;
    }

    /** DMABUF_GET: length 0 or above 512 pages is EINVAL; the buffer is whole pages. */
    static IommuTestCmd get(HostServices host, ExtensionCall call, IommuTestCmd cmd) {
        DmabufGet p = StructCodec.of(DmabufGet.class).decode(cmd.payload());
        long len = Integer.toUnsignedLong(p.length());
        if (len == 0 || len > MAX_LENGTH) {
            throw IommufdException.einval("dmabuf_get.length " + len + " is 0 or above " + MAX_LENGTH);
        }
        UserProcess process = caller(call);
        long pages = (len + PhysicalMemory.PAGE_SIZE - 1) / PhysicalMemory.PAGE_SIZE;
        int order = 64 - Long.numberOfLeadingZeros(pages - 1);
        PhysicalMemory memory = host.memory();
        long pa = memory.allocate(order);
        DmaBuf buf = DmaBuf.export(host, pa, pages * PhysicalMemory.PAGE_SIZE, () -> memory.free(pa, order));
        call.setReturnValue(process.installFile("dmabuf", buf));
        return null;
    }

    /** DMABUF_REVOKE: a bad fd is EBADF, not a dma-buf EINVAL, a buffer the mock did not export EOPNOTSUPP. */
    static IommuTestCmd revoke(HostServices host, ExtensionCall call, IommuTestCmd cmd) {
        DmabufRevoke p = StructCodec.of(DmabufRevoke.class).decode(cmd.payload());
        UserProcess process = caller(call);
        var file = process.specialFile(p.dmabufFd());
        if (file == null) {
            if (!process.isOpen(p.dmabufFd())) {
                throw new IommufdException(Errno.EBADF, "dmabuf_revoke.dmabuf_fd " + p.dmabufFd() + " is not open");
            }
            // dma_buf_get of a file that is not a dma-buf
            throw IommufdException.einval("dmabuf_revoke.dmabuf_fd " + p.dmabufFd() + " is not a dma-buf");
        }
        if (!(file instanceof DmaBuf buf)) {
            throw IommufdException.einval("dmabuf_revoke.dmabuf_fd " + p.dmabufFd() + " is not a dma-buf");
        }
        if (buf.exporter() != host) {
            throw new IommufdException(Errno.EOPNOTSUPP, "dmabuf_revoke.dmabuf_fd " + p.dmabufFd() + " is not a mock dma-buf");
        }
        buf.setRevoked(p.revoked() != 0);
        return null;
    }
}
