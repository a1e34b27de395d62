-- PostgreSQL twin of ../0007_staff_update_dedup.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE staff_updates (
    user_id BIGINT PRIMARY KEY,
    last_update_id BIGINT NOT NULL
);
