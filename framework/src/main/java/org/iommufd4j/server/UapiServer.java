package org.iommufd4j.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.host.HostMm;
import org.iommufd4j.memory.host.HostProcess;
import org.iommufd4j.memory.host.HostProcesses;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * iommufd4j behind a Unix domain socket (docs/uapi-server.md): each context connection is one
 * open {@code /dev/iommu} of a real process, whose memory the server reads, writes and pins
 * through {@code /proc/<pid>}. One machine (one {@link IommufdComponent}) serves every client, so
 * mock devices, drivers and memory are shared as on one host. A thread per connection.
 */
public final class UapiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UapiServer.class);

    private final Path socket;
    private final IommufdComponent machine;
    private final boolean ownsMachine;
    private final ServerSocketChannel listener;
    private final HostProcesses processes;
    private final Map<Long, ServedContext> contexts = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private UapiServer(Path socket, IommufdComponent machine, boolean ownsMachine) throws IOException {
        this.socket = socket;
        this.machine = machine;
        this.ownsMachine = ownsMachine;
        this.processes = new HostProcesses(machine.memory());
        Files.deleteIfExists(socket);
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        try {
            // Only the owner may connect: a client makes the server read and pin its memory.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the peer check of every request still applies.
        }
        this.acceptor = new Thread(this::acceptLoop, "iommufd4j-uapi-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Starts a server on {@code socket} (replacing a stale socket file) for a new machine with
     * the driver plugins of {@code pluginsDir}, loaded now.
     */
    public static UapiServer start(Path socket, Path pluginsDir) throws IOException {
        IommufdComponent machine = IommufdComponent.create(MachineConfig.withPlugins(pluginsDir));
        machine.drivers();
        return start(socket, machine, true);
    }

    /** Starts a server for {@code machine}, whose drivers the caller has loaded; {@link #close()} leaves the machine open. */
    public static UapiServer start(Path socket, IommufdComponent machine) throws IOException {
        return start(socket, machine, false);
    }

    private static UapiServer start(Path socket, IommufdComponent machine, boolean ownsMachine) throws IOException {
        UapiServer server = new UapiServer(socket, machine, ownsMachine);
        server.acceptor.start();
        LOG.info("iommufd4j uAPI server listening on {}", socket);
        return server;
    }

    /**
     * The socket path clients use by default: {@code $IOMMUFD4J_SOCKET}, else
     * {@code $XDG_RUNTIME_DIR/iommufd4j.sock}, else {@code /tmp/iommufd4j-<uid>.sock}.
     */
    public static Path defaultSocket() {
        String env = System.getenv("IOMMUFD4J_SOCKET");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime, "iommufd4j.sock");
        }
        Object uid;
        try {
            uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            uid = System.getProperty("user.name");
        }
        return Path.of("/tmp", "iommufd4j-" + uid + ".sock");
    }

    public Path socket() {
        return socket;
    }

    /** The machine the server runs. */
    public IommufdComponent machine() {
        return machine;
    }

    /** Contexts open now (clients' open /dev/iommu not yet closed by their last connection). */
    public int openContexts() {
        return contexts.size();
    }

    /** Objects alive in every context of the machine. */
    public long liveObjects() {
        return machine.iommufd().liveObjects();
    }

    /** Frames pinned now (by clients' maps, accesses, ...): 0 once every client is gone. */
    public long pinnedFrames() {
        return machine.memory().pinnedFrames();
    }

    /** Connections open now. */
    public int connections() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("accept on {} failed", socket, e);
                }
                return;
            }
            Connection c = new Connection(this, ch, connectionIds.incrementAndGet());
            connections.add(c);
            Thread t = new Thread(c, "iommufd4j-uapi-" + connectionIds.get());
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * The address space of {@code pid}, if the connection's peer may act for it: the same user
     * (or root). A client could otherwise make the server read another user's memory.
     */
    HostMm authorize(SocketChannel channel, int pid) {
        if (pid <= 0) {
            throw IommufdException.einval("pid " + Integer.toUnsignedString(pid) + " is not a process");
        }
        try {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            UserPrincipal owner = Files.getOwner(Path.of("/proc", Integer.toString(pid)));
            if (!peer.user().equals(owner) && !peer.user().getName().equals("root")) {
                throw new IommufdException(Errno.EPERM, "pid " + pid + " belongs to " + owner.getName() + ", the client is "
                        + peer.user().getName());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IommufdException(Errno.ESRCH, "pid " + pid + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IommufdException(Errno.EPERM, "cannot check who pid " + pid + " is: " + e);
        }
        return processes.mm(pid);
    }

    ServedContext newContext(HostProcess opener) {
        IommufdContext ctx = machine.iommufd().open(opener);
        while (true) {
            long token = random.nextLong();
            if (token == 0) {
                continue;
            }
            ServedContext c = new ServedContext(token, ctx);
            if (contexts.putIfAbsent(token, c) == null) {
                return c;
            }
        }
    }

    ServedContext context(long token) {
        return contexts.get(token);
    }

    void contextClosed(ServedContext c) {
        contexts.remove(c.token());
        processes.prune();
    }

    void connectionClosed(Connection c) {
        connections.remove(c);
    }

    /**
     * Stops accepting, closes every connection (releasing every context, as if all clients had
     * exited) and, if the server built its machine, unloads its drivers.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", socket, e.toString());
        }
        for (Connection c : connections) {
            c.shutdown();
        }
        try {
            acceptor.join(5000);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!connections.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("removing {}: {}", socket, e.toString());
        }
        if (ownsMachine) {
            machine.drivers().close();
        }
        LOG.info("iommufd4j uAPI server on {} stopped", socket);
    }
}
