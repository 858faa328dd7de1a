//! The deadline job of proposals: warns the officers of the lead units when an
//! answer falls due within [`WARN_DAYS`], and flags it to them and to the
//! proposals office once it is overdue. Each proposal is noticed once per stage
//! and deadline (an extension starts afresh): the notice row's primary key
//! decides, so two servers running the job at once cannot both send it.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, on_tx};
use crate::error::StoreError;
use crate::notifications;
use serde_json::json;

/// Days before the deadline when the lead units are warned.
pub const WARN_DAYS: i64 = 14;
const DAY: i64 = 86_400_000_000;
/// Proposals noticed per run at most; the next run takes the rest.
const BATCH: i64 = 500;

/// What one run noticed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Noticed {
    pub due_soon: usize,
    pub overdue: usize,
    pub notifications: usize,
}

/// Runs the deadline job once over every committee.
pub async fn run(db: &Db) -> Result<Noticed, StoreError> {
    let now = crate::clock::now();
    let mut noticed = Noticed::default();
    for (stage, kind) in [
        ("overdue", "proposal.overdue"),
        ("due_soon", "proposal.deadline_soon"),
    ] {
        let (from, until) = if stage == "overdue" {
            (i64::MIN, now)
        } else {
            (now, now + WARN_DAYS * DAY)
        };
        let due: Vec<(i64, i64, String, i64)> = crate::db::on_db!(db, |c| {
            sqlx::query_as(
                "SELECT p.id, p.committee_id, p.title, p.deadline_at FROM proposals p
                 WHERE p.state IN ('assigned', 'in_handling') AND p.deadline_at >= $1 AND p.deadline_at < $2
                   AND NOT EXISTS (SELECT 1 FROM proposal_deadline_notices d
                                   WHERE d.proposal_id = p.id AND d.stage = $3 AND d.deadline_at = p.deadline_at)
                 ORDER BY p.deadline_at LIMIT $4",
            )
            .bind(from)
            .bind(until)
            .bind(stage)
            .bind(BATCH)
            .fetch_all(c)
            .await?
        });
        for (id, committee_id, title, deadline) in due {
            let mut tx = db.begin().await?;
            let claimed = on_tx!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO proposal_deadline_notices (proposal_id, stage, deadline_at, created_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (proposal_id, stage, deadline_at) DO NOTHING",
                )
                .bind(id)
                .bind(stage)
                .bind(deadline)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
            });
            if claimed == 0 {
                // Another server noticed it first.
                continue;
            }
            // The officers of the lead units; for overdue ones also the proposals office.
            let mut people: Vec<i64> = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                    "SELECT DISTINCT g.user_id FROM grants g JOIN proposal_units pu ON pu.unit_id = g.unit_id
                     JOIN users u ON u.id = g.user_id
                     WHERE pu.proposal_id = $1 AND pu.role = 'lead' AND g.role = 'unit_officer' AND u.disabled = $2",
                )
                .bind(id)
                .bind(false)
                .fetch_all(c)
                .await?
            });
            if stage == "overdue" {
                let office: Vec<(i64, String)> = on_tx!(&mut tx, |c| {
                    sqlx::query_as(
                        "SELECT g.user_id, g.offices FROM grants g JOIN users u ON u.id = g.user_id
                         WHERE g.committee_id = $1 AND g.role = 'staff' AND u.disabled = $2",
                    )
                    .bind(committee_id)
                    .bind(false)
                    .fetch_all(c)
                    .await?
                });
                people.extend(
                    office
                        .into_iter()
                        .filter(|(_, offices)| offices.split(',').any(|o| o.trim() == "proposals"))
                        .map(|(u, _)| u),
                );
            }
            people.sort_unstable();
            people.dedup();
            for user in &people {
                notifications::notify_in(&mut tx, *user, kind, ("proposal", id), &title).await?;
            }
            audit::append(
                &mut tx,
                Change {
                    committee_id: Some(committee_id),
                    action: if stage == "overdue" {
                        "proposal.overdue"
                    } else {
                        "proposal.deadline_soon"
                    },
                    record_type: "proposal",
                    record_id: Some(id),
                    changes: json!({"deadline_at": crate::clock::rfc3339(deadline), "notified": people.len()}),
                    caller: &Caller::system(),
                },
            )
            .await?;
            tx.commit().await?;
            if stage == "overdue" {
                noticed.overdue += 1;
            } else {
                noticed.due_soon += 1;
            }
            noticed.notifications += people.len();
        }
    }
    Ok(noticed)
}
