package org.iommufd4j.pt;

import java.util.Objects;

/**
 * One named bit field of a page-table entry as its format's specification names it (VT-d
 * {@code SNP}, AMD-Vi {@code NextLevel}, ARM {@code AP}), with the value an entry holds in it.
 * Formats return them from {@link PageTableFormat#describe(int, long)} for dumps.
 *
 * @param name the specification's name of the field
 * @param lsb its lowest bit
 * @param width its number of bits (1 for a flag)
 * @param value the field's value in the entry, shifted down to bit 0
 * @param meaning what the value means when the number alone does not say it (e.g. {@code "table at level 1"}), or ""
 */
public record BitField(String name, int lsb, int width, long value, String meaning) {
    public BitField {
        Objects.requireNonNull(name);
        meaning = meaning == null ? "" : meaning;
        if (width < 1 || lsb < 0 || lsb + width > 64) {
            throw new IllegalArgumentException(name + ": bits " + (lsb + width - 1) + ":" + lsb + " are not within 63:0");
        }
    }

    /** The one-bit field {@code name} at {@code bit} of {@code entry}. */
    public static BitField flag(String name, int bit, long entry) {
        return new BitField(name, bit, 1, (entry >>> bit) & 1, "");
    }

    /** The field {@code name} in bits {@code msb:lsb} of {@code entry}. */
    public static BitField field(String name, int msb, int lsb, long entry) {
        return field(name, msb, lsb, entry, "");
    }

    /** The field {@code name} in bits {@code msb:lsb} of {@code entry}, with what its value means. */
    public static BitField field(String name, int msb, int lsb, long entry, String meaning) {
        int width = msb - lsb + 1;
        long mask = width >= 64 ? -1L : (1L << width) - 1;
        return new BitField(name, lsb, width, (entry >>> lsb) & mask, meaning);
    }

    /** The highest bit of the field. */
    public int msb() {
        return lsb + width - 1;
    }

    public boolean isFlag() {
        return width == 1;
    }

    /**
     * The short form a dump prints: a flag as its name when set and nothing when clear; a wider
     * field as {@code NAME=value} (hex above 9), followed by its meaning in parentheses.
     */
    public String compact() {
        String s;
        if (isFlag()) {
            s = value != 0 ? name : "";
        } else {
            s = name + "=" + (Long.compareUnsigned(value, 9) > 0 ? "0x" + Long.toHexString(value) : Long.toString(value));
        }
        return s.isEmpty() || meaning.isEmpty() ? s : s + "(" + meaning + ")";
    }
}
