package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.spi.InvalidationError;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptInvalidate;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_HWPT_INVALIDATE (iommufd_hwpt_invalidate): hands the user's entry array to the nested
 * domain's driver. {@code entry_num} is always written back with the number of entries handled,
 * also on failure (0 unless the driver handled some). A paging HWPT is EINVAL; entry_num &gt; 0 with
 * a NULL pointer or entry_len 0 is EINVAL; entry_num 0 only lets the driver check data_type.
 * A vIOMMU {@code hwpt_id} goes to the vIOMMU's driver ({@link NestingHost#cacheInvalidate}).
 */
public final class HwptInvalidateHandler implements IoctlHandler<IommuHwptInvalidate> {
    private static final StructCodec<IommuHwptInvalidate> CODEC = StructCodec.of(IommuHwptInvalidate.class);

    @Inject
    public HwptInvalidateHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_HWPT_INVALIDATE;
    }

    @Override
    public StructCodec<IommuHwptInvalidate> codec() {
        return CODEC;
    }

    @Override
    public IommuHwptInvalidate handle(Ucmd ucmd, IommuHwptInvalidate cmd) {
        try {
            int handled = invalidate(ucmd, cmd);
            return cmd.withOutEntryNum(handled);
        } catch (InvalidationError e) {
            throw IommufdException.withResponse(e.errno(), e.getMessage(), cmd.withOutEntryNum(e.handled()));
        } catch (IommufdException e) {
            throw IommufdException.withResponse(e.errno(), e.getMessage(), cmd.withOutEntryNum(0));
        }
    }

    private static int invalidate(Ucmd ucmd, IommuHwptInvalidate cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_invalidate.__reserved must be 0");
        }
        if (cmd.entryNum() != 0 && (cmd.dataUptr() == 0 || cmd.entryLen() == 0)) {
            throw IommufdException.einval("iommu_hwpt_invalidate: " + Integer.toUnsignedString(cmd.entryNum())
                    + " entries need a data_uptr and an entry_len");
        }
        if (cmd.entryNum() < 0) {
            throw IommufdException.einval("iommu_hwpt_invalidate.entry_num " + Integer.toUnsignedString(cmd.entryNum()) + " is too large");
        }
        IommufdObject obj = ucmd.ctx().get(cmd.hwptId(), IommufdObject.class);
        try {
            UserArray entries = new UserArray(cmd.dataType(), ucmd.user(), cmd.dataUptr(), cmd.entryLen(), cmd.entryNum());
            if (obj instanceof HwptNested nested) {
                int handled = nested.nestedDomain().cacheInvalidateUser(entries);
                if (handled < 0 || handled > cmd.entryNum()) {
                    throw new IllegalStateException(nested.owner().name() + " reported " + handled + " of "
                            + cmd.entryNum() + " entries handled");
                }
                return handled;
            }
            return invalidateOther(obj, entries);
        } finally {
            ucmd.ctx().put(obj);
        }
    }

    /** Not a nested HWPT: a vIOMMU invalidates through its driver; anything else is EINVAL. */
    private static int invalidateOther(IommufdObject obj, UserArray entries) {
        if (obj instanceof NestingHost viommu) {
            int handled = viommu.cacheInvalidate(entries);
            if (handled < 0 || handled > entries.count()) {
                throw new IllegalStateException(obj + ": the driver reported " + handled + " of " + entries.count()
                        + " entries handled");
            }
            return handled;
        }
        throw IommufdException.einval("iommu_hwpt_invalidate.hwpt_id " + obj.id() + " is a " + obj.type()
                + ", not a HWPT_NESTED or a VIOMMU");
    }
}
