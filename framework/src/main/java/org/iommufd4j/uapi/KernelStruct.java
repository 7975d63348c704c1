package org.iommufd4j.uapi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record as the Java form of one kernel uAPI struct. Together with the {@link At} offsets
 * of its components it is the struct's layout: {@link StructCodec#of} builds the little-endian
 * decoder and encoder from it, so an offset is written down exactly once.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface KernelStruct {
    /** The C name, e.g. {@code iommu_ioas_map}. */
    String name();

    /** {@code sizeof(struct)} in the newest header. */
    int size();

    /**
     * The kernel's {@code min_size} for the ioctl: {@code offsetofend} of the last field of the
     * first version. Structs that are not ioctl arguments use {@link #size()}.
     */
    int minSize() default -1;

    /**
     * True when the struct starts with the {@code u32 size} field that the dispatcher owns;
     * the record then has no component for it.
     */
    boolean sized() default true;
}
