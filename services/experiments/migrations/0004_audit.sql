-- The audit trail (issue 18, qmi_kit::audit): one hash chain per commune in the tenant
-- table `audit`, the platform's chain (sign-ins, operator actions on no commune) in
-- `platform_audit`. Entries are appended by the store in the transaction of the change
-- they record; nothing updates or deletes them.
CREATE TABLE audit (
    insee       TEXT NOT NULL,               -- '' in platform_audit: the platform's chain
    seq         INTEGER NOT NULL,               -- position in the chain, from 1
    at          TEXT NOT NULL,               -- RFC 3339, UTC (the request's clock)
    account_id  TEXT NOT NULL,               -- who: an account id, never an e-mail or a name
    role        TEXT NOT NULL,               -- their role for the commune
    action      TEXT NOT NULL,               -- the policy action, sign-in, refusal:<action>
    record_kind TEXT NOT NULL,               -- the record's table
    record_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,               -- x-qmi-request-id
    prev_hash   TEXT NOT NULL,               -- SHA-256 (hex) of the previous entry
    hash        TEXT NOT NULL,               -- SHA-256 (hex) of this one (qmi_api::accountability)
    PRIMARY KEY (insee, seq)
);
CREATE INDEX audit_by_account ON audit (insee, account_id, seq);
CREATE INDEX audit_by_record ON audit (insee, record_id, seq);

CREATE TABLE platform_audit (
    insee       TEXT NOT NULL,               -- '' in platform_audit: the platform's chain
    seq         INTEGER NOT NULL,               -- position in the chain, from 1
    at          TEXT NOT NULL,               -- RFC 3339, UTC (the request's clock)
    account_id  TEXT NOT NULL,               -- who: an account id, never an e-mail or a name
    role        TEXT NOT NULL,               -- their role for the commune
    action      TEXT NOT NULL,               -- the policy action, sign-in, refusal:<action>
    record_kind TEXT NOT NULL,               -- the record's table
    record_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,               -- x-qmi-request-id
    prev_hash   TEXT NOT NULL,               -- SHA-256 (hex) of the previous entry
    hash        TEXT NOT NULL,               -- SHA-256 (hex) of this one (qmi_api::accountability)
    PRIMARY KEY (insee, seq)
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER platform_audit_no_update BEFORE UPDATE ON platform_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER platform_audit_no_delete BEFORE DELETE ON platform_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
