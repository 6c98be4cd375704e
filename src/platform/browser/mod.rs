//! The browser platform (wasm32): fetch, Web Storage, `crypto.getRandomValues`, `Date.now`,
//! and the window mechanics in `window.js`. Every browser call that can fail maps to an
//! [`AuthError`]; a missing or throwing storage falls back to memory.

use crate::prelude::*;

use super::{CacheLocation, LogLevel, Platform, PopupAttributes, Relay, WindowError};
use crate::core::cache::{KeyValueStore, MemoryStore};
use crate::core::dpop::{KeyKind, PublicJwk};
use crate::core::http::{HttpRequest, HttpResponse, Method};
use crate::core::json::Json;
use crate::error::{codes, AuthError, ErrorKind, Kept};
use alloc::rc::Rc;
use core::cell::Cell;
use core::sync::atomic::{AtomicU32, Ordering};
use runtime::promised;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub mod runtime;
pub mod window;

/// A Web Storage area, or memory when the browser refuses one.
#[derive(Debug)]
pub enum WebStore {
    /// `localStorage` or `sessionStorage`, with an in-memory overflow for values the browser
    /// refuses (quota exceeded): they live for this page only, and reads see them. The
    /// client's log sink hears of it. Last, what the store last saw of the storage (see
    /// [`KeyValueStore::written_elsewhere`]).
    Web(JsValue, MemoryStore, JsValue, Seen),
    /// In-memory (by choice, or because Web Storage is unavailable).
    Memory(MemoryStore),
    /// `localStorage` with accounts and credentials encrypted at rest (msal-browser v4/v5's
    /// format), read from memory once [`Platform::load_storage`] has decrypted them. Last, the
    /// number of keys it last saw in `localStorage` (-1: not yet).
    Encrypted(window::EncryptedStore, Cell<i32>),
}

/// What a Web Storage store last saw: the page's write count, and the number of keys in its
/// storage area (-1: not yet). When that number changes without a write of this store (the
/// app's own `sessionStorage.clear()`, or its removal of an entry: no event tells the page of
/// either), the client reads the storage again.
#[derive(Debug)]
pub struct Seen {
    writes: Cell<u32>,
    keys: Cell<i32>,
}

/// What [`Seen`] holds for a number of keys another writer changed before this store's own
/// write moved it again (the two may cancel out).
const MOVED: i32 = -2;

/// True when the storage's number of keys is not the one last seen (both known), or moved
/// meanwhile; remembers it.
fn keys_moved(seen: &Cell<i32>, now: i32) -> bool {
    let before = seen.replace(now);
    before == MOVED || (before >= 0 && now >= 0 && before != now)
}

/// Writes to Web Storage by every store of the page (the wasm is loaded once per page): another
/// client of the page writes to the storage area without an event that this one would hear.
static PAGE_WRITES: AtomicU32 = AtomicU32::new(0);

/// Counts a write of the store that saw `seen`, which moved the storage's number of keys from
/// `before` to `after`: it stays in step, in the page's write count and in the number of keys,
/// unless another writer changed them since it last looked.
fn count_write(seen: &Seen, before: i32, after: i32) {
    let n = PAGE_WRITES.load(Ordering::Relaxed);
    PAGE_WRITES.store(n.wrapping_add(1), Ordering::Relaxed);
    if seen.writes.get() == n {
        seen.writes.set(n.wrapping_add(1));
    }
    match seen.keys.get() {
        last if last == before || last == -1 => seen.keys.set(after),
        _ => seen.keys.set(MOVED),
    }
}

impl WebStore {
    /// Opens `location`; falls back to memory (and says so) when storage is blocked.
    pub fn open(location: CacheLocation, log_sink: &JsValue) -> (WebStore, bool) {
        let area = storage_area(location);
        if area.is_null() {
            return (WebStore::Memory(MemoryStore::new()), location != CacheLocation::MemoryStorage);
        }
        (
            WebStore::Web(
                area,
                MemoryStore::new(),
                log_sink.clone(),
                Seen { writes: Cell::new(PAGE_WRITES.load(Ordering::Relaxed)), keys: Cell::new(-1) },
            ),
            false,
        )
    }
}

/// The Web Storage area of `location` (`null` for memory, or when the browser refuses it).
pub fn storage_area(location: CacheLocation) -> JsValue {
    match location {
        CacheLocation::MemoryStorage => JsValue::NULL,
        _ => window::storage_area(location == CacheLocation::SessionStorage),
    }
}

impl KeyValueStore for WebStore {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            WebStore::Encrypted(e, _) => e.get(key),
            WebStore::Web(s, overflow, ..) => overflow.get(key).or_else(|| window::storage_get(s, key)),
            WebStore::Memory(m) => m.get(key),
        }
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        match self {
            WebStore::Encrypted(e, _) => {
                if e.set(key, value, false) {
                    Ok(())
                } else {
                    Err(AuthError::new(
                        ErrorKind::Storage,
                        codes::STORAGE_UNAVAILABLE,
                        Kept("the browser refused to store a value (quota exceeded or storage blocked)"),
                    ))
                }
            }
            WebStore::Web(s, overflow, _, seen) => {
                let before = window::storage_length(s);
                let stored = window::storage_set(s, key, value);
                count_write(seen, before, window::storage_length(s));
                match stored {
                    0 => {}
                    1 => {
                        return Err(AuthError::new(ErrorKind::Storage, codes::CACHE_QUOTA_EXCEEDED, "the storage is full (quota exceeded)"))
                    }
                    _ => {
                        return Err(AuthError::new(
                            ErrorKind::Storage,
                            codes::STORAGE_UNAVAILABLE,
                            Kept("the browser refused to store a value (storage blocked)"),
                        ))
                    }
                }
                overflow.remove(key);
                Ok(())
            }
            WebStore::Memory(m) => m.set(key, value),
        }
    }
    fn set_in_clear(&self, key: &str, value: &str) -> Result<(), AuthError> {
        match self {
            WebStore::Encrypted(e, _) => {
                e.set(key, value, true);
                Ok(())
            }
            _ => self.set(key, value),
        }
    }
    fn set_in_memory(&self, key: &str, value: &str) -> Result<(), AuthError> {
        match self {
            // Its entries live in memory already; the disk copy is best effort.
            WebStore::Encrypted(..) => Ok(()),
            WebStore::Web(_, overflow, sink, _) => {
                window::log_to(
                    sink,
                    LogLevel::Warning as u8,
                    "the storage refused a cache entry (full, or blocked); keeping it in memory for this page",
                    "",
                );
                // The stored value stays (as msal's refused write leaves it): a key list removed
                // here would lose every account at the next load.
                overflow.set(key, value)
            }
            WebStore::Memory(m) => m.set(key, value),
        }
    }
    fn remove_keys_naming(&self, a: &str, b: &str) {
        match self {
            WebStore::Encrypted(e, _) => e.remove_naming(a, b),
            WebStore::Web(s, overflow, _, seen) => {
                overflow.remove_keys_naming(a, b);
                let before = window::storage_length(s);
                window::storage_remove_naming(s, a, b);
                let after = window::storage_length(s);
                if after != before {
                    count_write(seen, before, after);
                }
            }
            WebStore::Memory(m) => m.remove_keys_naming(a, b),
        }
    }
    fn remove(&self, key: &str) {
        match self {
            WebStore::Encrypted(e, _) => e.remove(key),
            WebStore::Web(s, overflow, _, seen) => {
                overflow.remove(key);
                let before = window::storage_length(s);
                window::storage_remove(s, key);
                count_write(seen, before, window::storage_length(s));
            }
            WebStore::Memory(m) => m.remove(key),
        }
    }
    fn contains(&self, key: &str) -> bool {
        match self {
            WebStore::Encrypted(e, _) => e.contains(key),
            // (The storage's, not what it refused and the page keeps.)
            WebStore::Web(s, ..) => window::storage_get(s, key).is_some(),
            WebStore::Memory(m) => m.contains(key),
        }
    }
    fn holds(&self, key: &str) -> bool {
        match self {
            WebStore::Encrypted(e, _) => e.holds(key),
            _ => self.get(key).is_some(),
        }
    }
    fn keys(&self) -> Vec<String> {
        match self {
            WebStore::Encrypted(e, _) => e.keys(),
            WebStore::Web(s, overflow, ..) => {
                let mut keys = window::storage_keys(s);
                for k in overflow.keys() {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                keys
            }
            WebStore::Memory(m) => m.keys(),
        }
    }
    fn written_elsewhere(&self) -> bool {
        match self {
            WebStore::Web(s, .., seen) => {
                let n = PAGE_WRITES.load(Ordering::Relaxed);
                (seen.writes.replace(n) != n) | keys_moved(&seen.keys, window::storage_length(s))
            }
            // (Its own writes reach the disk later: one more re-read after a save.)
            WebStore::Encrypted(e, keys) => keys_moved(keys, e.length()),
            WebStore::Memory(_) => false,
        }
    }
}

/// The browser platform.
#[derive(Debug)]
pub struct BrowserPlatform {
    cache: Rc<WebStore>,
    temp: WebStore,
    channel: ::core::cell::RefCell<JsValue>,
    log_sink: JsValue,
    network: JsValue,
    /// Whose marks this client's are (`window::mark_owner`): another client of the page is
    /// another holder, as another tab is.
    marker: u32,
    /// Popups are waited for as msal 4 did ([`Config::legacy_polling`](crate::client::Config)).
    legacy_polling: bool,
}

impl BrowserPlatform {
    /// A platform for the client `client_id` whose cache lives in `location` (encrypted at rest
    /// in `localStorage`); its log lines go to `log_sink(level, message)` (none when it is not
    /// a function); its HTTP requests go through `network`, an msal `INetworkModule`
    /// (`system.networkClient`), when it is an object, else through fetch.
    pub fn new(location: CacheLocation, client_id: &str, log_sink: JsValue, network: JsValue) -> BrowserPlatform {
        let (mut cache, fell_back) = WebStore::open(location, &log_sink);
        if location == CacheLocation::LocalStorage && matches!(cache, WebStore::Web(..)) {
            cache = WebStore::Encrypted(window::encrypted_store(client_id, &log_sink), Cell::new(-1));
        }
        let (temp, _) = WebStore::open(CacheLocation::SessionStorage, &log_sink);
        if fell_back {
            window::log_to(&log_sink, LogLevel::Warning as u8, "storage is unavailable; the token cache falls back to memory", "");
        }
        let network = if network.is_object() { network } else { JsValue::NULL };
        let marker = window::mark_owner();
        BrowserPlatform {
            cache: Rc::new(cache),
            temp,
            channel: ::core::cell::RefCell::new(JsValue::NULL),
            log_sink,
            network,
            marker,
            legacy_polling: false,
        }
    }

    /// Waits for popups as msal 4 did (msal 5's `system.enableLegacyPolling`).
    pub fn with_legacy_polling(mut self, on: bool) -> BrowserPlatform {
        self.legacy_polling = on;
        self
    }

    /// Takes another tab's change of the cache entry `key` into memory (an encrypted cache
    /// keeps its entries there); true when the entry is one it holds.
    pub async fn refresh_entry(&self, key: &str) {
        if let WebStore::Encrypted(e, _) = &*self.cache {
            promised(e.refresh(key)).await.ok();
        }
    }

    /// The encrypted localStorage store (`window.js`'s `EncryptedStore`), when the cache is one
    /// (`window::listen` tells it where to ask for room when the storage is full); else null.
    pub fn encrypted_store(&self) -> JsValue {
        match &*self.cache {
            WebStore::Encrypted(e, _) => e.clone().into(),
            _ => JsValue::NULL,
        }
    }

    /// Sets what the page's listeners for this client's tabs gave (`window::listen`):
    /// [`Platform::announce`] posts on its channel, and the platform stops them when it goes.
    pub fn set_channel(&self, channel: JsValue) {
        *self.channel.borrow_mut() = channel;
    }
}

impl Drop for BrowserPlatform {
    fn drop(&mut self) {
        window::unlisten(self.channel.get_mut());
    }
}

/// The response headers the client reads.
const RESPONSE_HEADERS: [&str; 5] = ["retry-after", "content-type", "dpop-nonce", "www-authenticate", "x-ms-request-id"];

/// Maps a rejection of `window.js` (a reason string) to a [`WindowError`].
fn window_error(reason: &JsValue) -> WindowError {
    match reason.as_string().as_deref() {
        Some("user_cancelled") => WindowError::UserCancelled,
        Some("timed_out") => WindowError::TimedOut,
        Some("iframe_no_response") => WindowError::NoResponse,
        Some("redirect_bridge_empty_response") => WindowError::EmptyResponse,
        Some("interaction_in_progress_cancelled") => WindowError::Cancelled,
        // What a popup relay page answers (msal's sub-errors of popup_relay_unsupported_flow).
        Some(r) if r.starts_with("popup_relay_") => WindowError::RelayRefused(
            [
                "popup_relay_bad_request",
                "popup_relay_unsafe_url",
                "popup_relay_untrusted_authority",
                "popup_relay_invalid_allowed_origin",
                "popup_relay_protocol_mismatch",
                "popup_relay_navigation_failed",
            ]
            .into_iter()
            .find(|s| *s == r)
            .unwrap_or("popup_relay_bad_request"),
        ),
        _ => WindowError::Failed,
    }
}

fn millis(ms: u64) -> u32 {
    // setTimeout takes a signed 32-bit delay: a longer one (24.8 days) fires at once.
    ms.min(i32::MAX as u64) as u32
}

/// Fills `buf` with `crypto.getRandomValues`.
pub fn random(buf: &mut [u8]) -> Result<(), AuthError> {
    if window::random_fill(buf) {
        Ok(())
    } else {
        Err(AuthError::browser(codes::CRYPTO_NONEXISTENT, "window.crypto is not available"))
    }
}

/// A held Web Lock: its release function, called when dropped.
#[derive(Debug)]
pub struct WebLock(JsValue);

impl Drop for WebLock {
    fn drop(&mut self) {
        window::release(&self.0);
    }
}

/// The largest value of the marks other tabs show named `prefix` (`under`: whose names start
/// with it).
async fn others_marked(prefix: &str, owner: u32, under: bool) -> Option<u64> {
    // A value is a time in ms or 0: whole numbers far below 2^53.
    promised(window::others_marked(prefix, owner, under)).await.ok().and_then(|v| v.as_f64()).map(|v| v as u64)
}

impl Platform for BrowserPlatform {
    type Store = Rc<WebStore>;
    type Popup = JsValue;
    type Lock = WebLock;

    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError> {
        random(buf)
    }

    async fn send(&self, request: HttpRequest, timeout_ms: u64) -> Result<HttpResponse, AuthError> {
        let post = request.method == Method::Post;
        let mut headers = Json::object();
        for (k, v) in &request.headers {
            headers.set(k, Json::from(v.as_str()));
        }
        let max_body = u32::try_from(crate::core::token::MAX_BODY_LEN).unwrap_or(u32::MAX);
        // The core sends the correlation id as the query's `client-request-id`.
        let query = request.url.split_once('?').map(|(_, q)| crate::core::url::parse_query(q)).unwrap_or_default();
        let correlation_id = query.iter().find(|(k, _)| k == "client-request-id").map_or("", |(_, v)| v.as_str());
        let sent = window::send(
            post,
            &request.url,
            &headers.to_json(),
            &request.body,
            millis(timeout_ms),
            max_body,
            correlation_id,
            &self.network,
        );
        let answer = promised(sent).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
        let mut answer = Json::parse(&answer).unwrap_or_default();
        let message = answer.string_or_empty("m");
        let status = answer.get("s").and_then(Json::as_u64);
        match (answer.str_field("e"), status) {
            (None, Some(_)) => {}
            (Some("abort"), _) => return Err(crate::error::network_timeout(post)),
            // As msal: an AuthError the app's client threw, else a ClientAuthError.
            (Some("client"), _) => {
                let code = answer.str_field("c").filter(|c| !c.is_empty()).unwrap_or(codes::NETWORK_ERROR);
                let kind = match answer.str_field("n") {
                    Some("BrowserAuthError") => ErrorKind::Browser,
                    Some("ServerError") => ErrorKind::Server,
                    Some("InteractionRequiredAuthError") => ErrorKind::InteractionRequired,
                    Some("ClientConfigurationError") => ErrorKind::Configuration,
                    Some("BrowserConfigurationAuthError") => ErrorKind::BrowserConfiguration,
                    // (msal's base class: what `ErrorKind::Internal` is named.)
                    Some("AuthError") => ErrorKind::Internal,
                    _ => ErrorKind::Client,
                };
                let text = |k: &str| answer.string_or_empty(k);
                return Err(AuthError::from_server_code(kind, code.to_owned(), message).with_sub_error(text("s")).with_server_details(
                    text("t"),
                    text("ts"),
                    text("no"),
                    text("cl"),
                ));
            }
            _ if !window::is_online() => return Err(crate::error::offline()),
            _ => {
                let code = if post { codes::POST_REQUEST_FAILED } else { codes::GET_REQUEST_FAILED };
                return Err(AuthError::new(
                    ErrorKind::Network,
                    code,
                    ["network request failed (CORS, DNS or connection): ", &message].concat(),
                ));
            }
        }
        let mut out_headers = Vec::new();
        for (name, value) in answer.get("h").and_then(Json::as_object).unwrap_or_default() {
            if let (true, Some(v)) = (RESPONSE_HEADERS.contains(&name.as_str()), value.as_str()) {
                out_headers.push((name.clone(), v.to_owned()));
            }
        }
        let body = match answer.remove("b") {
            Some(Json::Str(b)) => b,
            _ => String::new(),
        };
        let status = status.unwrap_or_default().min(u16::MAX as u64) as u16;
        Ok(HttpResponse { status, headers: out_headers, body })
    }

    fn cache_store(&self) -> Self::Store {
        self.cache.clone()
    }

    fn temp_store(&self) -> &dyn KeyValueStore {
        &self.temp
    }

    fn announce(&self, message: &str) {
        window::post(&self.channel.borrow(), message);
    }

    fn page_url(&self) -> String {
        window::page_url()
    }

    fn page_id(&self) -> String {
        window::page_id()
    }

    fn in_frame(&self) -> bool {
        window::in_iframe()
    }

    fn online(&self) -> bool {
        window::is_online()
    }

    fn origin_check(&self) -> bool {
        window::origin_check()
    }

    fn open_popup(&self, url: &str, name: &str, attributes: PopupAttributes) -> Result<JsValue, WindowError> {
        let (w, h) = attributes.size.unwrap_or((-1, -1));
        let (top, left) = attributes.position.unwrap_or((-1, -1));
        match window::open_popup(url, name, w, h, top, left) {
            Ok(p) if !p.is_null() && !p.is_undefined() => Ok(p),
            Ok(_) => Err(WindowError::Blocked),
            Err(_) => Err(WindowError::OpenFailed),
        }
    }

    fn navigate_popup(&self, popup: &mut JsValue, url: &str, form: Option<&str>) -> Result<(), WindowError> {
        let sent = match form {
            Some(fields) => window::post_form(popup, url, fields),
            None => window::navigate_popup(popup, url),
        };
        if sent {
            Ok(())
        } else {
            Err(WindowError::UserCancelled)
        }
    }

    fn close_popup(&self, popup: JsValue) {
        window::close_popup(&popup);
    }

    fn cancel_popup_waits(&self) {
        window::cancel_popup_waits();
    }

    async fn wait_for_popup(
        &self,
        popup: JsValue,
        state_id: &str,
        timeout_ms: u64,
        correlation_id: &str,
        relay: Option<Relay<'_>>,
    ) -> Result<String, WindowError> {
        let (version, request) = relay.map_or((0, ""), |r| (r.version, r.request));
        let r = promised(window::wait_for_popup(
            &popup,
            state_id,
            millis(timeout_ms),
            &self.log_sink,
            correlation_id,
            version,
            request,
            self.legacy_polling,
        ))
        .await;
        r.map(|v| v.as_string().unwrap_or_default()).map_err(|e| window_error(&e))
    }

    async fn load_hidden_frame(
        &self,
        url: &str,
        form: Option<&str>,
        state_id: &str,
        timeout_ms: u64,
        settle_ms: u64,
    ) -> Result<String, WindowError> {
        let r = promised(window::load_hidden_iframe(url, form, state_id, millis(timeout_ms), millis(settle_ms))).await;
        r.map(|v| v.as_string().unwrap_or_default()).map_err(|e| window_error(&e))
    }

    async fn lock(&self, name: &str, wait_ms: u64) -> Option<WebLock> {
        if wait_ms > 0 {
            let release = promised(window::acquire_lock(name, millis(wait_ms))).await.ok()?;
            (!release.is_null()).then_some(WebLock(release))
        } else {
            promised(window::try_lock(name)).await.ok().filter(|r| !r.is_null()).map(WebLock)
        }
    }

    async fn mark(&self, name: &str, value: u64, ms: u64) {
        promised(window::mark_lock(name, self.marker, value as f64, millis(ms))).await.ok();
    }

    async fn marked_elsewhere(&self, name: &str) -> Option<u64> {
        others_marked(name, self.marker, false).await
    }

    async fn marked_elsewhere_under(&self, prefix: &str) -> Option<u64> {
        others_marked(prefix, self.marker, true).await
    }

    async fn load_storage(&self) {
        if let WebStore::Encrypted(e, _) = &*self.cache {
            promised(e.load()).await.ok();
        }
    }

    async fn settle_storage(&self) {
        if let WebStore::Encrypted(e, _) = &*self.cache {
            promised(e.flush()).await.ok();
        }
    }

    async fn sleep(&self, ms: u64) {
        promised(window::sleep(millis(ms))).await.ok();
    }

    async fn wait_for_tabs(&self, ms: u64) {
        promised(window::wait_for_tabs(millis(ms))).await.ok();
    }

    fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        window::log_to(&self.log_sink, level as u8, message, correlation_id);
    }

    async fn make_binding_key(&self, kind: KeyKind) -> Result<PublicJwk, AuthError> {
        let failed =
            |_| AuthError::browser(codes::CRYPTO_NONEXISTENT, crate::error::Kept("WebCrypto could not make or store a P-256 key pair"));
        let made: js_sys::Array = promised(window::make_key_pair(kind == KeyKind::Rs256)).await.map_err(failed)?.unchecked_into();
        let (a, b) = (made.get(0).as_string().unwrap_or_default(), made.get(1).as_string().unwrap_or_default());
        let jwk = match kind {
            KeyKind::Es256 => PublicJwk::Ec { x: a, y: b },
            KeyKind::Rs256 => PublicJwk::Rsa { n: a, e: b },
        };
        promised(window::store_key_pair(&jwk.thumbprint(), &made.get(2))).await.map_err(failed)?;
        Ok(jwk)
    }

    fn binding_key_lasts(&self, kid: &str) -> bool {
        window::key_lasts(kid)
    }

    async fn binding_key(&self, kid: &str) -> Option<PublicJwk> {
        let xy: js_sys::Array = promised(window::public_key(kid)).await.ok().filter(|v| v.is_object())?.unchecked_into();
        let (a, b) = (xy.get(0).as_string()?, xy.get(1).as_string()?);
        Some(if xy.get(2).as_bool() == Some(true) { PublicJwk::Rsa { n: a, e: b } } else { PublicJwk::Ec { x: a, y: b } })
    }

    async fn sign_with_binding_key(&self, kid: &str, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        let signed = promised(window::sign_with_key(kid, data)).await.ok().and_then(|v| v.as_string());
        match signed.and_then(|s| crate::core::base64::decode(&s)) {
            Some(bytes) => Ok(bytes),
            None => Err(AuthError::browser(codes::CRYPTO_KEY_NOT_FOUND, "the DPoP key of this token is not in this browser")),
        }
    }

    async fn remove_binding_key(&self, kid: &str) {
        promised(window::remove_key_pair(kid)).await.ok();
    }
}
