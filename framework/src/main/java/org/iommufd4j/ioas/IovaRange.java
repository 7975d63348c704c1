package org.iommufd4j.ioas;

/**
 * An inclusive IOVA range [start, last]; both ends are unsigned 64-bit values.
 *
 * @param start first IOVA
 * @param last last IOVA (inclusive, unsigned, {@code last >= start})
 */
public record IovaRange(long start, long last) {
    /** Whether the two ranges share an IOVA. */
    public boolean intersects(long otherStart, long otherLast) {
        return Long.compareUnsigned(start, otherLast) <= 0 && Long.compareUnsigned(otherStart, last) <= 0;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(last) + "]";
    }
}
