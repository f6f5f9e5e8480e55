-- Demo data for `qmi up` (first start) and `qmi seed`: what a visitor needs to
-- walk every flow at once. The programme's open call for communes; Saint-Denis's
-- open call for solutions, with one submitted application (Grüne Wege) already
-- assigned to the commune's reviewer. Dates are relative to the day of seeding
-- (opened 24 days before, closing in 90 and 120 days at 18:00, Paris winter
-- time). Idempotent.

INSERT OR IGNORE INTO campaigns (id, title, text, opens_at, closes_at, questions, published, created_by, created_at) VALUES
  ('01900000-0000-7000-8000-0000000c0001', 'Devenir quartier d''innovation — appel 2027',
   'La Métropole du Grand Paris invite ses communes à proposer un quartier où des startups, associations et entreprises testeront leurs solutions pendant 18 mois avec les habitants. Décrivez le périmètre, les défis du quartier, les partenaires locaux et les moyens que la commune y consacre.',
   CAST(strftime('%s', date('now', '-24 days') || ' 08:00:00') AS INTEGER), CAST(strftime('%s', date('now', '+90 days') || ' 17:00:00') AS INTEGER),
   '[{"id":"pourquoi","label":"Pourquoi ce quartier ?","kind":"long_text","required":true},{"id":"referent","label":"Référente ou référent du projet à la commune","kind":"short_text","required":true}]',
   1, '01900000-0000-7000-8000-000000000001', CAST(strftime('%s', date('now', '-25 days') || ' 10:00:00') AS INTEGER));

INSERT OR IGNORE INTO calls (insee, id, body, themes, opens_at, closes_at, published, decisions_published, created_by, created_at, districts) VALUES
  ('93066', '01900000-0000-7000-8000-0000000c1001',
   json_set('{"insee":"93066","districts":[],"title":"Des cours d''école plus fraîches à Pleyel","description":"Saint-Denis cherche des solutions pour rafraîchir trois cours d''école du quartier Pleyel pendant les vagues de chaleur, à tester pendant 18 mois avec les élèves, les enseignants et les familles.","themes":["Climat","Éducation"],"challenges":["Faire baisser la température ressentie dans les cours de 3 °C","Associer les élèves à l''entretien"],"eligibility":{"kinds":["startup","association","sme"],"countries":[]},"target_selections":2,"form":[{"id":"pitch","label":"Votre solution en quelques lignes","kind":"long_text","required":true,"max_length":1500},{"id":"habitants","label":"Comment les élèves et les familles participeront-ils ?","kind":"long_text","required":true,"max_length":1500},{"id":"budget","label":"Budget demandé (€)","kind":"number","required":true,"min":0.0,"max":150000.0},{"id":"maturite","label":"Stade de la solution","kind":"single_choice","required":true,"options":["Prototype","Déjà déployée ailleurs"]},{"id":"debut","label":"Début souhaité","kind":"date","required":false},{"id":"dossier","label":"Présentation (PDF)","kind":"file","required":false}],"criteria":[{"id":"impact","name":"Impact sur la chaleur","description":"Baisse de température mesurable, durable","weight":3.0},{"id":"habitants","name":"Place des habitants","description":"Élèves, enseignants et familles associés","weight":2.0},{"id":"faisabilite","name":"Faisabilité","description":"Coûts, délais, entretien","weight":1.0}],"workflow":null,"letter_template":null,"published":true}',
            '$.opens_at', strftime('%Y-%m-%dT09:00', 'now', '-24 days'),
            '$.closes_at', strftime('%Y-%m-%dT18:00', 'now', '+120 days')),
   '|climat|éducation|', CAST(strftime('%s', date('now', '-24 days') || ' 08:00:00') AS INTEGER), CAST(strftime('%s', date('now', '+120 days') || ' 17:00:00') AS INTEGER), 1, 0, '01900000-0000-7000-8000-000000000011', CAST(strftime('%s', date('now', '-25 days') || ' 10:00:00') AS INTEGER), '');

INSERT OR IGNORE INTO applications (insee, id, call_id, organisation_id, organisation_name, title, answers, status, reason, created_by, idempotency_key, created_at, updated_at, submitted_at) VALUES
  ('93066', '01900000-0000-7000-8000-0000000c2001', '01900000-0000-7000-8000-0000000c1001', '01900000-0000-7000-8000-00000000a002', 'Grüne Wege GmbH', 'Grüne Höfe : des cours d''école végétalisées',
   '{"budget":85000,"debut":"2027-04-01","habitants":"Chaque classe adopte un module : plantation, arrosage et relevés hebdomadaires avec les familles volontaires.","maturite":"Déjà déployée ailleurs","pitch":"Des modules de végétation et d''ombrage posés sans travaux lourds, avec des capteurs de température lisibles par les élèves."}',
   'submitted', NULL, '01900000-0000-7000-8000-000000000051', NULL, CAST(strftime('%s', date('now', '-6 days') || ' 14:00:00') AS INTEGER), CAST(strftime('%s', date('now', '-5 days') || ' 09:30:00') AS INTEGER), CAST(strftime('%s', date('now', '-5 days') || ' 09:30:00') AS INTEGER));
INSERT OR IGNORE INTO application_events (insee, application_id, seq, at, status, actor, reason) VALUES
  ('93066', '01900000-0000-7000-8000-0000000c2001', 1, CAST(strftime('%s', date('now', '-6 days') || ' 14:00:00') AS INTEGER), 'draft', '01900000-0000-7000-8000-000000000051', NULL),
  ('93066', '01900000-0000-7000-8000-0000000c2001', 2, CAST(strftime('%s', date('now', '-5 days') || ' 09:30:00') AS INTEGER), 'submitted', '01900000-0000-7000-8000-000000000051', NULL);
INSERT OR IGNORE INTO assignments (insee, application_id, reviewer, call_id, conflict, conflict_reason, assigned_at) VALUES
  ('93066', '01900000-0000-7000-8000-0000000c2001', '01900000-0000-7000-8000-000000000013', '01900000-0000-7000-8000-0000000c1001', 0, NULL, CAST(strftime('%s', date('now', '-4 days') || ' 10:00:00') AS INTEGER));
