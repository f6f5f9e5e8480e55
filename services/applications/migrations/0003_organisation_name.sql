-- The applicant organisation's name as identity knew it when the application
-- was created: shown to whoever runs the call and its jury, and exported,
-- without a call to identity per application read.
ALTER TABLE applications ADD COLUMN organisation_name TEXT NOT NULL DEFAULT '';
