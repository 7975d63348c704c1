package org.iommufd4j.ioas;

import org.iommufd4j.core.ContextLocal;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.memory.AccountMode;

/**
 * Per-context IOAS settings ({@code iommufd_ctx.account_mode}): where pins of new maps are charged
 * (IOMMU_OPTION_RLIMIT_MODE). The default is per user; the VFIO compatibility path uses per process.
 */
public final class IoasSettings {
    private static final ContextLocal<IoasSettings> SLOT = ContextLocal.of(ctx -> new IoasSettings());

    private volatile AccountMode accountMode = AccountMode.USER;

    private IoasSettings() {
    }

    /** The settings of {@code ctx}. */
    public static IoasSettings of(IommufdContext ctx) {
        return SLOT.get(ctx);
    }

    /** USER or MM. */
    public AccountMode accountMode() {
        return accountMode;
    }

    public void setAccountMode(AccountMode mode) {
        if (mode == AccountMode.NONE) {
            throw new IllegalArgumentException("the context's mode is USER or MM; NONE comes from CAP_IPC_LOCK");
        }
        this.accountMode = mode;
    }
}
