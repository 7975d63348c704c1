package org.iommufd4j.ioas;

import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;

/** An IO address space object (IOMMUFD_OBJ_IOAS). */
public final class Ioas extends IommufdObject {
    Ioas() {
        super(ObjectType.IOAS);
    }

    @Override
    protected void destroy() {
        // Nothing is held yet: areas, pins and domains arrive with the io_pagetable.
    }
}
