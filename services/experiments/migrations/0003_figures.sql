-- What the programme's dashboard reads at the scale of 10,000 communes, kept with
-- the writes so it never parses every experiment's themes nor reads every report:
-- an experiment's themes one per row, and its reports' count and latest period.
CREATE TABLE experiment_themes (
    insee TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    theme TEXT NOT NULL,
    PRIMARY KEY (insee, experiment_id, theme)
);
CREATE INDEX experiment_themes_theme ON experiment_themes (theme);
INSERT OR IGNORE INTO experiment_themes (insee, experiment_id, theme)
    SELECT e.insee, e.id, t.value FROM experiments e, json_each(e.themes) t;

ALTER TABLE experiments ADD COLUMN reports_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN last_report INTEGER;
UPDATE experiments SET
    reports_sent = (SELECT COUNT(*) FROM reports r WHERE r.insee = experiments.insee AND r.experiment_id = experiments.id),
    last_report = (SELECT MAX(period) FROM reports r WHERE r.insee = experiments.insee AND r.experiment_id = experiments.id);

-- The counts across communes: by status (and publication), open milestones by
-- planned day, feedback by status.
CREATE INDEX experiments_status ON experiments (status, published, outcome);
CREATE INDEX experiment_milestones_open ON experiment_milestones (planned_on) WHERE done_on IS NULL;
CREATE INDEX feedback_status ON feedback (status);
