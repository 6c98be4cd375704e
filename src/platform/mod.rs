//! What the client needs from its environment. The browser implementation lives in
//! `browser/` (wasm32 only); `memory` provides in-memory stores and scripted fakes for tests.

use crate::core::cache::KeyValueStore;
use crate::core::http::{HttpRequest, HttpResponse};
use crate::error::AuthError;
use std::future::Future;

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod memory;

/// Log levels, as msal's `LogLevel` (Error = 0 ... Trace = 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Errors.
    Error = 0,
    /// Warnings.
    Warning = 1,
    /// Information.
    Info = 2,
    /// Detailed information.
    Verbose = 3,
    /// Everything.
    Trace = 4,
}

/// The environment a client runs in.
#[allow(async_fn_in_trait)]
pub trait Platform {
    /// The persistent store of the token cache.
    type Store: KeyValueStore;

    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError>;
    /// Sends an HTTP request.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, AuthError>>;
    /// The store the token cache persists to (called once, when the client is built).
    fn cache_store(&self) -> Self::Store;
    /// The per-tab store for interaction state (sessionStorage in browsers).
    fn temp_store(&self) -> &dyn KeyValueStore;
    /// Tells the app's other tabs about an account change (a JSON message without tokens);
    /// [`PublicClientApplication::apply_announcement`](crate::client::PublicClientApplication::apply_announcement)
    /// applies it there. Default: nobody to tell.
    fn announce(&self, message: &str) {
        let _ = message;
    }
    /// The address of the page the client runs in (`window.location.href`); empty where there
    /// is no page. The default redirect URI is this address without query and fragment, and
    /// relative redirect URIs resolve against it.
    fn page_url(&self) -> String {
        String::new()
    }
    /// Emits a log line that has already been scrubbed of PII unless PII logging is on.
    fn log(&self, level: LogLevel, message: &str) {
        let _ = (level, message);
    }
}
