package org.iommufd4j.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.UserMemory;

/**
 * The {@code /dev/iommu} misc device: {@link #open()} gives a new context. One instance is one
 * simulated machine's iommufd; it owns the ioctl table and the fault injector, and counts the
 * live objects of all its contexts so tests can check for leaks.
 */
public final class Iommufd {
    private final IoctlTable table;
    private final FailNth failNth;
    private final AtomicLong liveObjects = new AtomicLong();
    private final Set<IommufdContext> open = ConcurrentHashMap.newKeySet();

    public Iommufd(IoctlTable table, FailNth failNth) {
        this.table = table;
        this.failNth = failNth;
    }

    /** Opens {@code /dev/iommu} for a process with no mapped memory. */
    public IommufdContext open() {
        return open(UserMemory.NONE);
    }

    /** Opens {@code /dev/iommu} on behalf of {@code process}. */
    public IommufdContext open(UserMemory process) {
        IommufdContext ctx = new IommufdContext(this, table, process);
        open.add(ctx);
        return ctx;
    }

    /** The ioctl table: plugins add their commands to it at load time. */
    public IoctlTable ioctls() {
        return table;
    }

    public FailNth failNth() {
        return failNth;
    }

    /** Objects alive (reserved or visible) in all contexts of this device. */
    public long liveObjects() {
        return liveObjects.get();
    }

    /** Contexts opened and not yet closed. */
    public int openContexts() {
        return open.size();
    }

    void countLiveObjects(int delta) {
        liveObjects.addAndGet(delta);
    }

    void contextClosed(IommufdContext ctx) {
        open.remove(ctx);
    }
}
