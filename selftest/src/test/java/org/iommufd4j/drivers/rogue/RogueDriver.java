package org.iommufd4j.drivers.rogue;

import org.iommufd4j.core.IommufdContext;

/**
 * A driver that reaches into a framework internal (the context, which only the core may hand
 * out). It exists so the architecture test can show that the driver rule catches it.
 */
public final class RogueDriver {
    public boolean peek(IommufdContext ctx) {
        return ctx.isClosed();
    }
}
