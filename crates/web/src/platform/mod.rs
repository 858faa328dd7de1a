//! Pages and API of what every area shares: sign-in, accounts, committees,
//! bodies, users and the audit trail.

pub mod api;
pub mod org_pages;
pub mod pages;
pub mod user_pages;
