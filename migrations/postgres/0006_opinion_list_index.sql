-- The piece list counts every piece a reader may see: staff see all but
-- others' drafts. This index covers that count without reading the rows.
CREATE INDEX opinions_visible ON opinions(committee_id, state, submitter_user_id);
