package org.iommufd4j.vfio;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoSet;
import dagger.multibindings.Multibinds;
import java.util.Set;
import org.iommufd4j.core.Ioctl;
import org.iommufd4j.ioas.CacheCoherency;

/** VFIO type1 compatibility: IOMMU_VFIO_IOAS and the VFIO container ioctls. */
@Module
public interface VfioModule {
    @Binds
    @IntoSet
    Ioctl vfioIoas(VfioIoasHandler handler);

    @Binds
    @IntoSet
    Ioctl getApiVersion(GetApiVersionHandler handler);

    @Binds
    @IntoSet
    Ioctl checkExtension(CheckExtensionHandler handler);

    @Binds
    @IntoSet
    Ioctl setIommu(SetIommuHandler handler);

    @Binds
    @IntoSet
    Ioctl getInfo(GetInfoHandler handler);

    @Binds
    @IntoSet
    Ioctl mapDma(MapDmaHandler handler);

    @Binds
    @IntoSet
    Ioctl unmapDma(UnmapDmaHandler handler);

    /** Whoever attaches domains may vouch for their cache coherency; none do by default. */
    @Multibinds
    Set<CacheCoherency> cacheCoherency();
}
