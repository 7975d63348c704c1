package org.iommufd4j.uapi;

/**
 * {@code struct iommu_option}: set or get an option ({@link IommuOptionId}) with an op
 * ({@link IommuOptionOps}); {@code val64} is written back on GET. RLIMIT_MODE is global
 * (object_id must be 0), HUGE_PAGES is per IOAS. Unknown option/op or reserved≠0 → EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_option", size = 24, minSize = 24)
public record IommuOption(
        @At(offset = 4, bytes = 4) int optionId,
        @At(offset = 8, bytes = 2) int op,
        @At(offset = 10, bytes = 2) int reserved,
        @At(offset = 12, bytes = 4) int objectId,
        @At(offset = 16, bytes = 8) long val64) {

    /** The option's value, written back by OP_GET. */
    public IommuOption withOutVal64(long value) {
        return new IommuOption(optionId, op, reserved, objectId, value);
    }
}
