-- Consultations (协商议政), issue 5: each consultation with its form, lead
-- special committee and meeting day, the record of each step it took (with
-- the day it happened), the outcomes it earned, and its quality scores.
CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    form TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    lead_special_committee_id INTEGER REFERENCES special_committees(id),
    -- The day the consultation meeting is planned for (YYYY-MM-DD).
    meeting_on TEXT,
    -- Days the draft report must reach participants before the meeting.
    draft_days INTEGER NOT NULL DEFAULT 3,
    draft_circulated_on TEXT,
    -- The day of the latest step: the next may not be earlier.
    last_step_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX consultations_committee ON consultations(committee_id, state, id);

-- Every step taken, with its day and what was recorded of it.
CREATE TABLE consultation_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX consultation_steps_consultation ON consultation_steps(consultation_id, id);

-- Instructions, adoptions by departments and uses in policy documents.
CREATE TABLE consultation_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    kind TEXT NOT NULL,
    leader TEXT,
    level TEXT,
    department TEXT,
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX consultation_outcomes_consultation ON consultation_outcomes(consultation_id, id);

-- The named evaluators of a consultation's quality, and each one's scores
-- per criterion of the rubric.
CREATE TABLE consultation_evaluators (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (consultation_id, user_id)
);
CREATE TABLE consultation_scores (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    evaluator_user_id INTEGER NOT NULL REFERENCES users(id),
    criterion TEXT NOT NULL,
    score INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, evaluator_user_id, criterion)
);

-- The year's consultation plan (年度协商计划), agreed with the party committee
-- and the government, and its items; an item started becomes a consultation.
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    agreed_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (committee_id, year)
);
CREATE TABLE plan_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    topic TEXT NOT NULL,
    form TEXT NOT NULL,
    lead_special_committee_id INTEGER REFERENCES special_committees(id),
    planned_month INTEGER NOT NULL,
    participants TEXT NOT NULL DEFAULT '',
    consultation_id INTEGER REFERENCES consultations(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX plan_items_plan ON plan_items(plan_id, planned_month, id);

-- The proposals and public-opinion pieces a consultation cites on its topic
-- (相互贯通), chosen by staff; each links back.
CREATE TABLE consultation_links (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    linked_by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, record_type, record_id)
);
CREATE INDEX consultation_links_record ON consultation_links(record_type, record_id);
