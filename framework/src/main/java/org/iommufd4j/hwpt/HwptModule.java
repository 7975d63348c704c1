package org.iommufd4j.hwpt;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoSet;
import org.iommufd4j.core.Ioctl;
import org.iommufd4j.device.AutoDomainFactory;

/** The HW page table ioctls (and the fault queues their page requests go to), and the automatic domains devices get when attached to an IOAS. */
@Module
public interface HwptModule {
    @Binds
    AutoDomainFactory autoDomains(AutoPagingFactory factory);

    @Binds
    @IntoSet
    Ioctl alloc(HwptAllocHandler handler);

    @Binds
    @IntoSet
    Ioctl hwInfo(GetHwInfoHandler handler);

    @Binds
    @IntoSet
    Ioctl setDirtyTracking(SetDirtyTrackingHandler handler);

    @Binds
    @IntoSet
    Ioctl getDirtyBitmap(GetDirtyBitmapHandler handler);

    @Binds
    @IntoSet
    Ioctl invalidate(HwptInvalidateHandler handler);

    @Binds
    @IntoSet
    Ioctl faultAlloc(FaultAllocHandler handler);
}
