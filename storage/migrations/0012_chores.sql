-- One-off jobs the bot runs at start that SQL cannot do (they need the scrubber), recorded
-- once done so they run once: 'scrub-stored-comments' scrubs comments stored before comments
-- were scrubbed as they were given.
CREATE TABLE chores_done (
    name    TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
