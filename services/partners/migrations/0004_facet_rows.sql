-- Filtering the directory by a theme or a commune reads the organisations'
-- rowids (the search index's and `organisation_facets`' key) straight from an
-- index, without looking each organisation up by its id. Kept by triggers.
CREATE TABLE facet_themes (
    theme TEXT NOT NULL,
    r     INTEGER NOT NULL,             -- organisations.rowid
    PRIMARY KEY (theme, r)
) WITHOUT ROWID;

CREATE TABLE facet_communes (
    insee TEXT NOT NULL,
    r     INTEGER NOT NULL,
    PRIMARY KEY (insee, r)
) WITHOUT ROWID;

INSERT OR IGNORE INTO facet_themes (theme, r)
SELECT t.theme, o.rowid FROM organisation_themes t JOIN organisations o ON o.id = t.organisation_id;
INSERT OR IGNORE INTO facet_communes (insee, r)
SELECT p.insee, o.rowid FROM organisation_presence p JOIN organisations o ON o.id = p.organisation_id;

CREATE TRIGGER facet_themes_on_insert AFTER INSERT ON organisation_themes
BEGIN
    INSERT OR IGNORE INTO facet_themes (theme, r)
    SELECT new.theme, rowid FROM organisations WHERE id = new.organisation_id;
END;

CREATE TRIGGER facet_themes_on_delete AFTER DELETE ON organisation_themes
BEGIN
    DELETE FROM facet_themes
    WHERE theme = old.theme AND r = (SELECT rowid FROM organisations WHERE id = old.organisation_id);
END;

CREATE TRIGGER facet_communes_on_insert AFTER INSERT ON organisation_presence
BEGIN
    INSERT OR IGNORE INTO facet_communes (insee, r)
    SELECT new.insee, rowid FROM organisations WHERE id = new.organisation_id;
END;

-- A presence goes when no source keeps the organisation in the commune.
CREATE TRIGGER facet_communes_on_delete AFTER DELETE ON organisation_presence
WHEN NOT EXISTS (SELECT 1 FROM organisation_presence
                 WHERE organisation_id = old.organisation_id AND insee = old.insee)
BEGIN
    DELETE FROM facet_communes
    WHERE insee = old.insee AND r = (SELECT rowid FROM organisations WHERE id = old.organisation_id);
END;

-- A profile created after its presences (a presence told before the profile
-- existed) or its themes gets its rows with it.
CREATE TRIGGER facet_rows_on_organisation_insert AFTER INSERT ON organisations
BEGIN
    INSERT OR IGNORE INTO facet_themes (theme, r)
    SELECT theme, new.rowid FROM organisation_themes WHERE organisation_id = new.id;
    INSERT OR IGNORE INTO facet_communes (insee, r)
    SELECT insee, new.rowid FROM organisation_presence WHERE organisation_id = new.id;
END;

CREATE TRIGGER facet_rows_on_organisation_delete AFTER DELETE ON organisations
BEGIN
    DELETE FROM facet_themes WHERE r = old.rowid;
    DELETE FROM facet_communes WHERE r = old.rowid;
END;
