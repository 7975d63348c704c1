package org.iommufd4j.uapi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a record component lives in its kernel struct: byte offset and width. Integers are
 * little-endian; {@code int} components hold u8/u16/u32/s32, {@code long} components u64, and
 * {@code byte[]} components raw arrays or unions of exactly {@link #bytes()} bytes.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface At {
    int offset();

    int bytes();
}
