package ai.fastai4j.serve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;

/**
 * Caps the connections one client (one IP address) holds open at once: a connection over the cap is closed as soon
 * as it opens, before a request of it is read, so one client cannot hold every HTTP thread (as 40 connections
 * trickling a body byte every 2 s did). Registered on Jetty's connector as a {@link Connection.Listener}.
 */
final class ConnectionsPerClient implements Connection.Listener {
    private final int max;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    /** Each open connection's client, read when it opened (a closed socket no longer knows its peer). */
    private final Map<Connection, InetAddress> clients = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    ConnectionsPerClient(int max) {
        this.max = max;
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress client = client(connection);
        if (client == null) {
            return;
        }
        clients.put(connection, client);
        int n = open.merge(client, 1, Integer::sum);
        if (n > max) {
            refused.incrementAndGet();
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress client = clients.remove(connection);
        if (client != null) {
            open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Connections closed because their client had too many open. */
    long refused() {
        return refused.get();
    }

    private static InetAddress client(Connection c) {
        SocketAddress a = c.getEndPoint().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
