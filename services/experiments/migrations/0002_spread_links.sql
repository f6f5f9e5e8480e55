-- The spreads of an experiment are found from its side by the link each spread
-- experiment keeps, across communes: an index led by the link itself.
CREATE INDEX experiments_spread_from ON experiments (spread_from_insee, spread_from_id)
    WHERE spread_from_id IS NOT NULL;
