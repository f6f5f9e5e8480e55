-- A commune's suspensions and resumptions, with why (issue 13): a suspension asks
-- for its reason and keeps it here, written with the status change itself.
CREATE TABLE commune_status_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    insee       TEXT NOT NULL REFERENCES communes (insee),
    status      TEXT NOT NULL
                CHECK (status IN ('member', 'candidate', 'district', 'suspended')),
    reason      TEXT,
    by_account  TEXT,
    at          TEXT NOT NULL
);

CREATE INDEX commune_status_history_by_commune ON commune_status_history (insee, id);
