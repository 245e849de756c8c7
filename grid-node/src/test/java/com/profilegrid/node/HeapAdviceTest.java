package com.profilegrid.node;

import com.profilegrid.node.support.HeapAdvice;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A node started with a heap below the smallest one it is tested with says so at start, with what to do. */
class HeapAdviceTest {

    private static final long MB = 1024 * 1024;

    @Test
    void when_the_heap_is_below_256_mb_then_the_node_warns_with_its_size_the_profile_budget_and_a_remedy() {
        assertThat(HeapAdvice.warning(128 * MB, 40)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("heap is 128 MB", "256 MB", "40% of it, 51 MB", "503", "-Xmx512m"));
    }

    @Test
    void when_the_heap_is_256_mb_or_more_or_unbounded_then_nothing_is_said() {
        assertThat(HeapAdvice.warning(256 * MB, 40)).isEmpty();
        assertThat(HeapAdvice.warning(4096 * MB, 40)).isEmpty();
        assertThat(HeapAdvice.warning(Long.MAX_VALUE, 40)).isEmpty();
    }
}
