package org.iommufd4j.viommu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.uapi.IommuVeventqFlag;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdVeventHeader;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMUFD_OBJ_VEVENTQ (eventq.c {@code iommufd_veventq}): up to {@code depth} vEVENTs of one type
 * a vIOMMU's driver reported, read from its fd as {@code iommufd_vevent_header} + payload records.
 * Every event, delivered or lost, takes the next sequence number (0..INT_MAX, wrapping); when the
 * queue is full the event is dropped and a single LOST_EVENTS header (no payload) at the tail
 * carries the latest lost sequence number. The fd holds a users reference on the object.
 */
public final class Veventq extends IommufdObject {
    /** IOMMU_VEVENTQ_MAX_DEPTH (eventq.c): 1 << 19 events. */
    public static final int MAX_DEPTH = 1 << 19;
    static final StructCodec<IommufdVeventHeader> HEADER = StructCodec.of(IommufdVeventHeader.class);

    /** One queued record: a vEVENT, or the LOST_EVENTS header (payload null). */
    private static final class Entry {
        final byte[] payload;
        int sequence;

        Entry(byte[] payload, int sequence) {
            this.payload = payload;
            this.sequence = sequence;
        }

        boolean lost() {
            return payload == null;
        }
    }

    private final Viommu viommu;
    private final int type;
    private final int depth;
    private final ArrayDeque<Entry> deliver = new ArrayDeque<>();
    private final Entry lostHeader = new Entry(null, 0);
    private int numEvents;
    private int sequence;
    private boolean registered;
    private boolean holdsViommu;

    Veventq(Viommu viommu, int type, int depth) {
        super(ObjectType.VEVENTQ);
        this.viommu = viommu;
        this.type = type;
        this.depth = depth;
    }

    void install() {
        viommu.ref();
        holdsViommu = true;
        viommu.addVeventq(this);
        registered = true;
    }

    /** The vEVENTQ type (IOMMU_VEVENTQ_TYPE_*). */
    public int veventqType() {
        return type;
    }

    public int depth() {
        return depth;
    }

    /** iommufd_viommu_report_event → iommufd_vevent_handler. */
    synchronized void report(byte[] payload) {
        Entry e;
        if (numEvents == depth) {
            e = lostHeader;
            deliver.remove(lostHeader);
        } else {
            e = new Entry(payload.clone(), 0);
            numEvents++;
            // A loss already reported stays before the events that follow it.
        }
        e.sequence = sequence;
        sequence = (sequence + 1) & Integer.MAX_VALUE;
        deliver.addLast(e);
    }

    /** Events (not counting a LOST_EVENTS header) waiting to be read. */
    public synchronized int pending() {
        return numEvents;
    }

    /**
     * iommufd_veventq_fops_read: whole records only. Fewer bytes than one header is EINVAL; when
     * records are queued but the first does not fit, EINVAL; nothing queued reads 0 bytes.
     */
    synchronized int read(byte[] buf, int off, int len) {
        if (len < HEADER.size()) {
            throw IommufdException.einval("vEVENTQ read of " + len + " bytes: less than one iommufd_vevent_header ("
                    + HEADER.size() + " bytes)");
        }
        ByteBuffer out = ByteBuffer.wrap(buf, off, len).slice().order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (!deliver.isEmpty()) {
            Entry e = deliver.peekFirst();
            int need = HEADER.size() + (e.lost() ? 0 : e.payload.length);
            if (need > len - done) {
                break;
            }
            deliver.pollFirst();
            HEADER.encode(new IommufdVeventHeader(e.lost() ? IommuVeventqFlag.LOST_EVENTS : 0, e.sequence),
                    out.slice(done, HEADER.size()).order(ByteOrder.LITTLE_ENDIAN));
            done += HEADER.size();
            if (!e.lost()) {
                out.put(done, e.payload);
                done += e.payload.length;
                numEvents--;
            }
        }
        if (done == 0 && !deliver.isEmpty()) {
            throw IommufdException.einval("vEVENTQ read of " + len + " bytes: the next record needs "
                    + (HEADER.size() + (deliver.peekFirst().lost() ? 0 : deliver.peekFirst().payload.length)));
        }
        return done;
    }

    /** The fd of IOMMU_VEVENTQ_ALLOC; it holds a users reference until released. */
    FileOps fileOps() {
        return openFd(new FileOps() {
            @Override
            public int read(byte[] b, int off, int len) {
                return Veventq.this.read(b, off, len);
            }

            @Override
            public int write(byte[] b, int off, int len) {
                throw IommufdException.einval("a vEVENTQ fd is not writable");
            }

            /** iommufd_eventq_fops_poll: a vEVENTQ fd is readable while a record is queued, never writable. */
            @Override
            public int poll() {
                synchronized (Veventq.this) {
                    return deliver.isEmpty() ? 0 : POLLIN;
                }
            }

            @Override
            public void release() {
                // The users reference the fd holds is dropped by the object's fd wrapper.
            }
        });
    }

    @Override
    protected synchronized void destroy() {
        if (registered) {
            viommu.removeVeventq(this);
        }
        deliver.clear();
        if (holdsViommu) {
            viommu.unref();
        }
    }
}
