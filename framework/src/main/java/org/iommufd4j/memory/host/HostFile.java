package org.iommufd4j.memory.host;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.iommufd4j.memory.ExternalPage;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A real process's memfd, opened again through {@code /proc/<pid>/fd/<n>} (which gives a new open
 * file of the same inode, as the kernel's fget gives the same file): its pinned pages are
 * externally backed frames over the file's bytes, so DMA into them changes the memfd's content
 * the program sees through its own mapping. One object per inode ({@link HostFiles}), so a page
 * pinned twice is one frame. The channel stays open while anything refers to the file (an
 * IOAS_MAP_FILE area holds it, as iopt_pages holds the struct file) and closes when nothing does.
 */
final class HostFile implements ShmemFile {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String name;
    private final boolean memfd;
    private final PhysicalMemory memory;
    private final FileChannel channel;
    /** Pinned pages: page index in the file → external frame. */
    private final Long2LongOpenHashMap frames = new Long2LongOpenHashMap();

    private HostFile(String name, boolean memfd, PhysicalMemory memory, FileChannel channel) {
        this.name = name;
        this.memfd = memfd;
        this.memory = memory;
        this.channel = channel;
        CLEANER.register(this, new Closer(channel));
    }

    /** Closes the channel once the file is unreachable; holds no reference to the file itself. */
    private record Closer(FileChannel channel) implements Runnable {
        @Override
        public void run() {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing to recover.
            }
        }
    }

    /** Opens {@code /proc/<pid>/fd/<fd>}; the caller has checked that it is a regular file. */
    static HostFile open(Path fdPath, String target, PhysicalMemory memory) {
        FileChannel ch;
        try {
            ch = FileChannel.open(fdPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IommufdException(Errno.EOPNOTSUPP, fdPath + " (" + target + ") cannot be opened for mapping: " + e.getMessage());
        }
        // memfd_create names the inode "memfd:<name>"; hugetlb memfds live on hugetlbfs under the same name.
        boolean memfd = target.startsWith("/memfd:");
        return new HostFile(target, memfd, memory, ch);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isMemfd() {
        return memfd;
    }

    @Override
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new IommufdException(Errno.EIO, name + ": " + e.getMessage());
        }
    }

    @Override
    public long[] pinRange(long start, long length) {
        long size = size();
        if (start < 0 || length <= 0 || start + length < start || start + length > size) {
            throw new IommufdException(Errno.EINVAL, name + ": bytes [" + start + ", " + start + "+" + length
                    + ") are not inside the file (size " + size + ")");
        }
        memory.failNth().check("memfd pin", Errno.ENOMEM);
        long first = start >>> PAGE_SHIFT;
        int count = (int) (((start + length - 1) >>> PAGE_SHIFT) - first + 1);
        long[] pfns = new long[count];
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                pfns[i] = pinOne(first + i);
            }
        }
        return pfns;
    }

    private long pinOne(long index) {
        long pfn = frames.get(index);
        if (pfn != 0 && memory.tryPinFrame(pfn)) {
            return pfn;
        }
        pfn = memory.allocateExternalFrame(new Page(index));
        memory.pinFrame(pfn);
        memory.putFrame(pfn);
        frames.put(index, pfn);
        return pfn;
    }

    private synchronized void forget(long index, long pfn) {
        if (frames.get(index) == pfn) {
            frames.remove(index);
        }
    }

    @Override
    public int read(long offset, byte[] dst, int off, int len) {
        ByteBuffer b = ByteBuffer.wrap(dst, off, len);
        try {
            long pos = offset;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new IommufdException(Errno.EFAULT, name + ": reading at " + offset + ": " + e.getMessage());
        }
        return len - b.remaining();
    }

    @Override
    public void write(long offset, byte[] src, int off, int len) {
        ByteBuffer b = ByteBuffer.wrap(src, off, len);
        try {
            long pos = offset;
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        } catch (IOException e) {
            throw new IommufdException(Errno.EFAULT, name + ": writing at " + offset + ": " + e.getMessage());
        }
    }

    /** One pinned page of the file. */
    private final class Page implements ExternalPage {
        private final long index;

        Page(long index) {
            this.index = index;
        }

        @Override
        public void read(int offset, byte[] dst, int off, int len) {
            int n = HostFile.this.read((index << PAGE_SHIFT) + offset, dst, off, len);
            // A pinned page past a later truncation reads as zeros, as the pinned folio would.
            java.util.Arrays.fill(dst, off + n, off + len, (byte) 0);
        }

        @Override
        public void write(int offset, byte[] src, int off, int len) {
            if ((index << PAGE_SHIFT) + offset + len > size()) {
                return; // truncated under the pin: the folio is no longer the file's; the write is lost
            }
            HostFile.this.write((index << PAGE_SHIFT) + offset, src, off, len);
        }

        @Override
        public void released(long pfn) {
            forget(index, pfn);
        }
    }

    @Override
    public String toString() {
        return name;
    }

}
