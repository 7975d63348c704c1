package org.iommufd4j.memory.host;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child process ({@code sleep}) whose memory a test reads and writes through
 * {@code /proc/<pid>/mem}, as the uAPI server does for a C program. Its scratch area is the low
 * end of its stack mapping, which a sleeping process never reaches. Tests that need it are
 * skipped where /proc/<pid>/mem cannot be opened (no procfs, ptrace restrictions).
 */
public final class LiveChild implements AutoCloseable {
    private final Process process;
    private final long stackStart;
    private final long stackEnd;
    private final long readOnlyPage;

    private LiveChild(Process process, long stackStart, long stackEnd, long readOnlyPage) {
        this.process = process;
        this.stackStart = stackStart;
        this.stackEnd = stackEnd;
        this.readOnlyPage = readOnlyPage;
    }

    /** Starts one, or skips the test when this host cannot give access to its memory. */
    public static LiveChild start() throws IOException, InterruptedException {
        return start("sleep", "sleep", "60");
    }

    /**
     * Starts {@code command}, whose process name (comm) is {@code comm}, and waits until it runs
     * its own program; skips the test when it cannot be started or its memory is not accessible.
     */
    public static LiveChild start(String comm, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " cannot be started: " + e.getMessage());
            throw e;
        }
        Path maps = Path.of("/proc", Long.toString(p.pid()), "maps");
        long start = 0;
        long end = 0;
        long ro = 0;
        for (int tries = 0; tries < 100 && (start == 0 || ro == 0); tries++) {
            // Until exec is done, the maps are the JVM's fork; wait for sleep's own [stack].
            List<String> lines = Files.exists(maps) ? Files.readAllLines(maps) : List.of();
            for (String line : lines) {
                String[] f = line.split("\\s+");
                String[] range = f[0].split("-");
                if (line.endsWith("[stack]")) {
                    start = Long.parseUnsignedLong(range[0], 16);
                    end = Long.parseUnsignedLong(range[1], 16);
                } else if (f[1].startsWith("r--p") && ro == 0) {
                    ro = Long.parseUnsignedLong(range[0], 16);
                }
            }
            if (start == 0 || ro == 0 || !new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "comm"))).trim()
                    .startsWith(comm)) {
                start = 0;
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        LiveChild child = new LiveChild(p, start, end, ro);
        boolean ok = start != 0;
        if (ok) {
            try (FileChannel ch = FileChannel.open(Path.of("/proc", Long.toString(p.pid()), "mem"), StandardOpenOption.READ)) {
                ok = ch.read(ByteBuffer.allocate(8), start) == 8;
            } catch (IOException e) {
                ok = false;
            }
        }
        if (!ok) {
            child.close();
        }
        assumeTrue(ok, "/proc/<pid>/mem of a child process is not accessible here");
        return child;
    }

    /** The next line the child printed on its standard output. */
    public String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = process.getInputStream().read(); c >= 0 && c != '\n'; c = process.getInputStream().read()) {
            b.append((char) c);
        }
        return b.toString();
    }

    public int pid() {
        return (int) process.pid();
    }

    /** A writable scratch address: page {@code page} from the low end of the stack mapping. */
    public long scratch(int page) {
        long va = stackStart + ((long) page << 12);
        if (va + 4096 > stackEnd) {
            throw new IllegalArgumentException("the stack mapping has fewer than " + (page + 1) + " pages");
        }
        return va;
    }

    /** A page mapped read-only (a file mapping of the program). */
    public long readOnlyPage() {
        return readOnlyPage;
    }

    /**
     * The end of a writable mapping that is not followed by another writable one: the page before
     * it can be pinned for writing, the page at it cannot.
     */
    public long writableEnd() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "maps"));
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\\s+");
            String[] range = f[0].split("-");
            if (!f[1].startsWith("rw")) {
                continue;
            }
            long end = Long.parseUnsignedLong(range[1], 16);
            if (i + 1 == lines.size()) {
                return end;
            }
            String[] g = lines.get(i + 1).split("\\s+");
            if (Long.parseUnsignedLong(g[0].split("-")[0], 16) != end || !g[1].startsWith("rw")) {
                return end;
            }
        }
        throw new IllegalStateException("no writable mapping");
    }

    public void write(long va, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc", Long.toString(process.pid()), "mem"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), va);
        }
    }

    public byte[] read(long va, int len) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc", Long.toString(process.pid()), "mem"), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            ch.read(b, va);
            return b.array();
        }
    }

    /** Kills it and waits until it is gone. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
