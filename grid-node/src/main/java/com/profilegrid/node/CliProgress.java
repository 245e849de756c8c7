package com.profilegrid.node;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.temporal.ChronoUnit;

/**
 * A long CLI operation's progress bar, on stderr (stdout stays the command's JSON): done of total, rate and ETA, as
 * the node reports them while the command polls it. An unknown total shows elapsed time only.
 */
final class CliProgress implements AutoCloseable {

    private final ProgressBar bar;

    private CliProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar for {@code task}, counting {@code unit}s (" events", " profiles"). */
    static CliProgress of(String task, String unit) {
        return new CliProgress(new ProgressBarBuilder().setTaskName(task).setInitialMax(-1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(unit, 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500).continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build());
    }

    /** {@code done} of {@code total} ({@code total} below 0: not known yet), with a word on what is being done. */
    void update(long done, long total, String message) {
        if (total >= 0 && total != bar.getMax()) {
            bar.maxHint(Math.max(total, done));
        }
        bar.stepTo(Math.max(done, 0));
        bar.setExtraMessage(message == null ? "" : message);
    }

    @Override
    public void close() {
        bar.close();
    }
}
