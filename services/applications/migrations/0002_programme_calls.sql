-- Programme calls cover several districts: the call row lives in its first
-- district's tenant; `districts` ("|93048|75056|", empty for a commune's call)
-- serves the public `commune` filter. Applications live in the tenant of the
-- district they apply to; a call's applications are read with
-- `insee IN (its districts) AND call_id = ?` (index applications_by_call).
ALTER TABLE calls ADD COLUMN districts TEXT NOT NULL DEFAULT '';
