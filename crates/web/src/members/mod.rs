//! Pages and API of members (委员).

pub mod api;
pub mod pages;
