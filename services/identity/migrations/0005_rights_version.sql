-- An account's rights version (issue 11, finding 7): raised in the same transaction
-- as any change that takes a right away from the account (a commune membership
-- removed or its role changed, the account removed from its organisation), then
-- published to the shared key-value store as `rights/<account>`, which the gateway
-- compares with the `rv` claim of every access token. The database keeps the
-- authoritative counter (raised atomically); the store holds its latest value.
ALTER TABLE accounts ADD COLUMN rights_version INTEGER NOT NULL DEFAULT 0;
