package com.profilegrid.node;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * A {@code profilegrid} command run in this JVM: its exit code and what it printed on stdout and stderr, without the
 * log lines of nodes that run in the same JVM (they share the streams).
 */
record CliRun(int exit, String out, String err) {

    static synchronized CliRun of(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine().setOut(new PrintWriter(System.out, true))
                    .setErr(new PrintWriter(System.err, true)).execute(args);
            return new CliRun(exit, withoutLogLines(outBytes), withoutLogLines(errBytes));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static String withoutLogLines(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> !line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .collect(Collectors.joining("\n"));
    }
}
