-- Public-opinion information (社情民意信息), issue 4: the liaison network that
-- brings citizens' input in, the pieces with their sources, edits and outcomes,
-- and the weekly bulletin they are adopted into.

-- Sector member studios (界别委员工作室) and liaison groups (联络组): bodies of
-- the same shape as sectors and units, with members of their own.
CREATE TABLE studios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    contact TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (committee_id, name)
);
CREATE TABLE liaison_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    contact TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (committee_id, name)
);
CREATE TABLE studio_members (
    studio_id INTEGER NOT NULL REFERENCES studios(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (studio_id, member_id)
);
CREATE INDEX studio_members_member ON studio_members(member_id);

-- The weekly bulletin (《每周社情》): numbered per committee and year.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    editor_note TEXT NOT NULL DEFAULT '',
    published_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (committee_id, year, number)
);
-- Each reporting (报送) of a published issue: to whom, when, by which channel.
CREATE TABLE bulletin_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    reported_by_user_id INTEGER NOT NULL REFERENCES users(id),
    reported_at INTEGER NOT NULL
);
CREATE INDEX bulletin_reports_bulletin ON bulletin_reports(bulletin_id, id);

-- A citizen's input through a studio's public form, until a studio member
-- turns it into a piece.
CREATE TABLE citizen_inputs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    studio_id INTEGER NOT NULL REFERENCES studios(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- A secret the anonymous citizen keeps to look up the status.
    receipt_hash TEXT NOT NULL,
    opinion_id INTEGER REFERENCES opinions(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX citizen_inputs_studio ON citizen_inputs(studio_id, opinion_id, id);
CREATE INDEX citizen_inputs_user ON citizen_inputs(user_id, id);

ALTER TABLE opinions ADD COLUMN category TEXT NOT NULL DEFAULT 'society';
ALTER TABLE opinions ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE opinions ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal';
-- The text as its sources submitted it, kept when staff rewrite it.
ALTER TABLE opinions ADD COLUMN submitted_title TEXT;
ALTER TABLE opinions ADD COLUMN submitted_body TEXT;
ALTER TABLE opinions ADD COLUMN submitted_at INTEGER;
ALTER TABLE opinions ADD COLUMN combined_into INTEGER REFERENCES opinions(id);
ALTER TABLE opinions ADD COLUMN bulletin_id INTEGER REFERENCES bulletins(id);
ALTER TABLE opinions ADD COLUMN bulletin_position INTEGER;
ALTER TABLE opinions ADD COLUMN decline_reason TEXT;
ALTER TABLE opinions ADD COLUMN lead_proposal_id INTEGER REFERENCES proposals(id);
CREATE INDEX opinions_committee_created ON opinions(committee_id, created_at);
CREATE INDEX opinions_bulletin ON opinions(bulletin_id, bulletin_position);

-- Every source of a piece, kept through edits and combination.
CREATE TABLE opinion_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opinion_id INTEGER NOT NULL REFERENCES opinions(id),
    kind TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    -- The studio, liaison group, party or special committee, by kind.
    body_id INTEGER,
    user_id INTEGER REFERENCES users(id),
    citizen_input_id INTEGER REFERENCES citizen_inputs(id),
    -- The source as it reads on the piece: a name, a studio's name ...
    label TEXT NOT NULL
);
CREATE INDEX opinion_sources_opinion ON opinion_sources(opinion_id, id);
CREATE INDEX opinion_sources_member ON opinion_sources(member_id);
CREATE INDEX opinion_sources_user ON opinion_sources(user_id);

-- What became of a piece after reporting: an instruction (批示), a
-- department's adoption (采纳), use in a policy document (采用于文件).
CREATE TABLE opinion_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opinion_id INTEGER NOT NULL REFERENCES opinions(id),
    kind TEXT NOT NULL,
    leader TEXT,
    level TEXT,
    department TEXT,
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX opinion_outcomes_opinion ON opinion_outcomes(opinion_id, id);
