package org.iommufd4j.hwpt;

import it.unimi.dsi.fastutil.ints.Int2ObjectLinkedOpenHashMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptPageResponse;
import org.iommufd4j.uapi.IommuHwptPgfault;
import org.iommufd4j.uapi.IommuPageResponseCode;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMUFD_OBJ_FAULT (eventq.c {@code iommufd_fault}): the queue of I/O page requests of every HWPT
 * allocated with its ID (IOMMU_HWPT_FAULT_ID_VALID). The user reads {@code iommu_hwpt_pgfault}
 * records, one group at a time, each group tagged with a cookie, and answers a group by writing an
 * {@code iommu_hwpt_page_response} with that cookie.
 *
 * <p>Two ways in: the typed {@link #readFaults}/{@link #respond}, and the fd of
 * IOMMU_FAULT_QUEUE_ALLOC ({@link #fileOps()}), which holds a users reference on the object until
 * it is closed, so DESTROY while the fd is open is EBUSY, as in Linux.
 */
public final class FaultQueue extends IommufdObject {
    static final StructCodec<IommuHwptPgfault> FAULT = StructCodec.of(IommuHwptPgfault.class);
    static final StructCodec<IommuHwptPageResponse> RESPONSE = StructCodec.of(IommuHwptPageResponse.class);

    /**
     * A page request group: the faults of one PRG, the last one flagged LAST_PAGE, and the
     * attachment that took it (the device object and the PASID it is attached at, 0 for the RID).
     */
    private record Group(List<IommuHwptPgfault> faults, int devId, int attachPasid) {
    }

    private final ArrayDeque<Group> deliver = new ArrayDeque<>();
    /** Groups read by the user and awaiting a response, by cookie (XA_FLAGS_ALLOC1: from 1). */
    private final Int2ObjectLinkedOpenHashMap<Group> response = new Int2ObjectLinkedOpenHashMap<>();
    private int nextCookie = 1;
    private int answered;
    private int answeredInvalid;

    FaultQueue() {
        super(ObjectType.FAULT);
    }

    /**
     * iommufd_fault_iopf_handler: queues one page request group that device object {@code devId}
     * raised through its attachment at {@code attachPasid} (0: the RID).
     */
    public synchronized void deliver(List<IommuHwptPgfault> group, int devId, int attachPasid) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("an empty page request group");
        }
        deliver.addLast(new Group(List.copyOf(group), devId, attachPasid));
    }

    /**
     * iommufd_auto_response_faults: the device left the HWPT at {@code attachPasid}, so every
     * group it raised there, read or not, is answered IOMMU_PAGE_RESP_INVALID and dropped; a later
     * response with such a cookie is EINVAL.
     */
    public synchronized void autoRespond(int devId, int attachPasid) {
        deliver.removeIf(g -> {
            boolean mine = g.devId() == devId && g.attachPasid() == attachPasid;
            if (mine) {
                answer(IommuPageResponseCode.INVALID);
            }
            return mine;
        });
        response.values().removeIf(g -> {
            boolean mine = g.devId() == devId && g.attachPasid() == attachPasid;
            if (mine) {
                answer(IommuPageResponseCode.INVALID);
            }
            return mine;
        });
    }

    /** Page request groups not yet read. */
    public synchronized int pendingGroups() {
        return deliver.size();
    }

    /** Groups read and awaiting a response. */
    public synchronized int awaitingResponse() {
        return response.size();
    }

    /** Responses handled so far (the driver's page_response calls), and how many of them said INVALID. */
    public synchronized int responses() {
        return answered;
    }

    public synchronized int invalidResponses() {
        return answeredInvalid;
    }

    /**
     * iommufd_fault_fops_read: takes whole groups while at most {@code maxFaults} faults fit, gives
     * each a cookie and moves it to the response table. Empty when nothing fits.
     */
    public synchronized List<IommuHwptPgfault> readFaults(int maxFaults) {
        List<IommuHwptPgfault> out = new ArrayList<>();
        while (!deliver.isEmpty() && deliver.peekFirst().faults().size() <= maxFaults - out.size()) {
            Group g = deliver.pollFirst();
            int cookie = nextCookie++;
            response.put(cookie, g);
            for (IommuHwptPgfault f : g.faults()) {
                out.add(new IommuHwptPgfault(f.flags(), f.devId(), f.pasid(), f.grpid(), f.perm(), 0, f.addr(),
                        f.length(), cookie));
            }
        }
        return out;
    }

    /**
     * iommufd_fault_fops_write for one response: the group with {@code cookie} gets {@code code}
     * (IOMMU_PAGE_RESPONSE_SUCCESS or _INVALID). An unknown cookie is EINVAL.
     */
    public synchronized void respond(IommuHwptPageResponse r) {
        Group g = response.remove(r.cookie());
        if (g == null) {
            throw IommufdException.einval("iommu_hwpt_page_response.cookie " + Integer.toUnsignedString(r.cookie())
                    + " names no page request group awaiting a response");
        }
        answer(r.code());
    }

    private void answer(int code) {
        answered++;
        if (code == IommuPageResponseCode.INVALID) {
            answeredInvalid++;
        }
    }

    /** The byte interface of the FAULT fd; it holds a users reference until released. */
    public FileOps fileOps() {
        return openFd(new FaultFd());
    }

    private final class FaultFd implements FileOps {

        /** Whole iommu_hwpt_pgfault records only (a partial count is ESPIPE, as eventq.c). */
        @Override
        public int read(byte[] buf, int off, int len) {
            if (len % FAULT.size() != 0) {
                throw new IommufdException(Errno.ESPIPE, "fault fd read of " + len + " bytes: not a multiple of "
                        + "sizeof(iommu_hwpt_pgfault) " + FAULT.size());
            }
            List<IommuHwptPgfault> faults = readFaults(len / FAULT.size());
            ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < faults.size(); i++) {
                ByteBuffer one = b.slice(i * FAULT.size(), FAULT.size()).order(ByteOrder.LITTLE_ENDIAN);
                FAULT.encode(faults.get(i), one);
            }
            return faults.size() * FAULT.size();
        }

        /** Whole iommu_hwpt_page_response records; stops at the first bad cookie (EINVAL if it was the first). */
        @Override
        public int write(byte[] buf, int off, int len) {
            if (len % RESPONSE.size() != 0) {
                throw new IommufdException(Errno.ESPIPE, "fault fd write of " + len + " bytes: not a multiple of "
                        + "sizeof(iommu_hwpt_page_response) " + RESPONSE.size());
            }
            int done = 0;
            while (done < len) {
                byte[] one = new byte[RESPONSE.size()];
                System.arraycopy(buf, off + done, one, 0, one.length);
                try {
                    respond(RESPONSE.decode(one));
                } catch (IommufdException e) {
                    if (done == 0) {
                        throw e;
                    }
                    break;
                }
                done += RESPONSE.size();
            }
            return done;
        }

        /** iommufd_eventq_fops_poll: a FAULT fd is always writable, readable while a group is pending. */
        @Override
        public int poll() {
            return POLLOUT | (pendingGroups() > 0 ? POLLIN : 0);
        }

        @Override
        public void release() {
            // The users reference the fd holds is dropped by the object's fd wrapper.
        }
    }

    /** iommufd_fault_destroy: every group still pending is answered INVALID, so no device waits forever. */
    @Override
    protected synchronized void destroy() {
        for (int i = 0; i < deliver.size() + response.size(); i++) {
            answer(IommuPageResponseCode.INVALID);
        }
        deliver.clear();
        response.clear();
    }
}
