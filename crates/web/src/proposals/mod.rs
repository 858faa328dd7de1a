//! The JSON API of proposals (提案). Pages come with the rest of the proposals issue.

pub mod api;
