-- The audit trail on PostgreSQL (issue 18, qmi_kit::audit): the SQLite migration
-- 0004_audit as one logical schema. `audit` is a tenant table under row-level security;
-- `platform_audit` holds the platform's chain. Append-only: a trigger refuses UPDATE and
-- DELETE (the owner included), and the service's role is granted neither
-- (host/qmi/src/postgres/roles.rs).
CREATE TABLE audit (
    insee       text NOT NULL,               -- '' in platform_audit: the platform's chain
    seq         bigint NOT NULL,               -- position in the chain, from 1
    at          text NOT NULL,               -- RFC 3339, UTC (the request's clock)
    account_id  text NOT NULL,               -- who: an account id, never an e-mail or a name
    role        text NOT NULL,               -- their role for the commune
    action      text NOT NULL,               -- the policy action, sign-in, refusal:<action>
    record_kind text NOT NULL,               -- the record's table
    record_id   text NOT NULL,
    request_id  text NOT NULL,               -- x-qmi-request-id
    prev_hash   text NOT NULL,               -- SHA-256 (hex) of the previous entry
    hash        text NOT NULL,               -- SHA-256 (hex) of this one (qmi_api::accountability)
    PRIMARY KEY (insee, seq)
);
CREATE INDEX audit_by_account ON audit (insee, account_id, seq);
CREATE INDEX audit_by_record ON audit (insee, record_id, seq);

CREATE TABLE platform_audit (
    insee       text NOT NULL,               -- '' in platform_audit: the platform's chain
    seq         bigint NOT NULL,               -- position in the chain, from 1
    at          text NOT NULL,               -- RFC 3339, UTC (the request's clock)
    account_id  text NOT NULL,               -- who: an account id, never an e-mail or a name
    role        text NOT NULL,               -- their role for the commune
    action      text NOT NULL,               -- the policy action, sign-in, refusal:<action>
    record_kind text NOT NULL,               -- the record's table
    record_id   text NOT NULL,
    request_id  text NOT NULL,               -- x-qmi-request-id
    prev_hash   text NOT NULL,               -- SHA-256 (hex) of the previous entry
    hash        text NOT NULL,               -- SHA-256 (hex) of this one (qmi_api::accountability)
    PRIMARY KEY (insee, seq)
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER platform_audit_append_only BEFORE UPDATE OR DELETE ON platform_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON audit FOR SELECT USING (insee = NULLIF(current_setting('qmi.commune', true), '') OR current_setting('qmi.across', true) = 'read');
CREATE POLICY tenant_insert ON audit FOR INSERT WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''));
