-- PostgreSQL twin of ../0008_report_locale.sql: its comments say why.
-- BIGINT for every integer (Telegram ids pass 2^31), identity columns where SQLite numbers
-- rows itself, and an explicit rowid where the shared SQL orders by SQLite's implicit one.
ALTER TABLE broadcasts ADD COLUMN report_locale TEXT;
