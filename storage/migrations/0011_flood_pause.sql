-- The end of the last pause Telegram asked for (a 429's retry_after), as Unix seconds, so a
-- bot restarted inside the pause sends nothing until it is over. One row at most.
CREATE TABLE flood_pause (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    paused_until REAL NOT NULL
);
