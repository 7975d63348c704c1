package org.iommufd4j.core;

import jakarta.inject.Inject;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_DESTROY (main.c iommufd_destroy): any destroyable object, ENOENT or EBUSY otherwise. */
public final class DestroyHandler implements IoctlHandler<IommuDestroy> {
    private static final StructCodec<IommuDestroy> CODEC = StructCodec.of(IommuDestroy.class);

    @Inject
    public DestroyHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_DESTROY;
    }

    @Override
    public StructCodec<IommuDestroy> codec() {
        return CODEC;
    }

    @Override
    public IommuDestroy handle(Ucmd ucmd, IommuDestroy cmd) {
        ucmd.ctx().destroyObject(cmd.id());
        return null;
    }
}
