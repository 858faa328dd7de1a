//! Files attached to proposals: the proposer's own (while drafting) and the
//! lead units' reply documents (while handling). Whoever may read the
//! proposal may download them; the uploader may remove one while it could
//! still have been added.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_tx};
use crate::error::StoreError;
use crate::proposals::{self, Proposal};
use domain::files::{self, FileKind};
use domain::proposals::{Part, State};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// What an attachment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The proposer's supporting material.
    Attachment,
    /// A unit's formal reply document (答复函).
    Reply,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "attachment" => Some(Purpose::Attachment),
            "reply" => Some(Purpose::Reply),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Attachment => "attachment",
            Purpose::Reply => "reply",
        }
    }
}

/// An attachment without its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub record_id: i64,
    /// `attachment` or `reply`.
    pub purpose: String,
    /// For a reply document: the unit's id and name.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const COLUMNS: &str = "a.id, a.record_id, a.purpose, a.unit_id, u.name AS unit_name, a.file_name, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at";

/// Who may add a file of this purpose to `p` now, and for which unit.
async fn may_add(
    tx: &mut Tx,
    caller: &Caller,
    p: &Proposal,
    part: Part,
    purpose: Purpose,
) -> Result<Option<i64>, StoreError> {
    match purpose {
        Purpose::Attachment => {
            if part != Part::Proposer {
                return Err(StoreError::Forbidden);
            }
            if p.state() != State::Draft {
                return Err(StoreError::Conflict {
                    code: "wrong_state",
                    current: Some(p.state.clone()),
                });
            }
            Ok(None)
        }
        Purpose::Reply => {
            let unit = match proposals::acting_unit(tx, caller, p).await? {
                Some((unit, role)) if part == Part::Unit && role == "lead" => unit,
                _ => return Err(StoreError::Forbidden),
            };
            if !matches!(p.state(), State::Assigned | State::InHandling) {
                return Err(StoreError::Conflict {
                    code: "wrong_state",
                    current: Some(p.state.clone()),
                });
            }
            Ok(Some(unit))
        }
    }
}

/// Attaches a file to a proposal. Its kind is sniffed from the bytes; its
/// name is cleaned and given the true extension.
pub async fn add(
    db: &Db,
    caller: &Caller,
    proposal_id: i64,
    purpose: Purpose,
    name: &str,
    bytes: &[u8],
) -> Result<Attachment, StoreError> {
    if bytes.is_empty() {
        return Err(StoreError::invalid("file", "required"));
    }
    if bytes.len() > files::MAX_FILE {
        return Err(StoreError::invalid("file", "file_too_large"));
    }
    let kind: FileKind =
        files::sniff(bytes).ok_or_else(|| StoreError::invalid("file", "file_type"))?;
    let file_name = files::clean_name(name, kind);
    let mut tx = db.begin().await?;
    let (p, part) = proposals::load_visible(&mut tx, caller, proposal_id).await?;
    let unit = may_add(&mut tx, caller, &p, part, purpose).await?;
    let count: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE record_type = $1 AND record_id = $2",
        )
        .bind("proposal")
        .bind(p.id)
        .fetch_one(c)
        .await?
    });
    if count >= files::MAX_FILES {
        return Err(StoreError::invalid("file", "too_many"));
    }
    let sha = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let now = crate::clock::now();
    let id: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO attachments (committee_id, record_type, record_id, purpose, unit_id, file_name, content_type, size, sha256, data, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(p.committee_id)
        .bind("proposal")
        .bind(p.id)
        .bind(purpose.as_str())
        .bind(unit)
        .bind(&file_name)
        .bind(kind.mime())
        .bind(bytes.len() as i64)
        .bind(&sha)
        .bind(bytes)
        .bind(caller.actor.user_id)
        .bind(now)
        .fetch_one(c)
        .await?
    });
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "proposal.attach",
            record_type: "proposal",
            record_id: Some(p.id),
            changes: json!({"attachment_id": id, "purpose": purpose.as_str(), "file_name": file_name, "size": bytes.len(), "sha256": sha}),
            caller,
        },
    )
    .await?;
    let a = one_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(a)
}

async fn one_tx(tx: &mut Tx, id: i64) -> Result<Attachment, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments a LEFT JOIN units u ON u.id = a.unit_id WHERE a.id = $1"
    );
    on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    })
    .ok_or(StoreError::NotFound)
}

/// The files of a proposal the caller may read.
pub async fn of_proposal(
    db: &Db,
    caller: &Caller,
    proposal_id: i64,
) -> Result<Vec<Attachment>, StoreError> {
    let mut tx = db.begin_read().await?;
    proposals::load_visible(&mut tx, caller, proposal_id).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments a LEFT JOIN units u ON u.id = a.unit_id
         WHERE a.record_type = 'proposal' AND a.record_id = $1 ORDER BY a.id"
    );
    let rows = on_tx!(&mut tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(proposal_id)
            .fetch_all(c)
            .await?
    });
    tx.commit().await?;
    Ok(rows)
}

/// An attachment with its bytes, if the caller may read its proposal.
pub async fn download(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<(Attachment, Vec<u8>), StoreError> {
    let mut tx = db.begin_read().await?;
    let a = one_tx(&mut tx, id).await?;
    proposals::load_visible(&mut tx, caller, a.record_id).await?;
    let data: Vec<u8> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar("SELECT data FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_one(c)
            .await?
    });
    tx.commit().await?;
    Ok((a, data))
}

/// Removes an attachment: its uploader, while a file of its purpose could
/// still be added.
pub async fn remove(db: &Db, caller: &Caller, id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let a = one_tx(&mut tx, id).await?;
    let (p, part) = proposals::load_visible(&mut tx, caller, a.record_id).await?;
    if a.uploaded_by != caller.actor.user_id {
        return Err(StoreError::Forbidden);
    }
    let purpose = Purpose::parse(&a.purpose).unwrap_or(Purpose::Attachment);
    may_add(&mut tx, caller, &p, part, purpose).await?;
    on_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM attachments WHERE id = $1")
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "proposal.detach",
            record_type: "proposal",
            record_id: Some(p.id),
            changes: json!({"attachment_id": id, "file_name": a.file_name}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
