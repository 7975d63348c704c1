package org.iommufd4j.ioas;

import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectRBTreeMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectSortedMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A paging domain backed by a sorted map of leaf entries (IOVA → PA and page size), strict about
 * what the io_pagetable asks: mapping over a live entry, misaligned pages, sizes outside the
 * bitmap or IOVA outside the aperture are bugs and fail the test. Records every map call's page
 * size so tests can see huge pages being used.
 */
final class FakePagingDomain implements PagingDomain {
    private record Leaf(long pa, long size, int prot) {
    }

    private final long pgsizeBitmap;
    private final long apertureStart;
    private final long apertureLast;
    private final Long2ObjectRBTreeMap<Leaf> leaves = new Long2ObjectRBTreeMap<>();
    final LongArrayList mappedPageSizes = new LongArrayList();
    /** When > 0, the Nth map call from now fails with ENOMEM. */
    int failMapAt;
    boolean freed;

    FakePagingDomain(long pgsizeBitmap, long apertureStart, long apertureLast) {
        this.pgsizeBitmap = pgsizeBitmap;
        this.apertureStart = apertureStart;
        this.apertureLast = apertureLast;
    }

    /** 4 KiB and 2 MiB pages over the whole 64-bit space. */
    static FakePagingDomain simple() {
        return new FakePagingDomain((1L << 12) | (1L << 21), 0, -1L);
    }

    @Override
    public long pgsizeBitmap() {
        return pgsizeBitmap;
    }

    @Override
    public long apertureStart() {
        return apertureStart;
    }

    @Override
    public long apertureLast() {
        return apertureLast;
    }

    @Override
    public synchronized void map(long iova, long pa, long pgsize, long pgcount, int prot) {
        if (Long.bitCount(pgsize) != 1 || (pgsize & pgsizeBitmap) == 0 || pgcount <= 0) {
            throw new AssertionError("bad page size 0x" + Long.toHexString(pgsize) + " x " + pgcount);
        }
        if (((iova | pa) & (pgsize - 1)) != 0) {
            throw new AssertionError("misaligned map of 0x" + Long.toHexString(pgsize) + " at IOVA 0x" + Long.toHexString(iova)
                    + " PA 0x" + Long.toHexString(pa));
        }
        long last = iova + pgsize * pgcount - 1;
        if (Long.compareUnsigned(iova, apertureStart) < 0 || Long.compareUnsigned(last, apertureLast) > 0) {
            throw new AssertionError("map outside the aperture at 0x" + Long.toHexString(iova));
        }
        if (failMapAt > 0 && --failMapAt == 0) {
            throw new IommufdException(Errno.ENOMEM, "fake domain: injected map failure");
        }
        for (long i = 0; i < pgcount; i++) {
            long at = iova + i * pgsize;
            if (leafAt(at) != null || !leaves.subMap(at, at + pgsize).isEmpty()) {
                throw new AssertionError("map over a live entry at IOVA 0x" + Long.toHexString(at));
            }
            leaves.put(at, new Leaf(pa + i * pgsize, pgsize, prot));
            mappedPageSizes.add(pgsize);
        }
    }

    @Override
    public synchronized long unmap(long iova, long pgsize, long pgcount) {
        long end = iova + pgsize * pgcount;
        Long2ObjectMap.Entry<Leaf> covering = leafAt(iova);
        if (covering != null && covering.getLongKey() != iova) {
            throw new AssertionError("unmap at 0x" + Long.toHexString(iova) + " would split a page");
        }
        long bytes = 0;
        Long2ObjectSortedMap<Leaf> in = leaves.subMap(iova, end);
        LongArrayList keys = new LongArrayList(in.keySet());
        for (int i = 0; i < keys.size(); i++) {
            Leaf l = leaves.remove(keys.getLong(i));
            bytes += l.size;
        }
        return bytes;
    }

    @Override
    public synchronized long iovaToPhys(long iova) {
        Long2ObjectMap.Entry<Leaf> e = leafAt(iova);
        return e == null ? 0 : e.getValue().pa + (iova - e.getLongKey());
    }

    private Long2ObjectMap.Entry<Leaf> leafAt(long iova) {
        Long2ObjectSortedMap<Leaf> head = leaves.headMap(iova + 1);
        if (head.isEmpty()) {
            return null;
        }
        long key = head.lastLongKey();
        Leaf l = head.get(key);
        if (iova - key < l.size) {
            return new it.unimi.dsi.fastutil.longs.AbstractLong2ObjectMap.BasicEntry<>(key, l);
        }
        return null;
    }

    /** Number of leaf entries. */
    synchronized int entries() {
        return leaves.size();
    }

    /** Bytes mapped. */
    synchronized long mappedBytes() {
        long n = 0;
        for (Leaf l : leaves.values()) {
            n += l.size;
        }
        return n;
    }

    @Override
    public void free() {
        freed = true;
    }
}
