-- districts on PostgreSQL: the final state of the SQLite migrations 0001 as one logical
-- schema (docs/design/postgres.md). Runs as qmi_districts_owner with search_path = districts.
-- Integers are bigint (the services bind 64-bit parameters), REAL is double precision,
-- times stay unix seconds or text exactly as on SQLite, booleans stay 0/1.

CREATE TABLE districts (
    insee      text NOT NULL PRIMARY KEY,
    body       text NOT NULL,                       -- DistrictInput as JSON
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);

-- Row-level security on the tenant tables, enabled and forced (the owner too), with
-- policies that fail closed without `qmi.commune` (docs/design/postgres.md).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['districts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (insee = NULLIF(current_setting('qmi.commune', true), '') OR current_setting('qmi.across', true) = 'read')$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_update ON %I FOR UPDATE USING (insee = NULLIF(current_setting('qmi.commune', true), '')) WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_delete ON %I FOR DELETE USING (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
    END LOOP;
END
$$;
