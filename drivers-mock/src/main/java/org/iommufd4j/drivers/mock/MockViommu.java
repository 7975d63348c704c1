package org.iommufd4j.drivers.mock;

import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HW_QUEUE_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_HW_QUEUE_MAX;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_INVALIDATE_FLAG_ALL;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_DEV_CACHE_ID_MAX;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.InvalidationError;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuHwQueue;
import org.iommufd4j.spi.IommuViommu;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.spi.ViommuHost;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuInvalidateSelftest;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuSelftest;

/**
 * selftest.c {@code mock_viommu}: allocates nested mock domains, invalidates the per-device fake
 * caches of its vDEVICEs, and takes up to {@link org.iommufd4j.uapi.selftest.SelftestUapi#IOMMU_TEST_HW_QUEUE_MAX}
 * HW queues, each but the first depending on the one before. With user data it allocates two
 * pages, writes {@code in_data} into the first and publishes them for mmap (the loopback test).
 */
final class MockViommu implements IommuViommu {
    private static final StructCodec<IommuViommuSelftest> DATA = StructCodec.of(IommuViommuSelftest.class);
    private static final StructCodec<IommuViommuInvalidateSelftest> INV = StructCodec.of(IommuViommuInvalidateSelftest.class);
    /** offsetofend(struct iommu_viommu_selftest, out_data). */
    private static final int MIN_DATA = 8;
    private static final int PAGES_ORDER = 1;

    private final HostServices host;
    private final ViommuHost core;
    private final PagingDomain parent;
    /** The loopback pages (-1: none) and their mmap offset. */
    private long pagesPa = -1;
    private long mmapOffset;
    private final MockHwQueue[] hwQueues = new MockHwQueue[IOMMU_TEST_HW_QUEUE_MAX];

    private MockViommu(HostServices host, ViommuHost core, PagingDomain parent) {
        this.host = host;
        this.core = core;
        this.parent = parent;
    }

    /** mock_viommu_init. */
    static MockViommu create(HostServices host, int type, PagingDomain parent, UserData data, ViommuHost core) {
        if (type != IOMMU_VIOMMU_TYPE_SELFTEST) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: no vIOMMU of type 0x" + Integer.toHexString(type));
        }
        MockViommu v = new MockViommu(host, core, parent);
        if (data != null) {
            if (data.type() != IOMMU_VIOMMU_TYPE_SELFTEST) {
                throw IommufdException.einval("mock: vIOMMU data type 0x" + Integer.toHexString(data.type())
                        + " is not IOMMU_VIOMMU_TYPE_SELFTEST");
            }
            IommuViommuSelftest in = data.read(DATA, MIN_DATA);
            PhysicalMemory memory = host.memory();
            long length = PhysicalMemory.PAGE_SIZE << PAGES_ORDER;
            long pa = memory.allocate(PAGES_ORDER);
            try {
                byte[] word = new byte[Integer.BYTES];
                ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).putInt(0, in.inData());
                memory.write(pa, word, 0, word.length);
                long offset = core.publishMmap(pa, length);
                try {
                    data.write(DATA, new IommuViommuSelftest(in.inData(), in.inData(), offset, length));
                } catch (RuntimeException e) {
                    core.withdrawMmap(offset);
                    throw e;
                }
                v.pagesPa = pa;
                v.mmapOffset = offset;
            } catch (RuntimeException e) {
                memory.free(pa, PAGES_ORDER);
                throw e;
            }
        }
        return v;
    }

    ViommuHost core() {
        return core;
    }

    @Override
    public NestedDomain allocNestedDomain(IommuDevice device, int hwptFlags, UserData data) {
        if (!(device instanceof MockDevice mdev)) {
            throw IommufdException.einval("mock: " + device + " is not a mock device");
        }
        return mdev.allocNestedDomain(parent, hwptFlags, data, this);
    }

    /**
     * mock_viommu_cache_invalidate: data type IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST (EINVAL), all
     * entries copied first, then each: unknown flags EOPNOTSUPP, cache_id above 3 EINVAL, a vdev_id
     * of no vDEVICE EINVAL; the named device's cache entry (or all four) is zeroed.
     */
    @Override
    public int cacheInvalidate(UserArray entries) {
        if (entries.dataType() != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST) {
            throw IommufdException.einval("mock: vIOMMU invalidation data_type 0x" + Integer.toHexString(entries.dataType())
                    + " is not IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST");
        }
        IommuViommuInvalidateSelftest[] cmds = new IommuViommuInvalidateSelftest[entries.count()];
        for (int i = 0; i < cmds.length; i++) {
            cmds[i] = entries.read(i, INV, INV.size());
        }
        for (int i = 0; i < cmds.length; i++) {
            IommuViommuInvalidateSelftest cmd = cmds[i];
            if ((cmd.flags() & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) != 0) {
                throw new InvalidationError(Errno.EOPNOTSUPP, "mock: entry " + i + " flags 0x" + Integer.toHexString(cmd.flags())
                        + " has unknown bits", i);
            }
            if (Integer.compareUnsigned(cmd.cacheId(), MOCK_DEV_CACHE_ID_MAX) > 0) {
                throw new InvalidationError(Errno.EINVAL, "mock: entry " + i + " cache_id " + Integer.toUnsignedString(cmd.cacheId())
                        + " is above " + MOCK_DEV_CACHE_ID_MAX, i);
            }
            IommuDevice dev = core.deviceByVirtId(Integer.toUnsignedLong(cmd.vdevId()));
            if (!(dev instanceof MockDevice mdev)) {
                throw new InvalidationError(Errno.EINVAL, "mock: entry " + i + " vdev_id 0x" + Integer.toHexString(cmd.vdevId())
                        + " is no vDEVICE of this vIOMMU", i);
            }
            if ((cmd.flags() & IOMMU_TEST_INVALIDATE_FLAG_ALL) != 0) {
                mdev.clearCache(-1);
            } else {
                mdev.clearCache(cmd.cacheId());
            }
        }
        return cmds.length;
    }

    @Override
    public boolean supportsHwQueue(int type) {
        return type == IOMMU_HW_QUEUE_TYPE_SELFTEST;
    }

    /**
     * mock_hw_queue_init_phys: index below IOMMU_TEST_HW_QUEUE_MAX (EINVAL), free (EEXIST), the one
     * before it allocated (EIO); the core's physical address must be what the stage-2 parent
     * translates the IOVA to (EINVAL). Queue N depends on queue N-1.
     */
    @Override
    public synchronized IommuHwQueue hwQueueInit(int type, int index, long nestingParentIova, long basePa, long length) {
        if (Integer.compareUnsigned(index, IOMMU_TEST_HW_QUEUE_MAX) >= 0) {
            throw IommufdException.einval("mock: HW queue index " + Integer.toUnsignedString(index) + " is not below "
                    + IOMMU_TEST_HW_QUEUE_MAX);
        }
        if (hwQueues[index] != null) {
            throw new IommufdException(Errno.EEXIST, "mock: HW queue " + index + " already exists");
        }
        MockHwQueue prev = null;
        if (index > 0) {
            prev = hwQueues[index - 1];
            if (prev == null) {
                throw new IommufdException(Errno.EIO, "mock: HW queue " + index + " needs queue " + (index - 1) + " first");
            }
        }
        long pa = core.parentIovaToPhys(nestingParentIova);
        if (pa != basePa) {
            throw IommufdException.einval("mock: HW queue base 0x" + Long.toHexString(basePa) + " is not the stage-2 translation 0x"
                    + Long.toHexString(pa) + " of IOVA 0x" + Long.toHexString(nestingParentIova));
        }
        MockHwQueue q = new MockHwQueue(index, prev);
        hwQueues[index] = q;
        return q;
    }

    private final class MockHwQueue implements IommuHwQueue {
        private final int index;
        private final MockHwQueue prev;

        MockHwQueue(int index, MockHwQueue prev) {
            this.index = index;
            this.prev = prev;
        }

        @Override
        public IommuHwQueue dependsOn() {
            return prev;
        }

        @Override
        public void destroy() {
            synchronized (MockViommu.this) {
                if (hwQueues[index] == this) {
                    hwQueues[index] = null;
                }
            }
        }
    }

    /** mock_viommu_destroy: the loopback pages go back (the core withdraws their mmap region). */
    @Override
    public synchronized void destroy() {
        if (pagesPa >= 0) {
            core.withdrawMmap(mmapOffset);
            host.memory().free(pagesPa, PAGES_ORDER);
            pagesPa = -1;
        }
    }
}
