package org.iommufd4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DevicesTest {
    private final IommufdComponent machine = TestDriver.machine("a", "b");
    private final TestDriver a = TestDriver.of(machine, "a");
    private final TestDriver b = TestDriver.of(machine, "b");
    private final Devices devices = machine.devices();
    private final SimProcess process = SimProcess.root(machine.memory());
    private final IommufdContext ctx = machine.iommufd().open(process);

    @AfterEach
    void noLeaks() {
        if (!ctx.isClosed()) {
            for (IommufdObject o : ctx.objects().snapshot()) {
                if (o instanceof Idev idev) {
                    devices.unbind(idev);
                }
            }
            ctx.close();
        }
        assertEquals(0, machine.iommufd().liveObjects());
        assertEquals(a.domainsAllocated, a.domainsFreed, "driver a's domains were all freed");
        assertEquals(b.domainsAllocated, b.domainsFreed, "driver b's domains were all freed");
    }

    private Idev bind(TestDriver driver, String name, boolean pasid) {
        return devices.bind(ctx, driver, driver.probe(new DeviceConfig(name, java.util.Map.of("pasid", Boolean.toString(pasid)))));
    }

    private static IommufdException fails(Errno errno, Runnable r) {
        IommufdException e = assertThrows(IommufdException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
        return e;
    }

    @Test
    void anAutomaticDomainIsSharedByCompatibleDevicesAndFreedWithTheLast() {
        int ioas = ctx.ioasAlloc();
        Idev d1 = bind(a, "d1", false);
        Idev d2 = bind(a, "d2", false);
        Idev other = bind(b, "d3", false);
        int h1 = devices.attach(d1, ioas);
        assertEquals(h1, devices.attach(d2, ioas), "the same driver reuses the automatic HWPT");
        int h3 = devices.attach(other, ioas);
        assertNotEquals(h1, h3, "another driver's devices get their own");
        Ioas ioasObj = ctx.get(ioas, Ioas.class);
        assertEquals(4096, ioasObj.iopt().iovaAlignment(), "the domains raised the IOAS alignment");
        ctx.put(ioasObj);

        fails(Errno.EBUSY, () -> ctx.destroy(ioas));
        fails(Errno.EBUSY, () -> ctx.destroy(h1));
        fails(Errno.EBUSY, () -> ctx.destroy(d1.id()));
        devices.detach(d1);
        assertSame(null, d1.attached());
        ctx.put(ctx.get(h1, Hwpt.class)); // still there for d2
        devices.detach(d2);
        fails(Errno.ENOENT, () -> ctx.get(h1, Hwpt.class));
        devices.unbind(other);
        fails(Errno.ENOENT, () -> ctx.get(h3, Hwpt.class));
        fails(Errno.ENOENT, () -> ctx.get(other.id(), Idev.class));
        assertTrue(((TestDriver.Device) other.device()).released);
        ctx.destroy(ioas);
    }

    @Test
    void attachRulesAndReplaceRollback() {
        int ioas = ctx.ioasAlloc();
        Idev d = bind(a, "d", false);
        int explicit = ctx.call(new IommuHwptAlloc(0, d.id(), ioas, 0, 0, 0, 0, 0, 0, 0)).outHwptId();
        fails(Errno.EINVAL, () -> devices.replace(d, explicit));
        int auto = devices.attach(d, ioas);
        fails(Errno.EBUSY, () -> devices.attach(d, explicit));
        fails(Errno.EBUSY, () -> devices.attach(d, auto));
        fails(Errno.EINVAL, () -> devices.attach(bind(b, "foreign", false), explicit));
        fails(Errno.EINVAL, () -> devices.attach(d, d.id()));
        fails(Errno.ENOENT, () -> devices.attach(d, 999));

        TestDriver.Device dev = (TestDriver.Device) d.device();
        dev.failNextReplace = true;
        fails(Errno.ENOMEM, () -> devices.replace(d, explicit));
        assertEquals(auto, d.attached().id(), "a refused replace keeps the old attachment");
        ctx.destroy(explicit); // not held by the failed replace

        int second = ctx.call(new IommuHwptAlloc(0, d.id(), ioas, 0, 0, 0, 0, 0, 0, 0)).outHwptId();
        assertEquals(second, devices.replace(d, second));
        assertSame(d.attached().domain(), dev.attached);
        fails(Errno.ENOENT, () -> ctx.get(auto, Hwpt.class)); // the automatic one went away
        fails(Errno.EBUSY, () -> ctx.destroy(second));
        assertEquals(second, devices.replace(d, second), "replacing with the same HWPT is a no-op");
        devices.detach(d);
        devices.detach(d); // no-op
        ctx.destroy(second);
    }

    @Test
    void pasidAttachmentsFollowTheCompatibilityRules() {
        int ioas = ctx.ioasAlloc();
        Idev d = bind(a, "d", true);
        Idev plain = bind(a, "plain", false);
        int compat = ctx.call(new IommuHwptAlloc(IommuHwptAllocFlags.PASID, d.id(), ioas, 0, 0, 0, 0, 0, 0, 0)).outHwptId();
        int notCompat = ctx.call(new IommuHwptAlloc(0, d.id(), ioas, 0, 0, 0, 0, 0, 0, 0)).outHwptId();

        fails(Errno.EINVAL, () -> devices.attachPasid(plain, 5, compat));
        fails(Errno.EINVAL, () -> devices.attachPasid(d, 256, compat)); // 8 PASID bits
        fails(Errno.EINVAL, () -> devices.attachPasid(d, 5, ioas));
        fails(Errno.EINVAL, () -> devices.attachPasid(d, 5, notCompat));
        devices.attach(d, notCompat);
        fails(Errno.EINVAL, () -> devices.attachPasid(d, 5, compat)); // RID not PASID-compatible
        devices.replace(d, compat);
        devices.attachPasid(d, 5, compat);
        fails(Errno.EINVAL, () -> devices.replace(d, notCompat)); // a PASID is attached
        fails(Errno.EBUSY, () -> devices.attachPasid(d, 5, compat));
        fails(Errno.EINVAL, () -> devices.replacePasid(d, 6, compat));

        TestDriver.Device dev = (TestDriver.Device) d.device();
        int compat2 = ctx.call(new IommuHwptAlloc(IommuHwptAllocFlags.PASID, d.id(), ioas, 0, 0, 0, 0, 0, 0, 0)).outHwptId();
        dev.failNextReplace = true;
        fails(Errno.ENOMEM, () -> devices.replacePasid(d, 5, compat2));
        assertEquals(compat, d.attachedPasid(5).id());
        assertSame(d.attachedPasid(5).domain(), dev.pasids.get(5));
        devices.replacePasid(d, 5, compat2);
        assertSame(d.attachedPasid(5).domain(), dev.pasids.get(5));
        fails(Errno.EBUSY, () -> ctx.destroy(compat2));

        // Unbinding drops the PASIDs and the RID.
        devices.unbind(d);
        assertTrue(dev.pasids.isEmpty());
        assertNull(dev.attached);
        ctx.destroy(compat2);
        ctx.destroy(compat);
        ctx.destroy(notCompat);
    }

    @Test
    void theDeviceDmaFollowsItsAttachment() {
        int ioas = ctx.ioasAlloc();
        Idev d = bind(a, "d", false);
        long buf = process.mmapAnonymous(2 * 4096, true);
        process.write(buf, new byte[] {42}, 0, 1);
        long iova = ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE, ioas, 0, buf, 8192, 0)).iova();
        byte[] one = new byte[1];
        DmaFault blocked = assertThrows(DmaFault.class, () -> d.dma().read(iova, one, 0, 1));
        assertEquals(DmaFault.Reason.BLOCKED, blocked.reason());

        devices.attach(d, ioas);
        d.dma().read(iova, one, 0, 1);
        assertEquals(42, one[0]);
        d.dma().write(iova + 4096, new byte[] {7}, 0, 1);
        process.read(buf + 4096, one, 0, 1);
        assertEquals(7, one[0]);

        int empty = ctx.ioasAlloc();
        devices.replace(d, empty);
        DmaFault gone = assertThrows(DmaFault.class, () -> d.dma().read(iova, one, 0, 1));
        assertEquals(DmaFault.Reason.NOT_PRESENT, gone.reason());
        assertTrue(d.dmaBugs().isEmpty());
    }

    @Test
    void closingTheContextDetachesWhatTheBinderLeft() {
        int ioas = ctx.ioasAlloc();
        Idev d = bind(a, "d", false);
        devices.attach(d, ioas);
        devices.unbind(d);
        devices.unbind(d); // idempotent
        fails(Errno.ENOENT, () -> devices.attach(d, ioas));
        ctx.close();
    }

    @Test
    void aDriverThatKeepsTheUnitIotlbAndForgetsToInvalidateIsCaught() {
        int ioas = ctx.ioasAlloc();
        Idev d = devices.bind(ctx, a, a.probe(new org.iommufd4j.spi.DeviceConfig("unit", java.util.Map.of("unit-iotlb", "true"))));
        long buf = process.mmapAnonymous(4096, true);
        process.write(buf, new byte[] {42}, 0, 1);
        long iova = ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE, ioas, 0, buf, 4096, 0)).iova();
        devices.attach(d, ioas);
        byte[] one = new byte[1];
        d.dma().read(iova, one, 0, 1);
        assertEquals(1, a.unitIotlb.size(), "the device translated through the driver's IOTLB");

        // The framework leaves that IOTLB to the driver, which never invalidates: the unmapped page
        // is still served, and the model reports it.
        ctx.call(new org.iommufd4j.uapi.IommuIoasUnmap(ioas, iova, 4096));
        d.dma().read(iova, one, 0, 1);
        assertEquals(42, one[0]);
        assertEquals(1, d.dmaBugs().staleTranslations().size());
        assertEquals(iova, d.dmaBugs().staleTranslations().get(0).iova());
        devices.unbind(d);
    }
}
