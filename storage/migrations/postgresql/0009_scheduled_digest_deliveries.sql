-- PostgreSQL twin of ../0009_scheduled_digest_deliveries.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE TABLE scheduled_digest_deliveries (
    officer_id   BIGINT NOT NULL,
    period_start TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (officer_id, period_start)
);

INSERT INTO scheduled_digest_deliveries (officer_id, period_start, delivered_at)
SELECT actor_id, CAST(detail AS jsonb) ->> 'start', at FROM audit_log
WHERE action = 'digest' AND CAST(detail AS jsonb) ->> 'scope' = 'mine'
ON CONFLICT DO NOTHING;
