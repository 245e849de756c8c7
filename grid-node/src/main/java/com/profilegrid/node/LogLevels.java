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

    /** Sets the root level to {@code own} and {@code com.hazelcast}'s to {@code hazelcast}. */
    static void apply(String own, String hazelcast) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(own));
            ((Logger) LoggerFactory.getLogger("com.hazelcast")).setLevel(Level.toLevel(hazelcast));
        }
    }
}
