-- The account page and passwords (issue 12).

-- Password reset links: 256 random bits e-mailed as /reinitialiser/<token>, stored as
-- their SHA-256 only. Valid one hour, single use (the row is deleted when used), and
-- a new request deletes the account's older links. Only an account that has a
-- password gets one: an invited account without one sets it through its invitation.
-- Times are unix seconds from the service's clock (never SQLite's 'now'), so expiry
-- follows the same clock as the rest of identity.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,                   -- hex SHA-256 of the token
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX password_resets_by_account ON password_resets (account_id);

-- Sessions (GET /api/me/sessions) are refresh-token families: listed per account, the
-- browser that signed in kept with the family's first token (its User-Agent, shortened).
ALTER TABLE refresh_tokens ADD COLUMN user_agent TEXT;
CREATE INDEX refresh_tokens_by_account ON refresh_tokens (account_id, family_id);
