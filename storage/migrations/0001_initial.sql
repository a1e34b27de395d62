-- Residents are known by a random respondent id. The only link to Telegram is chat_links,
-- so pseudonymisation and erasure happen in one place.
CREATE TABLE respondents (
    id            TEXT PRIMARY KEY,
    locale        TEXT NOT NULL,
    locale_chosen INTEGER NOT NULL DEFAULT 0,
    ward_id       TEXT,
    outside_area  INTEGER NOT NULL DEFAULT 0,
    age_band      TEXT,
    consented_at  TEXT NOT NULL,
    onboarded_at  TEXT
);

CREATE TABLE chat_links (
    chat_id       INTEGER PRIMARY KEY,
    respondent_id TEXT NOT NULL UNIQUE REFERENCES respondents(id) ON DELETE CASCADE
);

-- A resident's place in a multi-step flow, written in the same transaction as the answers.
CREATE TABLE conversations (
    respondent_id TEXT PRIMARY KEY REFERENCES respondents(id) ON DELETE CASCADE,
    flow          TEXT NOT NULL,
    step          TEXT NOT NULL,
    data          TEXT NOT NULL DEFAULT '{}',
    revision      INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL
);

CREATE TABLE responses (
    id             TEXT PRIMARY KEY,
    respondent_id  TEXT NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    survey_id      TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    ward_id        TEXT,
    locale         TEXT NOT NULL,
    submitted_at   TEXT NOT NULL
);
CREATE INDEX responses_by_ward_time ON responses (ward_id, submitted_at);
CREATE INDEX responses_by_respondent ON responses (respondent_id);

-- One row per chosen choice, scale value or text; stable ids, never translated labels.
CREATE TABLE answers (
    response_id   TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    question_id   TEXT NOT NULL,
    choice_id     TEXT,
    value         INTEGER,
    text          TEXT,
    text_language TEXT
);
CREATE INDEX answers_by_response ON answers (response_id);
CREATE INDEX answers_by_question ON answers (question_id, choice_id);
