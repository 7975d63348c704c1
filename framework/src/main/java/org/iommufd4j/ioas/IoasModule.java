package org.iommufd4j.ioas;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoSet;
import org.iommufd4j.core.Ioctl;

/** The IO address space ioctls. */
@Module
public interface IoasModule {
    @Binds
    @IntoSet
    Ioctl alloc(IoasAllocHandler handler);
}
