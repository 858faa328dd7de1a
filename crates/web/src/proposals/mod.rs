//! Proposals (提案): their pages and their JSON API.

pub mod api;
pub mod pages;
