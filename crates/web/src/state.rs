//! What every handler shares: the database and the server's settings.

use store::Db;

/// Server settings that handlers need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest upload (a request to an `…/attachments` address), in bytes.
    pub upload_limit: usize,
    /// Mark cookies `Secure` (set when the public URL is https, or when a
    /// proxy says the request came over https).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a proxy only).
    pub trust_proxy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            body_limit: 1024 * 1024,
            upload_limit: domain::files::MAX_FILE + 256 * 1024,
            secure_cookies: false,
            trust_proxy: false,
        }
    }
}

/// The state every handler receives.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Settings,
    /// This server's full-text index, kept current from the event log.
    pub search: search::Search,
}
