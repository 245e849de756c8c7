package com.profilegrid.pipelines.state;

import java.util.Map;

/**
 * An entry processor that gives its results to a caller on its own member as they are, not serialized.
 *
 * <p>Hazelcast's multi-key entry operations serialize every key's result into the answer, and the caller
 * deserializes it again, even when the operation ran on the caller's own member and its processor is the very object
 * the caller made (a local invocation is not serialized). The pipeline's map steps nearly always run there: Jet sends
 * each item to the member that owns its key's partition. Their results carry whole profiles and raw-id folds, so the
 * round trip cost a few percent of all CPU in a profile of the profiles benchmark. A processor that implements this
 * puts each key's result into the map it was {@linkplain #handOverTo given} and answers nothing for the key; a copy
 * that was serialized (the operation ran on another member, or it is the backup's) was never given the map and answers
 * as usual. {@link BackedUpWrites#submitByPartition} takes the answers first and the handed-over results for the keys
 * without an answer.
 *
 * @param <K> the map's key
 * @param <R> a key's result
 */
public interface HandsOverLocally<K, R> {

    /** Where this instance, and never a serialized copy of it, puts its results. */
    void handOverTo(Map<K, R> results);
}
