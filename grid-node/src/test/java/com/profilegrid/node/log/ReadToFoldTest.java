package com.profilegrid.node.log;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.TestEvents;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The profile pipeline reads the log without the messages as received (it folds their parsed parts only), and the
 * log still gives them whole to every other reader.
 */
class ReadToFoldTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_the_pipeline_reads_the_log_then_it_gets_every_part_but_the_raw_message(TestDatabases kind) throws Exception {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings);
             JdbcTrackingLog log = new JdbcTrackingLog(database, Clock.systemUTC(), "127.0.0.1:5701", 100, 1_000)) {
            List<TrackingEvent> sent = TestEvents.tracks("acme", "fold-", 5);
            log.append(sent).get(10, TimeUnit.SECONDS);

            List<LogRecord> whole = log.read(log.localShard(), 0, 100);
            List<LogRecord> toFold = log.readToFold(log.localShard(), 0, 100, "acme");

            assertThat(whole).extracting(LogRecord::event).containsExactlyElementsOf(sent);
            assertThat(toFold).extracting(LogRecord::seq).containsExactlyElementsOf(whole.stream().map(LogRecord::seq).toList());
            assertThat(toFold).extracting(record -> record.event().raw()).containsOnly("");
            assertThat(toFold).extracting(LogRecord::event).containsExactlyElementsOf(sent.stream().map(event ->
                    new TrackingEvent(event.project(), event.messageId(), event.type(), event.eventName(),
                            event.anonymousId(), event.userId(), event.previousId(), event.groupId(), event.timestamp(),
                            event.receivedAt(), event.properties(), event.traits(), event.context(), "")).toList());
            assertThat(log.readToFold(log.localShard(), 0, 100, "another project")).isEmpty();
        } finally {
            TestDatabases.drop(settings);
        }
    }
}
