-- The notifications directory of accounts that existed before it (issue 12): identity tells
-- the notifications component every account's profile (`Event::Account`) in the transaction
-- that creates or changes the account; accounts created before the outbox existed get theirs
-- here, so that messages to them do not wait forever for a profile. A fresh database has no
-- accounts yet (the demo seed writes its own, seed/0002_notifications_directory.sql).
INSERT OR IGNORE INTO outbox (id, at, event, attempts, next_attempt_at)
SELECT 'backfill-account-' || id,
       CAST(strftime('%s', 'now') AS INTEGER),
       json_object('kind', 'account', 'account_id', id, 'email', email, 'name', name,
                   'lang', lang, 'organisation_id', organisation_id),
       0,
       CAST(strftime('%s', 'now') AS INTEGER)
FROM accounts;
