-- The commune whose content a message carries (`Envelope.tenant`: a call, an application, a
-- decision): its notices are hidden while that commune is suspended, as the rest of its
-- content is, and never shown to a hosting operator (the policy's `notification-read`).
ALTER TABLE envelopes ADD COLUMN tenant TEXT;
ALTER TABLE notices ADD COLUMN tenant TEXT;
CREATE INDEX notices_by_account_tenant ON notices (account_id, tenant) WHERE tenant IS NOT NULL;
