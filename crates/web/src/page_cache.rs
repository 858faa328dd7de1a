//! Whole pages kept for their reader while nothing they show changes.
//!
//! A list page is a function of what its reader's session holds (name,
//! roles, CSRF token, unread notifications), the language, the address and
//! the data it lists. On SQLite all of that data is read through the read
//! cache, which knows when the database changes (see `store::cache`); so a
//! page rendered once can be sent again, as it was, to the same session for
//! the same address until the next commit anywhere. Staff reloading a list,
//! going back to it, or paging back and forth then cost a lookup instead of
//! building and escaping some five hundred pieces of text.
//!
//! Only pages whose every input is covered may be kept: the handler says so
//! by passing the read cache's key of the answer it lists (a page from the
//! search index, which the data version does not cover, has none), and
//! leaves out filters that depend on the clock (overdue, due within days).
//! On PostgreSQL nothing is kept.

use crate::ctx::Ctx;
use crate::error::WebResult;
use axum::body::Bytes;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;
use store::Db;

/// Where a reader's page is kept, if it may be: a handler asks it for the
/// kept page first, and fills it with the page it renders otherwise.
pub struct Slot(Option<String>);

impl Slot {
    /// The slot of the signed-in reader's page at `uri`, over the answer kept
    /// under `source`; none for a visitor or without a source (a page that
    /// may not be kept).
    pub fn new(ctx: &Ctx, uri: &Uri, source: Option<&str>) -> Slot {
        Slot(source.and_then(|source| key(ctx, uri.path(), uri.query(), source)))
    }

    /// The page kept in this slot, as a response.
    pub fn kept(&self, db: &Db) -> Option<Response> {
        let page = db.kept::<String>(self.0.as_deref()?)?;
        Some(respond(page))
    }

    /// Renders `page`, keeps it in this slot if there is one, and answers it.
    pub fn fill(self, db: &Db, page: impl askama::Template) -> WebResult<Response> {
        let text = crate::platform::pages::render(page)?;
        Ok(match self.0 {
            Some(key) => respond(db.keep(key, text)),
            None => Html(text).into_response(),
        })
    }
}

/// The key of a signed-in reader's page at `path` with `query`, over the
/// answer kept under `source`; `None` for a visitor.
fn key(ctx: &Ctx, path: &str, query: Option<&str>, source: &str) -> Option<String> {
    let user = ctx.user.as_ref()?;
    let query = query.unwrap_or_default();
    let mut key =
        String::with_capacity(8 + path.len() + query.len() + user.token.len() + source.len());
    for part in ["page", ctx.lang.tag(), &user.token, path, query, source] {
        key.push_str(part);
        key.push('\u{1f}');
    }
    Some(key)
}

/// A kept page's text, shared with the response body without a copy.
struct Shared(Arc<String>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The HTML response of a kept page.
fn respond(page: Arc<String>) -> Response {
    Html(Bytes::from_owner(Shared(page))).into_response()
}
