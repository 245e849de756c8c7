package com.profilegrid.pipelines.state;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations of one key start one after the other in submission order, and not at all after one of them failed;
 * other keys do not wait for them.
 */
class KeyedSequencerTest {

    @Test
    void when_operations_of_one_key_overlap_then_each_starts_after_the_one_before_completes() {
        KeyedSequencer sequencer = new KeyedSequencer();
        List<String> started = new ArrayList<>();
        CompletableFuture<String> a1Done = new CompletableFuture<>();
        CompletableFuture<String> a2Done = new CompletableFuture<>();

        CompletableFuture<String> a1 = sequencer.submit("a", () -> { started.add("a1"); return a1Done; });
        CompletableFuture<String> a2 = sequencer.submit("a", () -> { started.add("a2"); return a2Done; });
        sequencer.submit("b", () -> { started.add("b1"); return CompletableFuture.completedFuture("b1"); });

        assertThat(started).containsExactly("a1", "b1"); // a2 waits for a1; b does not
        a1Done.complete("a1");
        assertThat(started).containsExactly("a1", "b1", "a2");
        a2Done.completeExceptionally(new IllegalStateException("a failed step"));
        CompletableFuture<String> a3 = sequencer.submit("a", () -> { started.add("a3"); return CompletableFuture.completedFuture("a3"); });

        assertThat(a1.join()).isEqualTo("a1");
        assertThat(a2).isCompletedExceptionally();
        assertThat(a3).isCompletedExceptionally(); // never ran: a replay will apply it after a2, in order
        assertThat(started).doesNotContain("a3");
        assertThat(sequencer.inFlightKeys()).isEqualTo(1); // "a", failed; "b" is done
    }
}
