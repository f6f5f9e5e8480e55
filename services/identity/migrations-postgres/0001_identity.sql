-- identity on PostgreSQL: the final state of the SQLite migrations 0001–0013 as one
-- logical schema (docs/design/postgres.md). Runs as qmi_identity_owner with
-- search_path = identity. Integers are bigint (the services bind 64-bit parameters),
-- times stay text or unix seconds exactly as on SQLite, booleans stay 0/1.

-- Case-insensitive comparisons: the statements' `COLLATE NOCASE` resolves to this.
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- The tenant registry (platform-wide: the registry entry is public, not tenant content).
CREATE TABLE communes (
    insee           text PRIMARY KEY,               -- tenant key
    name            text NOT NULL,
    name_norm       text NOT NULL,                  -- qmi_kit::text::normalise(name)
    departement     text NOT NULL,
    ept_code        text,
    ept_name        text,
    metropolis_code text,                           -- EPCI SIREN (200054781: Métropole du Grand Paris)
    population      bigint CHECK (population IS NULL OR population >= 0),
    status          text NOT NULL DEFAULT 'member'
                    CHECK (status IN ('member', 'candidate', 'district', 'suspended')),
    resume_status   text CHECK (resume_status IN ('member', 'candidate', 'district')),
    created_at      text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    updated_at      text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
);
CREATE INDEX communes_by_status ON communes (status, insee);
CREATE INDEX communes_by_departement ON communes (departement, insee);
CREATE INDEX communes_by_territory ON communes (ept_code, insee);
CREATE INDEX communes_status_population ON communes (status, population);
CREATE INDEX communes_departement_population ON communes (departement, population);
CREATE INDEX communes_territory_population ON communes (ept_code, ept_name, population);

-- An organisation's id (its profile lives in `partners`).
CREATE TABLE organisations (
    id         text PRIMARY KEY,
    created_at text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
);

CREATE TABLE accounts (
    id                 text PRIMARY KEY,            -- UUID v7
    email              text NOT NULL,               -- stored trimmed and lower-cased
    password_hash      text,                        -- argon2id PHC string; NULL: invited, cannot sign in
    name               text NOT NULL CHECK (length(trim(name)) > 0),
    lang               text NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    organisation_id    text REFERENCES organisations (id),
    created_at         text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    rights_version     bigint NOT NULL DEFAULT 0,
    email_confirmed_at bigint
);
CREATE UNIQUE INDEX accounts_email ON accounts (email COLLATE nocase);
CREATE INDEX accounts_by_organisation ON accounts (organisation_id, id) WHERE organisation_id IS NOT NULL;

CREATE TABLE platform_roles (
    account_id text NOT NULL REFERENCES accounts (id),
    role       text NOT NULL CHECK (role IN ('programme', 'hosting')),
    PRIMARY KEY (account_id, role)
);

-- Tenant table: a commune's members.
CREATE TABLE memberships (
    insee      text NOT NULL REFERENCES communes (insee),
    account_id text NOT NULL REFERENCES accounts (id),
    role       text NOT NULL CHECK (role IN ('admin', 'agent', 'reviewer')),
    created_at text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    PRIMARY KEY (insee, account_id)
);
CREATE INDEX memberships_by_account ON memberships (account_id);

CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,                    -- hex SHA-256 of the token
    family_id  text NOT NULL,
    account_id text NOT NULL REFERENCES accounts (id),
    issued_at  bigint NOT NULL,                     -- unix seconds
    expires_at bigint NOT NULL,
    rotated_at bigint,
    revoked_at bigint,
    user_agent text
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_account ON refresh_tokens (account_id, family_id);

CREATE TABLE sign_in_throttle (
    scope         text NOT NULL CHECK (scope IN ('account', 'client')),
    key           text NOT NULL,
    failures      bigint NOT NULL,
    last_failure  bigint NOT NULL,                  -- unix seconds
    blocked_until bigint NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE outbox (
    id              text PRIMARY KEY,               -- UUID v7: the envelope id
    at              bigint NOT NULL,                -- seconds since the epoch
    event           text NOT NULL,                  -- qmi_api::notifications::Event as JSON
    attempts        bigint NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    lease_until     bigint,
    relayed_at      bigint
);
CREATE INDEX outbox_due ON outbox (relayed_at, next_attempt_at);

CREATE TABLE invitations (
    id              text PRIMARY KEY,               -- UUID v7
    kind            text NOT NULL CHECK (kind IN ('commune', 'programme', 'organisation')),
    insee           text REFERENCES communes (insee),
    role            text CHECK (role IN ('admin', 'agent', 'reviewer')),
    organisation_id text REFERENCES organisations (id),
    email           text NOT NULL,
    name            text,
    invited_by      text NOT NULL REFERENCES accounts (id),
    token_hash      text UNIQUE,                    -- hex SHA-256
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
    created_at      bigint NOT NULL,
    expires_at      bigint NOT NULL,
    answered_at     bigint,
    CHECK ((kind = 'commune') = (insee IS NOT NULL AND role IS NOT NULL)),
    CHECK ((kind = 'organisation') = (organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX invitations_pending ON invitations (kind, COALESCE(insee, ''), COALESCE(organisation_id, ''), email)
    WHERE status = 'pending';
CREATE INDEX invitations_by_commune ON invitations (insee, status, id) WHERE insee IS NOT NULL;
CREATE INDEX invitations_by_organisation ON invitations (organisation_id, status, id) WHERE organisation_id IS NOT NULL;
CREATE INDEX invitations_by_email ON invitations (email, status);

CREATE TABLE email_confirmations (
    token_hash    text PRIMARY KEY,
    account_id    text NOT NULL REFERENCES accounts (id),
    password_hash text NOT NULL,
    name          text NOT NULL,
    lang          text NOT NULL CHECK (lang IN ('fr', 'en')),
    created_at    bigint NOT NULL,
    expires_at    bigint NOT NULL
);
CREATE INDEX email_confirmations_by_account ON email_confirmations (account_id);

CREATE TABLE join_requests (
    id              text PRIMARY KEY,               -- UUID v7
    organisation_id text NOT NULL REFERENCES organisations (id),
    account_id      text NOT NULL REFERENCES accounts (id),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'refused')),
    created_at      bigint NOT NULL,
    answered_at     bigint,
    answered_by     text REFERENCES accounts (id)
);
CREATE UNIQUE INDEX join_requests_pending ON join_requests (organisation_id, account_id) WHERE status = 'pending';
CREATE INDEX join_requests_by_organisation ON join_requests (organisation_id, status, id);

CREATE TABLE password_resets (
    token_hash text PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts (id),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX password_resets_by_account ON password_resets (account_id);

CREATE TABLE email_changes (
    token_hash text PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts (id),
    new_email  text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX email_changes_by_account ON email_changes (account_id);

CREATE TABLE commune_status_history (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    insee      text NOT NULL REFERENCES communes (insee),
    status     text NOT NULL CHECK (status IN ('member', 'candidate', 'district', 'suspended')),
    reason     text,
    by_account text,
    at         text NOT NULL
);
CREATE INDEX commune_status_history_by_commune ON commune_status_history (insee, id);

-- Row-level security on the tenant tables, enabled and forced (the owner too), with
-- policies that fail closed without `qmi.commune` (docs/design/postgres.md).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['memberships'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (insee = NULLIF(current_setting('qmi.commune', true), '') OR current_setting('qmi.across', true) = 'read')$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_update ON %I FOR UPDATE USING (insee = NULLIF(current_setting('qmi.commune', true), '')) WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_delete ON %I FOR DELETE USING (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
    END LOOP;
END
$$;

-- Tenant table `commune_invitations`: a commune's rows of the platform table
-- `invitations`, read-only (writes go to `invitations` by id, as on SQLite). A view has
-- no RLS of its own: the same read policy is its filter, and `security_barrier` keeps
-- callers' functions from seeing the rows it filters out. Services get SELECT only.
CREATE VIEW commune_invitations WITH (security_barrier) AS
    SELECT * FROM invitations
    WHERE kind = 'commune'
      AND (insee = NULLIF(current_setting('qmi.commune', true), '')
           OR current_setting('qmi.across', true) = 'read');
