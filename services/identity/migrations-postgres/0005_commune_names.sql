-- The registry's name search (SQLite migration 0016_commune_names): FTS5's trigram
-- table becomes a table with a GIN trigram index (`pg_trgm`, created in `public` by
-- `qmi migrate`), which answers the service's `name_norm ILIKE '%saint%'` (the kit's
-- spelling of `LIKE`), and `'% sa%'` for a two-letter word start: each name is held
-- after a space, as on SQLite. `rowid` is the same search key as on SQLite (the INSEE code read
-- as a base-256 number), so the statements order and seek by it unchanged. Kept by the
-- trigger below, in the transaction of every change to `communes`.
CREATE TABLE commune_names (
    rowid     bigint PRIMARY KEY,
    insee     text NOT NULL UNIQUE REFERENCES communes (insee) ON DELETE CASCADE,
    name_norm text NOT NULL
);
CREATE INDEX commune_names_trigrams ON commune_names USING gin (name_norm public.gin_trgm_ops)
    WITH (fastupdate = off);  -- no pending list: the planner always sees the index whole

CREATE FUNCTION commune_search_key(insee text) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ascii(substr(insee, 1, 1))::bigint * 4294967296 + ascii(substr(insee, 2, 1)) * 16777216
           + ascii(substr(insee, 3, 1)) * 65536 + ascii(substr(insee, 4, 1)) * 256
           + ascii(substr(insee, 5, 1))
$$;

INSERT INTO commune_names (rowid, insee, name_norm)
    SELECT commune_search_key(insee), insee, ' ' || name_norm FROM communes;

CREATE FUNCTION commune_names_track() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO commune_names (rowid, insee, name_norm)
        VALUES (commune_search_key(NEW.insee), NEW.insee, ' ' || NEW.name_norm)
        ON CONFLICT (rowid) DO UPDATE SET name_norm = excluded.name_norm;
    RETURN NULL;
END
$$;
CREATE TRIGGER commune_names_track AFTER INSERT OR UPDATE OF name_norm ON communes
    FOR EACH ROW EXECUTE FUNCTION commune_names_track();

-- The tallies' trigger (0004) resolves its table through the writer's search_path: a
-- writer outside the service's role (an operator's session, the bench's seeding) found
-- no `commune_tallies`. Pinned to the schema, as every trigger function here.
ALTER FUNCTION commune_tallies_track() SET search_path FROM CURRENT;
