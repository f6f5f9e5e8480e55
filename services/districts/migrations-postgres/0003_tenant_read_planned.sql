-- Row-level security's read policy, the same rule written so that the planner can
-- estimate it (issue 19). `insee = <the commune> OR <a read across>` is estimated to keep
-- ~0.5 % of the rows, so a listing across communes (`qmi.across = 'read'`: the public
-- calls, for one) was planned as a scan and a sort of every row instead of a walk of its
-- index in order that stops after a page (2.0× slower at 10,000 communes than at 130).
-- Written as a CASE, it is estimated to keep half. Tenant statements carry their own
-- `insee = ?` (the kit writes it), so their reads still seek by key.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_policies
             WHERE schemaname = current_schema() AND policyname = 'tenant_read' LOOP
        EXECUTE format($p$ALTER POLICY tenant_read ON %I USING (
            CASE WHEN current_setting('qmi.across', true) = 'read' THEN true
                 ELSE insee = NULLIF(current_setting('qmi.commune', true), '') END)$p$, t);
    END LOOP;
END
$$;
