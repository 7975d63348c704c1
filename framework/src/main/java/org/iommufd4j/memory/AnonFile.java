package org.iommufd4j.memory;

/**
 * A file with no pages behind it (Linux's {@code anon_inode_getfile}): what a kernel object hands
 * user space as an fd, such as the selftest's access fd. It holds a driver object as its private
 * data and runs a release action when the last descriptor referring to it closes (close, exit,
 * or the last of a fork's copies). It cannot be mapped.
 */
public final class AnonFile implements OpenFile {
    private final String name;
    private final Object privateData;
    private final Runnable release;
    private int holders;

    /**
     * @param name the anon inode's name, as /proc shows it ({@code anon_inode:[name]})
     * @param privateData the object the file stands for ({@code file->private_data})
     * @param release run once, when the last holder lets go ({@code f_op->release})
     */
    public AnonFile(String name, Object privateData, Runnable release) {
        this.name = name;
        this.privateData = privateData;
        this.release = release;
    }

    public String name() {
        return name;
    }

    /**
     * The private data if it is a {@code type}, else null: the kernel's {@code f_op} check that an
     * fd is the kind of file a caller expects.
     */
    public <T> T privateData(Class<T> type) {
        return type.isInstance(privateData) ? type.cast(privateData) : null;
    }

    /** Another descriptor refers to it (install, dup, fork). Public for fd tables outside this package. */
    public synchronized void hold() {
        holders++;
    }

    /** Drops a holder; returns true when that was the last one and {@link #runRelease()} is due. */
    public synchronized boolean drop() {
        if (holders <= 0) {
            throw new IllegalStateException(this + " released more often than held");
        }
        return --holders == 0;
    }

    /** The release action; called by the fd table, outside its lock, after the last {@link #drop()}. */
    public void runRelease() {
        release.run();
    }

    @Override
    public String toString() {
        return "anon_inode:[" + name + "]";
    }
}
