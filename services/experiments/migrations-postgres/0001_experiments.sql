-- experiments on PostgreSQL: the final state of the SQLite migrations 0001–0003 as one logical
-- schema (docs/design/postgres.md). Runs as qmi_experiments_owner with search_path = experiments.
-- Integers are bigint (the services bind 64-bit parameters), REAL is double precision,
-- times stay unix seconds or text exactly as on SQLite, booleans stay 0/1.

CREATE TABLE experiments (
    insee               text NOT NULL,
    id                  text NOT NULL,
    application_id      text,
    call_id             text,
    commune_name        text NOT NULL,
    district            text,
    title               text NOT NULL,
    summary             text NOT NULL DEFAULT '',
    themes              text NOT NULL DEFAULT '[]',
    holder_id           text NOT NULL,
    holder_name         text NOT NULL,
    referents           text NOT NULL DEFAULT '[]',
    starts_on           bigint NOT NULL,
    ends_on             bigint NOT NULL,
    status              text NOT NULL,
    suspended_from      text,
    published           bigint NOT NULL DEFAULT 0,
    report_every_months bigint NOT NULL DEFAULT 3,
    outcome             text,
    outcome_reason      text,
    lessons             text,
    places              text NOT NULL DEFAULT '[]',
    outcome_at          bigint,
    protocol            text NOT NULL DEFAULT '',
    final_report        text NOT NULL DEFAULT '',
    spread_from_insee   text,
    spread_from_id      text,
    spread_from_title   text,
    created_at          bigint NOT NULL,
    updated_at          bigint NOT NULL,
    reports_sent        bigint NOT NULL DEFAULT 0,
    last_report         bigint,
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX experiments_application ON experiments (insee, application_id)
    WHERE application_id IS NOT NULL;
CREATE UNIQUE INDEX experiments_spread ON experiments (insee, spread_from_insee, spread_from_id)
    WHERE spread_from_id IS NOT NULL;
CREATE INDEX experiments_id ON experiments (id);
CREATE INDEX experiments_public ON experiments (published, insee, id);
CREATE INDEX experiments_spread_from ON experiments (spread_from_insee, spread_from_id)
    WHERE spread_from_id IS NOT NULL;
CREATE INDEX experiments_status ON experiments (status, published, outcome);

CREATE TABLE experiment_partners (
    insee           text NOT NULL,
    experiment_id   text NOT NULL,
    organisation_id text NOT NULL,
    name            text NOT NULL,
    holder          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insee, experiment_id, organisation_id)
);
CREATE INDEX experiment_partners_organisation ON experiment_partners (organisation_id);

CREATE TABLE experiment_events (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    seq           bigint NOT NULL,
    at            bigint NOT NULL,
    actor         text,
    kind          text NOT NULL,
    from_status   text,
    to_status     text,
    detail        text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, seq)
);

CREATE TABLE experiment_spreads (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    to_insee      text NOT NULL,
    to_id         text NOT NULL,
    to_title      text NOT NULL,
    PRIMARY KEY (insee, experiment_id, to_insee)
);

CREATE TABLE experiment_sites (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    id            text NOT NULL,
    name          text NOT NULL,
    point         text,
    area          text,
    PRIMARY KEY (insee, experiment_id, id)
);

CREATE TABLE experiment_documents (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    id            text NOT NULL,
    kind          text NOT NULL,
    name          text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL,
    content       bytea NOT NULL,
    actor         text NOT NULL,
    at            bigint NOT NULL,
    PRIMARY KEY (insee, experiment_id, id)
);

CREATE TABLE experiment_milestones (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    id            text NOT NULL,
    title         text NOT NULL,
    planned_on    bigint NOT NULL,
    done_on       bigint,
    evidence      text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, id)
);
CREATE INDEX experiment_milestones_open ON experiment_milestones (planned_on) WHERE done_on IS NULL;

CREATE TABLE indicators (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    id            text NOT NULL,
    name          text NOT NULL,
    unit          text NOT NULL DEFAULT '',
    baseline      double precision NOT NULL,
    target        double precision NOT NULL,
    direction     text NOT NULL,
    public        bigint NOT NULL DEFAULT 0,
    -- The latest measurement's day and value, kept with each write (figures).
    last_on       bigint,
    last_value    double precision,
    PRIMARY KEY (insee, experiment_id, id)
);
CREATE UNIQUE INDEX indicators_name ON indicators (insee, experiment_id, name);

CREATE TABLE measurements (
    insee        text NOT NULL,
    indicator_id text NOT NULL,
    on_day       bigint NOT NULL,
    value        double precision NOT NULL,
    comment      text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, indicator_id, on_day)
);

CREATE TABLE reports (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    period        bigint NOT NULL,
    text          text NOT NULL,
    documents     text NOT NULL DEFAULT '[]',
    actor         text NOT NULL,
    at            bigint NOT NULL,
    PRIMARY KEY (insee, experiment_id, period)
);

CREATE TABLE feedback (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    id            text NOT NULL,
    text          text NOT NULL,
    rating        bigint NOT NULL,
    first_name    text,
    neighbourhood text,
    email         text,
    status        text NOT NULL,
    reason        text,
    moderated_by  text,
    client        text NOT NULL,
    at            bigint NOT NULL,
    PRIMARY KEY (insee, experiment_id, id)
);
CREATE INDEX feedback_client ON feedback (client, at);
CREATE INDEX feedback_waiting ON feedback (insee, status);
CREATE INDEX feedback_status ON feedback (status);

CREATE TABLE grid_scores (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    side          text NOT NULL,
    axis          text NOT NULL,
    score         bigint NOT NULL,
    comment       text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, experiment_id, side, axis)
);

CREATE TABLE experiment_themes (
    insee         text NOT NULL,
    experiment_id text NOT NULL,
    theme         text NOT NULL,
    PRIMARY KEY (insee, experiment_id, theme)
);
CREATE INDEX experiment_themes_theme ON experiment_themes (theme);

-- Row-level security on the tenant tables, enabled and forced (the owner too), with
-- policies that fail closed without `qmi.commune` (docs/design/postgres.md).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['experiments', 'experiment_partners', 'experiment_events', 'experiment_sites', 'experiment_documents', 'experiment_milestones', 'indicators', 'measurements', 'reports', 'feedback', 'grid_scores', 'experiment_spreads', 'experiment_themes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (insee = NULLIF(current_setting('qmi.commune', true), '') OR current_setting('qmi.across', true) = 'read')$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_update ON %I FOR UPDATE USING (insee = NULLIF(current_setting('qmi.commune', true), '')) WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_delete ON %I FOR DELETE USING (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
    END LOOP;
END
$$;
