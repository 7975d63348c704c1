package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_HWPT_ALLOC (hw_pagetable.c iommufd_hwpt_alloc): a PAGING HWPT on an IOAS, or a NESTED one
 * on a nest-parent PAGING HWPT. The order of the checks is the kernel's: __reserved (EOPNOTSUPP),
 * data_type/data_len consistency (EINVAL), dev_id (ENOENT), pt_id (EINVAL when it is not an IOAS or
 * a paging HWPT), the allocation itself, then the fault queue.
 *
 * <p>{@code pt_id} may also be a vIOMMU ({@link NestingHost}); FAULT_ID_VALID routes the new
 * HWPT's page requests to a {@link FaultQueue}.
 */
public final class HwptAllocHandler implements IoctlHandler<IommuHwptAlloc> {
    private static final StructCodec<IommuHwptAlloc> CODEC = StructCodec.of(IommuHwptAlloc.class);

    @Inject
    public HwptAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_HWPT_ALLOC;
    }

    @Override
    public StructCodec<IommuHwptAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuHwptAlloc handle(Ucmd ucmd, IommuHwptAlloc cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_alloc.__reserved must be 0, got " + cmd.reserved());
        }
        boolean none = cmd.dataType() == IommuHwptDataType.NONE;
        if (none != (cmd.dataLen() == 0)) {
            throw IommufdException.einval("iommu_hwpt_alloc: data_type 0x" + Integer.toHexString(cmd.dataType())
                    + " with data_len " + Integer.toUnsignedString(cmd.dataLen())
                    + " (data_len must be 0 exactly when data_type is IOMMU_HWPT_DATA_NONE)");
        }
        if (cmd.dataLen() < 0) {
            throw IommufdException.einval("iommu_hwpt_alloc.data_len " + Integer.toUnsignedString(cmd.dataLen()) + " is too large");
        }
        UserData data = none ? null : new UserData(cmd.dataType(), ucmd.user(), cmd.dataUptr(), cmd.dataLen());
        Idev idev = ucmd.ctx().get(cmd.devId(), Idev.class);
        try {
            IommufdObject pt;
            try {
                pt = ucmd.ctx().get(cmd.ptId(), IommufdObject.class);
            } catch (IommufdException e) {
                throw IommufdException.einval("iommu_hwpt_alloc.pt_id " + Integer.toUnsignedString(cmd.ptId())
                        + " is not an IOAS or a HWPT_PAGING of this context");
            }
            Hwpt hwpt;
            try {
                if (pt instanceof Ioas ioas) {
                    hwpt = HwptPaging.allocate(ioas, idev, cmd.flags(), data, false, ucmd::newObject);
                } else if (pt instanceof HwptPaging parent) {
                    hwpt = HwptNested.allocate(parent, idev, cmd.flags(), data, ucmd::newObject);
                } else {
                    hwpt = allocOnOther(ucmd, pt, idev, cmd, data);
                }
            } finally {
                ucmd.ctx().put(pt);
            }
            if ((cmd.flags() & IommuHwptAllocFlags.FAULT_ID_VALID) != 0) {
                attachFaultQueue(ucmd, hwpt, cmd.faultId());
            }
            return cmd.withOutHwptId(hwpt.id());
        } finally {
            ucmd.ctx().put(idev);
        }
    }

    /** pt_id is neither an IOAS nor a paging HWPT: a vIOMMU (any {@link NestingHost}) gives a nested HWPT. */
    private static Hwpt allocOnOther(Ucmd ucmd, IommufdObject pt, Idev idev, IommuHwptAlloc cmd, UserData data) {
        if (pt instanceof NestingHost viommu) {
            return HwptNested.allocateOn(viommu, idev, cmd.flags(), data, ucmd::newObject);
        }
        throw IommufdException.einval("iommu_hwpt_alloc.pt_id " + Integer.toUnsignedString(cmd.ptId()) + " is a " + pt.type()
                + ", not an IOAS, a HWPT_PAGING or a VIOMMU");
    }

    /**
     * FAULT_ID_VALID (iommufd_hwpt_alloc): the HWPT's I/O page requests go to the FAULT object
     * {@code faultId}, which the HWPT holds from now on. A wrong ID is ENOENT; the caller then
     * aborts the new HWPT.
     */
    private static void attachFaultQueue(Ucmd ucmd, Hwpt hwpt, int faultId) {
        FaultQueue fault = ucmd.ctx().get(faultId, FaultQueue.class);
        try {
            fault.ref();
            if (hwpt instanceof HwptPaging paging) {
                paging.fault = fault;
            } else if (hwpt instanceof HwptNested nested) {
                nested.fault = fault;
            } else {
                fault.unref();
                throw new IllegalStateException("a new " + hwpt + " is neither paging nor nested");
            }
        } finally {
            ucmd.ctx().put(fault);
        }
    }
}
