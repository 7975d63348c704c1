package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.memory.SimUser;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's iommufd_fail_nth sweep (basic, map_domain, map_file_domain, map_two_domains) for
 * the IOAS paths: for N = 1, 2, ... the Nth fault-injection point of an IOAS_ALLOC / IOVA_RANGES /
 * ALLOW_IOVAS / MAP / MAP_FILE / COPY / domain attach / UNMAP sequence fails. The step that failed
 * must return an errno and leave exactly the state it found: no pin, no charge, no area, no domain
 * entry, no reserved range, no object, no frame. The context must keep working, and closing it
 * must release everything. The sweep ends at the first N that is never reached.
 */
class IoasFailNthTest {
    private static final long BUF = 64 * 1024;

    @TempDir
    Path plugins;

    private PhysicalMemory memory;
    private FailNth failNth;
    private SimUser user;
    private SimProcess proc;
    private long buffer;
    private int memfd;

    /** The objects and fakes one pass builds, for the snapshot and the cleanup. */
    private final class Pass {
        final IommufdContext ctx;
        int ioasA;
        int ioasB;
        long mapIova;
        long fileIova;
        final List<FakePagingDomain> domains = new ArrayList<>();

        Pass(IommufdContext ctx) {
            this.ctx = ctx;
        }

        FakePagingDomain attach(int ioasId) {
            FakePagingDomain d = new FakePagingDomain((1L << 12) | (1L << 21), 1L << 20, (1L << 40) - 1);
            Ioas ioas = ctx.get(ioasId, Ioas.class);
            try {
                ioas.iopt().addDomain(d);
                domains.add(d);
            } finally {
                ctx.put(ioas);
            }
            return d;
        }

        List<Map.Entry<String, Runnable>> steps() {
            Map<String, Runnable> s = new LinkedHashMap<>();
            s.put("IOAS_ALLOC A", () -> ioasA = IoasCalls.alloc(ctx));
            s.put("IOVA_RANGES A", () -> IoasCalls.iovaRanges(ctx, proc, ioasA, 4));
            s.put("ALLOW_IOVAS A", () -> IoasCalls.allowIovas(ctx, proc, ioasA, List.of(new IovaRange(1L << 24, (1L << 32) - 1))));
            s.put("attach domain to A", () -> attach(ioasA));
            s.put("MAP A", () -> mapIova = IoasCalls.map(ctx, ioasA, buffer, BUF));
            s.put("MAP_FILE A", () -> fileIova = ctx.call(new IommuIoasMapFile(IoasCalls.RW | IommuIoasMapFlags.FIXED_IOVA,
                    ioasA, memfd, 0, BUF, 1L << 28)).iova());
            s.put("attach second domain to A", () -> attach(ioasA));
            s.put("IOAS_ALLOC B", () -> ioasB = IoasCalls.alloc(ctx));
            s.put("COPY A->B", () -> ctx.call(new IommuIoasCopy(IoasCalls.RW | IommuIoasMapFlags.FIXED_IOVA, ioasB, ioasA, BUF,
                    1L << 30, mapIova)));
            s.put("ALLOW_IOVAS B", () -> IoasCalls.allowIovas(ctx, proc, ioasB, List.of(new IovaRange(1L << 31, (1L << 32) - 1))));
            s.put("COPY A->B file", () -> IoasCalls.copy(ctx, ioasB, ioasA, fileIova, BUF));
            s.put("attach domain to B", () -> attach(ioasB));
            s.put("UNMAP A", () -> IoasCalls.unmap(ctx, ioasA, mapIova, BUF));
            s.put("UNMAP all B", () -> IoasCalls.unmapAll(ctx, ioasB));
            s.put("UNMAP all A", () -> IoasCalls.unmapAll(ctx, ioasA));
            return new ArrayList<>(s.entrySet());
        }

        /** Everything a failed step could leak, as comparable values. */
        List<Object> snapshot() {
            List<Object> out = new ArrayList<>();
            out.add("objects=" + ctx.objects().size());
            for (IommufdObject obj : ctx.objects().snapshot()) {
                if (obj instanceof Ioas ioas) {
                    IoPagetable t = ioas.iopt();
                    out.add(ioas + " maps=" + t.mappings() + " allowed=" + t.allowedIovas() + " ranges=" + t.iovaRanges()
                            + " align=" + t.iovaAlignment() + " domains=" + t.domains().size() + " pinned=" + t.pinnedPages());
                }
            }
            for (FakePagingDomain d : domains) {
                out.add("domain entries=" + d.entries() + " bytes=" + d.mappedBytes());
            }
            out.add("pinnedFrames=" + memory.pinnedFrames());
            out.add("allocatedFrames=" + memory.allocatedFrames());
            out.add("user.locked=" + user.lockedPages());
            out.add("VmPin=" + proc.pinnedVm() + " VmLck=" + proc.lockedVm());
            out.add("pin@buffer=" + proc.pinCountAt(buffer));
            return out;
        }

        void detachAll() {
            for (IommufdObject obj : ctx.objects().snapshot()) {
                if (obj instanceof Ioas ioas) {
                    for (var d : ioas.iopt().domains()) {
                        ioas.iopt().removeDomain(d);
                    }
                }
            }
        }
    }

    @Test
    void everyInjectedFailureIsUndoneCompletely() {
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(256L << 20, plugins));
        memory = machine.memory();
        failNth = machine.failNth();
        user = new SimUser(1000);
        // No CAP_IPC_LOCK, so every pin is charged to the user and shows up in the snapshot.
        proc = new SimProcess(memory, user, 1L << 30, EnumSet.of(Capability.SYS_RESOURCE));
        buffer = proc.mmapAnonymous(BUF, true);
        proc.write(buffer, new byte[(int) BUF], 0, (int) BUF);
        memfd = proc.memfdCreate("fail_nth");
        proc.file(memfd).write(0, new byte[(int) BUF], 0, (int) BUF);
        long baselineFrames = memory.allocatedFrames();

        // The sequence must pass without injection.
        runPass(machine, 0, baselineFrames);
        int failures = 0;
        for (int n = 1; n <= 400; n++) {
            if (!runPass(machine, n, baselineFrames)) {
                assertTrue(failures > 20, "the sweep reached only " + failures + " injection points");
                return;
            }
            failures++;
        }
        fail("the sweep did not end within 400 passes");
    }

    /** One pass with the Nth point armed (0: none). Returns whether the armed failure fired. */
    private boolean runPass(IommufdComponent machine, int n, long baselineFrames) {
        Pass pass = new Pass(machine.iommufd().open(proc));
        String failedStep = null;
        List<Object> before = null;
        IommufdException error = null;
        if (n > 0) {
            failNth.arm(n);
        }
        try {
            for (Map.Entry<String, Runnable> step : pass.steps()) {
                before = pass.snapshot();
                try {
                    step.getValue().run();
                } catch (IommufdException e) {
                    failedStep = step.getKey();
                    error = e;
                    break;
                }
            }
        } finally {
            int left = failNth.disarm();
            if (n > 0 && left == 0 && error == null) {
                fail("pass " + n + ": the injected failure fired but no step failed");
            }
        }
        boolean fired = error != null;
        if (n == 0 && fired) {
            fail("the sequence fails without injection at " + failedStep, error);
        }
        if (fired) {
            assertTrue(error.getMessage().contains("injected failure"), "pass " + n + " at " + failedStep + ": " + error.getMessage());
            assertEquals(before, pass.snapshot(), "pass " + n + ": " + failedStep + " failed with " + error.errno()
                    + " and left something behind");
            // The context still works after the failure.
            int id = IoasCalls.alloc(pass.ctx);
            long iova = IoasCalls.map(pass.ctx, id, buffer, BUF);
            assertEquals(BUF, IoasCalls.unmap(pass.ctx, id, iova, BUF));
        }
        pass.detachAll();
        pass.ctx.close();
        assertEquals(0, memory.pinnedFrames(), "pass " + n + ": pins left after close");
        assertEquals(0, user.lockedPages(), "pass " + n + ": user charge left after close");
        assertEquals(0, proc.pinnedVm(), "pass " + n + ": VmPin left after close");
        assertEquals(baselineFrames, memory.allocatedFrames(), "pass " + n + ": frames leaked");
        assertEquals(0, machine.iommufd().liveObjects(), "pass " + n + ": objects leaked");
        for (FakePagingDomain d : pass.domains) {
            assertEquals(0, d.entries(), "pass " + n + ": a domain kept entries");
        }
        return fired;
    }

    @Test
    void sweepCoversEveryStepKind() {
        // A cheap guard that the steps above really exercise pinning and domain maps: run once and
        // look at the charge while everything is mapped.
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(64L << 20, plugins));
        memory = machine.memory();
        user = new SimUser(1);
        proc = new SimProcess(memory, user, 1L << 30, EnumSet.noneOf(Capability.class));
        buffer = proc.mmapAnonymous(BUF, true);
        try (IommufdContext ctx = machine.iommufd().open(proc)) {
            Pass pass = new Pass(ctx);
            int id = IoasCalls.alloc(ctx);
            pass.attach(id);
            IoasCalls.map(ctx, id, buffer, BUF);
            assertEquals(BUF / PAGE_SIZE, user.lockedPages());
            assertEquals(BUF / PAGE_SIZE, pass.domains.get(0).mappedBytes() / PAGE_SIZE);
            pass.detachAll();
        }
        assertEquals(0, user.lockedPages());
    }
}
