-- partners: the partner directory. Organisation profiles are platform tables
-- (one organisation, one identity across every commune); a commune's notes are
-- tenant tables (`insee` first in their key), the programme's notes platform ones.

CREATE TABLE organisations (
    id              TEXT PRIMARY KEY,                   -- UUID v7, shared with identity
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind            TEXT NOT NULL CHECK (kind IN ('startup', 'association', 'sme', 'large_company', 'public_body', 'funder', 'research')),
    country         TEXT NOT NULL CHECK (length(country) = 2),
    siret           TEXT CHECK (siret IS NULL OR length(siret) = 14),
    registry_number TEXT,
    city            TEXT NOT NULL DEFAULT '',
    website         TEXT,
    summary_fr      TEXT NOT NULL DEFAULT '',
    summary_en      TEXT,
    description_fr  TEXT NOT NULL DEFAULT '',
    description_en  TEXT,
    offers          TEXT NOT NULL DEFAULT '[]',         -- JSON [{title, description}]
    contacts        TEXT NOT NULL DEFAULT '[]',         -- JSON [{name, role, email, phone}]
    public          INTEGER NOT NULL DEFAULT 1,
    merged_into     TEXT REFERENCES organisations (id), -- a merged record points to its survivor
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (country <> 'FR' OR siret IS NOT NULL OR merged_into IS NOT NULL)
);
CREATE UNIQUE INDEX organisations_siret ON organisations (siret) WHERE siret IS NOT NULL AND merged_into IS NULL;
CREATE INDEX organisations_by_name ON organisations (name COLLATE NOCASE, id) WHERE merged_into IS NULL;

-- Themes, one row each (facets).
CREATE TABLE organisation_themes (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    theme           TEXT NOT NULL,
    PRIMARY KEY (organisation_id, theme)
) WITHOUT ROWID;
CREATE INDEX organisation_themes_by_theme ON organisation_themes (theme, organisation_id);

-- Where an organisation applied or experimented (the commune facet), told by
-- applications and experiments as they record it.
CREATE TABLE organisation_presence (
    organisation_id TEXT NOT NULL,
    insee           TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('application', 'experiment')),
    PRIMARY KEY (organisation_id, insee, source)
) WITHOUT ROWID;
CREATE INDEX organisation_presence_by_commune ON organisation_presence (insee, organisation_id);

-- The logo (an image checked by its content), apart from the profile.
CREATE TABLE organisation_logos (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    content_type    TEXT NOT NULL,
    bytes           BLOB NOT NULL,
    updated_at      TEXT NOT NULL
);

-- The full-text index over the texts as written: FTS5's unicode61 tokenizer folds
-- accents and case and splits elisions (`l'énergie` → `l`, `energie`); the
-- service folds the words searched for the same way and drops their plural mark,
-- each a prefix (`douces` → `douce*`, which also finds "douces"). rowid = the
-- organisation's rowid; kept by the triggers below, whoever writes a profile (the
-- service, the move out of identity, demo data). Merged records are not indexed.
CREATE VIRTUAL TABLE organisation_search USING fts5 (
    name, summary, description, offers,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER organisations_indexed_on_insert AFTER INSERT ON organisations
WHEN new.merged_into IS NULL
BEGIN
    INSERT INTO organisation_search (rowid, name, summary, description, offers)
    VALUES (new.rowid, new.name,
            new.summary_fr || ' ' || COALESCE(new.summary_en, ''),
            new.description_fr || ' ' || COALESCE(new.description_en, ''),
            (SELECT COALESCE(group_concat(COALESCE(json_extract(value, '$.title'), '') || ' ' || COALESCE(json_extract(value, '$.description'), ''), ' '), '')
             FROM json_each(new.offers)));
END;

CREATE TRIGGER organisations_indexed_on_update AFTER UPDATE ON organisations
BEGIN
    DELETE FROM organisation_search WHERE rowid = old.rowid;
    INSERT INTO organisation_search (rowid, name, summary, description, offers)
    SELECT new.rowid, new.name,
           new.summary_fr || ' ' || COALESCE(new.summary_en, ''),
           new.description_fr || ' ' || COALESCE(new.description_en, ''),
           (SELECT COALESCE(group_concat(COALESCE(json_extract(value, '$.title'), '') || ' ' || COALESCE(json_extract(value, '$.description'), ''), ' '), '')
            FROM json_each(new.offers))
    WHERE new.merged_into IS NULL;
END;

CREATE TRIGGER organisations_unindexed_on_delete AFTER DELETE ON organisations
BEGIN
    DELETE FROM organisation_search WHERE rowid = old.rowid;
END;

-- A commune's private notes on an organisation (its admins and agents only),
-- and every version of each.
CREATE TABLE notes (
    insee           TEXT NOT NULL,
    id              TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    text            TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    author          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    edited_by       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    versions        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (insee, id)
) WITHOUT ROWID;
CREATE INDEX notes_by_organisation ON notes (insee, organisation_id, id);

CREATE TABLE note_versions (
    insee      TEXT NOT NULL,
    note_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (insee, note_id, version)
) WITHOUT ROWID;

-- The programme team's notes, and their versions.
CREATE TABLE programme_notes (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    text            TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    author          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    edited_by       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    versions        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX programme_notes_by_organisation ON programme_notes (organisation_id, id);

CREATE TABLE programme_note_versions (
    note_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (note_id, version)
) WITHOUT ROWID;
