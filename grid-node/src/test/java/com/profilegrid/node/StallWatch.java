package com.profilegrid.node;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says, in the build's output, when the test JVM stops making progress, and what its heap and collector were doing
 * then: a CI run once spent 25 minutes in one test whose every thread, the pool's housekeeper and JUnit's own timeout
 * among them, ran minutes late, and its output could not tell a heap full of a leaked test's state from a machine
 * starved of CPU. A daemon thread sleeps a second at a time and prints a line when it wakes more than
 * {@link #STALL_SECONDS} late; a test that times out prints the same line. The first stall of
 * {@link #DETAIL_SECONDS} or more also prints the live threads by kind and the heap's largest classes. Registered for every test of this module
 * through JUnit's extension autodetection ({@code META-INF/services}); it changes no test's outcome.
 */
public final class StallWatch implements BeforeEachCallback, TestExecutionExceptionHandler {

    static final long STALL_SECONDS = 10;
    /** A stall this long prints, once, what holds the heap and which threads there are. */
    static final long DETAIL_SECONDS = 60;
    private static final AtomicBoolean DETAILED = new AtomicBoolean();
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile String currentTest = "(none yet)";

    @Override
    public void beforeEach(ExtensionContext context) {
        currentTest = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
                + " " + context.getDisplayName();
        if (STARTED.compareAndSet(false, true)) {
            Thread watch = new Thread(StallWatch::watch, "profilegrid-test-stall-watch");
            watch.setDaemon(true);
            watch.start();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        if (thrown instanceof TimeoutException || thrown.getClass().getName().contains("Timeout")) {
            System.err.println("[stall-watch] " + context.getDisplayName() + " timed out; " + state());
        }
        throw thrown;
    }

    private static void watch() {
        long gcMillisBefore = gcMillis();
        while (true) {
            long start = System.nanoTime();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long late = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) - 1;
            long gcMillisNow = gcMillis();
            if (late >= STALL_SECONDS) {
                System.err.printf("[stall-watch] the JVM ran %d s late during %s; %d ms in GC meanwhile; %s%n",
                        late, currentTest, gcMillisNow - gcMillisBefore, state());
                if (late >= DETAIL_SECONDS && DETAILED.compareAndSet(false, true)) {
                    System.err.println("[stall-watch] threads by name:\n" + threadsByName());
                    System.err.println("[stall-watch] the heap's largest classes:\n" + largestClasses());
                }
            }
            gcMillisBefore = gcMillisNow;
        }
    }

    /** Live threads counted by name with its digits left out (a leaked member shows as many more of its kind). */
    static String threadsByName() {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            counts.merge(thread.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        StringBuilder lines = new StringBuilder();
        counts.entrySet().stream().sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
                .forEach(entry -> lines.append("  ").append(entry.getValue()).append(' ').append(entry.getKey())
                        .append('\n'));
        return lines.toString();
    }

    /** The first lines of the JVM's class histogram of live objects (as {@code jcmd GC.class_histogram}). */
    static String largestClasses() {
        try {
            Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] lines = String.valueOf(histogram).split("\n");
            return String.join("\n", java.util.Arrays.copyOf(lines, Math.min(30, lines.length)));
        } catch (Exception e) {
            return "  (no histogram: " + e + ")";
        }
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Heap now and after the last collection of its old generation, the collectors' totals, threads, load. */
    static String state() {
        StringBuilder line = new StringBuilder();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        line.append("heap used ").append(heap.getUsed() >> 20).append(" of ").append(heap.getMax() >> 20)
                .append(" MB");
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null && pool.getName().contains("Old")) {
                line.append(", ").append(pool.getName()).append(" after its last GC ")
                        .append(afterGc.getUsed() >> 20).append(" MB");
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            line.append(", ").append(gc.getName()).append(": ").append(gc.getCollectionCount()).append(" in ")
                    .append(gc.getCollectionTime()).append(" ms");
        }
        line.append(", threads ").append(ManagementFactory.getThreadMXBean().getThreadCount())
                .append(", load average ")
                .append(String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return line.toString();
    }
}
