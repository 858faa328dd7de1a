-- Platform: committees, the bodies inside them, accounts, roles, members,
-- sessions, login throttling, idempotency keys, the audit chain and job leases.
-- Times are whole microseconds since the Unix epoch (UTC) in both backends, so
-- they sort, compare and hash identically on SQLite and PostgreSQL.

CREATE TABLE committees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES committees(id),
    level TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    short_name TEXT,
    region_code TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX committees_parent ON committees(parent_id);

CREATE TABLE sectors (
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

CREATE TABLE special_committees (
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

CREATE TABLE parties (
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

CREATE TABLE units (
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

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    lang TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX users_committee ON users(committee_id);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    unit_id INTEGER REFERENCES units(id),
    offices TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, role, committee_id)
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    user_id INTEGER UNIQUE REFERENCES users(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    affiliation TEXT NOT NULL,
    sector_id INTEGER REFERENCES sectors(id),
    special_committee_id INTEGER REFERENCES special_committees(id),
    occupation TEXT,
    term INTEGER NOT NULL,
    standing BOOLEAN NOT NULL DEFAULT FALSE,
    phone TEXT,
    email TEXT,
    address TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX members_committee_name ON members(committee_id, name);
-- Lists in id order read the first page straight from this index, without sorting.
CREATE INDEX members_committee_id ON members(committee_id, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);

CREATE TABLE idempotency_keys (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER,
    changes TEXT NOT NULL,
    ip TEXT,
    created_at INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_record ON events(record_type, record_id);
CREATE INDEX events_committee ON events(committee_id, id);

CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    locked_until INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER,
    last_run_by TEXT,
    runs INTEGER NOT NULL DEFAULT 0
);
