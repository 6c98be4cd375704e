//! The wasm-bindgen exports behind the npm package's `PublicClientApplication` facade (the
//! JSON they take and give is read and written by [`super::wire`]).
//!
//! Requests, results and errors cross the boundary as JSON strings in msal-browser's camelCase
//! shapes: the facade (`pkg-template/index.js`) parses them, turns dates into `Date`s and
//! errors into msal's error classes. That keeps serde and most of web-sys out of the bundle.

use crate::prelude::*;

use super::wire;
use crate::browser::{AppEvent, BrowserApp, RedirectOutcome};
use crate::client::{AccountRef, AccountSnapshot, AuthenticationResult, LogoutPopupStarted, PopupStarted, PublicClientApplication};
use crate::core::json::Json;
use crate::error::{codes, AuthError, Kept};
use crate::platform::browser::{window, BrowserPlatform};
use crate::platform::LogLevel;
use crate::platform::Platform as _;
use ::core::cell::RefCell;
use ::core::future::Future;
use ::core::pin::Pin;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

type Client = PublicClientApplication<BrowserPlatform>;

/// The error as msal's JSON error shape (a string the facade turns into an error class).
fn error_value(e: &AuthError) -> JsValue {
    JsValue::from_str(&wire::error_json(e).to_json())
}

/// A request's JSON object, with the configuration's `azureCloudOptions` (`cloud`) when it has
/// none of its own.
fn request_json(text: &str, cloud: Option<&Json>) -> Result<Json, AuthError> {
    let j = parse(text)?;
    match cloud {
        // (msal's `requestAzureCloudOptions || config…`: a null is none.)
        Some(cloud) if j.get("azureCloudOptions").is_none_or(|o| *o == Json::Null) => Ok(j.with("azureCloudOptions", cloud.clone())),
        _ => Ok(j),
    }
}

fn parse(text: &str) -> Result<Json, AuthError> {
    match Json::parse(text) {
        Ok(j @ Json::Obj(_)) => Ok(j),
        _ => Err(AuthError::config(codes::INVALID_CONFIGURATION, Kept("the request must be an object"))),
    }
}

/// Every async export becomes a task through this one boxing: each distinct future type would
/// add its own copy of the poll and drop glue to the wasm.
fn promise(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    let boxed: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    crate::platform::browser::runtime::spawn(boxed)
}

/// What an async export does: every promise the exports return runs [`JsClient::run`], one
/// future type (each distinct future type would add its own copy of the glue that boxes it and
/// hands it to JS, and its own poll and drop code).
enum Task {
    Initialize,
    HandleRedirect(Option<String>, Option<bool>),
    BeginRedirect(String),
    SsoSilent(String),
    Silent(String),
    ByCode(String),
    LogoutRedirect(crate::client::LogoutRequest, crate::client::SignedOut),
    Popup(PopupStarted<BrowserPlatform>),
    LogoutPopup(LogoutPopupStarted<BrowserPlatform>),
    /// A DPoP proof: access token, method, URL, nonce.
    DpopProof(String, String, String, Option<String>),
    /// Deleting the keys of removed tokens, nobody awaits.
    ForgetKeys,
    /// Every cache write made so far stored.
    Settle,
    /// `loadExternalTokens`: the request with the token response (`externalResponse`) and
    /// `options` (`externalOptions`).
    LoadExternal(String),
}

/// The wasm client. JS: `new WasmClient(configJson)`.
#[wasm_bindgen(js_name = WasmClient)]
pub struct JsClient {
    app: BrowserApp,
    inner: Rc<Client>,
    /// What the facade last told its listeners about the accounts (see `accountChanges`).
    known: RefCell<AccountSnapshot>,
    /// The configuration's `auth.azureCloudOptions`, if any: a request without its own takes
    /// them (msal's `requestAzureCloudOptions || config.auth.azureCloudOptions`), so they name
    /// its authority over the request's `authority`.
    cloud: Option<Json>,
}

#[wasm_bindgen(js_class = WasmClient)]
impl JsClient {
    /// Builds a client from msal-browser's configuration object as JSON; its log lines go to
    /// `log_sink(level, message)`, its HTTP requests through `network` (the app's
    /// `system.networkClient`) when it is an object, else through fetch. `made_on`: the page
    /// the app's `PublicClientApplication` was constructed on, whose address is the redirect
    /// URI when none is configured (as msal's, which fills it in at construction; the facade
    /// builds this client at `initialize()`, after a router may have moved on).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str, log_sink: JsValue, network: JsValue, made_on: &str) -> Result<JsClient, JsValue> {
        let build = || -> Result<JsClient, AuthError> {
            let j = parse(config)?;
            let (config, warnings) = wire::config(&j)?;
            let config = config.redirect_uri_or_page(made_on);
            for w in warnings {
                window::log_to(&log_sink, LogLevel::Warning as u8, w, "");
            }
            let app = BrowserApp::build(config, log_sink.clone(), network)?;
            let cloud = j.get("auth").and_then(|a| a.get("azureCloudOptions")).filter(|o| o.as_object().is_some()).cloned();
            Ok(JsClient { inner: app.client_rc(), app, known: RefCell::default(), cloud })
        };
        build().map_err(|e| error_value(&e))
    }

    fn request(&self, text: &str) -> Result<Json, AuthError> {
        request_json(text, self.cloud.as_ref())
    }

    /// `getConfiguration()`: the configuration with every default filled in (JSON).
    pub fn configuration(&self) -> String {
        wire::config_json(self.inner.config()).to_json()
    }

    /// Resolves the authority's endpoints.
    pub fn initialize(&self) -> js_sys::Promise {
        self.run(Task::Initialize)
    }

    /// Starts a redirect from this page (after [`preflight`](Self::preflight) with its
    /// request): returns the authorize URL to navigate to (`null` when the request is a POST:
    /// its form was posted from this page).
    #[wasm_bindgen(js_name = beginRedirect)]
    pub fn begin_redirect(&self, request: &str) -> js_sys::Promise {
        self.run(Task::BeginRedirect(request.to_owned()))
    }

    /// Ends a redirect that will not happen (navigation cancelled).
    #[wasm_bindgen(js_name = abortRedirect)]
    pub fn abort_redirect(&self) {
        if let Some(p) = self.inner.pending_redirect() {
            self.inner.abandon_redirect(&p);
            let _ = self.run(Task::ForgetKeys);
        }
    }

    /// `handleRedirectPromise` on this page (`hash`: a response the app passed;
    /// `navigateToLoginRequestUrl`: the call's option, else true as msal 5). Resolves to
    /// the result JSON, to `{"navigateTo": url}` when the browser must go back to the page the
    /// sign-in started from, or to `null`.
    #[wasm_bindgen(js_name = handleRedirectPromise)]
    pub fn handle_redirect_promise(&self, hash: Option<String>, navigate_to_login_request_url: Option<bool>) -> js_sys::Promise {
        self.run(Task::HandleRedirect(hash, navigate_to_login_request_url))
    }

    /// Opens the popup synchronously (inside the caller's user gesture), from `parent`
    /// (msal's `popupWindowParent`; this window when undefined), and returns
    /// `[promise of the result JSON, the popup window]`.
    #[wasm_bindgen(js_name = popup)]
    pub fn popup(&self, request: &str, parent: &JsValue) -> Result<js_sys::Array, JsValue> {
        let json = self.request(request).map_err(|e| error_value(&e))?;
        let req = wire::interactive_request(&json).map_err(|e| error_value(&e))?;
        window::popup_parent(parent);
        let started = self.inner.open_popup(&req, wire::popup_attributes(&json));
        window::popup_parent(&JsValue::UNDEFINED);
        let started = started.map_err(|e| error_value(&e))?;
        let window = started.window().clone();
        let done = self.run(Task::Popup(started));
        Ok(js_sys::Array::of2(&done, &window))
    }

    /// `ssoSilent`: a hidden-iframe authorize request with prompt=none.
    #[wasm_bindgen(js_name = ssoSilent)]
    pub fn sso_silent(&self, request: &str) -> js_sys::Promise {
        self.run(Task::SsoSilent(request.to_owned()))
    }

    /// The cached token for a silent request, synchronously: a result JSON string, or
    /// `undefined` when the network is needed. `servedUntil` says until when the facade may
    /// serve this hit again for the same request (while `cacheVersion()` is unchanged). As
    /// msal-browser, a token past its `refreshOn` is served without a renewal.
    #[wasm_bindgen(js_name = silentCached)]
    pub fn silent_cached(&self, request: &str) -> Result<Option<String>, JsValue> {
        let run = || {
            let req = wire::silent_request(&self.request(request)?)?;
            // The facade ran msal's preflight checks before this call (and before any event).
            self.inner.cached_after_preflight(&req)
        };
        let memo = |r: AuthenticationResult| wire::result_json(&r).with("servedUntil", r.served_until_ms).to_json();
        run().map(|r| r.map(memo)).map_err(|e| error_value(&e))
    }

    /// `setLogger`: the new logger's level (msal's `LogLevel` number).
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&self, level: u32) {
        self.inner.set_log_level(LogLevel::from_number(level.into()));
    }

    /// Changes whenever a cache lookup may answer differently (any save, removal, account
    /// change, or another tab's write): the facade keeps the last cache hit per request and
    /// serves it again while this number and the clock allow.
    #[wasm_bindgen(js_name = cacheVersion)]
    pub fn cache_version(&self) -> u32 {
        self.inner.cache_version()
    }

    /// The network part of `acquireTokenSilent`: refresh token, then a hidden iframe when the
    /// cache lookup policy allows.
    pub fn silent(&self, request: &str) -> js_sys::Promise {
        self.run(Task::Silent(request.to_owned()))
    }

    /// A DPoP proof for a resource call with a cached DPoP-bound access token (`ath` included);
    /// resolves to the proof string.
    #[wasm_bindgen(js_name = dpopProof)]
    pub fn dpop_proof(&self, access_token: String, method: String, url: String, nonce: Option<String>) -> js_sys::Promise {
        self.run(Task::DpopProof(access_token, method, url, nonce))
    }

    /// `loadDpopNonce`: a resource server's `DPoP-Nonce`, for the next proofs to its origin.
    /// True when another origin's nonce was let go to make room.
    #[wasm_bindgen(js_name = loadDpopNonce)]
    pub fn load_dpop_nonce(&self, resource_uri: &str, nonce: &str) -> Result<bool, JsValue> {
        self.inner.load_dpop_nonce(resource_uri, nonce).map_err(|e| error_value(&e))
    }

    /// `acquireTokenByCode`.
    #[wasm_bindgen(js_name = byCode)]
    pub fn by_code(&self, request: &str) -> js_sys::Promise {
        self.run(Task::ByCode(request.to_owned()))
    }

    /// `getAllAccounts(filter)`: the accounts matching msal's `AccountFilter` (JSON; none:
    /// every account), as a JSON array.
    #[wasm_bindgen(js_name = allAccounts)]
    pub fn all_accounts(&self, filter: Option<String>) -> String {
        let j = filter.and_then(|f| Json::parse(&f).ok()).unwrap_or_default();
        if wire::never_matches(&j) {
            return "[]".into();
        }
        Json::Arr(self.inner.accounts_matching(&wire::account_filter(&j)).iter().map(wire::account_json).collect()).to_json()
    }

    /// `getAccount(filter)`: the account matching msal's `AccountFilter` (JSON), if any. As
    /// msal: a filter whose every value is null or empty finds nothing, and keys it does not
    /// match on are ignored (`{ accountId }` finds the first account).
    pub fn account(&self, filter: &str) -> Option<String> {
        let j = Json::parse(filter).ok()?;
        if !wire::names_a_value(&j) || wire::never_matches(&j) {
            return None;
        }
        self.inner.first_account_matching(&wire::account_filter(&j)).map(|a| wire::account_json(&a).to_json())
    }

    /// msal's standalone `loadExternalTokens(config, request, response, options)` on this
    /// client: stores a token endpoint response obtained elsewhere (JSON) and resolves to the
    /// result JSON. `request`: the request with `externalResponse` (the token response) and
    /// `externalOptions` (msal's `options`: `clientInfo`, `extendedExpiresOn`).
    #[wasm_bindgen(js_name = loadExternalTokens)]
    pub fn load_external_tokens(&self, request: &str) -> js_sys::Promise {
        self.run(Task::LoadExternal(request.to_owned()))
    }

    /// `hydrateCache(result, request)`: stores a result obtained elsewhere (JSON of msal's
    /// `AuthenticationResult`, dates as ms) for the request it answered (JSON).
    #[wasm_bindgen(js_name = hydrateCache)]
    pub fn hydrate_cache(&self, result: &str, request: &str) -> Result<(), JsValue> {
        let run = || {
            let h = wire::hydration(&parse(result)?, &parse(request)?);
            self.inner.hydrate_cache(&h)
        };
        run().map_err(|e| error_value(&e))
    }

    /// Resolves once every cache write made so far is stored (`hydrateCache` resolves after
    /// it, as msal's).
    pub fn settled(&self) -> js_sys::Promise {
        self.run(Task::Settle)
    }

    /// The active account JSON, if any.
    #[wasm_bindgen(js_name = activeAccount)]
    pub fn active_account(&self) -> Option<String> {
        self.inner.active_account().map(|a| wire::account_json(&a).to_json())
    }

    /// The active account's homeAccountId and tenant, if any (cheap: for the silent hot path's
    /// key).
    #[wasm_bindgen(js_name = activeAccountKey)]
    pub fn active_account_key(&self) -> Option<String> {
        self.inner.active_account_key()
    }

    /// Sets (or clears) the active account by homeAccountId, in the tenant profile `tenantId`
    /// (its first without one).
    #[wasm_bindgen(js_name = setActiveAccount)]
    pub fn set_active_account(&self, home_account_id: Option<String>, tenant_id: Option<String>) -> Result<(), JsValue> {
        let account = home_account_id.map(|h| AccountRef::in_tenant(h, tenant_id.filter(|t| !t.is_empty())));
        self.inner.set_active_account(account.as_ref()).map_err(|e| error_value(&e))
    }

    /// Starts `logoutRedirect`: takes the interaction lock and removes the request's account
    /// (every account when it names none) at once, throwing if it cannot; the promise resolves
    /// the request's authority and then to what the end-session page is sent as JSON, its
    /// `url` to navigate to (`null` if the provider has none). `abortLogout()` when the navigation does not happen.
    #[wasm_bindgen(js_name = logoutRedirect)]
    pub fn logout_redirect(&self, request: &str) -> Result<js_sys::Promise, JsValue> {
        // The lock and the local sign-out now, synchronously (as msal takes the lock before
        // any event); the authority and the end-session URL in the task.
        let req = self.request(request).map(|j| wire::logout_request(&j)).map_err(|e| error_value(&e))?;
        let signed_out = self.inner.sign_out_for_redirect(&req).map_err(|e| error_value(&e))?;
        Ok(self.run(Task::LogoutRedirect(req, signed_out)))
    }

    /// Ends a redirect sign-out whose navigation will not happen.
    #[wasm_bindgen(js_name = abortLogout)]
    pub fn abort_logout(&self) {
        self.inner.abort_logout();
    }

    /// `logoutPopup`: opens the end-session page in a popup synchronously (inside the caller's
    /// user gesture) and returns `[promise settled when it is done, the popup window or
    /// undefined when none opened, what the end-session page was sent as JSON or undefined]`.
    #[wasm_bindgen(js_name = logoutPopup)]
    pub fn logout_popup(&self, request: &str, parent: &JsValue) -> Result<js_sys::Array, JsValue> {
        let json = self.request(request).map_err(|e| error_value(&e))?;
        window::popup_parent(parent);
        let started = self.inner.open_logout_popup(&wire::logout_request(&json), wire::popup_attributes(&json));
        window::popup_parent(&JsValue::UNDEFINED);
        let started = started.map_err(|e| error_value(&e))?;
        let window = started.window().cloned().unwrap_or(JsValue::UNDEFINED);
        let sent = started.sent().map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&wire::logout_sent(s).to_json()));
        Ok(js_sys::Array::of3(&self.run(Task::LogoutPopup(started)), &window, &sent))
    }

    /// `clearCache`: removes the request's account, or every account and token (no network).
    #[wasm_bindgen(js_name = clearCache)]
    pub fn clear_cache(&self, request: &str) -> Result<js_sys::Promise, JsValue> {
        let run = || self.inner.clear_cache(wire::logout_request(&parse(request)?).account.as_ref());
        run().map_err(|e| error_value(&e))?;
        // The removed tokens' binding keys: the app awaits their removal, as msal's its key
        // store's (a reload right after would cut it short).
        Ok(self.run(Task::ForgetKeys))
    }

    /// Calls `callback()` when another tab changed this app's accounts. (A redirect the back
    /// button ended is the facade's to report: each call listens for it, as msal's.)
    #[wasm_bindgen(js_name = onAccountsChanged)]
    pub fn on_accounts_changed(&self, callback: js_sys::Function) {
        self.app.subscribe(move |event| {
            if event == AppEvent::AccountsChanged {
                let _ = callback.call0(&JsValue::NULL);
            }
        });
    }

    /// The accounts as the facade last told its listeners about them. `settle` 0: what another
    /// tab changed since then, as JSON (`{"added": [homeAccountId…], "removed":
    /// [homeAccountId…], "activeChanged": times}`); 1: this tab changed its accounts itself;
    /// 2: this tab changed its active account; 3: the client started (the accounts it found).
    /// Each moves the baseline.
    #[wasm_bindgen(js_name = accountChanges)]
    pub fn account_changes(&self, settle: u8) -> Option<String> {
        let mut known = self.known.borrow_mut();
        match settle {
            0 => {
                let c = self.inner.account_changes(&mut known);
                let json = Json::object().with("added", Json::str_array(&c.added)).with("removed", Json::str_array(&c.removed));
                return Some(json.with("activeChanged", u64::from(c.active_changes)).to_json());
            }
            1 => self.inner.settle_own_changes(&mut known),
            2 => known.settle_active(self.inner.account_snapshot()),
            _ => *known = self.inner.account_snapshot(),
        }
        None
    }

    /// msal's checks before a call sends its first event: the page's
    /// ([`preflight`](crate::client::PublicClientApplication::preflight), with `redirect` for a
    /// redirect) and, with `lock`, `interaction_in_progress` while an interaction holds the
    /// tab's lock. With `sign_in` (a redirect sign-in's request), the lock is taken instead
    /// ([`lock_redirect`](crate::client::PublicClientApplication::lock_redirect)). With
    /// `resource_of` (a popup's, `ssoSilent`'s or `acquireTokenByCode`'s request), msal's MCP
    /// resource rule too, before the lock.
    pub fn preflight(&self, redirect: bool, lock: bool, sign_in: Option<String>, resource_of: Option<String>) -> Result<(), JsValue> {
        let checked = match sign_in {
            // A redirect sign-in's request: its lock is taken now (msal's `acquireTokenRedirect`
            // before its first `await`), with the MCP resource rule before it.
            Some(request) => {
                self.request(&request).and_then(|j| wire::interactive_request(&j)).and_then(|req| self.inner.lock_redirect(&req))
            }
            None => self
                .inner
                .preflight(redirect)
                .and_then(|_| match resource_of {
                    Some(request) => self
                        .request(&request)
                        .and_then(|j| self.inner.check_resource(&wire::token_options(&j)?, &wire::pairs(j.get("extraQueryParameters")))),
                    None => Ok(()),
                })
                .and_then(|_| if lock { self.inner.ensure_no_interaction() } else { Ok(()) }),
        };
        checked.map_err(|e| error_value(&e))
    }

    /// The correlation id of this client's redirect sign-in under way, if any
    /// (`handleRedirectPromise` has something to handle, and fires its events, only then).
    #[wasm_bindgen(js_name = redirectInProgress)]
    pub fn redirect_in_progress(&self) -> Option<String> {
        self.inner.redirect_in_progress()
    }
}

impl JsClient {
    /// Runs `task` in the one future type of every async export.
    fn run(&self, task: Task) -> js_sys::Promise {
        let c = self.inner.clone();
        let app = self.app.clone();
        let cloud = self.cloud.clone();
        promise(async move {
            let json = |r: AuthenticationResult| JsValue::from_str(&wire::result_json(&r).to_json());
            let url = |u: Option<String>| u.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let r = match task {
                Task::Initialize => app.initialize().await.map(|_| JsValue::UNDEFINED),
                Task::HandleRedirect(hash, navigate) => match app.redirect_outcome(hash.as_deref(), navigate).await {
                    Ok(RedirectOutcome::Done(Some(r))) => Ok(json(*r)),
                    Ok(RedirectOutcome::Done(None)) => Ok(JsValue::NULL),
                    Ok(RedirectOutcome::Navigate(u)) => Ok(JsValue::from_str(&Json::object().with("navigateTo", u).to_json())),
                    Err(e) => Err(e),
                },
                Task::BeginRedirect(request) => match request_json(&request, cloud.as_ref()).and_then(|j| wire::interactive_request(&j)) {
                    Ok(req) => {
                        c.begin_redirect(&req, "").await.map_err(|e| e.with_call_correlation_id(&req.correlation_id)).map(|p| {
                            match &p.form {
                                // A POST (httpMethod): the form is posted from this page, which leaves.
                                Some(fields) => {
                                    window::post_form(&JsValue::NULL, &p.url, fields);
                                    JsValue::NULL
                                }
                                None => url(Some(p.url)),
                            }
                        })
                    }
                    Err(e) => Err(e),
                },
                Task::LogoutRedirect(req, signed_out) => c
                    .finish_logout_redirect(&req, signed_out)
                    .await
                    .map(|s| JsValue::from_str(&wire::logout_sent(&s.sent).with("url", s.url.map_or(Json::Null, Json::from)).to_json())),
                Task::SsoSilent(request) => match request_json(&request, cloud.as_ref()).and_then(|j| wire::interactive_request(&j)) {
                    Ok(req) => c.sso_silent(&req).await.map_err(|e| e.with_call_correlation_id(&req.correlation_id)).map(json),
                    Err(e) => Err(e),
                },
                Task::Silent(request) => match request_json(&request, cloud.as_ref()).and_then(|j| wire::silent_request(&j)) {
                    Ok(req) => {
                        c.acquire_token_silent_network(&req).await.map_err(|e| e.with_call_correlation_id(&req.correlation_id)).map(json)
                    }
                    Err(e) => Err(e),
                },
                Task::ByCode(request) => match request_json(&request, cloud.as_ref()).and_then(|j| wire::by_code_request(&j)) {
                    Ok(req) => c.acquire_token_by_code(&req).await.map_err(|e| e.with_call_correlation_id(&req.correlation_id)).map(json),
                    Err(e) => Err(e),
                },
                Task::Popup(started) => c.complete_popup(started).await.map(json),
                Task::LogoutPopup(started) => c.complete_logout_popup(started).await.map(|_| JsValue::UNDEFINED),
                Task::DpopProof(at, method, url, nonce) => {
                    c.generate_dpop_proof(&at, &method, &url, nonce.as_deref()).await.map(|p| JsValue::from_str(&p))
                }
                Task::LoadExternal(request) => {
                    match request_json(&request, cloud.as_ref()).and_then(|j| Ok((wire::silent_request(&j)?, j))) {
                        Ok((req, j)) => {
                            let response = j.get("externalResponse").unwrap_or(&Json::Null);
                            let options = j.get("externalOptions");
                            let client_info = options.and_then(|o| o.str_field("clientInfo")).unwrap_or_default();
                            let secs = |k: &str| options.and_then(|o| o.get(k)).and_then(crate::core::token::seconds);
                            let given = j.get("externalAccount").and_then(wire::given_account);
                            c.load_external_tokens(
                                &req,
                                response,
                                client_info,
                                (secs("expiresOn"), secs("extendedExpiresOn")),
                                given.as_ref(),
                            )
                            .await
                            .map(json)
                        }
                        Err(e) => Err(e),
                    }
                }
                Task::ForgetKeys => {
                    c.forget_orphan_keys().await;
                    Ok(JsValue::UNDEFINED)
                }
                Task::Settle => Ok(JsValue::UNDEFINED),
            };
            // As msal's, a call resolves once what it stored is on disk: a page that reloads or
            // leaves at once keeps it.
            c.platform().settle_storage().await;
            r.map_err(|e| error_value(&e))
        })
    }
}

/// msal's `enforceResourceParameter(isMcp, request)` (the request as JSON): throws the
/// ClientAuthError's JSON when an MCP app's request names no resource, or names it twice.
#[wasm_bindgen(js_name = enforceResourceParameter)]
pub fn enforce_resource_parameter(is_mcp: bool, request: &str) -> Result<(), JsValue> {
    parse(request).and_then(|j| wire::enforce_resource(is_mcp, &j)).map_err(|e| error_value(&e))
}
