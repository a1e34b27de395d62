-- As chat_links.last_update_id does for residents: the newest update handled per staff member,
-- so a text redelivered after a crash is not taken as the answer to the next question.
CREATE TABLE staff_updates (
    user_id INTEGER PRIMARY KEY,
    last_update_id INTEGER NOT NULL
);
