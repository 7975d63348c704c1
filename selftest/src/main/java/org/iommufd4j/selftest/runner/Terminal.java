package org.iommufd4j.selftest.runner;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal, so progress can go there without polluting logs. */
final class Terminal {
    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        // Linux: fd 2 links to a tty or pty device. Elsewhere, fall back on the JVM's console check.
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }
}
