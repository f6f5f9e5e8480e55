-- The registry's tallies for `GET /api/figures` (SQLite migration 0015_commune_tallies):
-- one row per status, département and territory, kept by a trigger in the transaction of
-- every change to `communes`, so the home page's counts read some tens of rows whatever
-- the registry's size. The service's role writes the table through the trigger, with the
-- grants it has on every table of its schema (host/qmi/src/postgres/roles.rs).
CREATE TABLE commune_tallies (
    dimension  text NOT NULL CHECK (dimension IN ('status', 'departement', 'territory')),
    code       text NOT NULL,   -- the status wire name, the département code, the EPT SIREN
    name       text,            -- the territory's name; NULL for the other dimensions
    communes   bigint NOT NULL CHECK (communes >= 0),
    population bigint NOT NULL,
    PRIMARY KEY (dimension, code)
);

INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'status', status, NULL, COUNT(*), COALESCE(SUM(population), 0) FROM communes GROUP BY status;
INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'departement', departement, NULL, COUNT(*), COALESCE(SUM(population), 0) FROM communes GROUP BY departement;
INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'territory', ept_code, MIN(ept_name), COUNT(*), COALESCE(SUM(population), 0)
    FROM communes WHERE ept_code IS NOT NULL GROUP BY ept_code;

CREATE FUNCTION commune_tallies_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE commune_tallies SET communes = communes - 1, population = population - COALESCE(OLD.population, 0)
            WHERE (dimension = 'status' AND code = OLD.status)
               OR (dimension = 'departement' AND code = OLD.departement)
               OR (dimension = 'territory' AND code = OLD.ept_code);
        DELETE FROM commune_tallies
            WHERE communes = 0
              AND ((dimension = 'status' AND code = OLD.status)
                OR (dimension = 'departement' AND code = OLD.departement)
                OR (dimension = 'territory' AND code = OLD.ept_code));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO commune_tallies (dimension, code, name, communes, population)
            VALUES ('status', NEW.status, NULL, 1, COALESCE(NEW.population, 0))
            ON CONFLICT (dimension, code) DO UPDATE
            SET communes = commune_tallies.communes + 1,
                population = commune_tallies.population + excluded.population;
        INSERT INTO commune_tallies (dimension, code, name, communes, population)
            VALUES ('departement', NEW.departement, NULL, 1, COALESCE(NEW.population, 0))
            ON CONFLICT (dimension, code) DO UPDATE
            SET communes = commune_tallies.communes + 1,
                population = commune_tallies.population + excluded.population;
        INSERT INTO commune_tallies (dimension, code, name, communes, population)
            SELECT 'territory', NEW.ept_code, NEW.ept_name, 1, COALESCE(NEW.population, 0)
            WHERE NEW.ept_code IS NOT NULL
            ON CONFLICT (dimension, code) DO UPDATE
            SET communes = commune_tallies.communes + 1,
                population = commune_tallies.population + excluded.population,
                name = CASE WHEN commune_tallies.name IS NULL OR excluded.name < commune_tallies.name
                            THEN excluded.name ELSE commune_tallies.name END;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER commune_tallies_track AFTER INSERT OR DELETE OR UPDATE OF status, departement, ept_code, ept_name, population
    ON communes FOR EACH ROW EXECUTE FUNCTION commune_tallies_track();
