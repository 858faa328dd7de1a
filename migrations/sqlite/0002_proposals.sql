-- Proposals (提案): the record, its co-signers, its number series, and the
-- units it is assigned to. Times are microseconds since the epoch, as in 0001.

CREATE TABLE proposal_series (
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    term INTEGER NOT NULL,
    -- The plenary session (次会议) a proposal was submitted at; 0 between sessions (平时).
    session INTEGER NOT NULL,
    last_number INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (committee_id, term, session)
);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    -- individual, joint or collective
    kind TEXT NOT NULL,
    -- The account that acts as proposer: the lead member, or whoever acts for a collective body.
    proposer_user_id INTEGER NOT NULL REFERENCES users(id),
    lead_member_id INTEGER REFERENCES members(id),
    -- For a collective proposal: the party, sector or special committee that submits it.
    collective_kind TEXT,
    collective_id INTEGER,
    term INTEGER NOT NULL,
    session INTEGER NOT NULL,
    number INTEGER,
    number_label TEXT,
    publish_consent BOOLEAN NOT NULL DEFAULT FALSE,
    is_key BOOLEAN NOT NULL DEFAULT FALSE,
    supervisor_user_id INTEGER REFERENCES users(id),
    merged_into INTEGER REFERENCES proposals(id),
    disposal TEXT,
    decline_reason TEXT,
    reassignment_pending BOOLEAN NOT NULL DEFAULT FALSE,
    rehandled BOOLEAN NOT NULL DEFAULT FALSE,
    submitted_at INTEGER,
    filed_at INTEGER,
    assigned_at INTEGER,
    -- Three months from assignment by default, extensible to six at most.
    deadline_at INTEGER,
    satisfaction TEXT,
    evaluation_comment TEXT,
    closed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (committee_id, term, session, number)
);
CREATE INDEX proposals_committee_state ON proposals(committee_id, state, id);
CREATE INDEX proposals_proposer ON proposals(proposer_user_id, id);

CREATE TABLE proposal_cosigners (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (proposal_id, member_id)
);

CREATE TABLE proposal_suggested_units (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (proposal_id, unit_id)
);

-- The units a filed proposal is assigned to: lead units (主办, several when it is
-- split) answer; co-handling units (会办) contribute. `answer_round` counts the
-- handling rounds (a "not satisfied" opens a second one).
CREATE TABLE proposal_units (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    answer_round INTEGER NOT NULL DEFAULT 0,
    answer_category TEXT,
    answer_text TEXT,
    answered_at INTEGER,
    PRIMARY KEY (proposal_id, unit_id)
);
CREATE INDEX proposal_units_unit ON proposal_units(unit_id, proposal_id);

-- A unit's request to change the assignment (申请调整), and the staff's decision.
CREATE TABLE proposal_reassignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    reason TEXT NOT NULL,
    approved BOOLEAN,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    decided_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);

-- Handling consultations with the proposer (办理协商).
CREATE TABLE proposal_consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    form TEXT NOT NULL,
    participants TEXT NOT NULL,
    agreed TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- Supervision of key proposals (督办) by their leader or the staff.
CREATE TABLE proposal_supervisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    held_on TEXT NOT NULL,
    activity TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
