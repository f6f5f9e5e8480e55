-- The demo accounts' profiles for the notifications directory (issue 12): identity tells the
-- notifications component each account's profile (`Event::Account`) through its outbox, in
-- the transaction that creates or changes the account; the demo accounts are written here
-- without one, so their profiles go into the outbox here. The next relay hands them over.
INSERT OR IGNORE INTO outbox (id, at, event, attempts, next_attempt_at)
SELECT 'seed-account-' || id,
       CAST(strftime('%s', 'now') AS INTEGER),
       json_object('kind', 'account', 'account_id', id, 'email', email, 'name', name,
                   'lang', lang, 'organisation_id', organisation_id),
       0,
       CAST(strftime('%s', 'now') AS INTEGER)
FROM accounts;
