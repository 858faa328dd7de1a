//! Files attached to proposals (the proposer's own while drafting, the lead
//! units' reply documents while handling) and to public-opinion pieces (the
//! writer's while drafting, information staff's while editing). Whoever may
//! read the record may download them; the uploader may remove one while it
//! could still have been added. One set of file rules for both.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_tx};
use crate::error::StoreError;
use crate::opinions;
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

/// The record a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Proposal(i64),
    Opinion(i64),
    /// Research material, minutes and speech texts of a consultation.
    Consultation(i64),
    /// Background documents of an online deliberation.
    Deliberation(i64),
}

impl Owner {
    fn of(record_type: &str, id: i64) -> Owner {
        match record_type {
            "opinion" => Owner::Opinion(id),
            "consultation" => Owner::Consultation(id),
            "deliberation" => Owner::Deliberation(id),
            _ => Owner::Proposal(id),
        }
    }
    fn record_type(self) -> &'static str {
        match self {
            Owner::Proposal(_) => "proposal",
            Owner::Opinion(_) => "opinion",
            Owner::Consultation(_) => "consultation",
            Owner::Deliberation(_) => "deliberation",
        }
    }
    fn id(self) -> i64 {
        match self {
            Owner::Proposal(id)
            | Owner::Opinion(id)
            | Owner::Consultation(id)
            | Owner::Deliberation(id) => id,
        }
    }
}

/// The record as the file rules need it: its committee, and whether the
/// caller may add a file of the purpose now (and for which unit).
struct Held {
    committee_id: i64,
    may_add: Result<Option<i64>, StoreError>,
}

/// Loads the owner if the caller may read it, with what they may add.
async fn hold(
    tx: &mut Tx,
    caller: &Caller,
    owner: Owner,
    purpose: Purpose,
) -> Result<Held, StoreError> {
    match owner {
        Owner::Proposal(id) => {
            let (p, part) = proposals::load_visible(tx, caller, id).await?;
            let may_add = may_add(tx, caller, &p, part, purpose).await;
            Ok(Held {
                committee_id: p.committee_id,
                may_add,
            })
        }
        Owner::Opinion(id) => {
            use domain::opinions::{Part as OPart, State as OState};
            let (o, part) = opinions::load_visible(tx, caller, id).await?;
            let wrong = || {
                Err(StoreError::Conflict {
                    code: "wrong_state",
                    current: Some(o.state.clone()),
                })
            };
            let writer = part == OPart::Source && o.submitter_user_id == caller.actor.user_id;
            let may_add = match (purpose, part, o.state()) {
                (Purpose::Reply, _, _) => Err(StoreError::invalid("purpose", "invalid_choice")),
                (_, OPart::Staff, OState::Submitted | OState::Editing) => Ok(None),
                (_, _, OState::Draft) if writer => Ok(None),
                (_, OPart::Staff, _) => wrong(),
                _ if writer => wrong(),
                _ => Err(StoreError::Forbidden),
            };
            Ok(Held {
                committee_id: o.committee_id,
                may_add,
            })
        }
        Owner::Consultation(id) => {
            use domain::consultations::{Part as CPart, State as CState};
            let (c, part) = crate::consultations::load_visible(tx, caller, id).await?;
            // The consultation office files research material and minutes
            // until the consultation is closed or cancelled.
            let may_add = match (purpose, part, c.state()) {
                (Purpose::Reply, _, _) => Err(StoreError::invalid("purpose", "invalid_choice")),
                (_, CPart::Staff, CState::Closed | CState::Cancelled) => {
                    Err(StoreError::Conflict {
                        code: "wrong_state",
                        current: Some(c.state.clone()),
                    })
                }
                (_, CPart::Staff, _) => Ok(None),
                _ => Err(StoreError::Forbidden),
            };
            Ok(Held {
                committee_id: c.committee_id,
                may_add,
            })
        }
        Owner::Deliberation(id) => {
            use domain::deliberations::{Part as DPart, State as DState};
            let (d, part) = crate::deliberations::load_visible(tx, caller, id).await?;
            // Staff add background documents until the report is out.
            let may_add = match (purpose, part, d.state()) {
                (Purpose::Reply, _, _) => Err(StoreError::invalid("purpose", "invalid_choice")),
                (_, DPart::Staff, DState::Reported) => Err(StoreError::Conflict {
                    code: "wrong_state",
                    current: Some(d.state.clone()),
                }),
                (_, DPart::Staff, _) => Ok(None),
                _ => Err(StoreError::Forbidden),
            };
            Ok(Held {
                committee_id: d.committee_id,
                may_add,
            })
        }
    }
}

/// An attachment without its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    /// `proposal` or `opinion`.
    pub record_type: String,
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

const COLUMNS: &str = "a.id, a.record_type, a.record_id, a.purpose, a.unit_id, u.name AS unit_name, a.file_name, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at";

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
    owner: Owner,
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
    let held = hold(&mut tx, caller, owner, purpose).await?;
    let unit = held.may_add?;
    let count: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE record_type = $1 AND record_id = $2",
        )
        .bind(owner.record_type())
        .bind(owner.id())
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
        .bind(held.committee_id)
        .bind(owner.record_type())
        .bind(owner.id())
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
            committee_id: Some(held.committee_id),
            action: match owner {
                Owner::Proposal(_) => "proposal.attach",
                Owner::Opinion(_) => "opinion.attach",
                Owner::Consultation(_) => "consultation.attach",
                Owner::Deliberation(_) => "deliberation.attach",
            },
            record_type: owner.record_type(),
            record_id: Some(owner.id()),
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

/// The files of a record the caller may read.
pub async fn of(db: &Db, caller: &Caller, owner: Owner) -> Result<Vec<Attachment>, StoreError> {
    let mut tx = db.begin_read().await?;
    hold(&mut tx, caller, owner, Purpose::Attachment).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments a LEFT JOIN units u ON u.id = a.unit_id
         WHERE a.record_type = $1 AND a.record_id = $2 ORDER BY a.id"
    );
    let rows = on_tx!(&mut tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(owner.record_type())
            .bind(owner.id())
            .fetch_all(c)
            .await?
    });
    tx.commit().await?;
    Ok(rows)
}

/// An attachment with its bytes, if the caller may read its record.
pub async fn download(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<(Attachment, Vec<u8>), StoreError> {
    let mut tx = db.begin_read().await?;
    let a = one_tx(&mut tx, id).await?;
    hold(
        &mut tx,
        caller,
        Owner::of(&a.record_type, a.record_id),
        Purpose::Attachment,
    )
    .await?;
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
    let owner = Owner::of(&a.record_type, a.record_id);
    let purpose = Purpose::parse(&a.purpose).unwrap_or(Purpose::Attachment);
    let held = hold(&mut tx, caller, owner, purpose).await?;
    if a.uploaded_by != caller.actor.user_id {
        return Err(StoreError::Forbidden);
    }
    held.may_add?;
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
            committee_id: Some(held.committee_id),
            action: match owner {
                Owner::Proposal(_) => "proposal.detach",
                Owner::Opinion(_) => "opinion.detach",
                Owner::Consultation(_) => "consultation.detach",
                Owner::Deliberation(_) => "deliberation.detach",
            },
            record_type: owner.record_type(),
            record_id: Some(owner.id()),
            changes: json!({"attachment_id": id, "file_name": a.file_name}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
