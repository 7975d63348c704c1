package org.iommufd4j.server;

import org.iommufd4j.memory.AnonFile;

/**
 * A file the server handed a client (a FAULT or vEVENTQ queue fd, an access fd), as one kernel
 * {@code struct file}: it may be reached through several connections (dup shares one, fork's
 * child attaches another), and its release runs once, when the last of them is gone.
 */
final class ServedFile {
    private final int token;
    private final AnonFile file;
    private int connections;
    private boolean installed;
    private boolean released;

    ServedFile(int token, AnonFile file) {
        this.token = token;
        this.file = file;
    }

    int token() {
        return token;
    }

    AnonFile file() {
        return file;
    }

    /** A connection refers to this file now (ATTACH); false when it was already released. */
    synchronized boolean attach() {
        if (released) {
            return false;
        }
        connections++;
        return true;
    }

    /** A connection went away; the last one after installation releases the file. */
    void detach() {
        boolean last;
        synchronized (this) {
            last = --connections == 0 && installed && !released;
            released |= last;
        }
        if (last) {
            release();
        }
    }

    /** The client installed it; if it did not attach a connection, nothing can ever reach it: release. */
    void installed() {
        boolean orphan;
        synchronized (this) {
            installed = true;
            orphan = connections == 0 && !released;
            released |= orphan;
        }
        if (orphan) {
            release();
        }
    }

    /** The client could not install it: released now, whatever attached (its reads then fail). */
    void abandon() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        release();
    }

    synchronized boolean isReleased() {
        return released;
    }

    private void release() {
        if (file.drop()) {
            file.runRelease();
        }
    }

    @Override
    public String toString() {
        return file + " (token " + token + ")";
    }
}
