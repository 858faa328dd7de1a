-- A proposal's page asks which public-opinion piece led to it
-- (opinions.lead_proposal_id) and which piece was made from it
-- (opinions.source_proposal_id). Without these indexes each question read
-- every piece: on the demo's 54,000 pieces about 15 ms each, and the
-- proposal page served 36 requests a second at 64 connections.
CREATE INDEX opinions_lead_proposal ON opinions(lead_proposal_id);
CREATE INDEX opinions_source_proposal ON opinions(source_proposal_id);
