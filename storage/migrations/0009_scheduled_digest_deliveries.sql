-- Which officer has had the scheduled digest of which period: the job runs daily and at start,
-- so a digest due while the bot was down still goes, and one already sent does not go again.
CREATE TABLE scheduled_digest_deliveries (
    officer_id   INTEGER NOT NULL,
    period_start TEXT NOT NULL,   -- local date
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (officer_id, period_start)
);
