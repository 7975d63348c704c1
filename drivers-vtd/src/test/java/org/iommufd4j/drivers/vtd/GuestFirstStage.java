package org.iommufd4j.drivers.vtd;

import org.iommufd4j.pt.format.X8664Format;

/**
 * What a guest's VT-d driver does with its first-stage table: x86-64 paging entries written into
 * guest-physical pages, which the test reaches through a {@link GuestRam} (the host's view of
 * guest RAM). Tables get {@code P|RW|US|A}; leaves {@code P|US|A} plus {@code RW|D} when writable (VT-d
 * spec 9.7, as Linux's first-stage format writes them).
 */
final class GuestFirstStage {
    /** 8-byte loads and stores at guest-physical addresses. */
    interface GuestRam {
        long readLong(long gpa);

        void writeLong(long gpa, long value);
    }

    private final GuestRam ram;
    private final int levels;
    private long nextFreeGpa;
    final long rootGpa;

    /** Table pages are taken from guest RAM upwards from {@code tablePoolGpa}. */
    GuestFirstStage(GuestRam ram, int levels, long tablePoolGpa) {
        this.ram = ram;
        this.levels = levels;
        this.nextFreeGpa = tablePoolGpa;
        this.rootGpa = newTable();
    }

    private long newTable() {
        long gpa = nextFreeGpa;
        nextFreeGpa += 4096;
        for (int i = 0; i < 512; i++) {
            write(gpa + 8L * i, 0);
        }
        return gpa;
    }

    private void write(long gpa, long value) {
        ram.writeLong(gpa, value);
    }

    private long read(long gpa) {
        return ram.readLong(gpa);
    }

    /** Maps the 4 KiB page at {@code iova} to guest-physical {@code gpa}. */
    void map(long iova, long gpa, boolean writable) {
        write(leafSlot(iova), gpa | X8664Format.P | X8664Format.US | X8664Format.A
                | (writable ? X8664Format.RW | X8664Format.D : 0));
    }

    /** Clears the leaf of {@code iova}, as a guest unmap does before it invalidates. */
    void unmap(long iova) {
        write(leafSlot(iova), 0);
    }

    private long leafSlot(long iova) {
        long table = rootGpa;
        for (int level = levels - 1; level > 0; level--) {
            long slot = table + 8 * ((iova >>> (12 + 9 * level)) & 511);
            long entry = read(slot);
            if ((entry & X8664Format.P) == 0) {
                long next = newTable();
                entry = next | X8664Format.P | X8664Format.RW | X8664Format.US | X8664Format.A;
                write(slot, entry);
            }
            table = entry & X8664Format.ADDR;
        }
        return table + 8 * ((iova >>> 12) & 511);
    }
}
