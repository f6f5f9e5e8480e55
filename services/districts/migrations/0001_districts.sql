-- A commune's innovation district (one per commune for now; `insee` is the key).
CREATE TABLE districts (
    insee        TEXT NOT NULL PRIMARY KEY,
    body         TEXT NOT NULL,       -- DistrictInput as JSON
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
