//! What the client needs from its environment, and nothing else: a clock, entropy, HTTP,
//! storage, windows (popups, hidden frames), cross-tab locks and messages, timers, logging.
//! Platforms serve; the flows that use them live in [`client`](crate::client) and are written
//! once. The browser implementation lives in `browser/` (wasm32 only); `memory` provides
//! in-memory stores, a stepped clock, scripted windows and several tabs for native tests.

use crate::prelude::*;

use crate::core::cache::KeyValueStore;
use crate::core::dpop::{KeyKind, PublicJwk};
use crate::core::http::{HttpRequest, HttpResponse};
use crate::error::{codes, AuthError};
use ::core::future::Future;

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod memory;

/// Where the token cache lives (msal's `cacheLocation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheLocation {
    /// `sessionStorage` (default): one tab.
    #[default]
    SessionStorage,
    /// `localStorage`: every tab, survives restarts.
    LocalStorage,
    /// Memory only.
    MemoryStorage,
}

impl CacheLocation {
    /// Parses msal's names.
    pub fn parse(s: &str) -> Option<CacheLocation> {
        match s {
            "sessionStorage" => Some(CacheLocation::SessionStorage),
            "localStorage" => Some(CacheLocation::LocalStorage),
            "memoryStorage" => Some(CacheLocation::MemoryStorage),
            _ => None,
        }
    }
}

/// Size and position of a popup (msal's `popupWindowAttributes`); `None` centres 483×600.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PopupAttributes {
    /// `(width, height)`; a negative one is the default.
    pub size: Option<(i32, i32)>,
    /// `(top, left)`; a negative one is centred.
    pub position: Option<(i32, i32)>,
}

/// Why a popup or a hidden frame ended without an authorize response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowError {
    /// The browser returned no window (popup blocked).
    Blocked,
    /// Opening the window threw.
    OpenFailed,
    /// The user closed the popup.
    UserCancelled,
    /// Nothing arrived within the timeout.
    TimedOut,
    /// A page of another origin loaded in the hidden frame and nothing followed (the provider
    /// showed a page instead of answering: third-party cookies blocked, framing refused).
    NoResponse,
    /// The redirect bridge sent an empty response.
    EmptyResponse,
    /// Another interactive request took the tab's interaction lock over
    /// (`overrideInteractionInProgress`).
    Cancelled,
    /// The popup relay page refused the request (msal's `popup_relay_unsupported_flow`), for
    /// the reason named (its sub-error, e.g. `popup_relay_untrusted_authority`).
    RelayRefused(&'static str),
    /// The window failed otherwise.
    Failed,
}

/// What [`Platform::wait_for_popup`] needs when the popup runs msal's popup relay page
/// (`auth.popupRelayUri`): the response comes back from that page by `postMessage`. `Debug`
/// leaves out the request (it carries the sign-in's state and nonce).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Relay<'a> {
    /// The relay's protocol: 1, the request in the relay page's address; 2, handed over once
    /// the page asks for it.
    pub version: u8,
    /// Protocol 2: the request to hand over (`{"id","method":"GET","url"}`, or a POST's
    /// `action` and `fields`).
    pub request: &'a str,
}

impl ::core::fmt::Debug for Relay<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Relay").field("version", &self.version).field("request", &crate::secret::shown(self.request)).finish()
    }
}

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

impl LogLevel {
    /// From msal's number (above 4 is Trace).
    pub fn from_number(n: u64) -> LogLevel {
        match n {
            0 => LogLevel::Error,
            1 => LogLevel::Warning,
            2 => LogLevel::Info,
            3 => LogLevel::Verbose,
            _ => LogLevel::Trace,
        }
    }
}

/// The environment a client runs in.
#[allow(async_fn_in_trait)]
pub trait Platform {
    /// The persistent store of the token cache.
    type Store: KeyValueStore;
    /// A popup window that is open.
    type Popup;
    /// A cross-tab lock, held until dropped.
    type Lock;

    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError>;
    /// Sends an HTTP request; gives up after `timeout_ms` (the request is aborted) with the
    /// network error a failed request gets.
    fn send(&self, request: HttpRequest, timeout_ms: u64) -> impl Future<Output = Result<HttpResponse, AuthError>>;
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
    /// The id of the page the client runs in, the same for every client of the page (its
    /// `sessionStorage` is theirs too); empty where there is no page.
    fn page_id(&self) -> String {
        String::new()
    }
    /// The address of the page the client runs in (`window.location.href`); empty where there
    /// is no page. The default redirect URI is this address without query and fragment, and
    /// relative redirect URIs resolve against it.
    fn page_url(&self) -> String {
        String::new()
    }
    /// True when the page runs inside a frame (`window.parent !== window`): no redirects from
    /// there, and a frame whose address holds a response is one of msal's hidden frames.
    fn in_frame(&self) -> bool {
        false
    }
    /// False when the browser says it is offline (`navigator.onLine`): a hidden frame then
    /// shows the browser's error page, which is no sign that frames get no answer here.
    fn online(&self) -> bool {
        true
    }
    /// msal 5's popup origin check: no window of another origin frames or opened this page, so
    /// none can reach its popups (Entra then leaves Cross-Origin-Opener-Policy off its pages).
    /// By default: when the page is not framed.
    fn origin_check(&self) -> bool {
        !self.in_frame()
    }
    /// Emits a log line that has already been scrubbed of PII unless PII logging is on, with
    /// the correlation id of the call it is about (`""` for none).
    fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        let _ = (level, correlation_id, message);
    }

    /// Opens a popup at `url`, synchronously (so that it opens inside the user's gesture).
    fn open_popup(&self, url: &str, name: &str, attributes: PopupAttributes) -> Result<Self::Popup, WindowError>;
    /// Sends a popup opened at `about:blank` to `url` (the request's URL was not known when
    /// the click opened it), or posts `form`'s fields to it. Fails when the popup is gone.
    fn navigate_popup(&self, popup: &mut Self::Popup, url: &str, form: Option<&str>) -> Result<(), WindowError>;
    /// Closes a popup that will not be used.
    fn close_popup(&self, popup: Self::Popup);
    /// Ends every [`wait_for_popup`](Self::wait_for_popup) of this tab with
    /// [`WindowError::Cancelled`], closing their popups (a request took the interaction over).
    fn cancel_popup_waits(&self) {}
    /// Waits for the authorize response of the request whose state id is `state_id` in
    /// `popup`: its address once it is back on the app's origin, or the redirect bridge's
    /// message; with a `relay`, only the relay page's message. Closes the popup when done.
    /// Logs under `correlation_id`.
    fn wait_for_popup(
        &self,
        popup: Self::Popup,
        state_id: &str,
        timeout_ms: u64,
        correlation_id: &str,
        relay: Option<Relay<'_>>,
    ) -> impl Future<Output = Result<String, WindowError>>;
    /// Loads `url` in a hidden frame (or posts `form`'s fields to it there) and waits for the
    /// authorize response (as [`wait_for_popup`](Self::wait_for_popup)); a page of another
    /// origin that loaded and was followed by nothing for `settle_ms` (`0`: no such bound) is
    /// [`WindowError::NoResponse`]. The frame is removed.
    fn load_hidden_frame(
        &self,
        url: &str,
        form: Option<&str>,
        state_id: &str,
        timeout_ms: u64,
        settle_ms: u64,
    ) -> impl Future<Output = Result<String, WindowError>>;
    /// Takes the lock `name`, shared by the app's tabs: waits for it up to `wait_ms` (`0`: gives
    /// `None` at once when another holder has it), then gives `None`. A tab that goes away
    /// releases its locks; a holder that never lets go (a hung tab, a hostile page of the
    /// origin) costs a waiter `wait_ms` at most.
    fn lock(&self, name: &str, wait_ms: u64) -> impl Future<Output = Option<Self::Lock>>;
    /// Shows the app's other clients (in other tabs, or beside this one in the page) the mark
    /// `name`, with `value`, for `ms`. Marks are ordered with the locks (a client that takes a
    /// lock after another one marked, sees the mark), which messages and storage events are not.
    fn mark(&self, name: &str, value: u64, ms: u64) -> impl Future<Output = ()>;
    /// While other clients show the mark `name`: the largest of their values; else `None`.
    fn marked_elsewhere(&self, name: &str) -> impl Future<Output = Option<u64>>;
    /// While other clients show marks whose names start with `prefix`: the largest of their
    /// values; else `None`.
    fn marked_elsewhere_under(&self, prefix: &str) -> impl Future<Output = Option<u64>>;
    /// Resolves after `ms`.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// Resolves after `ms`, or sooner when another tab of the app writes to the shared storage
    /// or posts to the app's channel: what a tab waiting for another tab's result waits for
    /// (browsers run a background tab's timers late, its events not). The caller looks again
    /// for what it waits for. Default: [`sleep`](Self::sleep).
    fn wait_for_tabs(&self, ms: u64) -> impl Future<Output = ()> {
        self.sleep(ms)
    }
    /// Readies the cache store before its first read (the browser decrypts an encrypted
    /// `localStorage` cache into memory). Until then the store reads as empty.
    fn load_storage(&self) -> impl Future<Output = ()> {
        async {}
    }
    /// Resolves once every cache write made so far is stored (the browser encrypts a
    /// `localStorage` cache's entries in the background): a result is handed out after this,
    /// as msal's, so a page that reloads or leaves at once keeps it.
    fn settle_storage(&self) -> impl Future<Output = ()> {
        async {}
    }

    /// Makes a binding key pair (ECDSA P-256 for DPoP, RSA 2048 for msal's PoP; the private key
    /// never leaves the platform: in the browser it is unextractable) and keeps it under its thumbprint ([`PublicJwk::thumbprint`]), for the
    /// app's later pages and tabs. Gives the public key. Default: no keys here.
    fn make_binding_key(&self, kind: KeyKind) -> impl Future<Output = Result<PublicJwk, AuthError>> {
        let _ = kind;
        async { Err(no_binding_keys()) }
    }
    /// Whether the key `kid` outlives this page (false: kept in its memory only, the browser
    /// refusing IndexedDB), so a redirect's next page finds it.
    fn binding_key_lasts(&self, kid: &str) -> bool {
        let _ = kid;
        true
    }
    /// The public key kept under `kid`; `None` when there is none (removed, or another browser).
    fn binding_key(&self, kid: &str) -> impl Future<Output = Option<PublicJwk>> {
        let _ = kid;
        async { None }
    }
    /// Signs `data` with the key `kid`: ES256 (the raw 64-byte `r || s`) or RS256.
    fn sign_with_binding_key(&self, kid: &str, data: &[u8]) -> impl Future<Output = Result<Vec<u8>, AuthError>> {
        let _ = (kid, data);
        async { Err(no_binding_keys()) }
    }
    /// Forgets the key `kid`.
    fn remove_binding_key(&self, kid: &str) -> impl Future<Output = ()> {
        let _ = kid;
        async {}
    }
}

/// The error of a platform that keeps no keys.
fn no_binding_keys() -> AuthError {
    AuthError::client(codes::UNSUPPORTED_AUTHENTICATION_SCHEME, "this platform keeps no DPoP keys")
}
