-- How a deliberation's results draw the opinion groups (issue 6): `map`,
-- as regions of the opinion map the way Pol.is does, or `votes`, refined
-- on the votes themselves. Existing deliberations keep the map.
ALTER TABLE deliberations ADD COLUMN grouping TEXT NOT NULL DEFAULT 'map';
