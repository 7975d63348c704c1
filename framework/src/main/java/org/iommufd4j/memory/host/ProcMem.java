package org.iommufd4j.memory.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * {@code /proc/<pid>/mem}: positional reads and writes of another process's virtual memory. The
 * kernel answers an unmapped address with EIO (or a short count), which for the caller of an
 * ioctl is EFAULT, the errno copy_from_user/copy_to_user give.
 */
final class ProcMem implements AutoCloseable {
    private final int pid;
    private final FileChannel channel;

    private ProcMem(int pid, FileChannel channel) {
        this.pid = pid;
        this.channel = channel;
    }

    /** Opens the memory of {@code pid}; ESRCH when it is gone, EPERM when ptrace access is refused. */
    static ProcMem open(Path proc, int pid) {
        try {
            return new ProcMem(pid, FileChannel.open(proc.resolve(Integer.toString(pid)).resolve("mem"),
                    StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IommufdException(Errno.ESRCH, "pid " + pid + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IommufdException(Errno.EPERM, "cannot open /proc/" + pid + "/mem (ptrace access refused: same uid and, "
                    + "under Yama ptrace_scope 1, prctl(PR_SET_PTRACER) by the client are needed)");
        } catch (IOException e) {
            throw new IommufdException(Errno.EIO, "cannot open /proc/" + pid + "/mem: " + e);
        }
    }

    void read(long va, byte[] dst, int off, int len) {
        transfer(va, ByteBuffer.wrap(dst, off, len), false);
    }

    void write(long va, byte[] src, int off, int len) {
        transfer(va, ByteBuffer.wrap(src, off, len), true);
    }

    private void transfer(long va, ByteBuffer buf, boolean write) {
        int len = buf.remaining();
        if (len == 0) {
            return;
        }
        // A user address is below 2^63 (x86-64 and arm64 user space end far lower); a negative one
        // is not a file position the kernel would accept either.
        if (va < 0 || va + len < 0) {
            throw fault(va, len, write, "is not a user address");
        }
        long pos = va;
        try {
            while (buf.hasRemaining()) {
                int n = write ? channel.write(buf, pos) : channel.read(buf, pos);
                if (n <= 0) {
                    throw fault(pos, buf.remaining(), write, "is not mapped");
                }
                pos += n;
            }
        } catch (IOException e) {
            throw fault(pos, buf.remaining(), write, "is not mapped (" + e.getMessage() + ")");
        }
    }

    private IommufdException fault(long va, int len, boolean write, String why) {
        return new IommufdException(Errno.EFAULT, (write ? "writing " : "reading ") + len + " bytes at user address 0x"
                + Long.toHexString(va) + " of pid " + pid + ": the address " + why);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing to recover: the channel is gone either way.
        }
    }
}
