package com.profilegrid.bench;

/**
 * The rules the rules benchmarks define, the same in each: labels on properties, event counts (all time and windowed),
 * visits and combinations; half of the triggers on label entries (firing as visitors come back), the rest on events,
 * the first of them the probe.
 */
final class BenchmarkRules {

    private BenchmarkRules() {
    }

    /** The rule of label {@code i}. */
    static String labelRule(int i) {
        return switch (i % 5) {
            case 0 -> "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"plan-" + i + "\"}";
            case 1 -> "{\"event\": \"Product Viewed\", \"count\": {\"gte\": " + (1 + i / 5) + "}}";
            case 2 -> "{\"event\": \"Product Viewed\", \"count\": {\"gte\": " + (1 + i / 5) + "}, \"within\": \"P7D\"}";
            case 3 -> "{\"visits\": {\"gte\": " + (1 + i / 25) + "}, \"within\": \"P30D\"}";
            default -> "{\"all\": [{\"event\": \"Product Viewed\", \"count\": {\"gte\": " + (1 + i / 5) + "}}, "
                    + "{\"not\": {\"property\": \"email\", \"op\": \"exists\"}}]}";
        };
    }

    /** The name of trigger {@code t}. */
    static String triggerName(int t) {
        return t == 0 ? "probe" : "trigger-" + t;
    }

    /** A trigger's {@code webhook} field: posts to {@code url}, signed with the benchmarks' secret. */
    static String webhook(String url) {
        return "\"webhook\": {\"url\": \"" + url + "\", \"secret\": \"benchmark-secret-0123\"}";
    }

    /** What fires trigger {@code t} (its {@code on}). */
    static String triggerOn(int t) {
        if (t == 0) {
            return "{\"event\": \"Probe\"}";
        }
        return t % 2 == 1 ? "{\"labelEntered\": \"label-" + (1 + 5 * (t / 2)) + "\"}"
                : "{\"event\": \"Product Viewed\", \"where\": {\"property\": \"price\", \"op\": \"gt\", \"value\": "
                + (100 * t) + "}}";
    }
}
