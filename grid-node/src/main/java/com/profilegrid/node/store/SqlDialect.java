package com.profilegrid.node.store;

import java.util.Locale;

/** The SQL that differs between the databases ProfileGrid persists to. Everything else is portable SQL. */
public enum SqlDialect {

    H2 {
        @Override
        String upsertByProfileKey(String table, String columns, String placeholders) {
            return "MERGE INTO " + table + " (" + columns + ") KEY (project, profile_id, generation) VALUES (" + placeholders + ")";
        }
    },

    POSTGRESQL {
        @Override
        String upsertByProfileKey(String table, String columns, String placeholders) {
            StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (" + columns + ") VALUES (" + placeholders
                    + ") ON CONFLICT (project, profile_id, generation) DO UPDATE SET ");
            String[] names = columns.split(", ");
            boolean first = true;
            for (int i = 2; i < names.length; i++) {
                if (!names[i].equals("generation")) {
                    sql.append(first ? "" : ", ").append(names[i]).append(" = EXCLUDED.").append(names[i]);
                    first = false;
                }
            }
            return sql.toString();
        }
    };

    /**
     * Insert-or-replace one row of a table keyed by {@code (project, profile_id, generation)}, the first two of
     * {@code columns} and one named {@code generation} among them: idempotent, so write-behind replays after a
     * failover are harmless.
     */
    abstract String upsertByProfileKey(String table, String columns, String placeholders);

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
