package org.iommufd4j.server;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.memory.AnonFile;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.viommu.ViommuMmap;

/**
 * One open {@code /dev/iommu} of a client: the context, the connections that refer to it (the
 * open file's references: the opener's, a fork child's), the files its ioctls handed out, and
 * its mmaps of published regions. The last connection to go closes the context, as the last
 * {@code fput} of the kernel file runs {@code iommufd_fops_release}.
 */
final class ServedContext {
    private final long token;
    private final IommufdContext ctx;
    private int connections;
    private boolean closed;
    private int nextFileToken = 1;
    /** Files registered for ATTACH, by token. */
    private final Int2ObjectOpenHashMap<ServedFile> files = new Int2ObjectOpenHashMap<>();
    /**
     * Files by the descriptor number the client installed them at, for ioctls that take an fd
     * back (the selftest's access fd, a dma-buf for IOAS_MAP_FILE). Descriptors are per process,
     * but a fork child inherits them with the same numbers, so the number alone is the key.
     */
    private final Int2ObjectOpenHashMap<ServedFile> byFd = new Int2ObjectOpenHashMap<>();
    private final List<Mmap> mmaps = new ArrayList<>();

    /** An mmap of a published region into process {@code pid}: the pages still mapped hold the reference. */
    private record Mmap(int pid, long addr, BitSet pages, ViommuMmap.Mapping mapping) {
    }

    ServedContext(long token, IommufdContext ctx) {
        this.token = token;
        this.ctx = ctx;
        this.connections = 1;
    }

    long token() {
        return token;
    }

    IommufdContext ctx() {
        return ctx;
    }

    /** Another connection refers to the context (JOIN); false when it is already closed. */
    synchronized boolean join() {
        if (closed) {
            return false;
        }
        connections++;
        return true;
    }

    /** A connection went away; returns true when it was the last and the context is now closed. */
    boolean leave() {
        List<ViommuMmap.Mapping> unmap = new ArrayList<>();
        synchronized (this) {
            if (--connections > 0 || closed) {
                return false;
            }
            closed = true;
            // The process's mappings cannot outlive its last reference to the file here: the
            // protocol has no reference of its own for them, so they let go of their vIOMMU first.
            for (Mmap m : mmaps) {
                unmap.add(m.mapping());
            }
            mmaps.clear();
            files.clear();
            byFd.clear();
        }
        unmap.forEach(ViommuMmap.Mapping::unmap);
        ctx.close();
        return true;
    }

    synchronized int connections() {
        return connections;
    }

    /** Registers {@code file} for a client to ATTACH; the registration goes with the file's release. */
    synchronized ServedFile register(AnonFile file) {
        int t = nextFileToken++;
        ServedFile f = new ServedFile(t, file);
        files.put(t, f);
        return f;
    }

    synchronized void unregister(ServedFile f) {
        files.remove(f.token());
        byFd.values().removeIf(x -> x == f);
    }

    /** The file registered as {@code token} and not released, or null. */
    synchronized ServedFile file(int token) {
        ServedFile f = files.get(token);
        if (f != null && f.isReleased()) {
            unregister(f);
            return null;
        }
        return f;
    }

    synchronized void installedAt(int fd, ServedFile f) {
        byFd.put(fd, f);
    }

    synchronized void closedAt(int fd) {
        byFd.remove(fd);
    }

    /** The live file the client holds at {@code fd}, or null. */
    synchronized AnonFile fileAt(int fd) {
        ServedFile f = byFd.get(fd);
        if (f == null || f.isReleased()) {
            byFd.remove(fd);
            return null;
        }
        return f.file();
    }

    synchronized void mapped(int pid, long addr, ViommuMmap.Mapping mapping) {
        BitSet pages = new BitSet();
        pages.set(0, (int) (mapping.length() / PhysicalMemory.PAGE_SIZE));
        mmaps.add(new Mmap(pid, addr, pages, mapping));
    }

    /**
     * munmap(addr, length) in {@code pid}: the pages of our mappings in the range go; a mapping
     * with no page left drops its reference (a partial munmap splits the VMA, and each part keeps
     * the reference through vm_ops->open, so only the last part's close drops it).
     */
    void unmapped(int pid, long addr, long length) {
        List<ViommuMmap.Mapping> unmap = new ArrayList<>();
        synchronized (this) {
            long end = addr + length;
            for (Iterator<Mmap> it = mmaps.iterator(); it.hasNext();) {
                Mmap m = it.next();
                long mEnd = m.addr() + m.mapping().length();
                if (m.pid() != pid || end <= m.addr() || addr >= mEnd) {
                    continue;
                }
                int from = (int) ((Math.max(addr, m.addr()) - m.addr()) / PhysicalMemory.PAGE_SIZE);
                int to = (int) ((Math.min(end, mEnd) - m.addr() + PhysicalMemory.PAGE_SIZE - 1) / PhysicalMemory.PAGE_SIZE);
                m.pages().clear(from, to);
                if (m.pages().isEmpty()) {
                    it.remove();
                    unmap.add(m.mapping());
                }
            }
        }
        unmap.forEach(ViommuMmap.Mapping::unmap);
    }

    synchronized int mmapCount() {
        return mmaps.size();
    }

    @Override
    public String toString() {
        return "context 0x" + Long.toHexString(token);
    }
}
