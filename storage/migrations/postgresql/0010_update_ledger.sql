-- PostgreSQL twin of ../0010_update_ledger.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE handled_updates (
    update_id BIGINT PRIMARY KEY,
    handled_at TEXT NOT NULL
);
CREATE INDEX handled_updates_by_time ON handled_updates (handled_at);
ALTER TABLE chat_links DROP COLUMN last_update_id;
DROP TABLE staff_updates;
