//! What every area shares: committees, bodies, accounts, sessions, login
//! throttling, idempotency keys and background-job leases.

pub mod bodies;
pub mod caller;
pub mod committees;
pub mod idempotency;
pub mod jobs;
pub mod sessions;
pub mod throttle;
pub mod users;
