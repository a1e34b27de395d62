-- Which officer has had the scheduled digest of which period: the job runs daily and at start,
-- so a digest due while the bot was down still goes, and one already sent does not go again.
CREATE TABLE scheduled_digest_deliveries (
    officer_id   INTEGER NOT NULL,
    period_start TEXT NOT NULL,   -- local date
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (officer_id, period_start)
);

-- Before this table the weekly job logged each officer's digest of all their wards in the audit
-- log with scope "mine": count those as delivered, so upgrading does not send them again.
INSERT OR IGNORE INTO scheduled_digest_deliveries (officer_id, period_start, delivered_at)
SELECT actor_id, json_extract(detail, '$.start'), at FROM audit_log
WHERE action = 'digest' AND json_extract(detail, '$.scope') = 'mine';
