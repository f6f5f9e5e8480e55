-- The name a file had on the applicant's computer (0009): shown beside its
-- question once sent, and given to it when downloaded. Older files have none.
ALTER TABLE attachments ADD COLUMN name TEXT;
