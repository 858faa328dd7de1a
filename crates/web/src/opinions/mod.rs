//! Public-opinion information (社情民意信息): pieces and bulletin issues.

pub mod api;
pub mod export;
pub mod pages;
