package org.iommufd4j.bench.catalog;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.Devices;
import org.iommufd4j.device.Idev;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.IommuHwptAlloc;

/**
 * Devices attached to one IOAS through the device API, so that the IOAS has {@code n} paging
 * domains of a format: the first device is attached to the IOAS itself (it gets the IOAS's
 * automatic HWPT), every further one to a HWPT_PAGING of its own allocated on the IOAS with
 * IOMMU_HWPT_ALLOC (an automatic HWPT would be shared, giving one domain for all).
 */
public final class IoasDevices {
    private final IommufdContext ctx;
    private final Devices devices;
    private final List<Idev> bound = new ArrayList<>();
    private final List<Integer> hwpts = new ArrayList<>();

    private IoasDevices(IommufdContext ctx, Devices devices) {
        this.ctx = ctx;
        this.devices = devices;
    }

    /** Binds and attaches {@code n} devices of {@code format}'s driver; checks the IOAS then has n domains of it. */
    public static IoasDevices attach(IommufdComponent machine, IommufdContext ctx, int ioasId, String format, int n) {
        IoasDevices out = new IoasDevices(ctx, machine.devices());
        for (int i = 0; i < n; i++) {
            DomainSource.Probed probed = DomainSource.probe(machine, format, "bench-ioas" + ioasId + "-dev" + i);
            Idev idev = out.devices.bind(ctx, probed.driver(), probed.device());
            out.bound.add(idev);
            if (i == 0) {
                out.devices.attach(idev, ioasId);
            } else {
                int hwpt = ctx.call(new IommuHwptAlloc(0, idev.id(), ioasId, 0, 0, 0, 0, 0, 0, 0)).outHwptId();
                out.hwpts.add(hwpt);
                out.devices.attach(idev, hwpt);
            }
        }
        List<PagingDomain> domains = domains(ctx, ioasId);
        if (domains.size() != n || !domains.stream().allMatch(d -> DomainSource.isOfFormat(machine, d, format))) {
            throw new IllegalStateException("IOAS " + ioasId + " has domains " + domains + ", expected " + n + " of " + format);
        }
        return out;
    }

    /** The paging domains the IOAS's io_pagetable maps into. */
    public static List<PagingDomain> domains(IommufdContext ctx, int ioasId) {
        Ioas ioas = ctx.get(ioasId, Ioas.class);
        try {
            return ioas.iopt().domains();
        } finally {
            ctx.put(ioas);
        }
    }

    /** Unbinds the devices (detaching them) and destroys the HWPTs allocated for them. */
    public void detachAll() {
        for (Idev idev : bound) {
            devices.unbind(idev);
        }
        bound.clear();
        for (int id : hwpts) {
            ctx.destroy(id);
        }
        hwpts.clear();
    }
}
