package org.iommufd4j.core;

import org.iommufd4j.uapi.StructCodec;

/**
 * One iommufd ioctl: its command number, its struct, and what it does. Subsystems contribute
 * handlers to the dispatcher (a Dagger set); the core never imports a subsystem.
 *
 * <p>The handler receives the decoded struct and returns the struct to copy back to the caller
 * (the same record with its output fields set). It fails by throwing an
 * {@link org.iommufd4j.uapi.IommufdException} that carries the kernel's errno.
 *
 * @param <T> the kernel struct of this ioctl
 */
public interface IoctlHandler<T extends Record> extends Ioctl {

    /** The struct's codec: its size, min_size and layout. */
    StructCodec<T> codec();

    /** Runs the ioctl. */
    T handle(Ucmd ucmd, T cmd);
}
