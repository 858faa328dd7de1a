-- The proposals office's counts on a staff home page: proposals by state, and
-- those in handling by deadline (due soon, overdue). With the deadline in the
-- index both are read from it alone, not from every proposal row of the
-- committee (3,000 rows took 6 ms on the demo; issue 6's notes).
CREATE INDEX proposals_committee_state_deadline ON proposals(committee_id, state, deadline_at);
