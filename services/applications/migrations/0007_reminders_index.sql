-- The reminder sweep's range of calls (0006): SQLite preferred `calls_published`
-- (published, id) to the partial index on `closes_at` and read every published call;
-- with `published` first, the sweep reads only the calls closing within the window.
DROP INDEX calls_closing;
CREATE INDEX calls_closing ON calls (published, closes_at);
