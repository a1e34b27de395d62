-- PostgreSQL twin of ../0006_query_indexes.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
CREATE INDEX answers_by_response_question ON answers (response_id, question_id);
CREATE INDEX outbox_next ON outbox (broadcast_id, status, id);
