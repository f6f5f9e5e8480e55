-- Issue 13. A call for communes (campaign) is edited and published after its creation: each
-- change is recorded here (who, when, what), shown with the campaign.
CREATE TABLE campaign_events (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    seq          INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    action       TEXT NOT NULL,            -- created | edited | published
    actor        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, seq)
);
-- A call closed before its deadline, on purpose: when, by whom and why (its deadline then
-- becomes the moment it closed). Decisions are taken only once a call is closed.
ALTER TABLE calls ADD COLUMN closed_early_at INTEGER;
ALTER TABLE calls ADD COLUMN closed_early_by TEXT;
ALTER TABLE calls ADD COLUMN closed_early_reason TEXT;
