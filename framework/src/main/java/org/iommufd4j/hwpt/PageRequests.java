package org.iommufd4j.hwpt;

import java.util.List;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.uapi.IommuHwptPgfault;
import org.iommufd4j.uapi.IommuHwptPgfaultFlags;
import org.iommufd4j.uapi.IommufdException;

/**
 * The path of a device's I/O page request (iommu_report_device_fault → the attached domain's
 * iopf handler → iommufd_fault_iopf_handler): it reaches the FAULT object of the HWPT attached to
 * the PASID (or the RID), as one group.
 */
public final class PageRequests {
    private PageRequests() {
    }

    /** The FAULT object page requests of {@code hwpt} go to, or null. */
    public static FaultQueue faultQueueOf(Hwpt hwpt) {
        if (hwpt instanceof HwptPaging p) {
            return p.fault;
        }
        if (hwpt instanceof HwptNested n) {
            return n.fault;
        }
        return null;
    }

    /**
     * Reports a one-page request group (the fault record composed as iommufd_compose_fault_message:
     * {@code length} 0, the cookie given when read). {@code pasid} 0 means the RID; EINVAL when the
     * attached HWPT (or none) has no fault queue, as iommu_report_device_fault without a handler.
     */
    public static void report(Idev idev, int pasid, int grpid, int perm, long addr, int flags) {
        Hwpt hwpt = (flags & IommuHwptPgfaultFlags.PASID_VALID) != 0 ? idev.attachedPasid(pasid) : idev.attached();
        int attachPasid = hwpt != null && (flags & IommuHwptPgfaultFlags.PASID_VALID) != 0 ? pasid : 0;
        if (hwpt == null && (flags & IommuHwptPgfaultFlags.PASID_VALID) != 0 && idev.device().userPasidTable()
                && idev.attached() instanceof HwptNested nested) {
            // iommu_report_device_fault: with a user-managed PASID table, faults of any PASID go
            // through the nested domain attached to the RID.
            hwpt = nested;
        }
        FaultQueue fault = hwpt == null ? null : faultQueueOf(hwpt);
        if (fault == null) {
            throw IommufdException.einval(idev + ": " + (hwpt == null ? "nothing is attached" : hwpt + " has no fault queue")
                    + (pasid != 0 ? " at PASID " + Integer.toUnsignedString(pasid) : " at the RID")
                    + " to take the page request");
        }
        fault.deliver(List.of(new IommuHwptPgfault(flags, idev.id(), pasid, grpid, perm, 0, addr, 0, 0)), idev.id(), attachPasid);
    }
}
