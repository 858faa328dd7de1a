-- The work inside a consultation (issue 5): its participants (members and
-- experts from the pool) and their comments on the circulated draft, its
-- meetings (agenda, invitations and check-in, speeches, minutes), the
-- committee's own quality rubric, democratic supervision topics followed
-- over years, and draft regulations commented on paragraph by paragraph.

-- The expert pool (专家库): inside the committee (with an account) or not.
CREATE TABLE experts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    name TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    organisation TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    -- Fields of expertise, one per line.
    fields TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX experts_committee ON experts(committee_id, name);

-- Who takes part: accounts (members, experts with an account) read the
-- draft, comment on it, are invited to meetings and hear what came of it.
CREATE TABLE consultation_participants (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, user_id)
);
CREATE INDEX consultation_participants_user ON consultation_participants(user_id);
CREATE TABLE consultation_experts (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    expert_id INTEGER NOT NULL REFERENCES experts(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, expert_id)
);
CREATE INDEX consultation_experts_expert ON consultation_experts(expert_id);

-- Participants' comments on the circulated draft report.
CREATE TABLE consultation_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX consultation_comments_consultation ON consultation_comments(consultation_id, id);

-- A consultation's meetings.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    -- Set once the agenda is published; it starts with the study item.
    agenda_published_at INTEGER,
    minutes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX meetings_consultation ON meetings(consultation_id, id);
CREATE TABLE meeting_agenda_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    -- 1 for the study item (第一议题).
    study INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL
);
CREATE INDEX meeting_agenda_items_meeting ON meeting_agenda_items(meeting_id, position);
-- Invitations with the answer and the check-in: attendance, per member.
CREATE TABLE meeting_invitations (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    answer TEXT NOT NULL DEFAULT 'pending',
    answered_at INTEGER,
    checked_in_at INTEGER,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_invitations_user ON meeting_invitations(user_id);
CREATE TABLE meeting_speeches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    -- 'party' (a participating party or group, collectively), 'sector' or 'individual'.
    speaker_kind TEXT NOT NULL,
    speaker TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX meeting_speeches_meeting ON meeting_speeches(meeting_id, position);

-- A committee's own quality rubric; without rows the default applies.
CREATE TABLE rubric_criteria (
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    criterion TEXT NOT NULL,
    label TEXT NOT NULL,
    weight INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (committee_id, criterion)
);
-- The weight a score was given under, so a later change of the rubric
-- does not rewrite past evaluations.
ALTER TABLE consultation_scores ADD COLUMN weight INTEGER;

-- Democratic supervision (民主监督): a topic followed over several years.
CREATE TABLE supervision_topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX supervision_topics_committee ON supervision_topics(committee_id, first_year);
CREATE TABLE supervision_inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES supervision_topics(id),
    year INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    place TEXT NOT NULL,
    participants TEXT NOT NULL DEFAULT '',
    findings TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX supervision_inspections_topic ON supervision_inspections(topic_id, on_date);
CREATE TABLE supervision_rectifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES supervision_topics(id),
    year INTEGER NOT NULL,
    item TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    -- 'open', 'in_progress' or 'done'.
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX supervision_rectifications_topic ON supervision_rectifications(topic_id, year, id);
CREATE TABLE supervision_summaries (
    topic_id INTEGER NOT NULL REFERENCES supervision_topics(id),
    year INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (topic_id, year)
);

-- Legislative consultation (立法协商): a draft regulation split into
-- chapters, articles and paragraphs, and members' comments on paragraphs.
CREATE TABLE legislative_drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    consultation_id INTEGER REFERENCES consultations(id),
    title TEXT NOT NULL,
    -- 'open' for comments, or 'closed'.
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX legislative_drafts_committee ON legislative_drafts(committee_id, id);
CREATE TABLE draft_parts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL REFERENCES legislative_drafts(id),
    position INTEGER NOT NULL,
    -- 'chapter', 'article' or 'paragraph'.
    kind TEXT NOT NULL,
    -- 第一章, 第三条; a paragraph's number within its article.
    label TEXT NOT NULL,
    -- For a paragraph: its article.
    article_id INTEGER,
    text TEXT NOT NULL
);
CREATE INDEX draft_parts_draft ON draft_parts(draft_id, position);
CREATE TABLE draft_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL REFERENCES legislative_drafts(id),
    paragraph_id INTEGER NOT NULL REFERENCES draft_parts(id),
    article_id INTEGER NOT NULL REFERENCES draft_parts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    -- The passage of the paragraph the comment quotes, if any.
    quote TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    -- 'pending', 'accepted' or 'not_accepted'.
    decision TEXT NOT NULL DEFAULT 'pending',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX draft_comments_draft ON draft_comments(draft_id, article_id, id);
