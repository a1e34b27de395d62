-- PostgreSQL twin of ../0011_flood_pause.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE flood_pause (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    paused_until DOUBLE PRECISION NOT NULL
);
