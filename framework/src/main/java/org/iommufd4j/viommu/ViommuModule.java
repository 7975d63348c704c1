package org.iommufd4j.viommu;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoSet;
import org.iommufd4j.core.Ioctl;

/** The vIOMMU ioctls: VIOMMU_ALLOC, VDEVICE_ALLOC, VEVENTQ_ALLOC and HW_QUEUE_ALLOC. */
@Module
public interface ViommuModule {
    @Binds
    @IntoSet
    Ioctl viommuAlloc(ViommuAllocHandler handler);

    @Binds
    @IntoSet
    Ioctl vdeviceAlloc(VdeviceAllocHandler handler);

    @Binds
    @IntoSet
    Ioctl veventqAlloc(VeventqAllocHandler handler);

    @Binds
    @IntoSet
    Ioctl hwQueueAlloc(HwQueueAllocHandler handler);
}
