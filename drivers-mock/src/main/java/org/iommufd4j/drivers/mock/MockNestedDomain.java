package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_INVALIDATE_FLAG_ALL;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_NUM;

import org.iommufd4j.uapi.selftest.SelftestUapi.IommuHwptInvalidateSelftest;
import org.iommufd4j.spi.InvalidationError;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * selftest.c {@code mock_iommu_domain_nested}: a nested domain whose "stage 1" is four fake IOTLB
 * entries, all set to the user's {@code iotlb} value at allocation. User invalidation zeroes one
 * entry, or all four with IOMMU_TEST_INVALIDATE_FLAG_ALL; MD_CHECK_IOTLB reads them.
 */
final class MockNestedDomain implements NestedDomain {
    private static final StructCodec<IommuHwptInvalidateSelftest> ENTRY = StructCodec.of(IommuHwptInvalidateSelftest.class);

    private final PagingDomain parent;
    private final int[] iotlb = new int[MOCK_NESTED_DOMAIN_IOTLB_NUM];
    /** The vIOMMU it was allocated through, or null (mock_iommu_domain_nested.mock_viommu). */
    private final MockViommu viommu;

    MockNestedDomain(PagingDomain parent, int initial) {
        this(parent, initial, null);
    }

    MockNestedDomain(PagingDomain parent, int initial, MockViommu viommu) {
        this.parent = parent;
        this.viommu = viommu;
        java.util.Arrays.fill(iotlb, initial);
    }

    MockViommu viommu() {
        return viommu;
    }

    @Override
    public PagingDomain parent() {
        return parent;
    }

    synchronized int iotlb(int id) {
        return iotlb[id];
    }

    /**
     * mock_hwpt_cache_invalidate_user: data_type must be IOMMU_HWPT_INVALIDATE_DATA_SELFTEST and
     * entry_len exactly the entry's size (EINVAL); unknown flags are EOPNOTSUPP and an iotlb_id
     * above 3 EINVAL, reported with the number of entries done before.
     */
    @Override
    public synchronized int cacheInvalidateUser(UserArray entries) {
        if (entries.dataType() != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
            throw IommufdException.einval("mock: invalidation data_type 0x" + Integer.toHexString(entries.dataType())
                    + " is not IOMMU_HWPT_INVALIDATE_DATA_SELFTEST");
        }
        if (entries.count() == 0) {
            return 0;
        }
        if (entries.entryLength() != ENTRY.size()) {
            throw IommufdException.einval("mock: entry_len " + entries.entryLength() + " is not sizeof(iommu_hwpt_invalidate_selftest) "
                    + ENTRY.size());
        }
        for (int i = 0; i < entries.count(); i++) {
            IommuHwptInvalidateSelftest inv;
            try {
                inv = entries.read(i, ENTRY, ENTRY.size());
            } catch (IommufdException e) {
                throw new InvalidationError(e.errno(), e.getMessage(), i);
            }
            if ((inv.flags() & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) != 0) {
                throw new InvalidationError(Errno.EOPNOTSUPP, "mock: entry " + i + " flags 0x" + Integer.toHexString(inv.flags())
                        + " has unknown bits", i);
            }
            if (Integer.compareUnsigned(inv.iotlbId(), MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) > 0) {
                throw new InvalidationError(Errno.EINVAL, "mock: entry " + i + " iotlb_id " + Integer.toUnsignedString(inv.iotlbId())
                        + " is above " + MOCK_NESTED_DOMAIN_IOTLB_ID_MAX, i);
            }
            if ((inv.flags() & IOMMU_TEST_INVALIDATE_FLAG_ALL) != 0) {
                java.util.Arrays.fill(iotlb, 0);
            } else {
                iotlb[inv.iotlbId()] = 0;
            }
        }
        return entries.count();
    }

    @Override
    public void free() {
        // Nothing of its own: the fake IOTLB is plain memory.
    }

    @Override
    public String toString() {
        return "MockNestedDomain[parent " + parent + "]";
    }
}
