-- A response's answers to one question (a comment's chosen priorities in digests). Without it
-- SQLite plans that lookup on answers_by_question and scans every answer to the question.
CREATE INDEX answers_by_response_question ON answers (response_id, question_id);

-- The broadcast sender's next row: one broadcast's lowest pending id, straight from an index.
CREATE INDEX outbox_next ON outbox (broadcast_id, status, id);
