-- `GET /api/figures` reads these tallies instead of counting the registry: one row
-- per status, département and territory (communes and their population), kept by
-- triggers in the transaction of every change to `communes`. The home page's counts
-- then cost the same at 10,000 communes as at 130: a read of some tens of rows, where
-- three grouped scans of the whole registry grew with it (2.8× at 10,000).
-- A territory's name is the least of its communes' `ept_name` seen (one name per
-- territory in the official data).
CREATE TABLE commune_tallies (
    dimension  TEXT NOT NULL CHECK (dimension IN ('status', 'departement', 'territory')),
    code       TEXT NOT NULL,   -- the status wire name, the département code, the EPT SIREN
    name       TEXT,            -- the territory's name; NULL for the other dimensions
    communes   INTEGER NOT NULL CHECK (communes >= 0),
    population INTEGER NOT NULL,
    PRIMARY KEY (dimension, code)
) WITHOUT ROWID;

INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'status', status, NULL, COUNT(*), COALESCE(SUM(population), 0) FROM communes GROUP BY status;
INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'departement', departement, NULL, COUNT(*), COALESCE(SUM(population), 0) FROM communes GROUP BY departement;
INSERT INTO commune_tallies (dimension, code, name, communes, population)
    SELECT 'territory', ept_code, MIN(ept_name), COUNT(*), COALESCE(SUM(population), 0)
    FROM communes WHERE ept_code IS NOT NULL GROUP BY ept_code;

CREATE TRIGGER commune_tallies_insert AFTER INSERT ON communes
BEGIN
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        VALUES ('status', NEW.status, NULL, 1, COALESCE(NEW.population, 0))
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population;
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        VALUES ('departement', NEW.departement, NULL, 1, COALESCE(NEW.population, 0))
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population;
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        SELECT 'territory', NEW.ept_code, NEW.ept_name, 1, COALESCE(NEW.population, 0)
        WHERE NEW.ept_code IS NOT NULL
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population,
            name = CASE WHEN name IS NULL OR excluded.name < name THEN excluded.name ELSE name END;
END;

CREATE TRIGGER commune_tallies_delete AFTER DELETE ON communes
BEGIN
    UPDATE commune_tallies SET communes = communes - 1, population = population - COALESCE(OLD.population, 0)
        WHERE (dimension = 'status' AND code = OLD.status)
           OR (dimension = 'departement' AND code = OLD.departement)
           OR (dimension = 'territory' AND code = OLD.ept_code);
    DELETE FROM commune_tallies
        WHERE communes = 0
          AND ((dimension = 'status' AND code = OLD.status)
            OR (dimension = 'departement' AND code = OLD.departement)
            OR (dimension = 'territory' AND code = OLD.ept_code));
END;

CREATE TRIGGER commune_tallies_update
AFTER UPDATE OF status, departement, ept_code, ept_name, population ON communes
BEGIN
    UPDATE commune_tallies SET communes = communes - 1, population = population - COALESCE(OLD.population, 0)
        WHERE (dimension = 'status' AND code = OLD.status)
           OR (dimension = 'departement' AND code = OLD.departement)
           OR (dimension = 'territory' AND code = OLD.ept_code);
    DELETE FROM commune_tallies
        WHERE communes = 0
          AND ((dimension = 'status' AND code = OLD.status)
            OR (dimension = 'departement' AND code = OLD.departement)
            OR (dimension = 'territory' AND code = OLD.ept_code));
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        VALUES ('status', NEW.status, NULL, 1, COALESCE(NEW.population, 0))
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population;
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        VALUES ('departement', NEW.departement, NULL, 1, COALESCE(NEW.population, 0))
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population;
    INSERT INTO commune_tallies (dimension, code, name, communes, population)
        SELECT 'territory', NEW.ept_code, NEW.ept_name, 1, COALESCE(NEW.population, 0)
        WHERE NEW.ept_code IS NOT NULL
        ON CONFLICT (dimension, code) DO UPDATE
        SET communes = communes + 1, population = population + excluded.population,
            name = CASE WHEN name IS NULL OR excluded.name < name THEN excluded.name ELSE name END;
END;
