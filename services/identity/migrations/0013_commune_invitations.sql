-- A commune's invitations as a tenant table (issue 14): the rows of `invitations`
-- that belong to one commune, read through the store's tenant-scoped handle (its
-- builder adds `insee = ?`, from the policy's decision for that commune) instead of
-- a hand-written filter on the platform table. Writes stay on `invitations`, by id.
CREATE VIEW commune_invitations AS
    SELECT * FROM invitations WHERE kind = 'commune';
