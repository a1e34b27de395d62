-- Staff: admins added at run time (those in NV_ADMIN_IDS are admins by configuration).
CREATE TABLE admins (
    user_id    INTEGER PRIMARY KEY,
    added_by   INTEGER NOT NULL,
    added_at   TEXT NOT NULL
);

-- Staff flows (creating an event, a broadcast) use the same walker as residents' flows.
CREATE TABLE staff_conversations (
    user_id    INTEGER PRIMARY KEY,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    revision   INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

-- Notice preferences per topic, and whether Telegram refused delivery (403).
ALTER TABLE respondents ADD COLUMN notify_events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE respondents ADD COLUMN notify_safety INTEGER NOT NULL DEFAULT 0;
ALTER TABLE respondents ADD COLUMN notify_updates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE respondents ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE respondents ADD COLUMN referred_by_event INTEGER;

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    translations  TEXT NOT NULL DEFAULT '{}',   -- {"tr": {"title": …, "description": …}}
    starts_at     TEXT NOT NULL,                -- UTC, ISO 8601
    ends_at       TEXT NOT NULL,
    place_name    TEXT NOT NULL,
    place_address TEXT NOT NULL,
    wards         TEXT,                         -- JSON list of ward ids; NULL = whole borough
    capacity      INTEGER,
    status        TEXT NOT NULL DEFAULT 'published',  -- published | cancelled
    created_by    INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX events_by_start ON events (status, starts_at);

CREATE TABLE rsvps (
    event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    respondent_id TEXT NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    status        TEXT NOT NULL,               -- going | maybe | not_going
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (event_id, respondent_id)
);

CREATE TABLE broadcasts (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,              -- notice | event | event_change | update
    topic          TEXT NOT NULL,              -- events | safety | updates
    urgent         INTEGER NOT NULL DEFAULT 0,
    event_id       INTEGER REFERENCES events(id),
    texts          TEXT NOT NULL DEFAULT '{}', -- {"en": …, "tr": …}
    wards          TEXT,                       -- JSON list; NULL = whole borough
    created_by     INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'sending',  -- sending | done | cancelled
    report_chat_id INTEGER,
    report_message_id INTEGER,
    finished_at    TEXT
);

-- One row per recipient, all written before the first send. status: pending → sending →
-- sent | blocked | failed | skipped. A row left in 'sending' by a crash is sent again.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    respondent_id TEXT NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    status        TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    not_before    TEXT NOT NULL,
    sent_at       TEXT,
    error         TEXT,
    UNIQUE (broadcast_id, respondent_id)
);
CREATE INDEX outbox_due ON outbox (status, not_before);
CREATE INDEX outbox_by_respondent ON outbox (respondent_id, status, sent_at);
