package org.iommufd4j.bench.dispatch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.bench.BenchMachine;
import org.iommufd4j.bench.ReportAs;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of the ioctl path itself, with no page-table work behind it: the dispatcher, the size
 * rules, decoding and encoding the struct, the object table, and the errno path. Each call is a
 * whole ioctl (or an IOAS_ALLOC + DESTROY pair), so there is no loop and no per-entry figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class IoctlDispatchBench {
    /** The machine is small: these ioctls touch no host memory. */
    private static final long MEMORY = 64L << 20;

    private IommufdComponent machine;
    private IommufdContext ctx;
    /** An ID no object has in this context (its table stays empty). Non-final: not a constant. */
    private int missingId = 1;
    private ByteBuffer destroyStruct;
    private ByteBuffer allocStruct;

    @Setup(Level.Trial)
    public void openContext() {
        machine = BenchMachine.create(MEMORY);
        ctx = machine.iommufd().open();
        // struct iommu_destroy { __u32 size; __u32 id; }
        destroyStruct = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        destroyStruct.putInt(0, 8).putInt(4, missingId);
        // struct iommu_ioas_alloc { __u32 size; __u32 flags; __u32 out_ioas_id; }
        allocStruct = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        allocStruct.putInt(0, 12);
        // Fail now, not with a meaningless score, if the path does not behave as measured.
        if (destroyMissingBytes() != -Errno.ENOENT.value() || destroyMissingTyped() != Errno.ENOENT
                || ioasAllocDestroyBytes() != 0 || ioasAllocDestroyTyped() != 1) {
            throw new IllegalStateException("the ioctl path does not behave as this benchmark expects");
        }
    }

    @TearDown(Level.Trial)
    public void closeContext() {
        ctx.close();
        if (machine.iommufd().liveObjects() != 0) {
            throw new IllegalStateException(machine.iommufd().liveObjects() + " object(s) leaked");
        }
    }

    /** IOMMU_DESTROY of an unknown ID through the byte API: returns -ENOENT. */
    @Benchmark
    @ReportAs(call = "IOMMU_DESTROY of a missing ID, byte API (-ENOENT)")
    public int destroyMissingBytes() {
        return ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, destroyStruct);
    }

    /** IOMMU_DESTROY of an unknown ID through the typed API: throws ENOENT. */
    @Benchmark
    @ReportAs(call = "IOMMU_DESTROY of a missing ID, typed API (exception)")
    public Errno destroyMissingTyped() {
        try {
            ctx.call(new IommuDestroy(missingId));
        } catch (IommufdException e) {
            return e.errno();
        }
        throw new IllegalStateException("IOMMU_DESTROY of missing ID " + missingId + " succeeded");
    }

    /** IOMMU_IOAS_ALLOC then IOMMU_DESTROY of the new IOAS, byte API: two ioctls. */
    @Benchmark
    @ReportAs(call = "IOAS_ALLOC + DESTROY pair, byte API")
    public int ioasAllocDestroyBytes() {
        int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, allocStruct);
        destroyStruct.putInt(4, allocStruct.getInt(8));
        rc |= ctx.ioctl(IommufdIoctl.IOMMU_DESTROY, destroyStruct);
        destroyStruct.putInt(4, missingId);
        return rc;
    }

    /** IOMMU_IOAS_ALLOC then IOMMU_DESTROY of the new IOAS, typed API: two ioctls. */
    @Benchmark
    @ReportAs(call = "IOAS_ALLOC + DESTROY pair, typed API")
    public int ioasAllocDestroyTyped() {
        int id = ctx.ioasAlloc();
        ctx.destroy(id);
        return id;
    }
}
