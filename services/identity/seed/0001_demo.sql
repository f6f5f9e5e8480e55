-- Demo data for `qmi up` (first start) and `qmi seed`. Every account's password is the
-- demo password: `qmi seed` replaces {{demo_password_hash}} with the argon2id hash of
-- QMI_DEMO_PASSWORD (default documented in the README). Idempotent.

-- Three communes host an innovation district.
UPDATE communes SET status = 'district', resume_status = NULL WHERE insee IN ('93066', '93048', '75056');

-- Partner organisations: their ids (the profiles are partners' demo data,
-- services/partners/seed/0001_demo.sql, one row here for each).
INSERT OR IGNORE INTO organisations (id) VALUES
  ('01900000-0000-7000-8000-00000000a001'),
  ('01900000-0000-7000-8000-00000000a002'),
  ('01900000-0000-7000-8000-00000000a003'),
  ('01900000-0000-7000-8000-00000000a004'),
  ('01900000-0000-7000-8000-00000000a005'),
  ('01900000-0000-7000-8000-00000000a006'),
  ('01900000-0000-7000-8000-00000000a007'),
  ('01900000-0000-7000-8000-00000000a008'),
  ('01900000-0000-7000-8000-00000000a009'),
  ('01900000-0000-7000-8000-00000000a00a'),
  ('01900000-0000-7000-8000-00000000a00b'),
  ('01900000-0000-7000-8000-00000000a00c'),
  ('01900000-0000-7000-8000-00000000a00d'),
  ('01900000-0000-7000-8000-00000000a00e'),
  ('01900000-0000-7000-8000-00000000a00f'),
  ('01900000-0000-7000-8000-00000000a010'),
  ('01900000-0000-7000-8000-00000000a011'),
  ('01900000-0000-7000-8000-00000000a012'),
  ('01900000-0000-7000-8000-00000000a013'),
  ('01900000-0000-7000-8000-00000000a014'),
  ('01900000-0000-7000-8000-00000000a015'),
  ('01900000-0000-7000-8000-00000000a016'),
  ('01900000-0000-7000-8000-00000000a017'),
  ('01900000-0000-7000-8000-00000000a018'),
  ('01900000-0000-7000-8000-00000000a019'),
  ('01900000-0000-7000-8000-00000000a01a'),
  ('01900000-0000-7000-8000-00000000a01b'),
  ('01900000-0000-7000-8000-00000000a01c'),
  ('01900000-0000-7000-8000-00000000a01d'),
  ('01900000-0000-7000-8000-00000000a01e'),
  ('01900000-0000-7000-8000-00000000a01f'),
  ('01900000-0000-7000-8000-00000000a020'),
  ('01900000-0000-7000-8000-00000000a021'),
  ('01900000-0000-7000-8000-00000000a022'),
  ('01900000-0000-7000-8000-00000000a023'),
  ('01900000-0000-7000-8000-00000000a024'),
  ('01900000-0000-7000-8000-00000000a025'),
  ('01900000-0000-7000-8000-00000000a026'),
  ('01900000-0000-7000-8000-00000000a027'),
  ('01900000-0000-7000-8000-00000000a028');

INSERT OR IGNORE INTO accounts (id, email, password_hash, name, lang, organisation_id) VALUES
  ('01900000-0000-7000-8000-000000000001', 'programme@qmi.example', '{{demo_password_hash}}', 'Camille Martin', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000002', 'hosting@qmi.example', '{{demo_password_hash}}', 'Hugo Bernard', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000011', 'admin.saint-denis@qmi.example', '{{demo_password_hash}}', 'Inès Haddad', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000012', 'agent.saint-denis@qmi.example', '{{demo_password_hash}}', 'Louis Petit', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000013', 'reviewer.saint-denis@qmi.example', '{{demo_password_hash}}', 'Awa Diallo', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000021', 'admin.montreuil@qmi.example', '{{demo_password_hash}}', 'Nora Benali', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000022', 'agent.montreuil@qmi.example', '{{demo_password_hash}}', 'Paul Girard', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000023', 'reviewer.montreuil@qmi.example', '{{demo_password_hash}}', 'Julie Moreau', 'en', NULL),
  ('01900000-0000-7000-8000-000000000031', 'admin.paris@qmi.example', '{{demo_password_hash}}', 'Sophie Laurent', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000032', 'agent.paris@qmi.example', '{{demo_password_hash}}', 'Karim Aït', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000033', 'reviewer.paris@qmi.example', '{{demo_password_hash}}', 'Emma Roux', 'fr', NULL),
  ('01900000-0000-7000-8000-000000000041', 'partner@solaire-urbain.example', '{{demo_password_hash}}', 'Léa Fontaine', 'fr', '01900000-0000-7000-8000-00000000a001'),
  ('01900000-0000-7000-8000-000000000042', 'cto@solaire-urbain.example', '{{demo_password_hash}}', 'Marc Dupuis', 'fr', '01900000-0000-7000-8000-00000000a001'),
  ('01900000-0000-7000-8000-000000000051', 'partner@gruene-wege.example', '{{demo_password_hash}}', 'Jonas Weber', 'en', '01900000-0000-7000-8000-00000000a002');

INSERT OR IGNORE INTO platform_roles (account_id, role) VALUES
  ('01900000-0000-7000-8000-000000000001', 'programme'),
  ('01900000-0000-7000-8000-000000000002', 'hosting');

INSERT OR IGNORE INTO memberships (insee, account_id, role) VALUES
  ('93066', '01900000-0000-7000-8000-000000000011', 'admin'),
  ('93066', '01900000-0000-7000-8000-000000000012', 'agent'),
  ('93066', '01900000-0000-7000-8000-000000000013', 'reviewer'),
  ('93048', '01900000-0000-7000-8000-000000000021', 'admin'),
  ('93048', '01900000-0000-7000-8000-000000000022', 'agent'),
  ('93048', '01900000-0000-7000-8000-000000000023', 'reviewer'),
  ('75056', '01900000-0000-7000-8000-000000000031', 'admin'),
  ('75056', '01900000-0000-7000-8000-000000000032', 'agent'),
  ('75056', '01900000-0000-7000-8000-000000000033', 'reviewer');

-- Issue 12: demo accounts have confirmed e-mails (they may create and join
-- organisations); seeded after the migrations, they are confirmed here.
UPDATE accounts SET email_confirmed_at = CAST(strftime('%s', 'now') AS INTEGER)
WHERE email_confirmed_at IS NULL AND id LIKE '01900000-0000-7000-8000-0000000000%';
