package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasChangeProcess;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_CHANGE_PROCESS (ioas.c iommufd_ioas_change_process): moves the pin charge of every map to the caller; only MAP_FILE maps may move. */
public final class IoasChangeProcessHandler implements IoctlHandler<IommuIoasChangeProcess> {
    private static final StructCodec<IommuIoasChangeProcess> CODEC = StructCodec.of(IommuIoasChangeProcess.class);

    @Inject
    public IoasChangeProcessHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_CHANGE_PROCESS;
    }

    @Override
    public StructCodec<IommuIoasChangeProcess> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasChangeProcess handle(Ucmd ucmd, IommuIoasChangeProcess cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_ioas_change_process.__reserved must be 0, got " + cmd.reserved());
        }
        UserProcess caller = IoasCommon.caller(ucmd, "iommu_ioas_change_process");
        ucmd.ctx().device().failNth().check("change_process ioas list", Errno.ENOMEM);
        List<Ioas> held = new ArrayList<>();
        try {
            for (IommufdObject obj : ucmd.ctx().objects().snapshot()) {
                if (obj instanceof Ioas) {
                    try {
                        held.add(ucmd.ctx().get(obj.id(), Ioas.class));
                    } catch (IommufdException gone) {
                        // Destroyed since the snapshot: it has no pages left to move.
                    }
                }
            }
            Set<IoPages> all = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Ioas ioas : held) {
                for (IoPages p : ioas.iopt().distinctPages()) {
                    if (!p.isFile()) {
                        throw IommufdException.einval(ioas + " has a map not made by IOAS_MAP_FILE; only file maps can change process");
                    }
                    all.add(p);
                }
            }
            List<IoPages> moving = new ArrayList<>();
            for (IoPages p : all) {
                if (!caller.equals(p.accountOwner())) {
                    moving.add(p);
                }
            }
            int charged = 0;
            try {
                for (IoPages p : moving) {
                    p.chargeTo(caller);
                    charged++;
                }
            } catch (RuntimeException e) {
                for (int i = 0; i < charged; i++) {
                    moving.get(i).unchargeFrom(caller);
                }
                throw e;
            }
            for (IoPages p : moving) {
                p.moveChargeTo(caller);
            }
            return null;
        } finally {
            for (Ioas ioas : held) {
                ucmd.ctx().put(ioas);
            }
        }
    }
}
