-- The experiments database: every table is a tenant table (`insee` first in its
-- key), reached through the kit's tenant-scoped store.

-- An experiment, from a selected application (one per application) or spread
-- from another commune's concluded one.
CREATE TABLE experiments (
    insee TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT,
    call_id TEXT,
    commune_name TEXT NOT NULL,
    district TEXT,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    themes TEXT NOT NULL DEFAULT '[]',
    holder_id TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    referents TEXT NOT NULL DEFAULT '[]',
    starts_on INTEGER NOT NULL,
    ends_on INTEGER NOT NULL,
    status TEXT NOT NULL,
    suspended_from TEXT,
    published INTEGER NOT NULL DEFAULT 0,
    report_every_months INTEGER NOT NULL DEFAULT 3,
    outcome TEXT,
    outcome_reason TEXT,
    lessons TEXT,
    places TEXT NOT NULL DEFAULT '[]',
    outcome_at INTEGER,
    protocol TEXT NOT NULL DEFAULT '',
    final_report TEXT NOT NULL DEFAULT '',
    spread_from_insee TEXT,
    spread_from_id TEXT,
    spread_from_title TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX experiments_application ON experiments (insee, application_id)
    WHERE application_id IS NOT NULL;
CREATE UNIQUE INDEX experiments_spread ON experiments (insee, spread_from_insee, spread_from_id)
    WHERE spread_from_id IS NOT NULL;
CREATE INDEX experiments_id ON experiments (id);
CREATE INDEX experiments_public ON experiments (published, insee, id);

-- The consortium: the holder (holder = 1) and the organisations that joined.
CREATE TABLE experiment_partners (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    name TEXT NOT NULL,
    holder INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (insee, experiment_id, organisation_id)
);
CREATE INDEX experiment_partners_organisation ON experiment_partners (organisation_id);

-- Everything recorded about an experiment, in order: moves (from, to, reason),
-- milestones, reports, evaluations, outcome, spreads. Written in the same
-- transaction as the change it records.
CREATE TABLE experiment_events (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, seq)
);

-- The experiments spread from one (both ends are rows of `experiments`; this is
-- the link from the origin's side, written with the new experiment).
CREATE TABLE experiment_spreads (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    to_insee TEXT NOT NULL,
    to_id TEXT NOT NULL,
    to_title TEXT NOT NULL,
    PRIMARY KEY (insee, experiment_id, to_insee)
);

CREATE TABLE experiment_sites (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    point TEXT,
    area TEXT,
    PRIMARY KEY (insee, experiment_id, id)
);

CREATE TABLE experiment_documents (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (insee, experiment_id, id)
);

CREATE TABLE experiment_milestones (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    planned_on INTEGER NOT NULL,
    done_on INTEGER,
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, id)
);

CREATE TABLE indicators (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    baseline REAL NOT NULL,
    target REAL NOT NULL,
    direction TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    -- The latest measurement's day and value, kept with each write (figures).
    last_on INTEGER,
    last_value REAL,
    PRIMARY KEY (insee, experiment_id, id)
);
CREATE UNIQUE INDEX indicators_name ON indicators (insee, experiment_id, name);

CREATE TABLE measurements (
    insee TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    on_day INTEGER NOT NULL,
    value REAL NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insee, indicator_id, on_day)
);

CREATE TABLE reports (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    period INTEGER NOT NULL,
    text TEXT NOT NULL,
    documents TEXT NOT NULL DEFAULT '[]',
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (insee, experiment_id, period)
);

CREATE TABLE feedback (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    rating INTEGER NOT NULL,
    first_name TEXT,
    neighbourhood TEXT,
    email TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    moderated_by TEXT,
    client TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (insee, experiment_id, id)
);
CREATE INDEX feedback_client ON feedback (client, at);
CREATE INDEX feedback_waiting ON feedback (insee, status);

CREATE TABLE grid_scores (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    side TEXT NOT NULL,
    axis TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, side, axis)
);
