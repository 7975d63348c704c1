package org.iommufd4j.hw;

import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.objects.ObjectIterator;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;

/**
 * An IOTLB: a small cache of translations per 4 KiB page (one per page: a sub-4 KiB translation
 * serves only its own granule and the other one misses), tagged with the domain they came from
 * (VT-d DID, SMMU ASID/VMID, AMD DomainID). Like real hardware it keeps serving a cached entry
 * until software invalidates it — which is exactly how a driver that forgets an invalidation
 * gets caught (see {@link DmaRemapper}). Least recently filled entries are evicted first.
 */
public final class Iotlb {
    /** Domain tags are kept below 2^12 so a tag and a 52-bit page number share one long key. */
    public static final int MAX_TAG = (1 << 12) - 1;

    private final int capacity;
    private final Long2ObjectLinkedOpenHashMap<Translation> entries;
    private long hits;
    private long misses;

    public Iotlb(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.entries = new Long2ObjectLinkedOpenHashMap<>(capacity);
    }

    private static long key(int tag, long iova) {
        if (tag < 0 || tag > MAX_TAG) {
            throw new IllegalArgumentException("IOTLB tag " + tag + " is outside 0.." + MAX_TAG);
        }
        return ((long) tag << 52) | (iova >>> 12);
    }

    /** The cached translation of {@code iova}'s page under {@code tag}, or null. */
    public synchronized Translation lookup(int tag, long iova) {
        Translation t = entries.get(key(tag, iova));
        if (t != null && !t.covers(iova)) {
            t = null;
        }
        if (t == null) {
            misses++;
        } else {
            hits++;
        }
        return t;
    }

    /** Caches {@code t} under {@code tag}, evicting the oldest entry when full. */
    public synchronized void fill(int tag, Translation t) {
        long k = key(tag, t.iovaPage());
        if (!entries.containsKey(k) && entries.size() >= capacity) {
            entries.removeFirst();
        }
        entries.putAndMoveToLast(k, t);
    }

    /** Forgets every entry of {@code tag} whose page overlaps {@code [first, last]}. */
    public synchronized void invalidateRange(int tag, long first, long last) {
        ObjectIterator<Long2ObjectMap.Entry<Translation>> it = entries.long2ObjectEntrySet().fastIterator();
        while (it.hasNext()) {
            Long2ObjectMap.Entry<Translation> e = it.next();
            long k = e.getLongKey();
            long page = e.getValue().iovaPage();
            if ((int) (k >>> 52) == tag && Long.compareUnsigned(page + e.getValue().granule() - 1, first) >= 0
                    && Long.compareUnsigned(page, last) <= 0) {
                it.remove();
            }
        }
    }

    /** Forgets every entry of {@code tag}. */
    public synchronized void invalidateTag(int tag) {
        invalidateRange(tag, 0, -1L);
    }

    /** Forgets everything. */
    public synchronized void invalidateAll() {
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
