-- The outbox of notifications (issue 12): every message a change causes is written here in
-- the same transaction as the change (`qmi_kit::outbox::enqueue`), then relayed after the
-- commit to the notifications component (`qmi_kit::outbox::relay`, POST
-- http://notifications.spin.internal/deposit). No message without its change, none lost.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,       -- UUID v7: the envelope id, idempotency key downstream
    at              INTEGER NOT NULL,       -- seconds since the epoch, when the change committed
    event           TEXT NOT NULL,          -- qmi_api::notifications::Event as JSON
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,       -- due from then (backoff after a failed relay)
    lease_until     INTEGER,                -- claimed by a relay until then
    relayed_at      INTEGER                 -- NULL until the notifications component took it
);
-- The relay's one query when nothing is due: unrelayed rows by due time.
CREATE INDEX outbox_due ON outbox (relayed_at, next_attempt_at);
