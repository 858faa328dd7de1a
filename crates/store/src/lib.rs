//! Xieshang's database layer: one [`Db`] over SQLite or PostgreSQL, the schema
//! migrations of both, and the commands that change records. Each command runs
//! in one transaction: it loads and checks, asks `domain` whether the caller
//! may act, writes the record and appends the audit event, or does nothing.

pub mod affinity;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod cache;
pub mod citizens;
pub mod clock;
pub mod commitments;
pub mod consultation_links;
pub mod consultation_people;
pub mod consultations;
pub mod db;
pub mod deadlines;
pub mod deliberation_ballots;
pub mod deliberation_results;
pub mod deliberations;
pub mod demo;
pub mod error;
pub mod experts;
mod fields;
pub mod ids;
pub mod legislation;
mod like;
pub mod meetings;
pub mod members;
pub mod migrate;
pub mod notifications;
pub mod opinions;
pub mod page;
pub mod plans;
pub mod platform;
pub mod proposals;
pub mod rubrics;
pub mod search_feed;
pub mod studios;
pub mod supervision;
mod versions;

pub use db::{Db, Tx};
pub use error::StoreError;
pub use platform::caller::Caller;
