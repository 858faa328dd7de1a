//! Pagination of collections.

use serde::Serialize;

/// The page a caller asked for, already bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// Largest page size served.
    pub const MAX_PER_PAGE: i64 = 200;

    /// Bounds what a client sent: page at least 1, 1 to 200 per page (20 by default).
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        PageRequest {
            page: page.unwrap_or(1).clamp(1, 1_000_000),
            per_page: per_page.unwrap_or(20).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The page asked for, holding `items` of `total` in all.
    pub fn of<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            total,
            page: self.page,
            per_page: self.per_page,
            source: None,
        }
    }
}

/// One page of a collection with the total count.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The read cache's key of the answer this page was read from, for the
    /// reads that go through it (see `Db::cached`): what is worked out from
    /// this page alone, such as its rows rendered in one language, may be
    /// kept under a key built on it, and is then dropped with it when the
    /// data changes.
    #[serde(skip)]
    pub source: Option<std::sync::Arc<str>>,
}

impl<T: Clone> Page<std::sync::Arc<T>> {
    /// The page with its rows copied out of their shared form.
    pub fn owned(self) -> Page<T> {
        Page {
            items: self.items.iter().map(|t| T::clone(t)).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            source: self.source,
        }
    }
}

impl<T> Page<T> {
    /// How many pages there are in all (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}
