-- SQLite migration 0011_calls_programme. `GET /api/calls?commune=` (issue 19): a commune's listing reads its own calls by the
-- primary key and the programme's calls (those covering several districts: `districts`
-- not empty) through this partial index, instead of scanning every commune's calls.
CREATE INDEX calls_programme ON calls (id) WHERE districts <> '';
