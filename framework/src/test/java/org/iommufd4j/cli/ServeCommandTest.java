package org.iommufd4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}: listens on the socket it is given until stopped, then removes it. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesOnTheGivenSocketUntilInterrupted() throws Exception {
        Path socket = dir.resolve("s.sock");
        Files.createDirectories(dir.resolve("plugins"));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serve = new Thread(() -> exit.set(Main.run("serve", "--socket", socket.toString(),
                "--plugins-dir", dir.resolve("plugins").toString())));
        serve.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(socket), "the server listens on " + socket);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
        }
        serve.interrupt();
        serve.join(10_000);
        assertFalse(serve.isAlive());
        assertEquals(0, exit.get());
        assertFalse(Files.exists(socket), "the socket is removed on stop");
    }

    @Test
    void helpNamesTheOptions() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cl.execute("serve", "--help"));
        assertTrue(out.toString().contains("--socket"), out.toString());
        assertTrue(out.toString().contains("--plugins-dir"), out.toString());
    }
}
