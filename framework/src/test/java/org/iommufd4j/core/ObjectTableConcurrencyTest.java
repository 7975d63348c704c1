package org.iommufd4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.junit.jupiter.api.Test;

/**
 * Hostile callers racing on one context: create, destroy, lookup-and-use and close. A destroyed
 * object must never be handed out, every object is destroyed exactly once, and nothing leaks.
 */
class ObjectTableConcurrencyTest {
    private static final int THREADS = 6;
    private static final int OPS = 4_000;

    static final class Tracked extends IommufdObject {
        final AtomicInteger destroyed = new AtomicInteger();

        Tracked() {
            super(ObjectType.SELFTEST);
        }

        @Override
        protected void destroy() {
            destroyed.incrementAndGet();
        }
    }

    @Test
    void racingCreateDestroyLookupAndClose() throws Exception {
        Iommufd iommufd = TestMachine.create().iommufd();
        IommufdContext ctx = iommufd.open();
        Queue<Tracked> created = new ConcurrentLinkedQueue<>();
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(t);
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < OPS; i++) {
                        int id = 1 + random.nextInt(32);
                        switch (random.nextInt(3)) {
                            case 0 -> {
                                Tracked obj = new Tracked();
                                ctx.objects().reserve(obj);
                                created.add(obj);
                                if (random.nextBoolean()) {
                                    ctx.objects().finalizeObject(obj);
                                } else {
                                    ctx.objects().abortObject(obj);
                                }
                            }
                            case 1 -> {
                                try {
                                    ctx.destroyObject(id);
                                } catch (IommufdException e) {
                                    expect(e, violations, Errno.ENOENT, Errno.EBUSY);
                                }
                            }
                            default -> {
                                try {
                                    Tracked obj = ctx.get(id, Tracked.class);
                                    try {
                                        if (obj.destroyed.get() != 0) {
                                            violations.add("lookup handed out destroyed " + obj);
                                        }
                                        Thread.onSpinWait();
                                        if (obj.destroyed.get() != 0) {
                                            violations.add(obj + " destroyed while held");
                                        }
                                    } finally {
                                        ctx.put(obj);
                                    }
                                } catch (IommufdException e) {
                                    expect(e, violations, Errno.ENOENT);
                                }
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        ctx.close();
        assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
        for (Tracked obj : created) {
            assertEquals(1, obj.destroyed.get(), obj + " must be destroyed exactly once");
        }
        assertEquals(0, iommufd.liveObjects(), "no object outlives its context");
    }

    @Test
    void closeRacingIoctlsLeavesNothingBehind() throws Exception {
        Iommufd iommufd = TestMachine.create().iommufd();
        for (int round = 0; round < 20; round++) {
            IommufdContext ctx = iommufd.open();
            Queue<String> violations = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add(new Thread(() -> {
                    ByteBuffer alloc = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer destroy = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 200; i++) {
                        alloc.putInt(0, 12).putInt(4, 0).putInt(8, 0);
                        int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, alloc);
                        if (rc == -Errno.EBADF.value()) {
                            return;
                        }
                        if (rc != 0) {
                            violations.add("IOAS_ALLOC returned " + rc);
                        }
                        destroy.putInt(0, 8).putInt(4, alloc.getInt(8));
                        rc = ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, destroy);
                        if (rc != 0 && rc != -Errno.EBADF.value() && rc != -Errno.ENOENT.value()) {
                            violations.add("DESTROY returned " + rc);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            ctx.close();
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
            assertEquals(0, iommufd.liveObjects(), "round " + round + " leaked objects");
        }
        assertEquals(0, iommufd.openContexts());
    }

    private static void expect(IommufdException e, Queue<String> violations, Errno... allowed) {
        for (Errno a : allowed) {
            if (e.errno() == a) {
                return;
            }
        }
        violations.add("unexpected " + e.getMessage());
    }

}
