package com.profilegrid.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code profilegrid-bench}: benchmarks that print figures. Only wires. */
@Command(name = "profilegrid-bench", mixinStandardHelpOptions = true,
        description = "ProfileGrid benchmarks. Each starts what it measures on this machine and prints a table.",
        subcommands = {IngestBenchmark.class, ProfilesBenchmark.class, MemoryBenchmark.class, HotProfileBenchmark.class,
                RulesBenchmark.class, RuleStepsBenchmark.class, RolesBenchmark.class})
public final class BenchMain {

    public static void main(String[] args) {
        // the profiles benchmark waits on the job's read count: collect metrics every second, not every five
        System.setProperty("hazelcast.metrics.collection.frequency", "1");
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
