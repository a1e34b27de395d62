-- The figures of each (ward, period) digest, stored when first published and shown again
-- unchanged: recomputing after an erasure would reveal the erased response by difference.
CREATE TABLE published_digests (
    ward_id      TEXT NOT NULL,
    period_start TEXT NOT NULL,   -- local date, inclusive
    period_end   TEXT NOT NULL,   -- local date, exclusive
    snapshot     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (ward_id, period_start, period_end)
);
