-- The registry filtered by territory (`GET /api/communes?territory=`) walks an
-- index in key order, as the status and département filters do.
CREATE INDEX communes_by_territory ON communes (ept_code, insee);
