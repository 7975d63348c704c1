package org.iommufd4j.viommu;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.device.Idev;
import org.iommufd4j.hwpt.HwptPaging;
import org.iommufd4j.hwpt.NestingHost;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuViommu;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.spi.ViommuHost;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * IOMMUFD_OBJ_VIOMMU (viommu.c {@code iommufd_viommu}): one driver's virtual IOMMU on a nest-parent
 * paging HWPT, which it holds. Its vDEVICEs (guest IDs of devices), vEVENTQs (one per type), HW
 * queues and nested HWPTs each hold it, and so does every live mmap of a region it published: a
 * vIOMMU with any of them is EBUSY to DESTROY.
 *
 * <p>It is the {@link ViommuHost} its driver's {@link IommuViommu} calls back into.
 */
public final class Viommu extends IommufdObject implements NestingHost, ViommuHost {
    private final IommufdContext ctx;
    private final IommuDriver owner;
    private final HwptPaging parent;
    private IommuViommu ops;
    private boolean holdsParent;
    /** vDEVICEs by guest ID (viommu->vdevs) and by device; guarded by this. */
    private final Long2ObjectOpenHashMap<Vdevice> byVirtId = new Long2ObjectOpenHashMap<>();
    private final Map<IommuDevice, Vdevice> byDevice = new IdentityHashMap<>();
    /** vEVENTQs by type (viommu->veventqs); guarded by this. */
    private final Int2ObjectOpenHashMap<Veventq> veventqs = new Int2ObjectOpenHashMap<>();
    /** Offsets of the regions this vIOMMU published for mmap; guarded by this. */
    private final LongArrayList published = new LongArrayList();

    Viommu(IommufdContext ctx, IommuDriver owner, HwptPaging parent) {
        super(ObjectType.VIOMMU);
        this.ctx = ctx;
        this.owner = owner;
        this.parent = parent;
    }

    /** After the object was reserved: hold the parent, then take the driver's vIOMMU. */
    void holdParent() {
        parent.ref();
        holdsParent = true;
    }

    void install(IommuViommu driverViommu) {
        if (driverViommu == null) {
            throw new IllegalStateException(owner.name() + " returned no vIOMMU");
        }
        this.ops = driverViommu;
    }

    /** The driver's vIOMMU. */
    public IommuViommu ops() {
        return ops;
    }

    /** The driver that made it: only its devices may get vDEVICEs or nested HWPTs here. */
    public IommuDriver owner() {
        return owner;
    }

    IommufdContext ctx() {
        return ctx;
    }

    // ---------------------------------------------------------------- NestingHost

    @Override
    public IommufdObject object() {
        return this;
    }

    @Override
    public HwptPaging nestingParent() {
        return parent;
    }

    /** iommufd_viommu_alloc_hwpt_nested: a device behind another IOMMU is EINVAL. */
    @Override
    public NestedDomain allocNestedDomain(Idev idev, int hwptFlags, UserData data) {
        checkSameIommu(idev, "iommu_hwpt_alloc.dev_id");
        return ops.allocNestedDomain(idev.device(), hwptFlags, data);
    }

    @Override
    public int cacheInvalidate(UserArray entries) {
        return ops.cacheInvalidate(entries);
    }

    void checkSameIommu(Idev idev, String field) {
        if (idev.driver() != owner) {
            throw IommufdException.einval(field + " " + idev.id() + " is behind driver " + idev.driver().name()
                    + ", not behind " + owner.name() + " of " + this);
        }
    }

    // ---------------------------------------------------------------- vDEVICEs

    synchronized void addVdevice(Vdevice vdev) {
        if (byVirtId.containsKey(vdev.virtId())) {
            throw new IommufdException(Errno.EEXIST, "virt_id 0x" + Long.toHexString(vdev.virtId()) + " is already "
                    + byVirtId.get(vdev.virtId()) + " in " + this);
        }
        byVirtId.put(vdev.virtId(), vdev);
        byDevice.put(vdev.idev().device(), vdev);
    }

    synchronized void removeVdevice(Vdevice vdev) {
        if (byVirtId.get(vdev.virtId()) == vdev) {
            byVirtId.remove(vdev.virtId());
            byDevice.remove(vdev.idev().device());
        }
    }

    @Override
    public synchronized IommuDevice deviceByVirtId(long virtId) {
        Vdevice v = byVirtId.get(virtId);
        return v == null ? null : v.idev().device();
    }

    @Override
    public synchronized OptionalLong virtIdOf(IommuDevice device) {
        Vdevice v = byDevice.get(device);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v.virtId());
    }

    // ---------------------------------------------------------------- vEVENTQs

    synchronized void addVeventq(Veventq q) {
        if (veventqs.containsKey(q.veventqType())) {
            throw new IommufdException(Errno.EEXIST, this + " already has " + veventqs.get(q.veventqType())
                    + " of type 0x" + Integer.toHexString(q.veventqType()));
        }
        veventqs.put(q.veventqType(), q);
    }

    synchronized void removeVeventq(Veventq q) {
        veventqs.remove(q.veventqType(), q);
    }

    /** iommufd_viommu_report_event: EOPNOTSUPP when no vEVENTQ of that type exists. */
    @Override
    public void reportEvent(int veventqType, byte[] payload) {
        Veventq q;
        synchronized (this) {
            q = veventqs.get(veventqType);
        }
        if (q == null) {
            throw new IommufdException(Errno.EOPNOTSUPP, this + " has no vEVENTQ of type 0x" + Integer.toHexString(veventqType));
        }
        q.report(payload);
    }

    // ---------------------------------------------------------------- mmap

    @Override
    public long publishMmap(long pa, long length) {
        long offset = MmapRegions.of(ctx).publish(this, pa, length);
        synchronized (this) {
            published.add(offset);
        }
        return offset;
    }

    @Override
    public void withdrawMmap(long offset) {
        synchronized (this) {
            if (!published.rem(offset)) {
                throw new IllegalArgumentException(this + " did not publish mmap offset 0x" + Long.toHexString(offset));
            }
        }
        MmapRegions.of(ctx).withdraw(offset);
    }

    @Override
    public long parentIovaToPhys(long iova) {
        return parent.pagingDomain().iovaToPhys(iova);
    }

    // ---------------------------------------------------------------- lifecycle

    /** iommufd_viommu_destroy: the driver first, then what the core published for it, then the parent. */
    @Override
    protected void destroy() {
        if (ops != null) {
            ops.destroy();
            ops = null;
        }
        long[] left;
        synchronized (this) {
            left = published.toLongArray();
            published.clear();
        }
        for (long offset : left) {
            MmapRegions.of(ctx).withdraw(offset);
        }
        if (holdsParent) {
            parent.unref();
        }
    }
}
