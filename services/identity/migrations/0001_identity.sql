-- identity: the tenant registry, accounts, organisations, memberships, tokens.
-- Sized for 10,000 communes: every listing walks an index in key order with
-- LIMIT (cursor pagination on insee), never a sort of the whole table.

-- The tenant registry (platform-wide: the registry entry is public, not tenant content).
CREATE TABLE communes (
    insee           TEXT PRIMARY KEY,               -- tenant key
    name            TEXT NOT NULL,
    name_norm       TEXT NOT NULL,                  -- qmi_kit::text::normalise(name): accent/case-insensitive search
    departement     TEXT NOT NULL,
    ept_code        TEXT,
    ept_name        TEXT,
    metropolis_code TEXT,                           -- EPCI SIREN (200054781: Métropole du Grand Paris)
    population      INTEGER CHECK (population IS NULL OR population >= 0),
    status          TEXT NOT NULL DEFAULT 'member'
                    CHECK (status IN ('member', 'candidate', 'district', 'suspended')),
    resume_status   TEXT CHECK (resume_status IN ('member', 'candidate', 'district')),  -- status before suspension
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
-- Filtered listings stay in insee order: (filter, insee) lets SQLite seek the cursor.
CREATE INDEX communes_by_status ON communes (status, insee);
CREATE INDEX communes_by_departement ON communes (departement, insee);

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,                   -- UUID v7
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('startup', 'association', 'sme', 'large_company', 'public_body', 'funder', 'research')),
    country     TEXT NOT NULL CHECK (length(country) = 2),
    siret       TEXT CHECK (siret IS NULL OR length(siret) = 14),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (country <> 'FR' OR siret IS NOT NULL)
);
CREATE UNIQUE INDEX organisations_siret ON organisations (siret) WHERE siret IS NOT NULL;

-- One account across every commune. At most one organisation: a column, not a table.
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,               -- UUID v7
    email           TEXT NOT NULL,                  -- stored trimmed and lower-cased
    password_hash   TEXT,                           -- argon2id PHC string; NULL: invited, cannot sign in
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    lang            TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    organisation_id TEXT REFERENCES organisations (id),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX accounts_email ON accounts (email COLLATE NOCASE);
CREATE INDEX accounts_by_organisation ON accounts (organisation_id, id) WHERE organisation_id IS NOT NULL;

CREATE TABLE platform_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL CHECK (role IN ('programme', 'hosting')),
    PRIMARY KEY (account_id, role)
) WITHOUT ROWID;

-- Tenant-scoped: insee first in the primary key.
CREATE TABLE memberships (
    insee       TEXT NOT NULL REFERENCES communes (insee),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'reviewer')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (insee, account_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_account ON memberships (account_id);

-- Refresh tokens: only their SHA-256 is stored. A family is one sign-in's chain of rotations.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,                   -- hex SHA-256 of the token
    family_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    issued_at   INTEGER NOT NULL,                   -- unix seconds
    expires_at  INTEGER NOT NULL,
    rotated_at  INTEGER,                            -- set when exchanged: a second use is reuse
    revoked_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

-- Failed sign-ins, per account e-mail and per client address.
CREATE TABLE sign_in_throttle (
    scope         TEXT NOT NULL CHECK (scope IN ('account', 'client')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL,                 -- unix seconds
    blocked_until INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
