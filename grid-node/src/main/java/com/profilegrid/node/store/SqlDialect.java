package com.profilegrid.node.store;

import java.util.Locale;

/** The SQL that differs between the databases ProfileGrid persists to. Everything else is portable SQL. */
public enum SqlDialect {

    H2 {
        @Override
        String upsertProfile() {
            return "MERGE INTO profiles (" + ProfileRows.COLUMNS + ") KEY (project, profile_id) VALUES ("
                    + ProfileRows.PLACEHOLDERS + ")";
        }
    },

    POSTGRESQL {
        @Override
        String upsertProfile() {
            StringBuilder sql = new StringBuilder("INSERT INTO profiles (" + ProfileRows.COLUMNS + ") VALUES ("
                    + ProfileRows.PLACEHOLDERS + ") ON CONFLICT (project, profile_id) DO UPDATE SET ");
            String[] columns = ProfileRows.COLUMNS.split(", ");
            for (int i = 2; i < columns.length; i++) {
                sql.append(i > 2 ? ", " : "").append(columns[i]).append(" = EXCLUDED.").append(columns[i]);
            }
            return sql.toString();
        }
    };

    /** Insert-or-replace one profile row: idempotent, so write-behind replays after a failover are harmless. */
    abstract String upsertProfile();

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
