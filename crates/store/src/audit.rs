//! The audit trail: one event per state change, written in the same
//! transaction as the change, chained by hashes so that an edited, removed or
//! reordered event is detected by [`verify`].
//!
//! Each event's hash is SHA-256 over the previous event's hash and a canonical
//! JSON array of the event's own fields. Appending takes a lock (the write
//! lock on SQLite, an advisory transaction lock on PostgreSQL) so that events
//! are numbered without gaps in the order their transactions commit.

use crate::Caller;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use serde::Serialize;
use serde_json::{Value, json};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const APPEND_LOCK: i64 = 0x4175_6469_7443_6861; // "AuditCha"

/// A stored event.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub committee_id: Option<i64>,
    pub actor_id: Option<i64>,
    /// The actor's user name (`system` for the command line).
    pub actor: String,
    /// What was done, e.g. `member.create`.
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    /// The changed fields as JSON: `{"field": [old, new]}` for edits, `{"field": value}` for creations.
    pub changes: String,
    pub ip: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(skip)]
    pub prev_hash: String,
    #[serde(skip)]
    pub hash: String,
}

/// What a command records about its change.
pub struct Change<'a> {
    pub committee_id: Option<i64>,
    pub action: &'static str,
    pub record_type: &'static str,
    pub record_id: Option<i64>,
    pub changes: Value,
    pub caller: &'a Caller,
}

/// Appends the event of a change to one record of a committee: what most
/// commands write, and what each area's own `log` wraps.
pub(crate) async fn record(
    tx: &mut Tx,
    caller: &Caller,
    (committee_id, record_type, record_id): (i64, &'static str, i64),
    action: &'static str,
    changes: Value,
) -> Result<(), StoreError> {
    append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action,
            record_type,
            record_id: Some(record_id),
            changes,
            caller,
        },
    )
    .await
    .map(|_| ())
}

fn canonical(e: &Event) -> String {
    json!([
        e.id,
        e.committee_id,
        e.actor_id,
        e.actor,
        e.action,
        e.record_type,
        e.record_id,
        e.changes,
        e.ip,
        e.created_at
    ])
    .to_string()
}

/// The hash an event must carry, given the hash before it.
pub fn hash_of(prev_hash: &str, e: &Event) -> String {
    crate::ids::sha256_hex(&format!("{prev_hash}\n{}", canonical(e)))
}

/// Appends an event inside the caller's transaction.
pub async fn append(tx: &mut Tx, change: Change<'_>) -> Result<i64, StoreError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .execute(&mut **t)
            .await?;
    }
    let last: Option<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
    )
    .fetch_optional(c)
    .await?);
    let (last_id, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let mut e = Event {
        id: last_id + 1,
        committee_id: change.committee_id,
        actor_id: change.caller.actor_id(),
        actor: change.caller.actor.username.clone(),
        action: change.action.to_string(),
        record_type: change.record_type.to_string(),
        record_id: change.record_id,
        changes: change.changes.to_string(),
        ip: change.caller.ip.clone(),
        created_at: crate::clock::now(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = hash_of(&e.prev_hash, &e);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO events (id, committee_id, actor_id, actor, action, record_type, record_id, changes, ip, created_at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(e.id)
    .bind(e.committee_id)
    .bind(e.actor_id)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.record_type)
    .bind(e.record_id)
    .bind(&e.changes)
    .bind(&e.ip)
    .bind(e.created_at)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(c)
    .await?.rows_affected()
    });
    Ok(e.id)
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every event is intact; the count and the hash of the last event.
    Intact { events: i64, head: String },
    /// The first event that does not fit the chain, and why.
    Broken { event_id: i64, reason: &'static str },
}

/// Recomputes the whole chain in id order.
pub async fn verify(db: &Db) -> Result<Verdict, StoreError> {
    const BATCH: i64 = 5_000;
    let mut expected_id = 1;
    let mut prev = GENESIS.to_string();
    loop {
        let batch: Vec<Event> = on_db!(db, |c| sqlx::query_as::<_, Event>(
            "SELECT * FROM events WHERE id >= $1 ORDER BY id LIMIT $2"
        )
        .bind(expected_id)
        .bind(BATCH)
        .fetch_all(c)
        .await?);
        if batch.is_empty() {
            return Ok(Verdict::Intact {
                events: expected_id - 1,
                head: prev,
            });
        }
        for e in &batch {
            if e.id != expected_id {
                return Ok(Verdict::Broken {
                    event_id: expected_id,
                    reason: "missing",
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    event_id: e.id,
                    reason: "chain_broken",
                });
            }
            if hash_of(&prev, e) != e.hash {
                return Ok(Verdict::Broken {
                    event_id: e.id,
                    reason: "content_changed",
                });
            }
            prev = e.hash.clone();
            expected_id += 1;
        }
    }
}

/// Filters for browsing events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// The committees to show (those the caller may audit); empty shows none.
    pub committees: Vec<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

/// Lists events, newest first.
pub async fn list(db: &Db, f: &EventFilter, page: PageRequest) -> Result<Page<Event>, StoreError> {
    if f.committees.is_empty() {
        return Ok(page.of(vec![], 0));
    }
    // The committee list comes from the server (ids), never from user text,
    // and is joined as integers; every user-provided filter is a bound parameter.
    let ids: Vec<String> = f.committees.iter().map(i64::to_string).collect();
    let where_ = format!(
        "committee_id IN ({}) AND ($1 IS NULL OR record_type = $1) AND ($2 IS NULL OR record_id = $2)
         AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR action LIKE $4)",
        ids.join(",")
    );
    let action_like = f
        .action
        .as_ref()
        .map(|a| format!("{}%", a.replace(['%', '_'], "")));
    let count_sql = format!("SELECT COUNT(*) FROM events WHERE {where_}");
    let list_sql =
        format!("SELECT * FROM events WHERE {where_} ORDER BY id DESC LIMIT $5 OFFSET $6");
    let (total, items) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
            .bind(&f.record_type)
            .bind(f.record_id)
            .bind(&f.actor)
            .bind(&action_like)
            .fetch_one(c)
            .await?;
        let items: Vec<Event> = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))
            .bind(&f.record_type)
            .bind(f.record_id)
            .bind(&f.actor)
            .bind(&action_like)
            .bind(page.per_page)
            .bind(page.offset())
            .fetch_all(c)
            .await?;
        (total, items)
    });
    Ok(page.of(items, total))
}

/// The events of one record, oldest first.
pub async fn of_record(
    db: &Db,
    record_type: &str,
    record_id: i64,
) -> Result<Vec<Event>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT * FROM events WHERE record_type = $1 AND record_id = $2 ORDER BY id"
    )
    .bind(record_type)
    .bind(record_id)
    .fetch_all(c)
    .await?))
}

/// Builds the `changes` of an edit: only the fields whose value differs.
pub fn diff(pairs: &[(&str, Value, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, old, new) in pairs {
        if old != new {
            m.insert((*k).to_string(), json!([old, new]));
        }
    }
    Value::Object(m)
}
