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

    @Binds
    @IntoSet
    Ioctl allowIovas(IoasAllowIovasHandler handler);

    @Binds
    @IntoSet
    Ioctl copy(IoasCopyHandler handler);

    @Binds
    @IntoSet
    Ioctl iovaRanges(IoasIovaRangesHandler handler);

    @Binds
    @IntoSet
    Ioctl map(IoasMapHandler handler);

    @Binds
    @IntoSet
    Ioctl mapFile(IoasMapFileHandler handler);

    @Binds
    @IntoSet
    Ioctl unmap(IoasUnmapHandler handler);

    @Binds
    @IntoSet
    Ioctl option(OptionHandler handler);

    @Binds
    @IntoSet
    Ioctl changeProcess(IoasChangeProcessHandler handler);
}
