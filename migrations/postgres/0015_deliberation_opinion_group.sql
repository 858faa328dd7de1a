-- Each participant's place in their deliberation's latest results: their
-- opinion group (its number on the results page; NULL when not placed in
-- one) and their point on the opinion map, as the results page draws it.
-- Written with the results, so that a participant's results page and the
-- API can say which group they are in and mark them on the map, as Pol.is
-- shows "you" on its map.
ALTER TABLE deliberation_participants ADD COLUMN opinion_group BIGINT;
ALTER TABLE deliberation_participants ADD COLUMN map_x DOUBLE PRECISION;
ALTER TABLE deliberation_participants ADD COLUMN map_y DOUBLE PRECISION;
