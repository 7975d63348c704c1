package org.iommufd4j.uapi.selftest;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * The members of {@code iommu_test_cmd}'s union, one record each (offsets are from the union's
 * start, iommufd_test.h). Decoded from {@link IommuTestCmd#payload()} with their codecs.
 */
public final class IommuTestPayloads {
    private IommuTestPayloads() {
    }

    @KernelStruct(name = "add_reserved", size = 16, sized = false)
    public record AddReserved(@At(offset = 0, bytes = 8) long start, @At(offset = 8, bytes = 8) long length) {
    }

    @KernelStruct(name = "mock_domain", size = 12, sized = false)
    public record MockDomain(@At(offset = 0, bytes = 4) int outStdevId, @At(offset = 4, bytes = 4) int outHwptId,
            @At(offset = 8, bytes = 4) int outIdevId) {
    }

    @KernelStruct(name = "mock_domain_flags", size = 16, sized = false)
    public record MockDomainFlags(@At(offset = 0, bytes = 4) int outStdevId, @At(offset = 4, bytes = 4) int outHwptId,
            @At(offset = 8, bytes = 4) int outIdevId, @At(offset = 12, bytes = 4) int devFlags) {
    }

    @KernelStruct(name = "mock_domain_replace", size = 4, sized = false)
    public record MockDomainReplace(@At(offset = 0, bytes = 4) int ptId) {
    }

    @KernelStruct(name = "check_map", size = 24, sized = false)
    public record CheckMap(@At(offset = 0, bytes = 8) long iova, @At(offset = 8, bytes = 8) long length,
            @At(offset = 16, bytes = 8) long uptr) {
    }

    @KernelStruct(name = "check_refs", size = 24, sized = false)
    public record CheckRefs(@At(offset = 0, bytes = 8) long length, @At(offset = 8, bytes = 8) long uptr,
            @At(offset = 16, bytes = 4) int refs) {
    }

    @KernelStruct(name = "memory_limit", size = 4, sized = false)
    public record MemoryLimit(@At(offset = 0, bytes = 4) int limit) {
    }

    @KernelStruct(name = "dirty", size = 48, sized = false)
    public record Dirty(@At(offset = 0, bytes = 4) int flags, @At(offset = 8, bytes = 8) long iova,
            @At(offset = 16, bytes = 8) long length, @At(offset = 24, bytes = 8) long pageSize,
            @At(offset = 32, bytes = 8) long uptr, @At(offset = 40, bytes = 8) long outNrDirty) {
    }

    @KernelStruct(name = "check_iotlb", size = 8, sized = false)
    public record CheckIotlb(@At(offset = 0, bytes = 4) int id, @At(offset = 4, bytes = 4) int iotlb) {
    }

    /** pasid_attach, pasid_replace and pasid_check share this layout (pasid, then pt_id / hwpt_id). */
    @KernelStruct(name = "pasid_attach", size = 8, sized = false)
    public record PasidPt(@At(offset = 0, bytes = 4) int pasid, @At(offset = 4, bytes = 4) int ptId) {
    }

    @KernelStruct(name = "pasid_detach", size = 4, sized = false)
    public record PasidDetach(@At(offset = 0, bytes = 4) int pasid) {
    }

    @KernelStruct(name = "check_dev_cache", size = 8, sized = false)
    public record CheckDevCache(@At(offset = 0, bytes = 4) int id, @At(offset = 4, bytes = 4) int cache) {
    }

    @KernelStruct(name = "trigger_iopf", size = 24, sized = false)
    public record TriggerIopf(@At(offset = 0, bytes = 4) int devId, @At(offset = 4, bytes = 4) int pasid,
            @At(offset = 8, bytes = 4) int grpid, @At(offset = 12, bytes = 4) int perm,
            @At(offset = 16, bytes = 8) long addr) {
    }

    @KernelStruct(name = "trigger_vevent", size = 4, sized = false)
    public record TriggerVevent(@At(offset = 0, bytes = 4) int devId) {
    }

    @KernelStruct(name = "dmabuf_get", size = 8, sized = false)
    public record DmabufGet(@At(offset = 0, bytes = 4) int length, @At(offset = 4, bytes = 4) int openFlags) {
    }

    @KernelStruct(name = "dmabuf_revoke", size = 8, sized = false)
    public record DmabufRevoke(@At(offset = 0, bytes = 4) int dmabufFd, @At(offset = 4, bytes = 4) int revoked) {
    }

    /** CREATE_ACCESS (id = the IOAS): the access fd comes back in out_access_fd. */
    @KernelStruct(name = "create_access", size = 8, sized = false)
    public record CreateAccess(@At(offset = 0, bytes = 4) int outAccessFd, @At(offset = 4, bytes = 4) int flags) {
    }

    /** DESTROY_ACCESS_PAGES (id = the access fd). */
    @KernelStruct(name = "destroy_access_pages", size = 4, sized = false)
    public record DestroyAccessPages(@At(offset = 0, bytes = 4) int accessPagesId) {
    }

    /** ACCESS_PAGES (id = the access fd): the pinned item's ID comes back in out_access_pages_id. */
    @KernelStruct(name = "access_pages", size = 32, sized = false)
    public record AccessPages(@At(offset = 0, bytes = 4) int flags, @At(offset = 4, bytes = 4) int outAccessPagesId,
            @At(offset = 8, bytes = 8) long iova, @At(offset = 16, bytes = 8) long length,
            @At(offset = 24, bytes = 8) long uptr) {
    }

    /** ACCESS_RW (id = the access fd); 28 bytes of members padded to the union's 8-byte alignment. */
    @KernelStruct(name = "access_rw", size = 32, sized = false)
    public record AccessRw(@At(offset = 0, bytes = 8) long iova, @At(offset = 8, bytes = 8) long length,
            @At(offset = 16, bytes = 8) long uptr, @At(offset = 24, bytes = 4) int flags) {
    }

    /** ACCESS_REPLACE_IOAS (id = the access fd). */
    @KernelStruct(name = "access_replace_ioas", size = 4, sized = false)
    public record AccessReplaceIoas(@At(offset = 0, bytes = 4) int ioasId) {
    }
}
