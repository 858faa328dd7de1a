//! Consultations (协商议政), issue 5: their pages and their JSON API.

pub mod api;
pub mod pages;
pub mod plans_api;
pub mod plans_pages;
