package com.profilegrid.node.support;

import java.util.Optional;

/**
 * What a node says at start about a heap too small for it. The smallest heap ProfileGrid is tested with is 256 MB
 * ({@code SmallHeapIT}); below it the node itself (Hazelcast, Jet, the HTTP server, the embedded database's page cache)
 * takes most of the heap, and the heap signal of admission control sheds tracking with 503 for long stretches.
 */
public final class HeapAdvice {

    /** The smallest heap the node is tested with. */
    public static final long SMALLEST_TESTED_BYTES = 256L * 1024 * 1024;

    private HeapAdvice() {
    }

    /** The warning for a node whose largest heap is {@code maxHeapBytes}, or empty when it is large enough. */
    public static Optional<String> warning(long maxHeapBytes, int profileHeapPercent) {
        // -Xmx256m may report a little less (some collectors leave a survivor space out of the largest heap)
        if (maxHeapBytes >= SMALLEST_TESTED_BYTES * 95 / 100) { // an unbounded heap reports Long.MAX_VALUE
            return Optional.empty();
        }
        long mb = maxHeapBytes / (1024 * 1024);
        return Optional.of(String.format("This node's heap is %d MB, below the %d MB ProfileGrid is tested with: the node "
                        + "itself takes most of it (profiles get %d%% of it, %d MB), so expect tracking to be shed with "
                        + "503 while the heap after GC stays above the overload threshold. Give it more "
                        + "(JAVA_OPTS=-Xmx512m, say)", mb, SMALLEST_TESTED_BYTES / (1024 * 1024), profileHeapPercent,
                mb * profileHeapPercent / 100));
    }
}
