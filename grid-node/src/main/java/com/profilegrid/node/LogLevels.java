package com.profilegrid.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/** The node's log levels from its flags: its own (the root) and Hazelcast's and Jet's ({@code com.hazelcast}). */
final class LogLevels {

    static final List<String> NAMES = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogLevels() {
    }

    /** {@code given} as a level name, or a refusal naming the flag and the levels there are. */
    static String checked(String flag, String given) {
        String name = given.trim().toUpperCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(flag + " must be one of " + String.join(", ", NAMES) + ", not '" + given + "'");
        }
        return name;
    }

    /**
     * Hazelcast's loggers that {@code config/logback.xml} quiets below Hazelcast's level, for lines that say nothing the
     * node does not say better (a departed member dialled again, a losing job submission, a job start retried while
     * the members change).
     */
    static final List<String> QUIETED = List.of("com.hazelcast.internal.server.tcp.TcpServerConnectionErrorHandler",
            "com.hazelcast.jet.impl.operation.SubmitJobOperation", "com.hazelcast.jet.impl.operation.InitExecutionOperation");

    /**
     * Sets the root level to {@code own} and {@code com.hazelcast}'s to {@code hazelcast}; at DEBUG or TRACE, which ask
     * for everything, the {@link #QUIETED} loggers follow it too.
     */
    static void apply(String own, String hazelcast) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(own));
            Level level = Level.toLevel(hazelcast);
            ((Logger) LoggerFactory.getLogger("com.hazelcast")).setLevel(level);
            if (level.isGreaterOrEqual(Level.INFO)) {
                return;
            }
            QUIETED.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).setLevel(null));
        }
    }
}
