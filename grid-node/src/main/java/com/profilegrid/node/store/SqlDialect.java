package com.profilegrid.node.store;

import java.util.Locale;

/** The SQL that differs between the databases ProfileGrid persists to. Everything else is portable SQL. */
public enum SqlDialect {

    H2 {
        @Override
        String upsertByProfileKey(String table, String columns, String placeholders) {
            return "MERGE INTO " + table + " (" + columns + ") KEY (project, profile_id) VALUES (" + placeholders + ")";
        }
    },

    POSTGRESQL {
        @Override
        String upsertByProfileKey(String table, String columns, String placeholders) {
            StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (" + columns + ") VALUES (" + placeholders
                    + ") ON CONFLICT (project, profile_id) DO UPDATE SET ");
            String[] names = columns.split(", ");
            for (int i = 2; i < names.length; i++) {
                sql.append(i > 2 ? ", " : "").append(names[i]).append(" = EXCLUDED.").append(names[i]);
            }
            return sql.toString();
        }
    };

    /**
     * Insert-or-replace one row of a table keyed by {@code (project, profile_id)}, the first two of {@code columns}:
     * idempotent, so write-behind replays after a failover are harmless.
     */
    abstract String upsertByProfileKey(String table, String columns, String placeholders);

    /** Insert-or-replace one profile row. */
    String upsertProfile() {
        return upsertByProfileKey("profiles", ProfileRows.COLUMNS, ProfileRows.PLACEHOLDERS);
    }

    public static SqlDialect forUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (expected jdbc:h2: or jdbc:postgresql:): " + jdbcUrl);
    }
}
