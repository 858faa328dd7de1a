-- Each statement's tallies and each deliberation's number of participants,
-- kept as votes and participants arrive (issue 6): the statement list, the
-- results page and the deliberation list read them instead of counting
-- every vote, which took seconds on a deliberation of a million votes.
ALTER TABLE deliberation_statements ADD COLUMN agrees BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliberation_statements ADD COLUMN disagrees BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliberation_statements ADD COLUMN passes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliberations ADD COLUMN participants BIGINT NOT NULL DEFAULT 0;
UPDATE deliberation_statements SET
    agrees = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = 1),
    disagrees = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = -1),
    passes = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = 0);
UPDATE deliberations SET
    participants = (SELECT COUNT(*) FROM deliberation_participants p WHERE p.deliberation_id = deliberations.id);
