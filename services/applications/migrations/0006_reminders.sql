-- Reminders before a call closes (issue 12): 72 hours before the deadline, the organisation
-- holding a draft is reminded, once per draft. A sweep (after requests to applications, and
-- `POST /api/calls/reminders` for a scheduler) records each reminder here in the same
-- transaction as its outbox row, so a draft is never reminded twice.
CREATE TABLE reminders (
    insee           TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    sent_at         INTEGER NOT NULL,
    PRIMARY KEY (insee, application_id)
);
-- The sweep's one query: published calls closing within the window (a range of this index),
-- then their drafts (the partial index below).
CREATE INDEX calls_closing ON calls (closes_at) WHERE published = 1;
CREATE INDEX applications_drafts ON applications (call_id) WHERE status = 'draft';
-- Who submitted a commune's candidacy: told of its receipt and of its decision.
ALTER TABLE candidacies ADD COLUMN submitted_by TEXT;
