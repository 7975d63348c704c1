package org.iommufd4j.memory;

/**
 * A shmem file whose pages IOAS_MAP_FILE pins (a memfd): the simulated {@link SimFile}, or a real
 * process's memfd reached through {@code /proc/<pid>/fd/<n>}. Offsets are bytes from the start of
 * the file.
 */
public interface ShmemFile {
    String name();

    /** Whether it is a memfd (shmem or hugetlbfs), the only kind IOAS_MAP_FILE takes. */
    boolean isMemfd();

    /** The file's size now (it may be truncated under a mapping). */
    long size();

    /**
     * Pins the pages holding bytes [start, start+length) (memfd_pin_folios) and returns their
     * frames in order; the same page gives the same frame. Past the end: EINVAL; on any failure
     * nothing stays pinned.
     */
    long[] pinRange(long start, long length);

    /** Reads up to {@code len} bytes at {@code offset}; returns the count (short at the end of the file). */
    int read(long offset, byte[] dst, int off, int len);

    /** Writes {@code len} bytes at {@code offset}. */
    void write(long offset, byte[] src, int off, int len);
}
