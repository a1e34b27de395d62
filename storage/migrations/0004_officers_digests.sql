-- Neighbourhood officers: their wards and language. Only staff ids, never residents'.
CREATE TABLE officers (
    user_id    INTEGER PRIMARY KEY,
    wards      TEXT NOT NULL DEFAULT '[]',
    locale     TEXT NOT NULL DEFAULT 'en',
    invited_by INTEGER NOT NULL,
    added_at   TEXT NOT NULL,
    revoked_at TEXT
);

-- One-time invite codes, stored as hashes so a copy of the database gives no usable code.
CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by    INTEGER,
    used_at    TEXT
);

-- Who received which digest or export, and when (admins read it with /audit).
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}',
    at       TEXT NOT NULL
);

-- "You said, we did": what a local team did about a priority in a ward.
CREATE TABLE actions (
    id           INTEGER PRIMARY KEY,
    officer_id   INTEGER NOT NULL,
    ward_id      TEXT NOT NULL,
    priority     TEXT NOT NULL,
    texts        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    broadcast_id INTEGER REFERENCES broadcasts(id)
);
CREATE INDEX actions_by_ward ON actions (ward_id, created_at);
