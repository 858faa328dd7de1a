//! Consultations (协商议政), issue 5: their pages and their JSON API — the
//! consultations and the annual plan, the work inside a consultation
//! (participants, draft comments, meetings, rubric), the expert pool and
//! democratic supervision, and legislative consultation on drafts.

pub mod api;
pub mod legislation_api;
pub mod legislation_pages;
pub mod meetings_pages;
pub mod pages;
pub mod plans_api;
pub mod plans_pages;
pub mod pool_api;
pub mod pool_pages;
pub mod work_api;
