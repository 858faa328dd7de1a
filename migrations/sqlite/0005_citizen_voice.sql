-- A citizen's voice through a studio's public form (issue 4): the questions
-- an anonymous visitor must answer, and the submissions counted against a
-- visitor's address or account to keep the form from being flooded.

-- One question per form shown; answered (right or wrong) at most once.
CREATE TABLE form_challenges (
    token_hash TEXT PRIMARY KEY,
    answer INTEGER NOT NULL,
    issued_at INTEGER NOT NULL
);
CREATE INDEX form_challenges_issued ON form_challenges(issued_at);

-- Each submission and each wrong answer, by `ip:...` or `user:...`.
CREATE TABLE form_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX form_events_key_at ON form_events(key, at);
