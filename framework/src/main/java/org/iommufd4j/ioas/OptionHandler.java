package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_OPTION (main.c iommufd_option, ioas.c iommufd_ioas_option): RLIMIT_MODE (per context) and HUGE_PAGES (per IOAS). */
public final class OptionHandler implements IoctlHandler<IommuOption> {
    private static final StructCodec<IommuOption> CODEC = StructCodec.of(IommuOption.class);

    @Inject
    public OptionHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_OPTION;
    }

    @Override
    public StructCodec<IommuOption> codec() {
        return CODEC;
    }

    @Override
    public IommuOption handle(Ucmd ucmd, IommuOption cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_option.__reserved must be 0, got " + cmd.reserved());
        }
        switch (cmd.optionId()) {
            case IommuOptionId.RLIMIT_MODE:
                return rlimitMode(ucmd, cmd);
            case IommuOptionId.HUGE_PAGES:
                return hugePages(ucmd, cmd);
            default:
                throw new IommufdException(Errno.EOPNOTSUPP, "iommu_option.option_id " + Integer.toUnsignedString(cmd.optionId()) + " is unknown");
        }
    }

    private static IommuOption rlimitMode(Ucmd ucmd, IommuOption cmd) {
        if (cmd.objectId() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_option.object_id must be 0 for RLIMIT_MODE, got " + cmd.objectId());
        }
        IoasSettings settings = IoasSettings.of(ucmd.ctx());
        if (cmd.op() == IommuOptionOps.GET) {
            return cmd.withOutVal64(settings.accountMode() == AccountMode.MM ? 1 : 0);
        }
        if (cmd.op() != IommuOptionOps.SET) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_option.op " + cmd.op() + " is unknown");
        }
        if (!IoasCommon.capable(ucmd, Capability.SYS_RESOURCE)) {
            throw new IommufdException(Errno.EPERM, "setting RLIMIT_MODE needs CAP_SYS_RESOURCE");
        }
        if (ucmd.ctx().objects().size() != 0) {
            throw new IommufdException(Errno.EBUSY, "RLIMIT_MODE can only change while the context has no objects ("
                    + ucmd.ctx().objects().size() + " exist)");
        }
        if (cmd.val64() == 0) {
            settings.setAccountMode(AccountMode.USER);
        } else if (cmd.val64() == 1) {
            settings.setAccountMode(AccountMode.MM);
        } else {
            throw IommufdException.einval("iommu_option.val64 " + Long.toUnsignedString(cmd.val64()) + " is not 0 (user) or 1 (mm)");
        }
        return cmd;
    }

    private static IommuOption hugePages(Ucmd ucmd, IommuOption cmd) {
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.objectId());
        try {
            if (cmd.op() == IommuOptionOps.GET) {
                return cmd.withOutVal64(ioas.iopt().largePages() ? 1 : 0);
            }
            if (cmd.op() != IommuOptionOps.SET) {
                throw new IommufdException(Errno.EOPNOTSUPP, "iommu_option.op " + cmd.op() + " is unknown");
            }
            if (cmd.val64() == 0) {
                ioas.iopt().setLargePages(false);
            } else if (cmd.val64() == 1) {
                ioas.iopt().setLargePages(true);
            } else {
                throw IommufdException.einval("iommu_option.val64 " + Long.toUnsignedString(cmd.val64()) + " is not 0 or 1 for HUGE_PAGES");
            }
            return cmd;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
