-- What the directory filters and counts, narrow and keyed by the organisation's
-- rowid (the search index's rowid): a search reads these few columns for each
-- match instead of the whole profile, and counts themes and communes from their
-- JSON arrays. Kept by triggers, whoever writes (the service, the move out of
-- identity, demo data).
CREATE TABLE organisation_facets (
    r        INTEGER PRIMARY KEY,        -- organisations.rowid
    kind     TEXT NOT NULL,
    country  TEXT NOT NULL,
    public   INTEGER NOT NULL,
    live     INTEGER NOT NULL,           -- 1 unless merged into another record
    themes   TEXT NOT NULL DEFAULT '[]', -- JSON array
    communes TEXT NOT NULL DEFAULT '[]'  -- JSON array of INSEE codes (applied or experimented)
);

INSERT INTO organisation_facets (r, kind, country, public, live, themes, communes)
SELECT o.rowid, o.kind, o.country, o.public, o.merged_into IS NULL,
       (SELECT json_group_array(theme) FROM organisation_themes WHERE organisation_id = o.id),
       (SELECT json_group_array(DISTINCT insee) FROM organisation_presence WHERE organisation_id = o.id)
FROM organisations o;

CREATE TRIGGER organisation_facets_on_insert AFTER INSERT ON organisations
BEGIN
    INSERT INTO organisation_facets (r, kind, country, public, live, themes, communes)
    VALUES (new.rowid, new.kind, new.country, new.public, new.merged_into IS NULL,
            (SELECT json_group_array(theme) FROM organisation_themes WHERE organisation_id = new.id),
            (SELECT json_group_array(DISTINCT insee) FROM organisation_presence WHERE organisation_id = new.id));
END;

CREATE TRIGGER organisation_facets_on_update AFTER UPDATE ON organisations
BEGIN
    UPDATE organisation_facets
    SET kind = new.kind, country = new.country, public = new.public, live = new.merged_into IS NULL
    WHERE r = new.rowid;
END;

CREATE TRIGGER organisation_facets_on_delete AFTER DELETE ON organisations
BEGIN
    DELETE FROM organisation_facets WHERE r = old.rowid;
END;

CREATE TRIGGER organisation_facets_on_theme_insert AFTER INSERT ON organisation_themes
BEGIN
    UPDATE organisation_facets
    SET themes = (SELECT json_group_array(theme) FROM organisation_themes WHERE organisation_id = new.organisation_id)
    WHERE r = (SELECT rowid FROM organisations WHERE id = new.organisation_id);
END;

CREATE TRIGGER organisation_facets_on_theme_delete AFTER DELETE ON organisation_themes
BEGIN
    UPDATE organisation_facets
    SET themes = (SELECT json_group_array(theme) FROM organisation_themes WHERE organisation_id = old.organisation_id)
    WHERE r = (SELECT rowid FROM organisations WHERE id = old.organisation_id);
END;

CREATE TRIGGER organisation_facets_on_presence_insert AFTER INSERT ON organisation_presence
BEGIN
    UPDATE organisation_facets
    SET communes = (SELECT json_group_array(DISTINCT insee) FROM organisation_presence WHERE organisation_id = new.organisation_id)
    WHERE r = (SELECT rowid FROM organisations WHERE id = new.organisation_id);
END;

CREATE TRIGGER organisation_facets_on_presence_delete AFTER DELETE ON organisation_presence
BEGIN
    UPDATE organisation_facets
    SET communes = (SELECT json_group_array(DISTINCT insee) FROM organisation_presence WHERE organisation_id = old.organisation_id)
    WHERE r = (SELECT rowid FROM organisations WHERE id = old.organisation_id);
END;
