-- The facets of the whole directory (unsearched, unfiltered: the directory's
-- first page), per audience (`public`, `all`), kept until the next write: every
-- change to profiles, their themes or presences empties the table (triggers),
-- and the next such listing counts them again.
CREATE TABLE directory_facets (
    scope  TEXT PRIMARY KEY CHECK (scope IN ('public', 'all')),
    total  INTEGER NOT NULL,
    facets TEXT NOT NULL              -- JSON, qmi_api::partners::Facets
);

CREATE TRIGGER directory_facets_on_organisation_insert AFTER INSERT ON organisations
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_organisation_update AFTER UPDATE ON organisations
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_organisation_delete AFTER DELETE ON organisations
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_theme_insert AFTER INSERT ON organisation_themes
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_theme_delete AFTER DELETE ON organisation_themes
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_presence_insert AFTER INSERT ON organisation_presence
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_presence_update AFTER UPDATE ON organisation_presence
BEGIN DELETE FROM directory_facets; END;
CREATE TRIGGER directory_facets_on_presence_delete AFTER DELETE ON organisation_presence
BEGIN DELETE FROM directory_facets; END;
