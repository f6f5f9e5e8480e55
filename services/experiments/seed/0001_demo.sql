-- Demo data for `qmi up` (first start) and `qmi seed`: experiments at every stage
-- across the three demo districts, dated relative to the day of seeding. They came
-- from calls run before the platform (no application on record). Idempotent.
--   * Saint-Denis (Pleyel): running for 13 months, two indicators measured monthly for
--     a year, a late milestone, monthly reports (the last one overdue), feedback
--     waiting for moderation;
--   * Montreuil: evaluating, the commune's column of the grid filled;
--   * Paris Rive Gauche: concluded, spread to Saint-Denis (preparing there).
-- Days are counted from 1970-01-01 (`julianday(d) - 2440587.5`).

INSERT OR IGNORE INTO experiments (insee, id, application_id, call_id, commune_name, district, title, summary, themes, holder_id, holder_name, referents, starts_on, ends_on, status, published, report_every_months, outcome, outcome_reason, lessons, places, outcome_at, protocol, final_report, spread_from_insee, spread_from_id, spread_from_title, created_at, updated_at) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', NULL, NULL, 'Saint-Denis', 'Pleyel',
   'Capteurs de fraîcheur dans les cours d''école',
   'Des capteurs mesurent la température au sol et l''humidité de trois cours d''école du quartier Pleyel ; les élèves suivent les relevés et proposent des aménagements.',
   '["climat","éducation"]', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', '["01900000-0000-7000-8000-000000000012"]',
   CAST(julianday(date('now', '-13 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '+5 months')) - 2440587.5 AS INTEGER),
   'running', 1, 1, NULL, NULL, NULL, '[]', NULL, 'Relevés quotidiens comparés à une cour témoin.', '', NULL, NULL, NULL,
   CAST(strftime('%s', date('now', '-13 months', '-10 days') || ' 10:00:00') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)),
  ('93048', '01900000-0000-7000-8000-0000000e0002', NULL, NULL, 'Montreuil', NULL,
   'Compostage partagé au pied des immeubles',
   'Des bacs de compostage gérés par les habitants de trois résidences, avec un suivi des volumes détournés des ordures ménagères.',
   '["déchets","lien social"]', '01900000-0000-7000-8000-00000000a002', 'Grüne Wege GmbH', '["01900000-0000-7000-8000-000000000022"]',
   CAST(julianday(date('now', '-19 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '-1 months')) - 2440587.5 AS INTEGER),
   'evaluating', 1, 3, NULL, NULL, NULL, '[]', NULL, 'Pesées mensuelles et questionnaire aux habitants.', 'Rapport final en cours de rédaction.', NULL, NULL, NULL,
   CAST(strftime('%s', date('now', '-19 months', '-10 days') || ' 10:00:00') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)),
  ('75056', '01900000-0000-7000-8000-0000000e0003', NULL, NULL, 'Paris', 'Paris Rive Gauche',
   'Éclairage public intelligent',
   'Des lampadaires qui baissent leur intensité quand la rue est vide ; consommation et sentiment de sécurité suivis pendant 18 mois.',
   '["énergie","sécurité"]', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', '["01900000-0000-7000-8000-000000000032"]',
   CAST(julianday(date('now', '-26 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '-8 months')) - 2440587.5 AS INTEGER),
   'concluded', 1, 3, 'spread', '42 % d''électricité en moins sans baisse du sentiment de sécurité.',
   'Associer les riverains au réglage des seuils dès le premier mois.', '["Ville de Lyon"]',
   CAST(strftime('%s', date('now', '-6 months') || ' 11:00:00') AS INTEGER),
   'Compteurs sur 40 lampadaires et enquête trimestrielle.', 'Économies confirmées ; deux réglages revus avec les riverains.', NULL, NULL, NULL,
   CAST(strftime('%s', date('now', '-26 months', '-10 days') || ' 10:00:00') AS INTEGER), CAST(strftime('%s', date('now', '-6 months')) AS INTEGER)),
  ('93066', '01900000-0000-7000-8000-0000000e0004', NULL, NULL, 'Saint-Denis', 'Pleyel',
   'Éclairage public intelligent',
   'Des lampadaires qui baissent leur intensité quand la rue est vide ; consommation et sentiment de sécurité suivis pendant 18 mois.',
   '["énergie","sécurité"]', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', '[]',
   CAST(julianday(date('now', '+1 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '+19 months')) - 2440587.5 AS INTEGER),
   'preparing', 1, 3, NULL, NULL, NULL, '[]', NULL, '', '', '75056', '01900000-0000-7000-8000-0000000e0003', 'Éclairage public intelligent',
   CAST(strftime('%s', date('now', '-5 months') || ' 15:00:00') AS INTEGER), CAST(strftime('%s', date('now', '-5 months')) AS INTEGER));

INSERT OR IGNORE INTO experiment_partners (insee, experiment_id, organisation_id, name, holder) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', 1),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-00000000a002', 'Grüne Wege GmbH', 0),
  ('93048', '01900000-0000-7000-8000-0000000e0002', '01900000-0000-7000-8000-00000000a002', 'Grüne Wege GmbH', 1),
  ('75056', '01900000-0000-7000-8000-0000000e0003', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', 1),
  ('93066', '01900000-0000-7000-8000-0000000e0004', '01900000-0000-7000-8000-00000000a001', 'Solaire Urbain', 1);

-- Their histories: created, then each move, dated and signed.
INSERT OR IGNORE INTO experiment_events (insee, experiment_id, seq, at, actor, kind, from_status, to_status, detail) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', 1, CAST(strftime('%s', date('now', '-13 months', '-10 days') || ' 10:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000011', 'created', NULL, NULL, 'Capteurs de fraîcheur dans les cours d''école'),
  ('93066', '01900000-0000-7000-8000-0000000e0001', 2, CAST(strftime('%s', date('now', '-13 months') || ' 09:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000011', 'moved', 'preparing', 'running', ''),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 1, CAST(strftime('%s', date('now', '-19 months', '-10 days') || ' 10:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000021', 'created', NULL, NULL, 'Compostage partagé au pied des immeubles'),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 2, CAST(strftime('%s', date('now', '-19 months') || ' 09:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000021', 'moved', 'preparing', 'running', ''),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 3, CAST(strftime('%s', date('now', '-1 months') || ' 09:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000021', 'moved', 'running', 'evaluating', ''),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 4, CAST(strftime('%s', date('now', '-20 days') || ' 16:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000021', 'evaluated', NULL, NULL, 'commune'),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 1, CAST(strftime('%s', date('now', '-26 months', '-10 days') || ' 10:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'created', NULL, NULL, 'Éclairage public intelligent'),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 2, CAST(strftime('%s', date('now', '-26 months') || ' 09:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'moved', 'preparing', 'running', ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 3, CAST(strftime('%s', date('now', '-8 months') || ' 09:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'moved', 'running', 'evaluating', ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 4, CAST(strftime('%s', date('now', '-7 months') || ' 10:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'evaluated', NULL, NULL, 'commune'),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 5, CAST(strftime('%s', date('now', '-7 months') || ' 15:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000001', 'evaluated', NULL, NULL, 'programme'),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 6, CAST(strftime('%s', date('now', '-6 months') || ' 10:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'moved', 'evaluating', 'concluded', ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 7, CAST(strftime('%s', date('now', '-6 months') || ' 11:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000031', 'outcome_recorded', NULL, NULL, 'spread'),
  ('93066', '01900000-0000-7000-8000-0000000e0004', 1, CAST(strftime('%s', date('now', '-5 months') || ' 15:00:00') AS INTEGER), '01900000-0000-7000-8000-000000000001', 'spread_from', NULL, NULL, 'Éclairage public intelligent (75056)');

INSERT OR IGNORE INTO experiment_sites (insee, experiment_id, id, name, point, area) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e1001', 'École Anatole-France', '{"lon":2.3461,"lat":48.9187}', NULL),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e1002', 'École Pleyel', '{"lon":2.3478,"lat":48.9201}', NULL),
  ('93048', '01900000-0000-7000-8000-0000000e0002', '01900000-0000-7000-8000-0000000e1003', 'Résidence des Ruffins', '{"lon":2.4602,"lat":48.8611}', NULL),
  ('75056', '01900000-0000-7000-8000-0000000e0003', '01900000-0000-7000-8000-0000000e1004', 'Rue Primo-Levi', NULL, '{"type":"Polygon","coordinates":[[[2.3768,48.8306],[2.3795,48.8296],[2.3801,48.8303],[2.3774,48.8313],[2.3768,48.8306]]]}');

-- Milestones: the sensors' installation done; the pupils' proposals late.
INSERT OR IGNORE INTO experiment_milestones (insee, experiment_id, id, title, planned_on, done_on, evidence) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e2001', 'Capteurs installés dans les trois cours', CAST(julianday(date('now', '-12 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '-12 months', '+3 days')) - 2440587.5 AS INTEGER), 'Photos et procès-verbal de pose.'),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e2002', 'Propositions d''aménagement des élèves', CAST(julianday(date('now', '-1 months')) - 2440587.5 AS INTEGER), NULL, ''),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e2003', 'Bilan avec les familles', CAST(julianday(date('now', '+4 months')) - 2440587.5 AS INTEGER), NULL, ''),
  ('93048', '01900000-0000-7000-8000-0000000e0002', '01900000-0000-7000-8000-0000000e2004', 'Bacs installés', CAST(julianday(date('now', '-18 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '-18 months')) - 2440587.5 AS INTEGER), 'Inauguration avec les habitants.'),
  ('75056', '01900000-0000-7000-8000-0000000e0003', '01900000-0000-7000-8000-0000000e2005', 'Lampadaires équipés', CAST(julianday(date('now', '-25 months')) - 2440587.5 AS INTEGER), CAST(julianday(date('now', '-25 months')) - 2440587.5 AS INTEGER), '');

INSERT OR IGNORE INTO indicators (insee, experiment_id, id, name, unit, baseline, target, direction, public) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e3001', 'Température au sol à 15 h', '°C', 38.0, 33.0, 'lower', 1),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e3002', 'Élèves associés aux relevés', 'élèves', 0, 120, 'higher', 0),
  ('93048', '01900000-0000-7000-8000-0000000e0002', '01900000-0000-7000-8000-0000000e3003', 'Déchets compostés', 'kg/mois', 0, 400, 'higher', 1),
  ('75056', '01900000-0000-7000-8000-0000000e0003', '01900000-0000-7000-8000-0000000e3004', 'Consommation électrique', 'MWh/an', 120, 80, 'lower', 1);

-- Twelve monthly measurements of Saint-Denis's two indicators.
WITH RECURSIVE month(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM month WHERE k < 12)
INSERT OR IGNORE INTO measurements (insee, indicator_id, on_day, value, comment, source)
SELECT '93066', '01900000-0000-7000-8000-0000000e3001',
       CAST(julianday(date('now', '-13 months', '+' || k || ' months')) - 2440587.5 AS INTEGER),
       round(38.0 - k * 0.42 + (k % 3) * 0.3, 1), '', 'Capteurs Solaire Urbain'
FROM month;
WITH RECURSIVE month(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM month WHERE k < 12)
INSERT OR IGNORE INTO measurements (insee, indicator_id, on_day, value, comment, source)
SELECT '93066', '01900000-0000-7000-8000-0000000e3002',
       CAST(julianday(date('now', '-13 months', '+' || k || ' months')) - 2440587.5 AS INTEGER),
       k * 8, '', 'Registre des écoles'
FROM month;
WITH RECURSIVE month(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM month WHERE k < 6)
INSERT OR IGNORE INTO measurements (insee, indicator_id, on_day, value, comment, source)
SELECT '93048', '01900000-0000-7000-8000-0000000e3003',
       CAST(julianday(date('now', '-19 months', '+' || (k * 3) || ' months')) - 2440587.5 AS INTEGER),
       90 + k * 55, '', 'Pesées'
FROM month;
INSERT OR IGNORE INTO measurements (insee, indicator_id, on_day, value, comment, source) VALUES
  ('75056', '01900000-0000-7000-8000-0000000e3004', CAST(julianday(date('now', '-20 months')) - 2440587.5 AS INTEGER), 104, '', 'Compteurs'),
  ('75056', '01900000-0000-7000-8000-0000000e3004', CAST(julianday(date('now', '-14 months')) - 2440587.5 AS INTEGER), 82, '', 'Compteurs'),
  ('75056', '01900000-0000-7000-8000-0000000e3004', CAST(julianday(date('now', '-9 months')) - 2440587.5 AS INTEGER), 70, '', 'Compteurs');

-- The latest measurement of each indicator (kept with every write by the service).
UPDATE indicators SET
  last_on = (SELECT MAX(on_day) FROM measurements m WHERE m.insee = indicators.insee AND m.indicator_id = indicators.id),
  last_value = (SELECT value FROM measurements m WHERE m.insee = indicators.insee AND m.indicator_id = indicators.id ORDER BY on_day DESC LIMIT 1)
WHERE experiment_id LIKE '01900000-0000-7000-8000-0000000e000_';

-- Saint-Denis's monthly reports, sent but for the last finished month.
WITH RECURSIVE month(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM month WHERE k < 10)
INSERT OR IGNORE INTO reports (insee, experiment_id, period, text, documents, actor, at)
SELECT '93066', '01900000-0000-7000-8000-0000000e0001',
       CAST(julianday(date('now', '-13 months', '+' || k || ' months')) - 2440587.5 AS INTEGER),
       'Relevés du mois transmis ; aucun incident.', '[]', '01900000-0000-7000-8000-000000000041',
       CAST(strftime('%s', date('now', '-12 months', '+' || k || ' months')) AS INTEGER)
FROM month;

INSERT OR IGNORE INTO feedback (insee, experiment_id, id, text, rating, first_name, neighbourhood, email, status, reason, moderated_by, client, at) VALUES
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e4001', 'Ma fille parle des capteurs tous les soirs, et la cour est plus agréable depuis les voiles d''ombrage.', 5, 'Samia', 'Pleyel', NULL, 'published', NULL, '01900000-0000-7000-8000-000000000012', 'demo', CAST(strftime('%s', date('now', '-40 days') || ' 18:00:00') AS INTEGER)),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e4002', 'Il fait encore très chaud près du préau l''après-midi.', 3, NULL, 'Cristino-Garcia', NULL, 'waiting', NULL, NULL, 'demo', CAST(strftime('%s', date('now', '-3 days') || ' 12:00:00') AS INTEGER)),
  ('93066', '01900000-0000-7000-8000-0000000e0001', '01900000-0000-7000-8000-0000000e4003', 'Pourrait-on ouvrir la cour aux habitants le week-end ?', 4, 'Marc', NULL, NULL, 'waiting', NULL, NULL, 'demo', CAST(strftime('%s', date('now', '-1 days') || ' 09:00:00') AS INTEGER)),
  ('75056', '01900000-0000-7000-8000-0000000e0003', '01900000-0000-7000-8000-0000000e4004', 'On voit aussi bien qu''avant, et la rue est moins éblouissante.', 4, 'Hélène', 'Masséna', NULL, 'published', NULL, '01900000-0000-7000-8000-000000000032', 'demo', CAST(strftime('%s', date('now', '-10 months')) AS INTEGER));

INSERT OR IGNORE INTO grid_scores (insee, experiment_id, side, axis, score, comment) VALUES
  ('93048', '01900000-0000-7000-8000-0000000e0002', 'commune', 'efficiency', 4, 'Volumes détournés au-delà de l''objectif.'),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 'commune', 'feasibility', 4, ''),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 'commune', 'sustainability', 3, 'Dépend de bénévoles.'),
  ('93048', '01900000-0000-7000-8000-0000000e0002', 'commune', 'scalability', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'commune', 'efficiency', 5, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'commune', 'feasibility', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'commune', 'sustainability', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'commune', 'scalability', 5, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'programme', 'efficiency', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'programme', 'feasibility', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'programme', 'sustainability', 4, ''),
  ('75056', '01900000-0000-7000-8000-0000000e0003', 'programme', 'scalability', 5, '');

-- What the service keeps with its writes: themes one per row, reports' count.
INSERT OR IGNORE INTO experiment_themes (insee, experiment_id, theme)
    SELECT e.insee, e.id, t.value FROM experiments e, json_each(e.themes) t
    WHERE e.id LIKE '01900000-0000-7000-8000-0000000e000_';
UPDATE experiments SET
    reports_sent = (SELECT COUNT(*) FROM reports r WHERE r.insee = experiments.insee AND r.experiment_id = experiments.id),
    last_report = (SELECT MAX(period) FROM reports r WHERE r.insee = experiments.insee AND r.experiment_id = experiments.id)
WHERE id LIKE '01900000-0000-7000-8000-0000000e000_';
