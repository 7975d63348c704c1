package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.vfio.VfioIoctl;

/** VFIO_GET_API_VERSION: returns VFIO_API_VERSION (0), whatever the argument. */
public final class GetApiVersionHandler implements CompatIoctlHandler {
    @Inject
    public GetApiVersionHandler() {
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_GET_API_VERSION;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        return VfioIoctl.API_VERSION;
    }
}
