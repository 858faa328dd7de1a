//! Online deliberation (网络议政): the JSON API, the pages (the topic with
//! its voting card, the moderation queue, the results with the opinion
//! map) and the signed cookie that identifies anonymous public participants.

pub mod api;
pub mod pages;

use crate::ctx::{Ctx, cookie};
use crate::error::WebResult;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// The cookie of an anonymous participant: `key.signature`.
pub const VOICE_COOKIE: &str = "xs_voice";
/// The cookie lasts a year: a visitor keeps their votes across visits.
const VOICE_MAX_AGE: i64 = 365 * 86_400;

/// The committee whose deliberations a list shows, the same for the page
/// and the API: the one asked for, else a signed-in user's own (as every
/// other list defaults to it); an anonymous visitor who names none sees the
/// public ones of every committee.
fn listed_committee(ctx: &Ctx, asked: Option<i64>) -> WebResult<Option<i64>> {
    Ok(match &ctx.user {
        Some(_) => Some(crate::platform::org_pages::chosen_committee(ctx, asked)?),
        None => asked,
    })
}

/// An anonymous visitor's key as the cookie carries it, if its signature is
/// ours.
fn verified(secret: &str, value: &str) -> Option<String> {
    let (key, sig) = value.split_once('.')?;
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let want = store::ids::hmac_sha256_hex(secret.as_bytes(), key.as_bytes());
    // Constant time: the signature's bytes are compared whole.
    (want.len() == sig.len()
        && want
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0)
        .then(|| key.to_string())
}

/// Who speaks in a request: nobody extra for a signed-in user; for an
/// anonymous visitor, the key of their signed cookie, made (with the cookie
/// to set) when `make` and they have none.
pub struct Speaker {
    pub key: Option<String>,
    pub set_cookie: Option<HeaderValue>,
}

impl Speaker {
    pub async fn of(
        state: &AppState,
        ctx: &Ctx,
        headers: &HeaderMap,
        make: bool,
    ) -> WebResult<Self> {
        let none = Speaker {
            key: None,
            set_cookie: None,
        };
        if ctx.user.is_some() {
            return Ok(none);
        }
        let secret = store::deliberations::signing_key(&state.db).await?;
        if let Some(key) = cookie(headers, VOICE_COOKIE).and_then(|v| verified(&secret, v)) {
            return Ok(Speaker {
                key: Some(key),
                set_cookie: None,
            });
        }
        if !make {
            return Ok(none);
        }
        let key: String = store::ids::new_token()?.chars().take(32).collect();
        let sig = store::ids::hmac_sha256_hex(secret.as_bytes(), key.as_bytes());
        Ok(Speaker {
            set_cookie: Some(ctx.cookie(
                VOICE_COOKIE,
                &format!("{key}.{sig}"),
                Some(VOICE_MAX_AGE),
                true,
            )),
            key: Some(key),
        })
    }

    /// The store's view of the speaker.
    pub fn voice<'a>(&'a self, caller: &'a store::Caller) -> store::deliberations::Voice<'a> {
        store::deliberations::Voice {
            caller,
            anon_key: self.key.as_deref(),
        }
    }

    /// Sets the cookie on the answer when one was made.
    pub fn finish(&self, mut r: Response) -> Response {
        if let Some(c) = &self.set_cookie {
            r.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        r
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_our_signature_passes() {
        let key = "0123456789abcdef0123456789abcdef";
        let sig = store::ids::hmac_sha256_hex(b"s3cret", key.as_bytes());
        assert_eq!(
            super::verified("s3cret", &format!("{key}.{sig}")).as_deref(),
            Some(key)
        );
        assert_eq!(super::verified("other", &format!("{key}.{sig}")), None);
        let forged = format!("{}.{sig}", "f".repeat(32));
        assert_eq!(super::verified("s3cret", &forged), None);
        assert_eq!(super::verified("s3cret", key), None);
    }
}
