-- Why a reviewer is recused from an application: `declared` (they said so) or
-- `organisation` (their organisation applied to the same call: they are kept
-- from every file of it, and such a row grants nothing). NULL on rows written
-- before: a conflict there was declared.
ALTER TABLE assignments ADD COLUMN conflict_kind TEXT;
