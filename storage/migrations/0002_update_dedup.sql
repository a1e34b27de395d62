-- Telegram redelivers updates that were handled but not yet confirmed when a process died.
-- The newest update id handled per chat lets the bot skip them, so a redelivered tap cannot,
-- for example, untick a choice a second time.
ALTER TABLE chat_links ADD COLUMN last_update_id INTEGER;
