-- Online deliberation (网络议政, issue 6): topics on which participants write
-- short statements and vote on each other's, the engine's latest results
-- for each, and the key that signs anonymous participants' cookies.

CREATE TABLE deliberations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    title TEXT NOT NULL,
    background TEXT NOT NULL DEFAULT '',
    -- members or public
    audience TEXT NOT NULL,
    -- pre or post
    moderation TEXT NOT NULL,
    -- draft, open, closed or reported
    state TEXT NOT NULL,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    report TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX deliberations_committee ON deliberations(committee_id, id);
CREATE INDEX deliberations_state ON deliberations(state, closes_at);

-- Who took part: an account, or an anonymous visitor known by the key in
-- their signed cookie (and, for the flood limit, the address they came from).
CREATE TABLE deliberation_participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    user_id INTEGER REFERENCES users(id),
    anon_key TEXT,
    ip TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX deliberation_participants_user ON deliberation_participants(deliberation_id, user_id);
CREATE UNIQUE INDEX deliberation_participants_anon ON deliberation_participants(deliberation_id, anon_key);
CREATE INDEX deliberation_participants_ip ON deliberation_participants(ip, created_at);

CREATE TABLE deliberation_statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    participant_id INTEGER NOT NULL REFERENCES deliberation_participants(id),
    body TEXT NOT NULL,
    -- pending, accepted or rejected
    status TEXT NOT NULL,
    moderated_by INTEGER REFERENCES users(id),
    moderated_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX deliberation_statements_deliberation ON deliberation_statements(deliberation_id, status, id);
CREATE INDEX deliberation_statements_author ON deliberation_statements(participant_id, created_at);
-- The same statement twice in one deliberation is refused, also when two
-- participants send it at the same moment.
CREATE UNIQUE INDEX deliberation_statements_body ON deliberation_statements(deliberation_id, body);

-- One vote per participant and statement: a re-vote replaces it.
CREATE TABLE deliberation_votes (
    statement_id INTEGER NOT NULL REFERENCES deliberation_statements(id),
    participant_id INTEGER NOT NULL REFERENCES deliberation_participants(id),
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    -- agree 1, disagree -1, pass 0
    value INTEGER NOT NULL,
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (statement_id, participant_id)
);
CREATE INDEX deliberation_votes_deliberation ON deliberation_votes(deliberation_id, voted_at);
CREATE INDEX deliberation_votes_participant ON deliberation_votes(participant_id, voted_at);

-- The engine's latest results, computed in the background; `fingerprint`
-- says which votes and moderation they were computed from; `warm` is what
-- the next computation starts from (the engine's components and centres).
CREATE TABLE deliberation_results (
    deliberation_id INTEGER PRIMARY KEY REFERENCES deliberations(id),
    fingerprint TEXT NOT NULL,
    body TEXT NOT NULL,
    warm TEXT NOT NULL DEFAULT '',
    computed_at INTEGER NOT NULL
);

-- Keys the servers share (each made once, by whichever server needs it first).
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
