package org.iommufd4j.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IoctlCatalogTest {

    @Test
    void commandsRunContiguouslyFrom0x80To0x94AsIoSemicolon() {
        assertEquals(21, IoctlCatalog.COMMANDS.size());
        int nr = 0x80;
        for (IoctlCatalog.Entry e : IoctlCatalog.COMMANDS) {
            assertEquals(0x3B00 | nr, e.command(), e.name());
            nr++;
        }
    }

    @Test
    void theKnownNumbersFromTheReference() {
        // kernel-iommufd.md §2: IOMMU_DESTROY = 0x3B80; §2.1 table
        assertEquals(0x3B80, IommufdIoctl.IOMMU_DESTROY);
        assertEquals("IOMMU_IOAS_MAP", IoctlCatalog.byCommand(0x3B85).name());
        assertEquals("IOMMU_IOAS_MAP_FILE", IoctlCatalog.byCommand(0x3B8f).name());
        assertEquals("IOMMU_HW_QUEUE_ALLOC", IoctlCatalog.byCommand(0x3B94).name());
        assertNull(IoctlCatalog.byCommand(0x3B7f));
        assertNull(IoctlCatalog.byCommand(IommufdIoctl.IOMMU_TEST_CMD));
    }

    @Test
    void everyStructIsSizedAndBelongsToOneCommand() {
        Set<Class<?>> seen = new HashSet<>();
        for (IoctlCatalog.Entry e : IoctlCatalog.COMMANDS) {
            assertTrue(e.codec().sized(), e.name() + " struct must start with u32 size");
            assertTrue(seen.add(e.struct()), e.struct() + " listed twice");
            assertSame(e, IoctlCatalog.byStruct(e.struct()));
        }
    }

    @Test
    void minSizeIsOffsetOfEndOfTheKernelsLastField() {
        for (IoctlCatalog.Entry e : IoctlCatalog.COMMANDS) {
            assertEquals(e.offsetOfEndOfMinSizeField(), e.codec().minSize(), e.name());
            assertTrue(e.codec().minSize() <= e.codec().size(), e.name());
        }
    }

    @Test
    void otherStructsAreNotSized() {
        for (Class<? extends Record> c : IoctlCatalog.OTHER_STRUCTS) {
            assertTrue(!StructCodec.of(c).sized(), c.getSimpleName());
        }
    }
}
