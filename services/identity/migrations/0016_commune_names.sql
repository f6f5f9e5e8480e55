-- The registry's name search (`GET /api/communes?q=`) through a trigram index, so a
-- fragment of three characters or more finds its communes without reading the whole
-- registry (a `LIKE '%…%'` scan of `communes` grew with it: 2.1× at 10,000 communes).
-- FTS5's trigram tokenizer answers `name_norm LIKE '%saint%'` from the index. Each name
-- is held after a space (' saint denis'), so a two-letter fragment is found at a word's
-- start (`LIKE '% sa%'`, the trigram ' sa') from the index too.
-- rowid = the commune's search key: its five-character INSEE code read as a base-256
-- number (`registry::search_key` in the service), so the index returns matches in
-- code order and a page of the first matches stops early, however common the fragment;
-- a cursor seeks by rowid. Kept by the triggers below, whoever writes `communes`.
CREATE VIRTUAL TABLE commune_names USING fts5 (
    insee UNINDEXED,
    name_norm,
    tokenize = 'trigram'
);

INSERT INTO commune_names (rowid, insee, name_norm)
    SELECT unicode(substr(insee, 1, 1)) * 4294967296 + unicode(substr(insee, 2, 1)) * 16777216
           + unicode(substr(insee, 3, 1)) * 65536 + unicode(substr(insee, 4, 1)) * 256
           + unicode(substr(insee, 5, 1)),
           insee, ' ' || name_norm
    FROM communes;

CREATE TRIGGER commune_names_on_insert AFTER INSERT ON communes
BEGIN
    INSERT INTO commune_names (rowid, insee, name_norm)
    VALUES (unicode(substr(new.insee, 1, 1)) * 4294967296 + unicode(substr(new.insee, 2, 1)) * 16777216
            + unicode(substr(new.insee, 3, 1)) * 65536 + unicode(substr(new.insee, 4, 1)) * 256
            + unicode(substr(new.insee, 5, 1)),
            new.insee, ' ' || new.name_norm);
END;

-- A commune keeps its code (the primary key, the tenant key): a rename changes its row.
CREATE TRIGGER commune_names_on_update AFTER UPDATE OF name_norm ON communes
BEGIN
    UPDATE commune_names SET name_norm = ' ' || new.name_norm
    WHERE rowid = unicode(substr(new.insee, 1, 1)) * 4294967296 + unicode(substr(new.insee, 2, 1)) * 16777216
                  + unicode(substr(new.insee, 3, 1)) * 65536 + unicode(substr(new.insee, 4, 1)) * 256
                  + unicode(substr(new.insee, 5, 1));
END;

CREATE TRIGGER commune_names_on_delete AFTER DELETE ON communes
BEGIN
    DELETE FROM commune_names
    WHERE rowid = unicode(substr(old.insee, 1, 1)) * 4294967296 + unicode(substr(old.insee, 2, 1)) * 16777216
                  + unicode(substr(old.insee, 3, 1)) * 65536 + unicode(substr(old.insee, 4, 1)) * 256
                  + unicode(substr(old.insee, 5, 1));
END;
