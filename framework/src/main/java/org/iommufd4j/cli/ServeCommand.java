package org.iommufd4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.iommufd4j.server.UapiServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: runs the uAPI server until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve /dev/iommu to unmodified C programs: iommufd4j behind a Unix domain socket, "
                + "used through the LD_PRELOAD shim. Each connection is one open /dev/iommu; the caller's memory "
                + "is reached through /proc/<pid>/mem. Runs until interrupted (Ctrl-C).",
                "Protocol: docs/uapi-server.md. One info line per client; every call at debug level."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    PluginsDirOption plugins;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Socket to listen on (default: $IOMMUFD4J_SOCKET, else $XDG_RUNTIME_DIR/iommufd4j.sock, "
                    + "else /tmp/iommufd4j-<uid>.sock).")
    Path socket;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path path = socket != null ? socket : UapiServer.defaultSocket();
        UapiServer server;
        try {
            server = UapiServer.start(path, plugins.resolve());
        } catch (IOException e) {
            spec.commandLine().getErr().println("iommufd4j serve: cannot listen on " + path + ": " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().printf("iommufd4j: serving /dev/iommu on %s (drivers: %s)%n", path,
                server.machine().drivers().drivers().stream().map(d -> d.name()).toList());
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "iommufd4j-serve-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
