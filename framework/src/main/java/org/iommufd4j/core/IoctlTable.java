package org.iommufd4j.core;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.iommufd4j.uapi.IommufdIoctl;

/**
 * The kernel's {@code iommufd_ioctl_ops[]}: iommufd commands indexed by {@code nr - 0x80}, plus
 * the compatibility commands (VFIO type1) looked up by full number. Built once, read-only after.
 */
public final class IoctlTable {
    /** Slots 0x80..0xa0: the last is IOMMU_TEST_CMD's slot 32. */
    static final int SLOTS = 33;

    private final IoctlHandler<?>[] byNr = new IoctlHandler<?>[SLOTS];
    private final Map<Class<?>, IoctlHandler<?>> byStruct = new HashMap<>();
    private final Int2ObjectOpenHashMap<CompatIoctlHandler> compat = new Int2ObjectOpenHashMap<>();

    public IoctlTable(Collection<? extends Ioctl> ioctls) {
        for (Ioctl ioctl : ioctls) {
            if (ioctl instanceof IoctlHandler) {
                add((IoctlHandler<?>) ioctl);
            } else if (ioctl instanceof CompatIoctlHandler) {
                addCompat((CompatIoctlHandler) ioctl);
            } else {
                throw new IllegalArgumentException("unknown kind of ioctl: " + ioctl);
            }
        }
    }

    /** Adds an iommufd command; a slot is taken once. Plugins add theirs through this too. */
    public synchronized void add(IoctlHandler<?> h) {
        int cmd = h.command();
        int slot = IommufdIoctl.nr(cmd) - IommufdIoctl.CMD_BASE;
        if (IommufdIoctl.type(cmd) != IommufdIoctl.TYPE || slot < 0 || slot >= SLOTS || cmd > 0xffff) {
            throw new IllegalArgumentException("not an iommufd command: 0x" + Integer.toHexString(cmd));
        }
        if (byNr[slot] != null) {
            throw new IllegalArgumentException("ioctl 0x" + Integer.toHexString(cmd) + " is already handled by " + byNr[slot]);
        }
        if (byStruct.containsKey(h.codec().type())) {
            throw new IllegalArgumentException(h.codec().name() + " already belongs to another ioctl");
        }
        byNr[slot] = h;
        byStruct.put(h.codec().type(), h);
    }

    /** Adds a compatibility command handled outside the iommufd number range. */
    public synchronized void addCompat(CompatIoctlHandler h) {
        int slot = IommufdIoctl.nr(h.command()) - IommufdIoctl.CMD_BASE;
        if (IommufdIoctl.type(h.command()) == IommufdIoctl.TYPE && slot >= 0 && slot < SLOTS) {
            throw new IllegalArgumentException("0x" + Integer.toHexString(h.command()) + " is in the iommufd range");
        }
        if (compat.putIfAbsent(h.command(), h) != null) {
            throw new IllegalArgumentException("compat ioctl 0x" + Integer.toHexString(h.command()) + " is already handled");
        }
    }

    /** The iommufd handler for a command, or null: the caller then tries the compat table. */
    IoctlHandler<?> lookup(int cmd) {
        if (IommufdIoctl.type(cmd) != IommufdIoctl.TYPE || (cmd & ~0xffff) != 0) {
            return null;
        }
        int slot = IommufdIoctl.nr(cmd) - IommufdIoctl.CMD_BASE;
        return slot >= 0 && slot < SLOTS ? byNr[slot] : null;
    }

    /** Whether the number falls in the iommufd range (0x80.. with the ';' magic). */
    static boolean inIommufdRange(int cmd) {
        int slot = IommufdIoctl.nr(cmd) - IommufdIoctl.CMD_BASE;
        return IommufdIoctl.type(cmd) == IommufdIoctl.TYPE && (cmd & ~0xffff) == 0 && slot >= 0;
    }

    CompatIoctlHandler lookupCompat(int cmd) {
        return compat.get(cmd);
    }

    @SuppressWarnings("unchecked")
    <T extends Record> IoctlHandler<T> forStruct(Class<T> type) {
        return (IoctlHandler<T>) byStruct.get(type);
    }
}
