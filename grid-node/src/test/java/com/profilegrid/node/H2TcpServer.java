package com.profilegrid.node;

import com.profilegrid.node.store.Database;
import org.h2.tools.Server;

import java.nio.file.Path;
import java.sql.SQLException;

/** An H2 database served over TCP on loopback, so a test can make it unreachable and bring it back. */
public final class H2TcpServer implements AutoCloseable {

    private final int port;
    private final Path baseDir;
    private Server server;

    public H2TcpServer(Path baseDir) throws SQLException {
        this.port = NodeFixture.freePort();
        this.baseDir = baseDir;
        start();
    }

    public Database.Settings settings() {
        return new Database.Settings("jdbc:h2:tcp://127.0.0.1:" + port + "/profilegrid", "", "", null, 8);
    }

    public synchronized void start() throws SQLException {
        server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", baseDir.toString(), "-ifNotExists")
                .start();
    }

    /** Stops listening and drops every open connection. */
    public synchronized void stop() {
        server.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
