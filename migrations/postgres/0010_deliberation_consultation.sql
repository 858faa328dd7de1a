-- A deliberation may be the online part of a consultation (网络议政 is one of
-- the consultation forms): the consultation lists it, and it names the
-- consultation.
ALTER TABLE deliberations ADD COLUMN consultation_id BIGINT REFERENCES consultations(id);
CREATE INDEX deliberations_consultation ON deliberations(consultation_id);
