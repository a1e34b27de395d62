-- PostgreSQL twin of ../0005_published_digests.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE published_digests (
    ward_id      TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (ward_id, period_start, period_end)
);
