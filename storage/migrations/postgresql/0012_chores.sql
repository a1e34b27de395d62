-- PostgreSQL twin of ../0012_chores.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE chores_done (
    name    TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
