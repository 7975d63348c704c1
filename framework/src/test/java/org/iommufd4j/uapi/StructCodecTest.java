package org.iommufd4j.uapi;

import static org.iommufd4j.uapi.RecordSamples.le;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The codec's checks at build time and its narrow-integer paths. */
class StructCodecTest {

    @KernelStruct(name = "overlapping", size = 16)
    public record Overlapping(@At(offset = 4, bytes = 8) long a, @At(offset = 8, bytes = 4) int b) {
    }

    @KernelStruct(name = "over_header", size = 8)
    public record OverHeader(@At(offset = 0, bytes = 4) int a) {
    }

    @KernelStruct(name = "past_end", size = 8, sized = false)
    public record PastEnd(@At(offset = 4, bytes = 8) long a) {
    }

    @KernelStruct(name = "too_wide", size = 16, sized = false)
    public record TooWide(@At(offset = 0, bytes = 8) int a) {
    }

    @KernelStruct(name = "no_at", size = 8, sized = false)
    public record NoAt(int a) {
    }

    public record NoKernelStruct(@At(offset = 0, bytes = 4) int a) {
    }

    @KernelStruct(name = "narrow", size = 12, sized = false)
    public record Narrow(
            @At(offset = 0, bytes = 1) int u8,
            @At(offset = 1, bytes = 3) int u24,
            @At(offset = 4, bytes = 2) int u16,
            @At(offset = 6, bytes = 2) int other16,
            @At(offset = 8, bytes = 4) byte[] raw) {
    }

    @Test
    void overlappingFieldsFailToBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StructCodec.of(Overlapping.class));
        assertTrue(e.getMessage().contains("overlapping.b"), e.getMessage());
    }

    @Test
    void aFieldOnTheSizeHeaderFailsToBuild() {
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(OverHeader.class));
    }

    @Test
    void aFieldPastTheEndFailsToBuild() {
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(PastEnd.class));
    }

    @Test
    void aWidthTheTypeCannotHoldFailsToBuild() {
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(TooWide.class));
    }

    @Test
    void missingAnnotationsFailToBuild() {
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(NoAt.class));
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(NoKernelStruct.class));
    }

    @Test
    void decodesU8U24U16Unsigned() {
        ByteBuffer b = le(12);
        b.put(0, (byte) 0xfe).put(1, (byte) 0x01).put(2, (byte) 0x02).put(3, (byte) 0x83)
                .putShort(4, (short) 0xfffe).putShort(6, (short) 0x1234).putInt(8, 0xa1b2c3d4);
        Narrow n = StructCodec.of(Narrow.class).decode(b);
        assertEquals(0xfe, n.u8());
        assertEquals(0x830201, n.u24());
        assertEquals(0xfffe, n.u16());
        assertEquals(0x1234, n.other16());
        assertArrayEquals(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1}, n.raw());
    }

    @Test
    void encodesNarrowFieldsWithoutTouchingTheirNeighbours() {
        StructCodec<Narrow> codec = StructCodec.of(Narrow.class);
        byte[] out = codec.toBytes(new Narrow(0xab, 0xc0ffee, 0xbeef, 0x0102, new byte[] {9, 8, 7, 6}));
        assertArrayEquals(new byte[] {(byte) 0xab, (byte) 0xee, (byte) 0xff, (byte) 0xc0, (byte) 0xef, (byte) 0xbe, 2, 1, 9, 8, 7, 6}, out);
    }

    @Test
    void encodeKeepsOnlyTheFieldWidthOfAWiderInt() {
        // A handler that puts 0x1ff into a u8 gets 0xff on the wire, not a spill into the next byte.
        byte[] out = StructCodec.of(Narrow.class).toBytes(new Narrow(0x1ff, 0, 0, 0, new byte[4]));
        assertEquals((byte) 0xff, out[0]);
        assertEquals(0, out[1]);
    }

    @Test
    void decodeReadsFromTheBufferPositionAndDoesNotMoveIt() {
        ByteBuffer b = le(20);
        b.put(4 + 0, (byte) 7);
        b.position(4);
        Narrow n = StructCodec.of(Narrow.class).decode(b);
        assertEquals(7, n.u8());
        assertEquals(4, b.position());
    }

    @Test
    void aByteArrayOfTheWrongLengthIsRefusedOnEncode() {
        assertThrows(IllegalArgumentException.class,
                () -> StructCodec.of(Narrow.class).toBytes(new Narrow(0, 0, 0, 0, new byte[3])));
    }

    @Test
    void toBytesWritesTheSizeHeaderOnlyForSizedStructs() {
        assertEquals(8, le(StructCodec.of(IommuDestroy.class).toBytes(new IommuDestroy(3))).getInt(0));
        assertEquals(3, le(StructCodec.of(IommuDestroy.class).toBytes(new IommuDestroy(3))).getInt(4));
        assertEquals(1, StructCodec.of(IommuHwptPageResponse.class).toBytes(new IommuHwptPageResponse(1, 0))[0]);
    }

    @Test
    void describeNamesStructFieldAndOffset() {
        assertEquals("iommu_ioas_map.iova@32", StructCodec.of(IommuIoasMap.class).describe("iova"));
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(IommuIoasMap.class).describe("nope"));
    }
}
