package org.iommufd4j.core;

import java.util.function.Function;

/**
 * Per-context state owned by a subsystem (the VFIO compat IOAS, the accounting mode), the way a
 * {@link ThreadLocal} is per thread: the core stores it without knowing its type.
 *
 * @param <T> the state type
 */
public final class ContextLocal<T> {
    private final Function<IommufdContext, T> initial;

    private ContextLocal(Function<IommufdContext, T> initial) {
        this.initial = initial;
    }

    /** A slot whose value is made on first use in each context. */
    public static <T> ContextLocal<T> of(Function<IommufdContext, T> initial) {
        return new ContextLocal<>(initial);
    }

    /** This slot's value in {@code ctx}, made on first use. */
    public T get(IommufdContext ctx) {
        return ctx.local(this);
    }

    T initialValue(IommufdContext ctx) {
        return initial.apply(ctx);
    }
}
