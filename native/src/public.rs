//! msal-node's `PublicClientApplication` for CLIs and devices: the device code flow, silent
//! renewal, accounts — the flows of msal-wasm's client (written once, in `msal_wasm::client`),
//! run over the native platform, with the cache kept by a [`CachePlugin`] between runs.
//!
//! Single-threaded, as the browser client it shares its flows with: run it on a
//! current-thread runtime (a CLI's `#[tokio::main(flavor = "current_thread")]`).

use crate::cache::{CacheContext, CachePlugin, Partition};
use crate::dpop::{DpopKey, NativeKey, PopKey};
use crate::http::Http;
use crate::sync::Loaded;
use crate::system::{NetworkClient, SystemOptions};
use msal_wasm::client::{
    AccountInfo, AccountRef, AuthenticationResult, Config, DeviceCodeInfo, DeviceCodeRequest, InteractiveRequest, PendingAuth,
    PublicClientApplication as Core, SilentRequest,
};
use msal_wasm::core::cache::unified::{self, Section, UnifiedCache};
use msal_wasm::core::cache::MemoryStore;
use msal_wasm::core::dpop::{KeyKind, PublicJwk};
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::core::url;
use msal_wasm::error::{codes, AuthError};
use msal_wasm::platform::{Platform, PopupAttributes, Relay, WindowError};
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

    /// No `pocd`, as msal-node: msal-browser's popup origin check looks at the window a page
    /// runs in, which a server or a CLI cannot see (claiming it would let Entra leave
    /// Cross-Origin-Opener-Policy off the page the user signs in on).
    fn origin_check(&self) -> bool {
        false
    }

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

    async fn wait_for_popup(
        &self,
        _popup: (),
        _state_id: &str,
        _timeout_ms: u64,
        _correlation_id: &str,
        _relay: Option<Relay<'_>>,
    ) -> Result<String, WindowError> {
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

    async fn mark(&self, _name: &str, _value: u64, _ms: u64) {}

    async fn marked_elsewhere(&self, _name: &str) -> Option<u64> {
        None
    }

    async fn marked_elsewhere_under(&self, _prefix: &str) -> Option<u64> {
        None
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
        // A key the app gave (use_dpop_key, use_pop_key) is the app's: it stays for the next
        // sign-in, whatever became of the last one.
        let fixed = |k: &Option<Rc<NativeKey>>| k.as_ref().is_some_and(|k| k.thumbprint() == kid);
        if fixed(&self.fixed_dpop.borrow()) || fixed(&self.fixed_pop.borrow()) {
            return;
        }
        self.keys.borrow_mut().retain(|k| k.thumbprint() != kid);
    }
}

/// msal-node's loopback options of an interactive sign-in (`InteractiveRequest`'s
/// `successTemplate`, `errorTemplate` and `preferredPort`).
#[derive(Debug, Clone, Default)]
pub struct LoopbackOptions {
    /// The page the browser shows once the response arrived (HTML; msal-node's default text
    /// otherwise).
    pub success_template: Option<String>,
    /// The page the browser shows when the provider answered with an error (HTML; otherwise
    /// `Error occurred: <error>`).
    pub error_template: Option<String>,
    /// The loopback port to listen on (a free one when it is taken, or when none is given).
    pub preferred_port: Option<u16>,
}

/// An HTTP request to the loopback port: its method, path, query, content type and body.
struct LoopbackRequest {
    method: String,
    path: String,
    query: String,
    form: bool,
    body: String,
}

/// Reads one request (its head, and a body of at most 64 KB); `None` for a connection that
/// sends nothing usable in time.
async fn read_loopback_request(socket: &mut tokio::net::TcpStream) -> Option<LoopbackRequest> {
    const MAX: usize = 64 * 1024;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX {
            return None;
        }
        let n = read_some(socket, &mut chunk).await?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_ascii_uppercase(), first.next()?.to_owned());
    let header = |name: &str| {
        head.split("\r\n")
            .skip(1)
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()))
    };
    let length = header("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(MAX);
    while buf.len() < head_end + length {
        let n = read_some(socket, &mut chunk).await?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let form = header("content-type")
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let (path, query) = target.split_once('?').map_or((target.clone(), String::new()), |(p, q)| (p.to_owned(), q.to_owned()));
    let body = String::from_utf8_lossy(&buf[head_end..(head_end + length).min(buf.len())]).into_owned();
    Some(LoopbackRequest { method, path, query, form, body })
}

/// Reads what the peer sent next; `None` at its end, or when it sends nothing for 5 s (a
/// browser's spare connection, a stray process: let go, so it cannot hold up the response
/// behind it).
async fn read_some(socket: &mut tokio::net::TcpStream, chunk: &mut [u8]) -> Option<usize> {
    use tokio::io::AsyncReadExt;
    tokio::time::timeout(Duration::from_secs(5), socket.read(chunk)).await.ok()?.ok().filter(|n| *n > 0)
}

/// The values of the parameters named `name`.
fn params<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Serves the loopback redirect URI as msal-node 7's loopback client does, until the provider's
/// `form_post` response arrives: a POST to `/` of a form with a code or an error and exactly
/// the sign-in's state. A response with another state (a stray or forged request to the port)
/// is refused and the wait goes on; a response in the URL fails the sign-in
/// (`loopback_server_query_response_not_supported`: codes in URLs end up in histories and
/// logs). Other requests (a favicon) are answered and ignored.
async fn loopback_response(
    listener: &tokio::net::TcpListener,
    pending: &PendingAuth,
    options: &LoopbackOptions,
) -> Result<String, AuthError> {
    use tokio::io::AsyncWriteExt;
    const SUCCESS: &str = "Auth code was successfully acquired. You can close this window now.";
    // Each connection is read in a task of its own, within 10 s, so that a slow or silent one
    // (a browser's spare connection, a stray process) holds up no other; the requests come
    // back here, where the sign-in's state is.
    let (sender, mut requests) = tokio::sync::mpsc::channel::<(LoopbackRequest, tokio::net::TcpStream)>(16);
    loop {
        let (req, mut socket) = tokio::select! {
            accepted = listener.accept() => {
                match accepted {
                    Ok((mut socket, _)) => {
                        let sender = sender.clone();
                        tokio::spawn(async move {
                            if let Ok(Some(req)) = tokio::time::timeout(Duration::from_secs(10), read_loopback_request(&mut socket)).await {
                                let _ = sender.send((req, socket)).await;
                            }
                        });
                    }
                    // One failed connection (aborted, out of descriptors for a moment) is not
                    // the sign-in's end.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
                continue;
            }
            Some(read) = requests.recv() => read,
        };
        let fields = if req.method == "POST" { url::parse_query(&req.body) } else { url::parse_query(&req.query) };
        // (A parameter without a value is none, as msal-node reads them.)
        let filled = |name: &str| params(&fields, name).any(|v| !v.is_empty());
        let oauth = filled("code") || filled("error");
        let states: Vec<&str> = params(&fields, "state").collect();
        let ours =
            oauth && states.len() == 1 && pending.answers(&["?", if req.method == "POST" { &req.body } else { &req.query }].concat());
        let mut outcome = None;
        // (msal-node's root is `/` without a query.)
        let root = req.path == "/" && req.query.is_empty();
        let (status, body): (&str, String) = match req.method.as_str() {
            "POST" if root && !req.form => ("415 Unsupported Media Type", "Unsupported Media Type".into()),
            "POST" if root && oauth && !ours => ("400 Bad Request", "Invalid authorization response state.".into()),
            "POST" if root && oauth => {
                let page = match params(&fields, "error").next() {
                    Some(e) => options.error_template.clone().unwrap_or_else(|| ["Error occurred: ", &html_escape(e)].concat()),
                    None => options.success_template.clone().unwrap_or_else(|| SUCCESS.to_owned()),
                };
                outcome = Some(Ok(["?", &req.body].concat()));
                ("200 OK", page)
            }
            // A POST without a response, or elsewhere: ignored.
            "POST" => ("200 OK", String::new()),
            // The page after the response (some browsers load it again).
            "GET" if root => ("200 OK", options.success_template.clone().unwrap_or_else(|| SUCCESS.to_owned())),
            "GET" if !oauth => ("200 OK", String::new()),
            "GET" if !ours => ("400 Bad Request", "Invalid authorization response state.".into()),
            "GET" => {
                outcome = Some(Err(AuthError::client(
                    "loopback_server_query_response_not_supported",
                    "the loopback server received an OAuth response in the URL: interactive sign-in requires form_post",
                )));
                ("400 Bad Request", "OAuth responses must use form_post and cannot be returned in the URL.".into())
            }
            _ => ("405 Method Not Allowed", "Method Not Allowed".into()),
        };
        let allow = if status.starts_with("405") { "allow: GET, POST\r\n" } else { "" };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n{allow}connection: close\r\n\r\n{body}",
            body.len()
        );
        // A client that does not read its answer is let go.
        let _ = tokio::time::timeout(Duration::from_secs(10), async {
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
        })
        .await;
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
}

/// `text` with HTML's special characters escaped.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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
    /// The document the last [`deserialize`](Self::deserialize) read, and this client's
    /// entries after it: [`serialize`](Self::serialize) writes this client's changes into it,
    /// as msal-node merges into its snapshot (other apps' entries, app metadata and other
    /// SDKs' sections stay).
    snapshot: std::sync::Mutex<Option<(UnifiedCache, UnifiedCache)>>,
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
        // The one authorize request of a native public client is the interactive sign-in, whose
        // response the loopback page takes as msal-node 7's does: posted.
        "form_post".clone_into(&mut config.response_mode);
        // (A browser's storage choice means nothing here: the cache is in memory, persisted by
        // the plugin. A memory cache would refuse the loopback sign-in, as a browser's refuses a
        // redirect.)
        config.cache_location = msal_wasm::client::CacheLocation::SessionStorage;
        let core = Core::new(config, NativePlatform::with_system(timeout, &system)?)?;
        core.initialize().await?;
        Ok(PublicClientApplication { core, plugin, partition, snapshot: std::sync::Mutex::new(None) })
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
    /// authorize URL to open (PKCE, state, nonce, `response_mode=form_post` as msal-node 7 asks:
    /// the code never shows in a URL) and the response is redeemed when the browser posts it
    /// back. As msal-node, it waits without a time limit (a person may take
    /// minutes to sign in); to give up, drop the future (`tokio::time::timeout`): the port
    /// closes and the interaction ends, so the next sign-in may start.
    pub async fn acquire_token_interactive(
        &self,
        req: &InteractiveRequest,
        open_browser: impl FnOnce(&str) -> Result<(), AuthError>,
    ) -> Result<AuthenticationResult, AuthError> {
        self.acquire_token_interactive_with(req, &LoopbackOptions::default(), open_browser).await
    }

    /// [`acquire_token_interactive`](Self::acquire_token_interactive) with msal-node's loopback
    /// options: the pages the browser shows after the response, and a preferred port.
    pub async fn acquire_token_interactive_with(
        &self,
        req: &InteractiveRequest,
        options: &LoopbackOptions,
        open_browser: impl FnOnce(&str) -> Result<(), AuthError>,
    ) -> Result<AuthenticationResult, AuthError> {
        // As msal-node: the loopback page is the redirect URI; a request's own is refused.
        if !req.redirect_uri.is_empty() {
            return Err(AuthError::client(
                "redirect_uri_not_supported",
                "an interactive sign-in's redirect URI is its loopback page: leave the request's empty",
            ));
        }
        // The preferred port when it is free, else any (msal-node's fallback).
        let preferred = match options.preferred_port {
            Some(p) => tokio::net::TcpListener::bind(("127.0.0.1", p)).await.ok(),
            None => None,
        };
        let listener = match preferred {
            Some(l) => l,
            None => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
                AuthError::client(codes::NETWORK_ERROR, format!("could not listen on a loopback port for the redirect: {e}"))
            })?,
        };
        let port = listener.local_addr().map_err(|_| AuthError::client(codes::NETWORK_ERROR, "no loopback port"))?.port();
        let req = InteractiveRequest { redirect_uri: format!("http://localhost:{port}"), ..req.clone() };
        let loaded = self.load().await?;
        // As a redirect (the browser comes back to the loopback page); a DPoP request's key is
        // made there.
        let pending = self.core.begin_redirect(&req, "").await?;
        // The request is kept here, in memory: the interaction lock a browser tab needs is let
        // go at once, so another sign-in of the process (a retry after the user closed the
        // browser, another tenant) runs meanwhile, as msal-node's.
        self.core.abort_interaction(&pending);
        let mut started = Started { core: &self.core, armed: Some(pending.interaction_type) };
        open_browser(&pending.url)?;
        let response = loopback_response(&listener, &pending, options).await?;
        // Armed until the redemption is over: it ends the interaction itself then.
        let r = self.core.finish_interaction(pending, &response).await;
        started.armed = None;
        self.save(loaded).await?;
        r
    }

    /// msal-node's `acquireTokenSilent`: the cached token, else the refresh token; else an
    /// `InteractionRequired` error.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        if req.account.is_none() {
            // (No active account here: msal-node's silent call names its account.)
            return Err(AuthError::client(codes::NO_ACCOUNT_IN_SILENT_REQUEST, "a silent request names its account"));
        }
        let req = crate::without_frames(req);
        let loaded = self.load().await?;
        let r = self.core.acquire_token_silent_refreshing(&req).await;
        self.save(loaded).await?;
        r
    }

    /// msal-node's `acquireTokenByRefreshToken`: redeems a refresh token obtained elsewhere
    /// (migrated from another library or an older cache); the tokens it gets are cached.
    pub async fn acquire_token_by_refresh_token(&self, refresh_token: &str, scopes: &[String]) -> Result<AuthenticationResult, AuthError> {
        let loaded = self.load().await?;
        let r = self.core.acquire_token_by_refresh_token(refresh_token, scopes, "").await;
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

    /// Signs `account` out of the cache: as msal-node's `removeAccount`, the account and every
    /// token of it leave the plugin's store (or the document [`serialize`](Self::serialize)
    /// writes), another app's (client id) sharing it included.
    pub async fn remove_account(&self, account: &AccountRef) -> Result<(), AuthError> {
        let loaded = self.load().await?;
        self.core.clear_cache(Some(account))?;
        self.save(loaded).await?;
        // (This client loads only its own tokens: the others', in the store, go here.)
        let Some(plugin) = &self.plugin else {
            if let Some((doc, _)) = self.snapshot.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                remove_everywhere(doc, account);
            }
            return Ok(());
        };
        let mut ctx = CacheContext::new(UnifiedCache::new(), self.partition.clone());
        plugin.before_cache_access(&mut ctx).await?;
        if remove_everywhere(ctx.cache_mut(), account) {
            ctx.set_changed();
        }
        plugin.after_cache_access(&mut ctx).await
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

    /// The cache in msal's unified format: after [`deserialize`](Self::deserialize), the
    /// document it read with this client's changes since (msal-node's `serialize()`).
    pub fn serialize(&self) -> String {
        let ours = self.core.serialize_cache();
        let snapshot = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        let (Some((doc, loaded)), Ok(now)) = (snapshot.as_ref(), unified::deserialize_or_empty(&ours)) else { return ours };
        let mut doc = doc.clone();
        crate::sync::merge(&mut doc, loaded, &now);
        doc.serialize()
    }

    /// Replaces the cache with `text` (unified format; msal-node's `deserialize()`). An empty
    /// `text` (a file not written yet) changes nothing, as msal-node's.
    pub fn deserialize(&self, text: &str) -> Result<(), AuthError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let doc = unified::deserialize_or_empty(text)?;
        self.core.deserialize_cache(text)?;
        let loaded = unified::deserialize_or_empty(&self.core.serialize_cache())?;
        *self.snapshot.lock().unwrap_or_else(|p| p.into_inner()) = Some((doc, loaded));
        Ok(())
    }
}

/// Removes `account` and its tokens of every client id from `doc`, in its environment (every
/// one it has there, when the reference names none); true when anything was there.
fn remove_everywhere(doc: &mut UnifiedCache, account: &AccountRef) -> bool {
    let home = account.home_account_id.as_str();
    let mut environments: Vec<String> = Vec::new();
    for s in [Section::Account, Section::IdToken, Section::AccessToken, Section::RefreshToken] {
        for (_, v) in doc.entries(s) {
            let env = v.str_field("environment").filter(|_| v.str_field("home_account_id") == Some(home));
            if let Some(e) = env.filter(|e| account.environment.is_empty() || e.eq_ignore_ascii_case(&account.environment)) {
                if !environments.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                    environments.push(e.to_owned());
                }
            }
        }
    }
    for e in &environments {
        doc.remove_account(home, e);
    }
    !environments.is_empty()
}
