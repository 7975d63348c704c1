package org.iommufd4j.ioas;

/**
 * Someone who pins IOVA through an io_pagetable instead of a paging domain: an emulated device
 * (Linux's {@code iommufd_access}) or an internal user such as a HW queue. Before an unmap removes
 * an area it has pinned, the io_pagetable calls {@link #unmap} so it can let go
 * ({@code iommufd_access_notify_unmap}); an access that keeps its pins makes the unmap EBUSY.
 */
public interface IovaAccess {
    /** IOVA [iova, iova+length) is about to be unmapped: unpin whatever you hold in it. */
    void unmap(long iova, long length);

    /**
     * The IOVA alignment this user needs from the io_pagetable while it is registered: PAGE_SIZE
     * for one that pins pages (iommufd_access {@code iova_alignment}), else 1.
     */
    default long iovaAlignment() {
        return 1;
    }
}
