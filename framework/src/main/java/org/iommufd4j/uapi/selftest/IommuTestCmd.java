package org.iommufd4j.uapi.selftest;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_test_cmd} (drivers/iommu/iommufd/iommufd_test.h): the argument of
 * IOMMU_TEST_CMD. {@code op} selects an {@link IommuTestOp}; {@code id} names its target object;
 * the 48-byte union at offset 16 holds the op's payload, decoded by the op's own record. sizeof is
 * 72 (the union's u64 alignment pads past {@code last}); min_size ends at {@code last} (68).
 */
@KernelStruct(name = "iommu_test_cmd", size = 72, minSize = 68)
public record IommuTestCmd(
        @At(offset = 4, bytes = 4) int op,
        @At(offset = 8, bytes = 4) int id,
        @At(offset = 12, bytes = 4) int reserved,
        @At(offset = 16, bytes = 48) byte[] payload,
        @At(offset = 64, bytes = 4) int last) {

    /** Offset of the union in the struct. */
    public static final int PAYLOAD_OFFSET = 16;
    /** Size of the union. */
    public static final int PAYLOAD_SIZE = 48;

    public IommuTestCmd {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The same command with another payload (the op's outputs), padded to the union's size. */
    public IommuTestCmd withPayload(byte[] newPayload) {
        if (newPayload.length > PAYLOAD_SIZE) {
            throw new IllegalArgumentException("payload of " + newPayload.length + " bytes exceeds the union");
        }
        byte[] p = payload.clone();
        System.arraycopy(newPayload, 0, p, 0, newPayload.length);
        return new IommuTestCmd(op, id, reserved, p, last);
    }
}
