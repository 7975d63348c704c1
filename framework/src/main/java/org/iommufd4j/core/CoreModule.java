package org.iommufd4j.core;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoSet;

/** The core's own ioctls. */
@Module
public interface CoreModule {
    @Binds
    @IntoSet
    Ioctl destroy(DestroyHandler handler);
}
