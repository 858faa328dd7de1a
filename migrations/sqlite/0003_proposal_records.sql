-- What proposals carry beside their own row: attached files and reply documents,
-- the commitment checklist (清单), deadline notices, in-app notifications, and the
-- public-opinion pieces that declined proposals are converted into.

-- Files attached to a record. The bytes live in the database so that every server
-- sharing it serves the same files without a shared disk.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    -- 'attachment': the proposer's own files; 'reply': a unit's reply document.
    purpose TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    file_name TEXT NOT NULL,
    -- Sniffed from the content, never taken from the name or the browser.
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_record ON attachments(record_type, record_id, id);

-- The commitment checklist (清单式管理): concrete commitments from a unit's answer,
-- ticked off with evidence so that "answered" and "done" are not confused.
CREATE TABLE proposal_commitments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    unit_id INTEGER REFERENCES units(id),
    text TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    evidence TEXT,
    done_by INTEGER REFERENCES users(id),
    done_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX proposal_commitments_proposal ON proposal_commitments(proposal_id, id);

-- Deadline notices already sent: one per proposal, stage ('due_soon' or 'overdue')
-- and deadline, so that a job run by several servers, or run twice, warns once.
CREATE TABLE proposal_deadline_notices (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    stage TEXT NOT NULL,
    deadline_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, stage, deadline_at)
);

-- In-app notifications: the bell and its unread count; e-mailed when SMTP is set.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    -- The record's title when the notice was made, so the list needs no join.
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    emailed_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);

-- Public-opinion pieces (社情民意信息). Issue 4 builds their workflow; here they are
-- the record a proposal declined with "convert to public opinion" becomes.
CREATE TABLE opinions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    submitter_user_id INTEGER NOT NULL REFERENCES users(id),
    source_proposal_id INTEGER REFERENCES proposals(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX opinions_committee ON opinions(committee_id, state, id);

-- The proposal list filtered by state and year (drafted in), the staff's usual view.
CREATE INDEX proposals_committee_state_created ON proposals(committee_id, state, created_at);
CREATE INDEX proposals_committee_created ON proposals(committee_id, created_at);
