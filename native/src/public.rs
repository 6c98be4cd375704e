//! msal-node's `PublicClientApplication` for CLIs and devices: the device code flow, silent
//! renewal, accounts — the flows of msal-wasm's client (written once, in `msal_wasm::client`),
//! run over the native platform, with the cache kept by a [`CachePlugin`] between runs.
//!
//! Single-threaded, as the browser client it shares its flows with: run it on a
//! current-thread runtime (a CLI's `#[tokio::main(flavor = "current_thread")]`).

use crate::cache::{CachePlugin, Partition};
use crate::dpop::{DpopKey, NativeKey, PopKey};
use crate::http::Http;
use crate::sync::Loaded;
use crate::system::{NetworkClient, SystemOptions};
use msal_wasm::client::{
    AccountInfo, AccountRef, AuthenticationResult, Config, DeviceCodeInfo, DeviceCodeRequest, InteractiveRequest, PendingAuth,
    PublicClientApplication as Core, SilentRequest,
};
use msal_wasm::core::cache::MemoryStore;
use msal_wasm::core::dpop::{KeyKind, PublicJwk};
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::error::{codes, AuthError};
use msal_wasm::platform::{Platform, PopupAttributes, WindowError};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The native platform of the public client: the system clock and random source, reqwest (or
/// the app's network client), the app's logger, an in-memory store (a plugin persists it), no
/// windows.
pub struct NativePlatform {
    net: Arc<dyn NetworkClient>,
    system: SystemOptions,
    cache: Rc<MemoryStore>,
    temp: MemoryStore,
    /// Binding keys, by thumbprint (in memory; a key from a PEM lasts across runs).
    keys: RefCell<Vec<Rc<NativeKey>>>,
    /// The keys new bound sign-ins use, when the app gave them (DPoP: else a new one each).
    fixed_dpop: RefCell<Option<Rc<NativeKey>>>,
    fixed_pop: RefCell<Option<Rc<NativeKey>>>,
}

impl std::fmt::Debug for NativePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativePlatform").field("system", &self.system).field("cache", &self.cache).finish_non_exhaustive()
    }
}

impl NativePlatform {
    /// A platform whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<NativePlatform, AuthError> {
        NativePlatform::with_system(timeout, &SystemOptions::default())
    }

    /// A platform with the app's network client (else reqwest, giving up after `timeout`) and
    /// logger.
    pub fn with_system(timeout: Duration, system: &SystemOptions) -> Result<NativePlatform, AuthError> {
        Ok(NativePlatform {
            net: system.network(|| Http::new(timeout))?,
            system: system.clone(),
            cache: Rc::new(MemoryStore::new()),
            temp: MemoryStore::new(),
            keys: RefCell::new(Vec::new()),
            fixed_dpop: RefCell::new(None),
            fixed_pop: RefCell::new(None),
        })
    }

    fn add_key(&self, key: NativeKey) -> Rc<NativeKey> {
        let key = Rc::new(key);
        let mut keys = self.keys.borrow_mut();
        keys.retain(|k| k.thumbprint() != key.thumbprint());
        keys.push(key.clone());
        key
    }

    /// Uses `key` for DPoP sign-ins (and for the tokens already bound to it).
    pub fn use_dpop_key(&self, key: impl Into<Arc<DpopKey>>) {
        *self.fixed_dpop.borrow_mut() = Some(self.add_key(NativeKey::Dpop(key.into())));
    }

    /// Uses `key` for msal's `pop` sign-ins.
    pub fn use_pop_key(&self, key: impl Into<Arc<PopKey>>) {
        *self.fixed_pop.borrow_mut() = Some(self.add_key(NativeKey::Pop(key.into())));
    }

    fn key(&self, kid: &str) -> Option<Rc<NativeKey>> {
        self.keys.borrow().iter().find(|k| k.thumbprint() == kid).cloned()
    }
}

impl Platform for NativePlatform {
    type Store = Rc<MemoryStore>;
    type Popup = ();
    type Lock = ();

    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError> {
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), buf)
            .map_err(|_| AuthError::client(codes::CRYPTO_NONEXISTENT, "the operating system's random source failed"))
    }

    async fn send(&self, request: HttpRequest, _timeout_ms: u64) -> Result<HttpResponse, AuthError> {
        self.net.send(&request).await
    }

    fn log(&self, level: msal_wasm::platform::LogLevel, correlation_id: &str, message: &str) {
        self.system.log(level, correlation_id, message);
    }

    fn cache_store(&self) -> Self::Store {
        self.cache.clone()
    }

    fn temp_store(&self) -> &dyn msal_wasm::core::cache::KeyValueStore {
        &self.temp
    }

    fn open_popup(&self, _url: &str, _name: &str, _attributes: PopupAttributes) -> Result<(), WindowError> {
        Err(WindowError::OpenFailed)
    }

    fn navigate_popup(&self, _popup: &mut (), _url: &str, _form: Option<&str>) -> Result<(), WindowError> {
        Err(WindowError::Failed)
    }

    fn close_popup(&self, _popup: ()) {}

    async fn wait_for_popup(&self, _popup: (), _state_id: &str, _timeout_ms: u64) -> Result<String, WindowError> {
        Err(WindowError::Failed)
    }

    async fn load_hidden_frame(
        &self,
        _url: &str,
        _form: Option<&str>,
        _state_id: &str,
        _timeout_ms: u64,
        _settle_ms: u64,
    ) -> Result<String, WindowError> {
        Err(WindowError::NoResponse)
    }

    async fn lock(&self, _name: &str, _wait_ms: u64) -> Option<()> {
        // One client per process here; its cache is shared through the plugin, not a lock.
        Some(())
    }

    async fn mark(&self, _name: &str, _ms: u64) {}

    async fn marked_elsewhere(&self, _name: &str) -> bool {
        false
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    async fn make_binding_key(&self, kind: KeyKind) -> Result<PublicJwk, AuthError> {
        let key = match kind {
            KeyKind::Es256 => match self.fixed_dpop.borrow().clone() {
                Some(k) => k,
                None => self.add_key(NativeKey::Dpop(Arc::new(DpopKey::generate()?))),
            },
            KeyKind::Rs256 => self.fixed_pop.borrow().clone().ok_or_else(|| {
                AuthError::config(codes::INVALID_CONFIGURATION, "msal's pop scheme needs an RSA key: PublicClientApplication::use_pop_key")
            })?,
        };
        Ok(key.public_jwk().clone())
    }

    async fn binding_key(&self, kid: &str) -> Option<PublicJwk> {
        self.key(kid).map(|k| k.public_jwk().clone())
    }

    async fn sign_with_binding_key(&self, kid: &str, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        match self.key(kid) {
            Some(k) => k.sign(data),
            None => Err(AuthError::client(codes::CRYPTO_KEY_NOT_FOUND, "the DPoP key of this token is not loaded")),
        }
    }

    async fn remove_binding_key(&self, kid: &str) {
        self.keys.borrow_mut().retain(|k| k.thumbprint() != kid);
    }
}

/// Serves the loopback redirect URI until a request carries an authorize response (`?code=…`
/// or `?error=…`); answers every request with a short page. Requests of anything else (a
/// favicon) are answered and ignored.
async fn loopback_response(listener: &tokio::net::TcpListener, pending: &PendingAuth) -> Result<String, AuthError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let (mut socket, _) =
            listener.accept().await.map_err(|_| AuthError::client(codes::NETWORK_ERROR, "the loopback redirect failed"))?;
        let mut buf = vec![0u8; 16 * 1024];
        let mut len = 0;
        // The request line is all we need: read until it is complete (or the buffer is full).
        while len < buf.len() {
            // A connection that sends nothing (a browser's spare one, a stray process) is let go
            // after a while, so it cannot hold up the response behind it.
            let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf[len..])).await else { break };
            if n == 0 {
                break;
            }
            len += n;
            if buf[..len].windows(2).any(|w| w == b"\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buf[..len]);
        let target = head.lines().next().and_then(|l| l.split(' ').nth(1)).unwrap_or_default();
        let query = target.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
        let response = msal_wasm::core::authorize::AuthorizeResponse::looks_like_response(&query);
        // As msal-node: a response with another state (a stray or forged request to the port)
        // is refused, and the wait goes on.
        let answered = response && pending.answers(&query);
        let (status, body) = match (response, answered) {
            (_, true) => ("200 OK", "<!doctype html><title>Signed in</title><p>Authentication complete. You can close this window."),
            (true, false) => {
                ("400 Bad Request", "<!doctype html><title>Refused</title><p>This is not the response of the sign-in under way.")
            }
            _ => ("200 OK", "<!doctype html><title>Waiting</title><p>Waiting for the sign-in response."),
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(reply.as_bytes()).await;
        let _ = socket.shutdown().await;
        if answered {
            return Ok(format!("?{query}"));
        }
    }
}

/// An interaction [`PublicClientApplication::acquire_token_interactive`] started: ended when
/// dropped while armed (an error, the app giving up on the future, also during the code's
/// redemption).
struct Started<'a> {
    core: &'a Core<NativePlatform>,
    armed: Option<InteractionType>,
}

impl Drop for Started<'_> {
    fn drop(&mut self) {
        if let Some(t) = self.armed {
            self.core.abort_interaction_of(t);
        }
    }
}

/// A public client application (CLIs, devices). Its whole cache is one partition of the
/// plugin's store.
pub struct PublicClientApplication {
    core: Core<NativePlatform>,
    plugin: Option<Arc<dyn CachePlugin>>,
    partition: Partition,
}

impl std::fmt::Debug for PublicClientApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicClientApplication").field("core", &self.core).finish_non_exhaustive()
    }
}

impl PublicClientApplication {
    /// A client for `config` (its endpoints are resolved now, or by the first request when the
    /// discovery document cannot be fetched yet); with `plugin`, its cache is
    /// loaded before and saved after each call, in msal's unified format.
    pub async fn new(config: Config, plugin: Option<Arc<dyn CachePlugin>>) -> Result<PublicClientApplication, AuthError> {
        PublicClientApplication::with_system(config, plugin, SystemOptions::default()).await
    }

    /// [`new`](Self::new) with msal-node's `system` options: the app's network client and
    /// logger (which then sets the level of the client's log lines).
    pub async fn with_system(
        mut config: Config,
        plugin: Option<Arc<dyn CachePlugin>>,
        system: SystemOptions,
    ) -> Result<PublicClientApplication, AuthError> {
        let timeout = Duration::from_millis(config.network_timeout_ms);
        let partition = Partition::App { client_id: config.client_id.clone(), tenant: String::new() };
        if let Some(l) = &system.logger {
            config.log_level = l.level();
        }
        let core = Core::new(config, NativePlatform::with_system(timeout, &system)?)?;
        core.initialize().await?;
        Ok(PublicClientApplication { core, plugin, partition })
    }

    async fn load(&self) -> Result<Option<Loaded>, AuthError> {
        crate::sync::load(&self.core, self.plugin.as_deref(), &self.partition).await
    }

    async fn save(&self, loaded: Option<Loaded>) -> Result<(), AuthError> {
        crate::sync::save(&self.core, self.plugin.as_deref(), &self.partition, loaded).await
    }

    /// msal-node's `acquireTokenByDeviceCode`: `on_code` gets the code to show the user; the
    /// client polls until they signed in, the code expired, or `cancelled()` is true.
    pub async fn acquire_token_by_device_code(
        &self,
        req: &DeviceCodeRequest,
        on_code: impl FnOnce(&DeviceCodeInfo),
        cancelled: impl Fn() -> bool,
    ) -> Result<AuthenticationResult, AuthError> {
        let loaded = self.load().await?;
        let r = self.core.acquire_token_by_device_code(req, on_code, cancelled).await;
        self.save(loaded).await?;
        r
    }

    /// msal-node's `acquireTokenInteractive` for CLIs and desktop apps: signs the user in through
    /// the system browser. A loopback server on `127.0.0.1` (a free port: RFC 8252 §7.3) is the
    /// redirect URI, `http://localhost:<port>` as msal-node names it (so the app registration
    /// msal-node's docs ask for, `http://localhost`, matches it); `open_browser` gets the
    /// authorize URL to open (PKCE, state, nonce) and the response is redeemed when the
    /// browser comes back. As msal-node, it waits without a time limit (a person may take
    /// minutes to sign in); to give up, drop the future (`tokio::time::timeout`): the port
    /// closes and the interaction ends, so the next sign-in may start.
    pub async fn acquire_token_interactive(
        &self,
        req: &InteractiveRequest,
        open_browser: impl FnOnce(&str) -> Result<(), AuthError>,
    ) -> Result<AuthenticationResult, AuthError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|_| AuthError::client(codes::NETWORK_ERROR, "could not listen on a loopback port for the redirect"))?;
        let port = listener.local_addr().map_err(|_| AuthError::client(codes::NETWORK_ERROR, "no loopback port"))?.port();
        let req = InteractiveRequest { redirect_uri: format!("http://localhost:{port}"), ..req.clone() };
        let loaded = self.load().await?;
        // As a redirect (the browser comes back to the loopback page); a DPoP request's key is
        // made there.
        let pending = self.core.begin_redirect(&req, "").await?;
        let mut started = Started { core: &self.core, armed: Some(pending.interaction_type) };
        open_browser(&pending.url)?;
        let response = loopback_response(&listener, &pending).await?;
        // Armed until the redemption is over: it ends the interaction itself then.
        let r = self.core.finish_interaction(pending, &response).await;
        started.armed = None;
        self.save(loaded).await?;
        r
    }

    /// msal-node's `acquireTokenSilent`: the cached token, else the refresh token; else an
    /// `InteractionRequired` error.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let req = crate::without_frames(req);
        let loaded = self.load().await?;
        let r = self.core.acquire_token_silent_refreshing(&req).await;
        self.save(loaded).await?;
        r
    }

    /// Every signed-in account.
    pub async fn get_all_accounts(&self) -> Result<Vec<AccountInfo>, AuthError> {
        let loaded = self.load().await?;
        let accounts = self.core.all_accounts();
        self.save(loaded).await?;
        Ok(accounts)
    }

    /// Signs `account` out of the cache.
    pub async fn remove_account(&self, account: &AccountRef) -> Result<(), AuthError> {
        let loaded = self.load().await?;
        let r = self.core.clear_cache(Some(account));
        self.save(loaded).await?;
        r
    }

    /// Signs DPoP requests with `key` (from [`DpopKey::from_pem`], so a CLI's tokens stay
    /// usable across runs; without one, each DPoP sign-in gets a key that lives in memory only).
    pub fn use_dpop_key(&self, key: DpopKey) {
        self.core.platform().use_dpop_key(key);
    }

    /// Signs msal `pop` requests with `key` (an RSA key from a PEM).
    pub fn use_pop_key(&self, key: PopKey) {
        self.core.platform().use_pop_key(key);
    }

    /// A DPoP proof for a call to an API with a DPoP-bound access token of this client
    /// (`nonce`: the API's `DPoP-Nonce`, when it asked for one).
    pub async fn generate_dpop_proof(&self, access_token: &str, method: &str, url: &str, nonce: Option<&str>) -> Result<String, AuthError> {
        self.core.generate_dpop_proof(access_token, method, url, nonce).await
    }

    /// The cache in msal's unified format.
    pub fn serialize(&self) -> String {
        self.core.serialize_cache()
    }

    /// Replaces the cache with `text` (unified format).
    pub fn deserialize(&self, text: &str) -> Result<(), AuthError> {
        self.core.deserialize_cache(text)
    }
}
