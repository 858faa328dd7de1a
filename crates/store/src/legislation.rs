//! Legislative consultation (立法协商, issue 5 item 6): a draft regulation,
//! given as text (or taken out of a DOCX by the web layer), split into
//! chapters, articles and paragraphs (`domain::regulations`); members
//! comment on one paragraph, quoting a passage of it if they like; staff of
//! the consultation office see the comments article by article, accept
//! them or not, close the draft and export the committee's opinion.

use crate::Caller;
use crate::audit;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::prose;
use crate::platform::committees;
use domain::platform::Permission;
use domain::regulations::{self, PieceKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A draft regulation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Draft {
    pub id: i64,
    pub committee_id: i64,
    pub consultation_id: Option<i64>,
    pub title: String,
    /// `open` for comments, or `closed`.
    pub state: String,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// A chapter, article or paragraph.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DraftPart {
    pub id: i64,
    /// `chapter`, `article` or `paragraph`.
    pub kind: String,
    pub label: String,
    pub article_id: Option<i64>,
    pub text: String,
}

/// A comment on a paragraph.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DraftComment {
    pub id: i64,
    pub paragraph_id: i64,
    pub article_id: i64,
    pub user_id: i64,
    pub name: String,
    pub quote: String,
    pub body: String,
    /// `pending`, `accepted` or `not_accepted`.
    pub decision: String,
    pub version: i64,
}

/// What a draft is created with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DraftInput {
    /// Taken from the text's first line when empty.
    #[serde(default)]
    pub title: String,
    /// The regulation's text, with 第…章 and 第…条 headings.
    pub text: String,
    pub consultation_id: Option<i64>,
}

/// The longest draft text accepted, in characters.
pub const MAX_TEXT: usize = 200_000;

async fn scope_read(tx: &mut Tx, caller: &Caller, committee_id: i64) -> Result<(), StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

async fn load(tx: &mut Tx, caller: &Caller, id: i64) -> Result<Draft, StoreError> {
    let d: Draft = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, committee_id, consultation_id, title, state, version, created_at FROM legislative_drafts WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    scope_read(tx, caller, d.committee_id).await?;
    Ok(d)
}

async fn log(
    tx: &mut Tx,
    caller: &Caller,
    d: &Draft,
    action: &'static str,
    changes: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        caller,
        (d.committee_id, "legislative_draft", d.id),
        action,
        changes,
    )
    .await
}

/// Staff upload a draft regulation; it is split at once and opens for comments.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &DraftInput,
) -> Result<Draft, StoreError> {
    let mut tx = db.begin().await?;
    let out = create_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &DraftInput,
) -> Result<Draft, StoreError> {
    if input.text.chars().count() > MAX_TEXT {
        return Err(StoreError::invalid("text", "too_long"));
    }
    let split = regulations::split(&input.text);
    if split.articles() == 0 {
        return Err(StoreError::invalid("text", "no_articles"));
    }
    let title = match input.title.trim() {
        "" => split.preamble.first().cloned().unwrap_or_default(),
        t => t.to_string(),
    };
    let mut e = domain::validate::Errors::default();
    let title = e.required_text("title", &title, 200);
    e.finish().map_err(StoreError::Invalid)?;
    crate::consultations::require_office(tx, caller, committee_id).await?;
    if let Some(cid) = input.consultation_id {
        let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM consultations WHERE id = $1 AND committee_id = $2"
        )
        .bind(cid)
        .bind(committee_id)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid("consultation_id", "not_found"));
        }
    }
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO legislative_drafts (committee_id, consultation_id, title, state, version, created_at, updated_at)
         VALUES ($1, $2, $3, 'open', 1, $4, $4) RETURNING id"
    )
    .bind(committee_id)
    .bind(input.consultation_id)
    .bind(&title)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    let mut article: Option<i64> = None;
    for (pos, p) in split.pieces.iter().enumerate() {
        let parent = (p.kind == PieceKind::Paragraph)
            .then_some(article)
            .flatten();
        let pid: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "INSERT INTO draft_parts (draft_id, position, kind, label, article_id, text)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(id)
        .bind(pos as i64)
        .bind(p.kind.as_str())
        .bind(&p.label)
        .bind(parent)
        .bind(&p.text)
        .fetch_one(c)
        .await?);
        if p.kind == PieceKind::Article {
            article = Some(pid);
        }
    }
    let d = load(tx, caller, id).await?;
    log(
        tx,
        caller,
        &d,
        "legislative_draft.create",
        json!({"title": title, "articles": split.articles(), "parts": split.pieces.len(),
            "consultation_id": input.consultation_id}),
    )
    .await?;
    Ok(d)
}

/// A draft the caller may read.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Draft, StoreError> {
    let mut tx = db.begin_read().await?;
    let d = load(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// The committee's drafts, newest first.
pub async fn list(db: &Db, caller: &Caller, committee_id: i64) -> Result<Vec<Draft>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, committee_id, consultation_id, title, state, version, created_at FROM legislative_drafts
         WHERE committee_id = $1 ORDER BY id DESC LIMIT 200"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?
    }))
}

/// The draft's parts in order.
pub async fn parts(db: &Db, id: i64) -> Result<Vec<DraftPart>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, kind, label, article_id, text FROM draft_parts WHERE draft_id = $1 ORDER BY position"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    }))
}

/// Whether the caller sees every comment (staff) or only their own.
pub fn sees_all(caller: &Caller, d: &Draft) -> bool {
    crate::consultations::is_staff(caller, d.committee_id)
}

/// The comments the caller may see (staff: all; others: their own), in
/// the order of the draft's articles.
pub async fn comments(
    db: &Db,
    caller: &Caller,
    d: &Draft,
) -> Result<Vec<DraftComment>, StoreError> {
    let mine = (!sees_all(caller, d)).then_some(caller.actor.user_id);
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT k.id, k.paragraph_id, k.article_id, k.user_id, u.display_name AS name, k.quote, k.body,
                k.decision, k.version
         FROM draft_comments k JOIN users u ON u.id = k.user_id JOIN draft_parts p ON p.id = k.paragraph_id
         WHERE k.draft_id = $1 AND ($2 IS NULL OR k.user_id = $2) ORDER BY p.position, k.id"
    )
    .bind(d.id)
    .bind(mine)
    .fetch_all(c)
    .await?
    }))
}

/// A member comments on one paragraph of an open draft, quoting a passage
/// of it if they like (the quote must be in the paragraph).
pub async fn comment(
    db: &Db,
    caller: &Caller,
    draft_id: i64,
    paragraph_id: i64,
    quote: &str,
    body: &str,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let out = comment_in(&mut tx, caller, draft_id, paragraph_id, quote, body).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`comment`] inside an open transaction.
pub async fn comment_in(
    tx: &mut Tx,
    caller: &Caller,
    draft_id: i64,
    paragraph_id: i64,
    quote: &str,
    body: &str,
) -> Result<i64, StoreError> {
    if caller.is_anonymous() {
        return Err(StoreError::Forbidden);
    }
    let body = match body.trim() {
        "" => return Err(StoreError::invalid("body", "required")),
        b => prose("body", b, 5_000)?,
    };
    let quote = quote.trim();
    if quote.chars().count() > 1_000 {
        return Err(StoreError::invalid("quote", "too_long"));
    }
    let d = load(tx, caller, draft_id).await?;
    if d.state != "open" {
        return Err(StoreError::Conflict {
            code: "draft_closed",
            current: Some(d.state.clone()),
        });
    }
    let para: Option<(String, Option<i64>, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT kind, article_id, text FROM draft_parts WHERE id = $1 AND draft_id = $2"
    )
    .bind(paragraph_id)
    .bind(draft_id)
    .fetch_optional(c)
    .await?);
    let (article_id, text) = match para {
        Some((kind, Some(a), text)) if kind == "paragraph" => (a, text),
        _ => return Err(StoreError::invalid("paragraph_id", "not_found")),
    };
    if !quote.is_empty() && !text.contains(quote) {
        return Err(StoreError::invalid("quote", "not_in_paragraph"));
    }
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO draft_comments (draft_id, paragraph_id, article_id, user_id, quote, body, decision, version, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 1, $7) RETURNING id"
    )
    .bind(draft_id)
    .bind(paragraph_id)
    .bind(article_id)
    .bind(caller.actor.user_id)
    .bind(quote)
    .bind(&body)
    .bind(crate::clock::now())
    .fetch_one(c)
    .await?
    });
    log(
        tx,
        caller,
        &d,
        "legislative_draft.comment",
        json!({"comment_id": id, "paragraph_id": paragraph_id, "quote": quote, "body": body}),
    )
    .await?;
    Ok(id)
}

/// Staff mark a comment accepted or not, at the version read.
pub async fn decide(
    db: &Db,
    caller: &Caller,
    comment_id: i64,
    decision: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    decide_in(&mut tx, caller, comment_id, decision, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`decide`] inside an open transaction.
pub async fn decide_in(
    tx: &mut Tx,
    caller: &Caller,
    comment_id: i64,
    decision: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let decision = match decision.trim() {
        d @ ("accepted" | "not_accepted" | "pending") => d.to_string(),
        _ => return Err(StoreError::invalid("decision", "invalid_choice")),
    };
    let (draft_id, version): (i64, i64) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT draft_id, version FROM draft_comments WHERE id = $1"
    )
    .bind(comment_id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    let d = load(tx, caller, draft_id).await?;
    if !sees_all(caller, &d) {
        return Err(StoreError::Forbidden);
    }
    let moved = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE draft_comments SET decision = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(&decision)
    .bind(comment_id)
    .bind(expected.unwrap_or(version))
    .execute(c)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::stale(version));
    }
    log(
        tx,
        caller,
        &d,
        "legislative_draft.decide",
        json!({"comment_id": comment_id, "decision": decision}),
    )
    .await?;
    Ok(())
}

/// Staff close the draft to comments.
pub async fn close(
    db: &Db,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<Draft, StoreError> {
    let mut tx = db.begin().await?;
    let out = close_in(&mut tx, caller, id, expected).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`close`] inside an open transaction.
pub async fn close_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<Draft, StoreError> {
    let d = load(tx, caller, id).await?;
    if !sees_all(caller, &d) {
        return Err(StoreError::Forbidden);
    }
    if d.state != "open" {
        return Err(StoreError::Conflict {
            code: "draft_closed",
            current: Some(d.state.clone()),
        });
    }
    let moved = on_tx!(tx, |c| sqlx::query(
        "UPDATE legislative_drafts SET state = 'closed', version = version + 1, updated_at = $1
         WHERE id = $2 AND version = $3"
    )
    .bind(crate::clock::now())
    .bind(id)
    .bind(expected.unwrap_or(d.version))
    .execute(c)
    .await?
    .rows_affected());
    if moved == 0 {
        return Err(StoreError::stale(d.version));
    }
    log(tx, caller, &d, "legislative_draft.close", json!({})).await?;
    let d = load(tx, caller, id).await?;
    Ok(d)
}

/// The ids of a draft's paragraphs, in order.
pub(crate) async fn paragraph_ids_in(tx: &mut Tx, draft_id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM draft_parts WHERE draft_id = $1 AND kind = 'paragraph' ORDER BY position"
    )
    .bind(draft_id)
    .fetch_all(c)
    .await?))
}
