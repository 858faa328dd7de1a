//! Xieshang's pure rules: the types of the domain, who may do what, and the
//! validation of every form. Nothing here does I/O, so every rule is testable
//! in isolation and shared by the web pages and the JSON API alike.

pub mod citizens;
pub mod consultations;
pub mod deliberations;
pub mod diff;
pub mod files;
pub mod meetings;
pub mod members;
pub mod opinions;
pub mod platform;
pub mod proposals;
pub mod regulations;
pub mod supervision;
pub mod validate;
