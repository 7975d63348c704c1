package org.iommufd4j.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a record's components, in order, against a layout written out by hand from the C struct:
 * {@code "flags:4@4 ioas_id:4@8 user_va:8@16"} (C field name : width @ offset). C names are turned
 * into component names (leading underscores dropped, snake_case to camelCase), so the test also
 * keeps the Java names traceable to the header.
 */
public final class LayoutSpec {
    private LayoutSpec() {
    }

    public static void assertLayout(Class<? extends Record> type, String spec) {
        List<String> expected = new ArrayList<>();
        for (String f : spec.trim().split("\\s+")) {
            String[] nameRest = f.split(":");
            String[] widthOffset = nameRest[1].split("@");
            expected.add(camel(nameRest[0]) + ":" + widthOffset[0] + "@" + widthOffset[1]);
        }
        List<String> actual = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            At at = c.getAnnotation(At.class);
            assertNotNull(at, c.getName());
            actual.add(c.getName() + ":" + at.bytes() + "@" + at.offset());
        }
        assertEquals(expected, actual, type.getSimpleName());
    }

    static String camel(String c) {
        String s = c.replaceFirst("^_+", "");
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char ch : s.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }
}
