package org.iommufd4j.drivers.mock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.AccessPages;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.AccessReplaceIoas;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.AccessRw;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CreateAccess;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.DestroyAccessPages;

/**
 * The emulated-device ops of IOMMU_TEST_CMD (selftest.c iommufd_test_create_access,
 * iommufd_test_access_pages, iommufd_test_access_item_destroy, iommufd_test_access_rw,
 * iommufd_test_access_replace_ioas). The access itself lives in the framework and is reached by
 * its fd through {@link ExtensionCall#access}; for all but CREATE_ACCESS, {@code cmd.id} is that
 * fd. Closing the fd (close(2), exit, or the context's close) destroys the access.
 */
final class AccessOps {
    private AccessOps() {
    }

    private static <P extends Record> P payload(IommuTestCmd cmd, Class<P> type) {
        return StructCodec.of(type).decode(cmd.payload());
    }

    @SuppressWarnings("unchecked")
    private static <P extends Record> IommuTestCmd respond(IommuTestCmd cmd, P out) {
        StructCodec<P> codec = StructCodec.of((Class<P>) out.getClass());
        byte[] bytes = cmd.payload().clone();
        codec.encode(out, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return cmd.withPayload(bytes);
    }

    /** CREATE_ACCESS: {@code cmd.id} is the IOAS; out_access_fd gets the new access fd. */
    static IommuTestCmd createAccess(ExtensionCall call, IommuTestCmd cmd) {
        CreateAccess p = payload(cmd, CreateAccess.class);
        int fd = call.createAccess(cmd.id(), p.flags());
        return respond(cmd, new CreateAccess(fd, p.flags()));
    }

    /** ACCESS_PAGES: pins through the access; out_access_pages_id gets the item. */
    static IommuTestCmd accessPages(ExtensionCall call, IommuTestCmd cmd) {
        AccessPages p = payload(cmd, AccessPages.class);
        int item = call.access(cmd.id()).pinPages(p.iova(), p.length(), p.uptr(), p.flags());
        return respond(cmd, new AccessPages(p.flags(), item, p.iova(), p.length(), p.uptr()));
    }

    /** DESTROY_ACCESS_PAGES: unpins one ACCESS_PAGES item. */
    static IommuTestCmd destroyAccessPages(ExtensionCall call, IommuTestCmd cmd) {
        DestroyAccessPages p = payload(cmd, DestroyAccessPages.class);
        call.access(cmd.id()).destroyPages(p.accessPagesId());
        return null;
    }

    /** ACCESS_RW: copies between the caller's memory and the IOVA through the access. */
    static IommuTestCmd accessRw(ExtensionCall call, IommuTestCmd cmd) {
        AccessRw p = payload(cmd, AccessRw.class);
        call.access(cmd.id()).rw(p.iova(), p.length(), p.uptr(), p.flags());
        return null;
    }

    /** ACCESS_REPLACE_IOAS: moves the access to another IOAS. */
    static IommuTestCmd accessReplaceIoas(ExtensionCall call, IommuTestCmd cmd) {
        AccessReplaceIoas p = payload(cmd, AccessReplaceIoas.class);
        call.access(cmd.id()).replaceIoas(p.ioasId());
        return null;
    }
}
