package org.iommufd4j.cli;

import java.util.Locale;
import org.iommufd4j.pt.Prot;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One {@code --map IOVA:PA:LEN:PROT} of {@code pt dump}: numbers in hex ({@code 0x...}) or decimal,
 * each with an optional K, M, G or T suffix (binary: 2^10, 2^20, ...); PROT is {@code r}, {@code w}
 * or {@code rw}.
 */
record MapSpec(String text, long iova, long pa, long length, int prot) {
    static final String SYNTAX = "IOVA:PA:LEN:PROT";

    static MapSpec parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not " + SYNTAX + " (four fields separated by ':')");
        }
        long iova = number("IOVA", parts[0]);
        long pa = number("PA", parts[1]);
        long length = number("LEN", parts[2]);
        if (length == 0) {
            throw new IllegalArgumentException("LEN in '" + text + "' must not be 0");
        }
        return new MapSpec(text, iova, pa, length, prot(parts[3]));
    }

    /** A number in hex or decimal with an optional binary K/M/G/T suffix, as an unsigned 64-bit value. */
    static long number(String what, String text) {
        String t = text.strip().replace("_", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        long value;
        try {
            boolean hex = t.regionMatches(true, 0, "0x", 0, 2);
            String digits = hex ? t.substring(2) : t;
            if (digits.isEmpty() || digits.charAt(0) == '+' || digits.charAt(0) == '-') {
                throw new NumberFormatException();
            }
            value = Long.parseUnsignedLong(digits, hex ? 16 : 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a number (hex 0x..., or decimal; "
                    + "optional K, M, G or T suffix)");
        }
        if (unit != 1 && Long.compareUnsigned(value, Long.divideUnsigned(-1L, unit)) > 0) {
            throw new IllegalArgumentException(what + " '" + text + "' does not fit in 64 bits");
        }
        return value * unit;
    }

    static int prot(String text) {
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "r":
                return Prot.READ;
            case "w":
                return Prot.WRITE;
            case "rw":
            case "wr":
                return Prot.READ | Prot.WRITE;
            default:
                throw new IllegalArgumentException("PROT '" + text + "' must be r, w or rw");
        }
    }

    /** picocli's converter: a bad value is a usage error (exit 2) naming the field and the rule. */
    static final class Converter implements ITypeConverter<MapSpec> {
        @Override
        public MapSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An IOVA option value (hex or decimal, optional suffix). */
    static final class IovaConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return number("IOVA", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
