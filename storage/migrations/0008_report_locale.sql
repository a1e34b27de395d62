-- The language of the staff member watching a broadcast's progress message, so the reports
-- edited into it later (outside any update) read in that language.
ALTER TABLE broadcasts ADD COLUMN report_locale TEXT;
