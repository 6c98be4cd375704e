//! msal-node's `ConfidentialClientApplication`, for daemons and servers: tokens for the app
//! itself (client credentials), cached as msal-node caches them.

use crate::cache::{CacheContext, CachePlugin, Partition};
use crate::credential::{AssertionContext, Credential};
use crate::dpop::{DpopKey, PopKey};
use crate::http::Http;
use crate::public::NativePlatform;
use crate::system::{LogLevel, NetworkClient, SystemOptions};
use msal_wasm::client::dpop::{check_token_type, send_with_proof};
use msal_wasm::client::{
    metadata_entry, metadata_key, read_metadata_entry, AccountInfo, AccountRef, AuthScheme, AuthenticationResult, ByCodeRequest, Config,
    InteractiveRequest, LogoutRequest, PendingAuth, PublicClientApplication as Core, SilentRequest, METADATA_LIFETIME_MS,
};
use msal_wasm::core::account::{authority_type, Account, ClientInfo};
use msal_wasm::core::authority::{Authority, AuthorityMetadata, AuthorityType, ProtocolMode};
use msal_wasm::core::authorize::{self, AppTelemetry, Prompt};
use msal_wasm::core::base64;
use msal_wasm::core::cache::unified::{Section, UnifiedCache};
use msal_wasm::core::cache::{
    is_expired, refresh_due, AccountEntity, Credential as CacheEntry, CredentialType, KeyValueStore, MemoryStore,
    DEFAULT_RENEWAL_OFFSET_SECS,
};
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::id_token::IdTokenClaims;
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::core::scopes::{ScopeSet, OIDC_DEFAULT_SCOPES};
use msal_wasm::core::sha256::sha256;
use msal_wasm::core::throttle::{self, Thumbprint};
use msal_wasm::core::token::{ClientCredential, Grant, TokenRequest, TokenResponse};
use msal_wasm::error::{codes, AuthError, ErrorKind};
use msal_wasm::secret::{AccessToken, Assertion, ClientSecret, IdToken};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A confidential client's configuration.
#[derive(Debug, Clone)]
pub struct ConfidentialClientConfig {
    /// Application (client) id.
    pub client_id: String,
    /// Authority URL; a tenant (not `common`) for client credentials, as Entra requires.
    pub authority: String,
    /// How the client proves itself.
    pub credential: Credential,
    /// How long a network request may take (default 30 s).
    pub network_timeout: Duration,
    /// The DPoP key of DPoP requests (default: one generated in memory at the first).
    pub dpop_key: Option<Arc<DpopKey>>,
    /// The RSA key of msal `pop` requests (required for them: ring makes no RSA keys).
    pub pop_key: Option<Arc<PopKey>>,
    /// msal-node's `auth.clientCapabilities` (`cp1`: the app handles Continuous Access
    /// Evaluation's claims challenges), sent as `xms_cc` in every token request's `claims`.
    pub client_capabilities: Vec<String>,
    /// msal-node's `telemetry.application`: the app's name and version, sent in every token
    /// request (`x-app-name`, `x-app-ver`).
    pub application: AppTelemetry,
    /// msal-node's `system`: the app's network client (default: reqwest with
    /// `network_timeout`) and logger (default: none).
    pub system: SystemOptions,
    /// msal-node's `system.protocolMode`: [`ProtocolMode::Oidc`] for any OpenID Connect
    /// provider (its discovery document at `<authority>/.well-known/openid-configuration`).
    pub protocol_mode: ProtocolMode,
    /// msal-node's `auth.knownAuthorities`: hosts (or authority URLs) trusted as the
    /// authority's and as a request's (B2C, CIAM custom domains, a provider whose document
    /// names another issuer host).
    pub known_authorities: Vec<String>,
    /// msal-node's `auth.authorityMetadata`: the authority's openid-configuration document, so
    /// that none is fetched (a network that reaches only the token endpoint).
    pub authority_metadata: Option<String>,
}

impl ConfidentialClientConfig {
    /// A configuration with the default timeout.
    pub fn new(client_id: impl Into<String>, authority: impl Into<String>, credential: Credential) -> ConfidentialClientConfig {
        ConfidentialClientConfig {
            client_id: client_id.into(),
            authority: authority.into(),
            credential,
            network_timeout: Duration::from_secs(30),
            dpop_key: None,
            pop_key: None,
            client_capabilities: Vec::new(),
            application: AppTelemetry::default(),
            system: SystemOptions::default(),
            protocol_mode: ProtocolMode::Aad,
            known_authorities: Vec::new(),
            authority_metadata: None,
        }
    }
}

/// A client-credentials request (msal-node's `ClientCredentialRequest`).
#[derive(Debug, Clone, Default)]
pub struct ClientCredentialRequest {
    /// Scopes, usually one `<resource>/.default`.
    pub scopes: Vec<String>,
    /// Go to the token endpoint even when the cache has a token.
    pub skip_cache: bool,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// Bearer (default) or DPoP (the token bound to the app's DPoP key; the result carries a
    /// proof for the scheme's resource request).
    pub authentication_scheme: AuthScheme,
    /// A resource's claims challenge (Continuous Access Evaluation): a JSON object, sent with
    /// the client capabilities; the cache is skipped, as msal-node skips it.
    pub claims: String,
    /// Another authority than the configured one (msal-node's per-request `authority`: a
    /// multi-tenant app's token for a customer's tenant), on the configured authority's host
    /// (else `untrusted_authority`). Its tokens are cached under its tenant.
    pub authority: Option<String>,
    /// msal-node's `azureRegion`: the token is asked from the region's token service (an Azure
    /// region name, or [`region::AUTO_DETECT`](crate::region::AUTO_DETECT) for the one this
    /// machine runs in, from `REGION_NAME` or Azure's instance metadata; the global endpoint
    /// when none is found). Without one, the `MSAL_FORCE_REGION` environment variable's, unless
    /// this is [`region::DISABLE_FORCED`](crate::region::DISABLE_FORCED).
    pub azure_region: Option<String>,
}

/// Hands a user flow's throttling entries back to its application when the flow ends (also
/// when it fails, or its caller goes away): only what the flow changed, so that an entry
/// another flow renewed meanwhile is not put back to this flow's older copy. An entry it added
/// or changed replaces the app's under that key; one it removed (a new code redeemed) leaves
/// the app's if the app still holds the value this flow started with. Entries whose time ran
/// out go.
struct HandBack {
    store: Rc<MemoryStore>,
    seeded: HashMap<String, String>,
    throttled: Arc<Mutex<Throttled>>,
}

/// Throttling entries by msal's thumbprint key: each entry (msal's JSON) and until when it
/// holds (ms), read once when it is stored. (A map: during an outage there is one per user
/// and tenant, and every call looks at them.)
type Throttled = HashMap<String, (String, u64)>;

/// Stores `value` (msal's throttling JSON) under `key`, with its time.
fn hold(held: &mut Throttled, key: String, value: String) {
    let until = Json::parse(&value).ok().and_then(|j| j.get("throttleTime").and_then(Json::as_u64)).unwrap_or(0);
    held.insert(key, (value, until));
}

/// The entries whose time has not run out.
fn prune(held: &mut Throttled) {
    let now = now_s().saturating_mul(1000);
    held.retain(|_, (_, until)| *until > now);
}

impl HandBack {
    /// A flow's start: the app's entries still in force, put in the flow's `store`.
    fn seed(store: Rc<MemoryStore>, throttled: Arc<Mutex<Throttled>>) -> HandBack {
        let seeded: HashMap<String, String> = match throttled.lock() {
            Ok(mut held) => {
                prune(&mut held);
                held.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect()
            }
            Err(_) => HashMap::new(),
        };
        for (k, v) in &seeded {
            let _ = store.set(k, v);
        }
        HandBack { store, seeded, throttled }
    }
}

impl Drop for HandBack {
    fn drop(&mut self) {
        let after: HashMap<String, String> = self
            .store
            .keys()
            .into_iter()
            .filter(|k| k.starts_with("throttling."))
            .filter_map(|k| self.store.get(&k).map(|v| (k, v)))
            .collect();
        let Ok(mut held) = self.throttled.lock() else { return };
        for (k, v) in &after {
            if self.seeded.get(k) != Some(v) {
                hold(&mut held, k.clone(), v.clone());
            }
        }
        for (k, v) in &self.seeded {
            if !after.contains_key(k) && held.get(k).is_some_and(|(h, _)| h == v) {
                held.remove(k);
            }
        }
        prune(&mut held);
    }
}

/// The credential of one token request at `token_endpoint` (a certificate signs a fresh
/// assertion for it; an app's callback is told it).
async fn credential_for(credential: &Credential, client_id: &str, token_endpoint: &str) -> Result<ClientCredential, AuthError> {
    Ok(match credential {
        Credential::Secret(s) => ClientCredential::Secret(ClientSecret::new(s.clone())),
        Credential::Certificate(c) => {
            ClientCredential::Assertion(Assertion::new(c.assertion(client_id, token_endpoint, now_s(), &guid())?))
        }
        Credential::Assertion(make) => {
            let ctx = AssertionContext { client_id: client_id.to_owned(), token_endpoint: token_endpoint.to_owned() };
            ClientCredential::Assertion(Assertion::new(make(ctx).await?))
        }
    })
}

/// msal-node's `AuthorizationUrlRequest` (its `Debug` leaves the app's `state` out).
#[derive(Clone, Default)]
pub struct AuthCodeUrlRequest {
    /// Scopes (the OIDC scopes are added).
    pub scopes: Vec<String>,
    /// The app's redirect URI (registered exactly).
    pub redirect_uri: String,
    /// The app's own state, returned in the result.
    pub state: String,
    /// `login_hint`.
    pub login_hint: String,
    /// `prompt`.
    pub prompt: Option<Prompt>,
    /// `form_post` (default), `query` or `fragment`.
    pub response_mode: String,
    /// Bearer (default), DPoP (the app's DPoP key) or msal's `pop` (its PoP key).
    pub authentication_scheme: AuthScheme,
    /// `domain_hint` (the user's organization's domain, or `consumers`/`organizations`).
    pub domain_hint: String,
    /// `sid`: the session to sign in with (sent with `prompt=none`, as msal sends it).
    pub sid: String,
    /// A claims challenge (a JSON object), sent with the app's client capabilities, to the
    /// authorize endpoint and again with the code.
    pub claims: String,
    /// More scopes to consent to now, not asked for in this token.
    pub extra_scopes_to_consent: Vec<String>,
    /// More authorize URL parameters (Entra's `dc`, `instance_aware`...).
    pub extra_query_parameters: Vec<(String, String)>,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// The request's own authority (a B2C policy's, another tenant's; trusted as the silent
    /// calls' are); the code is redeemed there. `None`: the configured one.
    pub authority: Option<String>,
}

impl std::fmt::Debug for AuthCodeUrlRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // (Destructured: a field added later must be shown or left out here on purpose.)
        let AuthCodeUrlRequest {
            scopes,
            redirect_uri,
            state,
            login_hint,
            prompt,
            response_mode,
            authentication_scheme,
            domain_hint,
            sid,
            claims,
            extra_scopes_to_consent,
            extra_query_parameters,
            correlation_id,
            authority,
        } = self;
        f.debug_struct("AuthCodeUrlRequest")
            .field("scopes", scopes)
            .field("redirect_uri", redirect_uri)
            .field("state", &if state.is_empty() { "" } else { "[redacted]" })
            .field("login_hint", login_hint)
            .field("prompt", prompt)
            .field("response_mode", response_mode)
            .field("authentication_scheme", authentication_scheme)
            .field("domain_hint", domain_hint)
            .field("sid", sid)
            .field("claims", claims)
            .field("extra_scopes_to_consent", extra_scopes_to_consent)
            .field("extra_query_parameters", extra_query_parameters)
            .field("correlation_id", correlation_id)
            .field("authority", authority)
            .finish()
    }
}

/// What [`ConfidentialClientApplication::get_auth_code_url`] gives: the URL to redirect the
/// user to, and the request to keep in their server-side session (it holds the PKCE verifier,
/// the state and the nonce; never send it to the browser).
#[derive(Clone)]
pub struct AuthCodeFlow {
    /// The authorize URL.
    pub url: String,
    /// The request, for [`ConfidentialClientApplication::acquire_token_by_code`].
    pub session: String,
}

impl std::fmt::Debug for AuthCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("AuthCodeFlow").field("url", &path).finish_non_exhaustive()
    }
}

/// msal-node's `OnBehalfOfRequest`: a middle-tier API's request for a token to call a
/// downstream API as the user whose access token it received.
#[derive(Debug, Clone)]
pub struct OnBehalfOfRequest {
    /// The access token the API received (redacted in `Debug`).
    pub obo_assertion: Assertion,
    /// Scopes of the downstream API.
    pub scopes: Vec<String>,
    /// Go to the token endpoint even when the cache has a token for this assertion.
    pub skip_cache: bool,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// The downstream API's claims challenge, as [`ClientCredentialRequest::claims`].
    pub claims: String,
    /// Another authority, as [`ClientCredentialRequest::authority`].
    pub authority: Option<String>,
}

impl OnBehalfOfRequest {
    /// A request for `scopes` on behalf of the user whose access token is `assertion`.
    pub fn new(assertion: impl Into<String>, scopes: Vec<String>) -> OnBehalfOfRequest {
        OnBehalfOfRequest {
            obo_assertion: Assertion::new(assertion.into()),
            scopes,
            skip_cache: false,
            correlation_id: String::new(),
            claims: String::new(),
            authority: None,
        }
    }
}

/// A token for the app itself.
#[derive(Clone)]
pub struct AppToken {
    /// The access token (redacted in `Debug`).
    pub access_token: AccessToken,
    /// `Bearer` unless the server says otherwise.
    pub token_type: String,
    /// When it expires (ms since the epoch).
    pub expires_on_ms: u64,
    /// When it is due for its proactive renewal (ms since the epoch; msal-node's `refreshOn`):
    /// the server's `refresh_in`, or half the lifetime of a managed identity token over 2 h.
    /// An app keeping the token in a cache of its own renews it then.
    pub refresh_on_ms: Option<u64>,
    /// The scopes it was granted for.
    pub scopes: Vec<String>,
    /// The tenant.
    pub tenant_id: String,
    /// True when served from the cache.
    pub from_cache: bool,
    /// The request's correlation id.
    pub correlation_id: String,
    /// A DPoP token's proof for the request's resource call (never in `Debug`).
    pub dpop_proof: Option<String>,
    /// On behalf of a user: the user's account with its ID token, when the provider sent one
    /// (msal-node's `account` and `idTokenClaims`); none for the app's own token.
    pub account: Option<AccountInfo>,
}

impl std::fmt::Debug for AppToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppToken")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_on_ms", &self.expires_on_ms)
            .field("refresh_on_ms", &self.refresh_on_ms)
            .field("scopes", &self.scopes)
            .field("from_cache", &self.from_cache)
            .field("dpop_proof", &self.dpop_proof.as_ref().map(|_| "[redacted]"))
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// How an app token is bound.
#[derive(Clone, Copy)]
enum AppBind<'a> {
    Dpop(&'a DpopKey),
    Pop(&'a PopKey),
}

/// A confidential client application. `Send + Sync`: share one per process (in an `Arc`).
pub struct ConfidentialClientApplication {
    config: ConfidentialClientConfig,
    authority: Authority,
    environment: String,
    net: Arc<dyn NetworkClient>,
    /// The discovery documents fetched (of authorities without built-in endpoints, and the
    /// configured one's for [`metadata`](Self::metadata)), shared with the user flows.
    documents: Arc<Documents>,
    /// One discovery request per authority at a time: the calls that waited for one share its
    /// failure (a discovery endpoint that hangs fails them all after one timeout, not one after
    /// the other).
    discovering: Turns<String, Option<(std::time::Instant, AuthError)>>,
    /// The region this machine runs in (`azureRegion: TryAutoDetect`) and when it was asked;
    /// a failed detection is tried again after 5 minutes (msal-node tries at every request; a
    /// machine outside Azure pays the metadata service's timeout, up to 2 s, that often).
    region: tokio::sync::Mutex<Option<(Option<String>, std::time::Instant)>>,
    memory: Mutex<UnifiedCache>,
    /// One access at a time per store entry of the plugin (`None`: the whole cache, for a plugin
    /// that does not name its entries, [`CachePlugin::partition_entry`]): a read that began
    /// before a write must not put the older cache back after it. Other entries' accesses (other
    /// users, other tenants) go on meanwhile.
    turns: Turns<Option<String>, ()>,
    /// App and on-behalf-of token requests, one at a time for each token (its authority,
    /// region, scopes, key and user assertion): a burst of calls for a token the cache lacks (a
    /// cold start, its expiry) makes one request, whose outcome (its token, or its failure) is
    /// shared with the calls that waited for it (a token that lives less than the renewal
    /// offset, or that the provider granted fewer scopes than asked, is no hit for them in the
    /// cache); a token due for its refresh (`refresh_in`) is renewed by one call while the
    /// others are served it at once.
    app_requests: Turns<String, Option<(std::time::Instant, AppFetch)>>,
    plugin: Option<Arc<dyn CachePlugin>>,
    /// The in-memory store behind the default plugin (no plugin given): `serialize` and
    /// `deserialize` read and write the whole cache there.
    own_store: Option<Arc<crate::plugins::distributed::MemoryClient>>,
    /// Other SDKs' sections of the document `deserialize` read last, written back by
    /// `serialize` (as msal-node keeps them).
    foreign: Mutex<UnifiedCache>,
    /// The DPoP key (the configured one, or made at the first DPoP request).
    dpop_key: tokio::sync::OnceCell<Arc<DpopKey>>,
    /// The token endpoint's last DPoP nonce.
    dpop_nonce: Mutex<Option<String>>,
    /// Token requests the server throttled (429, 5xx, `Retry-After`), the app's and its users':
    /// msal's thumbprint key and its entry, in memory as msal-node keeps them (each user flow's
    /// client starts with them, and hands back its own).
    throttled: Arc<Mutex<Throttled>>,
    /// Silent calls in flight, by their key (see [`silent_key`]): an identical call joins one.
    silent_flights: Mutex<Vec<(String, SilentFlight)>>,
}

/// What an app or on-behalf-of token request ended with: the token as cached, with the user's
/// account on behalf of a user.
type AppFetch = Result<(CacheEntry, Option<AccountInfo>), AuthError>;

/// The turn of `key` in `turns`, made when nobody holds it (the map keeps only turns in use).
fn shared_turn<K: Eq + std::hash::Hash, T: Default>(turns: &Turns<K, T>, key: K) -> Arc<tokio::sync::Mutex<T>> {
    let mut turns = turns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = turns.get(&key).and_then(std::sync::Weak::upgrade) {
        return t;
    }
    turns.retain(|_, t| t.strong_count() > 0);
    let t = Arc::new(tokio::sync::Mutex::new(T::default()));
    turns.insert(key, Arc::downgrade(&t));
    t
}

/// How long a failed region detection stands before it is tried again: an instance metadata
/// service that did not answer while a pod started must not keep it global for long.
const REGION_RETRY: Duration = Duration::from_secs(300);

/// Locks by key, each guarding a `T`, kept while someone holds them.
type Turns<K, T> = Mutex<std::collections::HashMap<K, std::sync::Weak<tokio::sync::Mutex<T>>>>;

/// Discovery documents by authority ([`Authority::canonical`]): the endpoints, the document,
/// and until when it holds (ms). Each user flow's store starts with them as the core caches
/// them, so a flow needs no request for an authority the app knows, and the documents a flow
/// fetched are taken back after it.
#[derive(Default)]
struct Documents(Mutex<HashMap<String, (AuthorityMetadata, String, u64)>>);

impl Documents {
    fn get(&self, key: &str, fresh: bool) -> Option<(AuthorityMetadata, String)> {
        let now = now_s().saturating_mul(1000);
        let held = self.0.lock().ok()?;
        held.get(key).filter(|d| !fresh || d.2 > now).map(|(m, text, _)| (m.clone(), text.clone()))
    }

    /// The document of `key` while it holds.
    fn fresh(&self, key: &str) -> Option<(AuthorityMetadata, String)> {
        self.get(key, true)
    }

    /// The document of `key`, fresh or not.
    fn any(&self, key: &str) -> Option<(AuthorityMetadata, String)> {
        self.get(key, false)
    }

    /// Holds `key`'s document until `until` (ms). A document that ran out a day ago, its
    /// authority not named since, goes.
    fn hold(&self, key: &str, metadata: AuthorityMetadata, text: String, until: u64) {
        let now = now_s().saturating_mul(1000);
        if let Ok(mut held) = self.0.lock() {
            held.retain(|_, d| d.2.saturating_add(METADATA_LIFETIME_MS) > now);
            held.insert(key.to_owned(), (metadata, text, until));
        }
    }

    /// Puts the documents in a flow's `store`, as the core caches them.
    fn seed(&self, store: &MemoryStore, client_id: &str) {
        let Ok(held) = self.0.lock() else { return };
        for (key, (_, text, until)) in held.iter() {
            let _ = store.set(&metadata_key(client_id, key), &metadata_entry(*until, text));
        }
    }

    /// Takes the documents a flow fetched back from its `store` (those held longer than ours).
    fn take_back(&self, store: &MemoryStore, client_id: &str, mode: ProtocolMode) {
        let prefix = metadata_key(client_id, "");
        for key in store.keys() {
            let Some(canonical) = key.strip_prefix(prefix.as_str()) else { continue };
            let Some((until, text)) = store.get(&key).and_then(|v| read_metadata_entry(&v, |until, text| Some((until, text.to_owned()))))
            else {
                continue;
            };
            let held_longer = self.0.lock().ok().and_then(|h| h.get(canonical).map(|d| d.2 >= until)).unwrap_or(false);
            if held_longer {
                continue;
            }
            let Ok(authority) = Authority::parse(canonical, mode) else { continue };
            if let Ok(m) = AuthorityMetadata::parse(&text, &authority) {
                self.hold(canonical, m, text, until);
            }
        }
    }
}

/// Takes a flow's documents back when it ends (also when it fails, or its caller goes away).
struct TakeBack {
    documents: Arc<Documents>,
    store: Rc<MemoryStore>,
    client_id: String,
    mode: ProtocolMode,
}

impl Drop for TakeBack {
    fn drop(&mut self) {
        self.documents.take_back(&self.store, &self.client_id, self.mode);
    }
}

/// The outcome of one silent call in flight, for every call that joined it (`None` while it
/// runs; the channel closes unsent when the call that ran it was dropped before it sent its
/// request).
type SilentFlight = tokio::sync::watch::Receiver<Option<Result<AuthenticationResult, AuthError>>>;
/// Where a silent call in flight publishes its outcome (see [`SilentFlight`]).
type SilentOutcome = Arc<tokio::sync::watch::Sender<Option<Result<AuthenticationResult, AuthError>>>>;

/// What makes two silent calls the same (msal-node's `getSilentRequestKey`): all of the request
/// but its correlation id, with its scopes as a set.
fn silent_key(req: &SilentRequest) -> String {
    let mut scopes: Vec<String> = req.scopes.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    scopes.sort();
    scopes.dedup();
    let without_id = SilentRequest { scopes, correlation_id: String::new(), ..req.clone() };
    // (Debug shows every field but the state and the attribute tokens, secrets, which follow
    // it here; the key is never logged.)
    format!("{without_id:?}|{}|{}", req.state, req.options.attribute_tokens.join(" "))
}

impl std::fmt::Debug for ConfidentialClientApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfidentialClientApplication")
            .field("client_id", &self.config.client_id)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

/// The app's network client for a user flow, its requests sent from the app's runtime: a
/// connection reqwest (hyper) opens is driven by a task of the runtime that opened it, and a
/// flow's own runtime runs only while that flow does, so the app's next request that took such
/// a pooled connection stalled until its timeout.
struct OnAppRuntime {
    client: Arc<dyn NetworkClient>,
    runtime: tokio::runtime::Handle,
}

impl NetworkClient for OnAppRuntime {
    fn send<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> crate::system::BoxFuture<'a, Result<msal_wasm::core::http::HttpResponse, AuthError>> {
        let (client, request) = (self.client.clone(), request.clone());
        let sent = self.runtime.spawn(async move { client.send(&request).await });
        Box::pin(async move {
            sent.await.unwrap_or_else(|_| Err(AuthError::client(codes::UNEXPECTED_ERROR, "the network request stopped unexpectedly")))
        })
    }
}

thread_local! {
    /// The runtime of a blocking thread that runs the shared client's flows.
    static LOCAL_RUNTIME: std::cell::RefCell<Option<tokio::runtime::Runtime>> = const { std::cell::RefCell::new(None) };
}

/// msal-node's name for an on-behalf-of token's user-assertion hash (both schemas: msal-node writes it camelCase).
const USER_ASSERTION_HASH: &str = "userAssertionHash";

use crate::now_s;

/// The partition of an on-behalf-of token: its user's, `<oid>.<tid>` of the assertion (the
/// user's access token to this API: their `homeAccountId` for a member of the API's tenant),
/// where msal-node keeps it with the user's other tokens; an assertion without both claims (AD
/// FS's, another provider's) has one per user, named by the hash of its `iss` and `sub` (msal-node's
/// account falls back to `sub`), so the user's next assertion replaces it; one without a `sub`
/// either (not a JWT) has one of its own, named by the assertion's hash.
fn obo_partition(assertion: &str, hash: &str) -> Partition {
    let Ok(c) = IdTokenClaims::decode(assertion) else { return Partition::Account(["obo.", hash].concat()) };
    match (c.oid(), c.tid(), c.str("sub")) {
        (Some(oid), Some(tid), _) if !oid.is_empty() && !tid.is_empty() => Partition::Account([oid, ".", tid].concat()),
        (_, _, Some(sub)) if !sub.is_empty() => {
            let user = [c.str("iss").unwrap_or_default(), "\n", sub].concat();
            Partition::Account(["obo.", &base64::encode_url(&sha256(user.as_bytes()))].concat())
        }
        _ => Partition::Account(["obo.", hash].concat()),
    }
}

/// A GUID (all zeros in the unlikely case the OS's generator fails: a correlation or token id).
fn guid() -> String {
    crate::random_guid().unwrap_or_else(|_| msal_wasm::core::pkce::guid([0u8; 16]))
}

impl ConfidentialClientApplication {
    /// A client for `config`; with `plugin`, its cache is loaded and saved around each access.
    pub fn new(config: ConfidentialClientConfig, plugin: Option<Arc<dyn CachePlugin>>) -> Result<Self, AuthError> {
        // An empty secret (an unset environment variable) is refused here, as msal-node's
        // constructor refuses it, not by Entra at every token request.
        if matches!(&config.credential, Credential::Secret(s) if s.is_empty()) {
            return Err(AuthError::client(codes::INVALID_CLIENT_CREDENTIAL, "the client secret is empty"));
        }
        let authority = Authority::parse(&config.authority, config.protocol_mode)?;
        let environment = authority.default_cloud().preferred_cache;
        let net = config.system.network(|| Http::new(config.network_timeout))?;
        // Without a plugin, the users' partitions live in this process (msal-node's in-memory
        // cache); the app's own tokens are in `memory` either way.
        let own_store = plugin.is_none().then(|| Arc::new(crate::plugins::distributed::MemoryClient::default()));
        let plugin = plugin.or_else(|| {
            let memory: Arc<dyn crate::KeyValueClient> = own_store.clone()?;
            Some(Arc::new(crate::DistributedCachePlugin::new(memory, Arc::new(crate::DefaultPartitions))) as Arc<dyn CachePlugin>)
        });
        Ok(ConfidentialClientApplication {
            config,
            authority,
            environment,
            net,
            documents: Arc::default(),
            discovering: Mutex::default(),
            region: tokio::sync::Mutex::new(None),
            memory: Mutex::new(UnifiedCache::new()),
            turns: Mutex::default(),
            plugin,
            own_store,
            foreign: Mutex::new(UnifiedCache::new()),
            dpop_key: tokio::sync::OnceCell::new(),
            dpop_nonce: Mutex::new(None),
            throttled: Arc::default(),
            silent_flights: Mutex::new(Vec::new()),
            app_requests: Mutex::default(),
        })
    }

    /// The authority's discovery document (for Microsoft's clouds too, whose token requests
    /// need none: its issuer is the tenant's id, what an API's token validation compares),
    /// fetched again after 24 hours.
    pub async fn metadata(&self) -> Result<AuthorityMetadata, AuthError> {
        Ok(self.fetched_document(&self.authority).await?.0)
    }

    /// The endpoints of `authority` (the configured one, or a request's).
    async fn endpoints(&self, authority: &Authority) -> Result<AuthorityMetadata, AuthError> {
        Ok(self.discover(authority).await?.0)
    }

    /// `authority`'s endpoints: for msal's Microsoft clouds, their known endpoints without a
    /// request, as msal-node (a global outage leaves a regional token service reachable, and a
    /// new tenant costs no round trip), with no document; else its discovery document.
    async fn discover(&self, authority: &Authority) -> Result<(AuthorityMetadata, String), AuthError> {
        if let Some(document) = self.config.authority_metadata.as_ref().filter(|_| authority.canonical() == self.authority.canonical()) {
            return Ok((AuthorityMetadata::parse_configured(document, authority)?, document.clone()));
        }
        if let Some(m) = authority.builtin_metadata() {
            return Ok((m, String::new()));
        }
        self.fetched_document(authority).await
    }

    /// `authority`'s discovery document: the one fetched within the last 24 hours (msal's
    /// authority-metadata lifetime), else fetched now, one request per authority at a time.
    /// While a document that ran out cannot be fetched again, it is used on (msal-node fails
    /// every request meanwhile, those its cache could serve too).
    async fn fetched_document(&self, authority: &Authority) -> Result<(AuthorityMetadata, String), AuthError> {
        let key = authority.canonical();
        if let Some(d) = self.documents.fresh(key) {
            return Ok(d);
        }
        let waited_from = std::time::Instant::now();
        let turn = shared_turn(&self.discovering, key.to_owned());
        let mut last = turn.lock().await;
        if let Some(d) = self.documents.fresh(key) {
            return Ok(d);
        }
        let fetched = match &*last {
            Some((ended, e)) if *ended >= waited_from => Err(e.clone()),
            _ => {
                let fetched = self.fetch_discovery(authority).await;
                *last = fetched.as_ref().err().map(|e| (std::time::Instant::now(), e.clone()));
                fetched
            }
        };
        match fetched {
            Ok((m, text)) => {
                self.documents.hold(key, m.clone(), text.clone(), now_s().saturating_mul(1000).saturating_add(METADATA_LIFETIME_MS));
                Ok((m, text))
            }
            Err(e) => match self.documents.any(key) {
                // Held 5 more minutes: the calls meanwhile do not each wait for a discovery
                // endpoint that hangs.
                Some((m, text)) => {
                    self.log(
                        LogLevel::Warning,
                        "",
                        &["the discovery document could not be fetched again (", e.code(), "): the last one is used"].concat(),
                    );
                    self.documents.hold(key, m.clone(), text.clone(), now_s().saturating_add(300).saturating_mul(1000));
                    Ok((m, text))
                }
                None => Err(e),
            },
        }
    }

    /// Fetches `authority`'s openid-configuration and checks it names that authority.
    async fn fetch_discovery(&self, authority: &Authority) -> Result<(AuthorityMetadata, String), AuthError> {
        self.log(LogLevel::Verbose, "", &["fetching the discovery document of ", authority.canonical()].concat());
        let sent = self.net.send(&HttpRequest::get(authority.openid_configuration_url())).await;
        let (m, document) = AuthorityMetadata::from_response(sent, authority)
            .inspect_err(|e| self.log(LogLevel::Error, "", &["the authority's discovery document failed: ", e.code()].concat()))?;
        if !m.fits(authority, &authority.default_cloud(), &self.config.known_authorities) {
            // (msal's issuer check fails its endpoint resolution, which it reports as such.)
            return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the openid-configuration names a foreign issuer")
                .with_sub_error(codes::ISSUER_VALIDATION_FAILED.to_owned()));
        }
        Ok((m, document))
    }

    /// The authority of a request: the configured one, or the one it names on the configured
    /// authority's host (or an alias of its cloud), as msal-wasm's client trusts one.
    fn authority_for(&self, requested: Option<&str>) -> Result<Authority, AuthError> {
        let Some(url) = requested.filter(|u| !u.trim().is_empty()) else { return Ok(self.authority.clone()) };
        let a = Authority::parse(url, self.config.protocol_mode)?;
        if !a.trusted_beside(&self.authority, &self.authority.default_cloud(), &self.config.known_authorities) {
            return Err(AuthError::config(codes::UNTRUSTED_AUTHORITY, "the request's authority is not on the configured authority's host"));
        }
        Ok(a)
    }

    /// Runs `f` on the cache of `partition`: loaded by the plugin before, saved after when `f`
    /// says it changed something.
    async fn with_cache<R>(&self, partition: Partition, f: impl FnOnce(&mut UnifiedCache) -> (R, bool)) -> Result<R, AuthError> {
        // (Only the plugin's I/O is awaited under the turn.)
        let turn = self.turn(self.plugin.as_ref().and_then(|p| p.partition_entry(&partition)));
        let _turn = turn.lock().await;
        let current = self.memory.lock().map(|m| m.clone()).unwrap_or_default();
        let mut ctx = CacheContext::new(current, partition);
        if let Some(p) = &self.plugin {
            p.before_cache_access(&mut ctx).await?;
        }
        let (result, changed) = f(ctx.cache_mut());
        if changed {
            ctx.set_changed();
        }
        if let Some(p) = &self.plugin {
            p.after_cache_access(&mut ctx).await?;
        }
        if let Ok(mut m) = self.memory.lock() {
            *m = ctx.into_cache();
        }
        Ok(result)
    }

    /// The lock of the accesses of a plugin's store entry (see `turns`), made when nobody holds it.
    fn turn(&self, partition: Option<String>) -> Arc<tokio::sync::Mutex<()>> {
        shared_turn(&self.turns, partition)
    }

    /// Logs through the app's logger, if any.
    fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        self.config.system.log(level, correlation_id, message);
    }

    /// The partition of the app's own tokens in `tenant`.
    fn app_partition(&self, tenant: &str) -> Partition {
        // Lower-cased, as msal-node lower-cases the authority (its caches hold such realms).
        Partition::App { client_id: self.config.client_id.clone(), tenant: tenant.to_ascii_lowercase() }
    }

    /// msal-node's `acquireTokenByClientCredential`: the cached app token for the scopes while
    /// it is valid (with msal's 5-minute offset), else a new one from the token endpoint.
    pub async fn acquire_token_by_client_credential(&self, req: &ClientCredentialRequest) -> Result<AppToken, AuthError> {
        // As msal-node: the OpenID Connect scopes are no app permission; they are left out.
        let mut scopes = ScopeSet::new(&req.scopes);
        for oidc in OIDC_DEFAULT_SCOPES {
            scopes.remove(oidc);
        }
        if scopes.is_empty() {
            return Err(AuthError::client(codes::EMPTY_INPUT_SCOPES_ERROR, "client credentials need at least one scope"));
        }
        let authority = self.authority_for(req.authority.as_deref()).map_err(|e| e.with_correlation_id(req.correlation_id.clone()))?;
        // An app token is the tenant's: a multi-tenant alias names none (msal-node's check of the
        // authority's first path segment).
        if authority.is_multi_tenant() {
            return Err(AuthError::client(
                codes::MISSING_TENANT_ID_ERROR,
                "client credentials need the tenant's authority, not common, organizations or consumers",
            )
            .with_correlation_id(req.correlation_id.clone()));
        }
        let region = match crate::region::setting(req.azure_region.as_deref(), std::env::var("MSAL_FORCE_REGION").ok()) {
            None => None,
            Some(r) if r == crate::region::AUTO_DETECT => self.detected_region().await,
            Some(r) => Some(crate::region::named(&r).map_err(|e| e.with_correlation_id(req.correlation_id.clone()))?),
        };
        let dpop = match &req.authentication_scheme {
            AuthScheme::Dpop { .. } => Some(self.dpop_key().await?),
            _ => None,
        };
        let bind = match (&req.authentication_scheme, &dpop, &self.config.pop_key) {
            (AuthScheme::Bearer, _, _) => None,
            (AuthScheme::Dpop { .. }, Some(k), _) => Some(AppBind::Dpop(k)),
            (AuthScheme::Pop { .. }, _, Some(k)) => Some(AppBind::Pop(k)),
            _ => {
                return Err(AuthError::config(
                    codes::INVALID_CONFIGURATION,
                    "msal's pop scheme needs an RSA key: ConfidentialClientConfig::pop_key",
                ))
            }
        };
        let token = self
            .app_token(
                (&authority, region.as_deref()),
                &scopes,
                (req.skip_cache, &req.claims),
                &req.correlation_id,
                self.app_partition(authority.tenant()),
                None,
                Grant::ClientCredentials,
                bind,
            )
            .await?;
        match (&req.authentication_scheme, bind) {
            (AuthScheme::Dpop { method, uri }, Some(AppBind::Dpop(key))) => {
                let proof = key.proof(method, uri, None, Some(token.access_token.secret()))?;
                Ok(AppToken { dpop_proof: Some(proof), ..token })
            }
            (scheme @ AuthScheme::Pop { .. }, Some(AppBind::Pop(key))) => {
                let signed = key.sign_request(token.access_token.secret(), scheme)?;
                Ok(AppToken { access_token: AccessToken::new(signed), ..token })
            }
            _ => Ok(token),
        }
    }

    /// The region this machine runs in: found once (one search at a time), or not found within
    /// the last 5 minutes ([`REGION_RETRY`]).
    async fn detected_region(&self) -> Option<String> {
        let mut known = self.region.lock().await;
        match &*known {
            Some((found @ Some(_), _)) => return found.clone(),
            Some((None, at)) if at.elapsed() < REGION_RETRY => return None,
            _ => {}
        }
        let found = crate::region::detect_here(self.config.system.network_client.as_deref()).await;
        *known = Some((found.clone(), std::time::Instant::now()));
        found
    }

    /// The app's DPoP key: the configured one, else one made now (in memory, for this
    /// client's life).
    pub async fn dpop_key(&self) -> Result<Arc<DpopKey>, AuthError> {
        let key = self
            .dpop_key
            .get_or_try_init(|| async {
                match &self.config.dpop_key {
                    Some(k) => Ok(k.clone()),
                    None => DpopKey::generate().map(Arc::new),
                }
            })
            .await?;
        Ok(key.clone())
    }

    /// msal-node's `acquireTokenOnBehalfOf`: a token for the downstream API's scopes, for the
    /// user whose access token the request carries. Cached in the user's partition (`<oid>.<tid>`
    /// of the assertion; an assertion without both claims has one of its own) for that
    /// assertion (msal-node's `userAssertionHash`) while valid; the user's next assertion
    /// replaces it there, as msal-node's cache key has no hash.
    pub async fn acquire_token_on_behalf_of(&self, req: &OnBehalfOfRequest) -> Result<AppToken, AuthError> {
        let scopes = ScopeSet::new(&req.scopes);
        if scopes.is_empty() {
            return Err(AuthError::client(codes::EMPTY_INPUT_SCOPES_ERROR, "on-behalf-of needs at least one scope"));
        }
        if req.obo_assertion.secret().trim().is_empty() {
            return Err(AuthError::client(codes::NULL_OR_EMPTY_TOKEN, "on-behalf-of needs the user's access token"));
        }
        let hash = base64::encode_url(&sha256(req.obo_assertion.secret().as_bytes()));
        let partition = obo_partition(req.obo_assertion.secret(), &hash);
        let grant = Grant::OnBehalfOf { assertion: &req.obo_assertion };
        let authority = self.authority_for(req.authority.as_deref()).map_err(|e| e.with_correlation_id(req.correlation_id.clone()))?;
        self.app_token((&authority, None), &scopes, (req.skip_cache, &req.claims), &req.correlation_id, partition, Some(&hash), grant, None)
            .await
    }

    /// A token this app gets with its own credential and no account (client credentials; on
    /// behalf of a user assertion whose hash is `assertion_hash`): the cached one for the scopes
    /// while valid (msal's 5-minute offset, `refresh_in`), else one from the token endpoint,
    /// cached in `partition` as msal-node caches it. A request with claims skips the cache.
    #[allow(clippy::too_many_arguments)]
    async fn app_token(
        &self,
        (authority, region): (&Authority, Option<&str>),
        scopes: &ScopeSet,
        (skip_cache, claims): (bool, &str),
        correlation_id: &str,
        partition: Partition,
        assertion_hash: Option<&str>,
        grant: Grant<'_>,
        bind: Option<AppBind<'_>>,
    ) -> Result<AppToken, AuthError> {
        // A bound token is its own kind of entry, found only with its key (and a Bearer request
        // never finds it).
        let (kind, token_type, key_id) = match bind {
            Some(AppBind::Dpop(k)) => (CredentialType::AccessTokenWithAuthScheme, "DPoP", k.thumbprint()),
            Some(AppBind::Pop(k)) => (CredentialType::AccessTokenWithAuthScheme, "pop", k.thumbprint()),
            None => (CredentialType::AccessToken, "", ""),
        };
        let correlation_id = if correlation_id.is_empty() { guid() } else { correlation_id.to_owned() };
        // As msal-node: claims (a challenge) or client capabilities go in the request's `claims`,
        // merged with msal's optional ID token claims; a claims challenge skips the cache. (msal
        // takes claims that are not a JSON object as none unless it must send them; here they
        // fail, `invalid_claims`.)
        let given = match Json::parse(claims) {
            Ok(Json::Obj(members)) => !members.is_empty(),
            _ => !claims.trim().is_empty(),
        };
        let wire_claims = if given || !self.config.client_capabilities.is_empty() {
            authorize::merge_claims(if given { claims } else { "" }, &self.config.client_capabilities)
                .map_err(|e| e.with_correlation_id(correlation_id.clone()))?
        } else {
            String::new()
        };
        let skip_cache = skip_cache || given;
        let tenant = authority.tenant().to_owned();
        let hash = assertion_hash.map(Json::from);
        let result = |c: &CacheEntry, account: Option<AccountInfo>, from_cache: bool| AppToken {
            access_token: AccessToken::new(c.secret.clone()),
            token_type: if c.token_type.is_empty() { "Bearer".to_owned() } else { c.token_type.clone() },
            expires_on_ms: c.expires_on.saturating_mul(1000),
            refresh_on_ms: c.refresh_on.map(|r| r.saturating_mul(1000)),
            scopes: c.scopes.iter().map(str::to_owned).collect(),
            // As msal-node: the user's tenant (their ID token's `tid`) on behalf of a user.
            tenant_id: account
                .as_ref()
                .and_then(|a| a.id_token_claims.as_ref()?.str_field("tid").filter(|t| !t.is_empty()).map(str::to_owned))
                .unwrap_or_else(|| tenant.clone()),
            from_cache,
            correlation_id: correlation_id.clone(),
            dpop_proof: None,
            account,
        };
        // A cached token whose `refresh_in` time has come is renewed, but served when the
        // renewal fails: it is still valid (msal-node serves it when the provider answers
        // with an error; a network failure is no reason to fail a valid token either).
        let mut due = None;
        // The token's turn (see `app_requests`): waited for on a miss, then the cache is read
        // again; taken for a due token only when free (else the cached one is served at once).
        // (A claims challenge or a forced refresh asks on its own.)
        let mut turn = None;
        let turn_key = || {
            let region = region.unwrap_or_default();
            let key = [authority.canonical(), "|", region, "|", &scopes.to_lower_string(), "|", key_id, "|", assertion_hash.unwrap_or("")]
                .concat();
            shared_turn(&self.app_requests, key)
        };
        loop {
            if skip_cache {
                break;
            }
            let now = now_s();
            let cloud = authority.default_cloud();
            let hit = self
                .with_cache(partition.clone(), |cache| {
                    let found = cache.credentials().into_iter().map(|(_, c)| c).find(|c| {
                        c.credential_type == kind
                            && (bind.is_none() || c.token_type.eq_ignore_ascii_case(token_type))
                            && c.key_id == key_id
                            // An app token has no account; an on-behalf-of token has its user's
                            // (msal-node's client-credentials lookup skips those), found by hash.
                            && (hash.is_some() || c.home_account_id.is_empty())
                            && c.client_id == self.config.client_id
                            // On behalf of a user the token is under the user's tenant (their
                            // `tid`, as msal-node files it); the assertion's hash pins it.
                            && (hash.is_some() || c.realm.eq_ignore_ascii_case(&tenant))
                            // The cloud's aliases (msal-node with knownAuthorities files under
                            // the host it was given).
                            && cloud.has_alias(&c.environment)
                            // msal-node's fmi_path or client claims: another identity's token.
                            && !c.has_other_key_components()
                            && c.extra.iter().find(|(k, _)| k == USER_ASSERTION_HASH).map(|(_, v)| v) == hash.as_ref()
                            && c.scopes.contains_all(&scopes.for_cache_search())
                            && !is_expired(c, now, DEFAULT_RENEWAL_OFFSET_SECS)
                    });
                    let account = match (&found, &hash) {
                        (Some(at), Some(_)) => self.obo_account(cache, at, &tenant),
                        _ => None,
                    };
                    (found.map(|at| (at, account)), false)
                })
                .await?;
            match hit {
                // As msal-node, an on-behalf-of token is served until it expires (the user's
                // assertion it was made from may have expired by its refresh time).
                Some((c, _)) if hash.is_none() && refresh_due(&c, now) && turn.is_none() => match turn_key().try_lock_owned() {
                    Ok(held) => {
                        self.log(LogLevel::Info, &correlation_id, "the cached token is due for its refresh (refresh_in): renewing it");
                        turn = Some(held);
                        due = Some(c);
                    }
                    Err(_) => {
                        self.log(LogLevel::Verbose, &correlation_id, "token served from the cache while another call renews it");
                        return Ok(result(&c, None, true));
                    }
                },
                Some((c, account)) => {
                    self.log(LogLevel::Verbose, &correlation_id, "token served from the cache");
                    return Ok(result(&c, account, true));
                }
                None if turn.is_none() => {
                    let waited_from = std::time::Instant::now();
                    let held = turn_key().lock_owned().await;
                    // A request for it that ended while this call waited: its outcome is this
                    // call's too.
                    if let Some((ended, outcome)) = &*held {
                        if *ended >= waited_from {
                            self.log(LogLevel::Verbose, &correlation_id, "served the outcome of the request this call waited for");
                            let (c, account) = outcome.clone()?;
                            return Ok(result(&c, account, true));
                        }
                    }
                    turn = Some(held);
                    continue;
                }
                None => {}
            }
            break;
        }
        self.log(
            LogLevel::Info,
            &correlation_id,
            if hash.is_some() { "requesting a token on behalf of the user" } else { "requesting a token for the app" },
        );
        let claims = (if given { claims } else { "" }, wire_claims.as_str());
        let fetched = self
            .fetch_app_token(
                (authority, region),
                scopes,
                &correlation_id,
                claims,
                &partition,
                hash.as_ref(),
                grant,
                bind,
                (kind, token_type, key_id),
            )
            .await;
        if let Some(last) = turn.as_deref_mut() {
            *last = Some((std::time::Instant::now(), fetched.clone()));
        }
        match (fetched, due) {
            (Ok((entry, account)), _) => Ok(result(&entry, account, false)),
            (Err(e), Some(cached)) => {
                self.log(LogLevel::Warning, &correlation_id, &["the renewal failed (", e.code(), "): the cached token is served"].concat());
                Ok(result(&cached, None, true))
            }
            (Err(e), None) => Err(e),
        }
    }

    /// The token endpoint's part of [`app_token`](Self::app_token): requests the token, checks
    /// it, and caches it in `partition`.
    #[allow(clippy::too_many_arguments)]
    async fn fetch_app_token(
        &self,
        (authority, region): (&Authority, Option<&str>),
        scopes: &ScopeSet,
        correlation_id: &str,
        (claims, wire_claims): (&str, &str),
        partition: &Partition,
        hash: Option<&Json>,
        grant: Grant<'_>,
        bind: Option<AppBind<'_>>,
        (kind, token_type, key_id): (CredentialType, &str, &str),
    ) -> Result<(CacheEntry, Option<AccountInfo>), AuthError> {
        let correlation_id = correlation_id.to_owned();
        let tenant = authority.tenant().to_owned();
        // As msal-node: after a 429, a 5xx or a Retry-After, the same request (msal's thumbprint:
        // client, authority, scopes, scheme; no account, also on behalf of a user) fails here
        // until the server's wait is over.
        let words: Vec<&str> = scopes.iter().collect();
        let thumb = Thumbprint {
            client_id: &self.config.client_id,
            authority: authority.canonical(),
            scopes: &words,
            home_account_id: "",
            claims,
            authentication_scheme: if bind.is_some() { token_type } else { "Bearer" },
            resource_request_method: "",
            resource_request_uri: "",
            shr_claims: "",
            resource: "",
            attribute_tokens: "",
        }
        .key();
        let held_back = self.throttled.lock().ok().and_then(|mut held| {
            prune(&mut held);
            held.get(&thumb).and_then(|(v, _)| throttle::check(v, now_s().saturating_mul(1000)))
        });
        // (Logged with the lock released: the app's logger may take its time.)
        if let Some(e) = held_back {
            self.log(LogLevel::Warning, &correlation_id, "the server asked to wait before this request again: failed without sending it");
            return Err(e.with_correlation_id(correlation_id));
        }
        let mut metadata = self.endpoints(authority).await?;
        // msal-node's regional token service (client credentials only).
        if let Some(r) = region {
            metadata.token_endpoint = crate::region::endpoint(&metadata.token_endpoint, r);
        }
        let credential = self.client_credential(&metadata.token_endpoint).await?;
        // On behalf of a user, as msal-node: with the OpenID Connect scopes (the user's ID token
        // and a refresh token come back).
        let mut wire_scopes = scopes.clone();
        if hash.is_some() {
            OIDC_DEFAULT_SCOPES.iter().for_each(|o| wire_scopes.insert(o));
        }
        let http = TokenRequest {
            endpoint: &metadata.token_endpoint,
            client_id: &self.config.client_id,
            scopes: &wire_scopes,
            correlation_id: &correlation_id,
            grant,
            credential: &credential,
            // On behalf of a user: the user's home account id keys the token, as msal-node's.
            client_info: hash.is_some(),
            claims: wire_claims,
            anchor: "",
            extra_body: &[],
            app: &self.config.application,
        }
        .build();
        let sent = match bind {
            Some(AppBind::Pop(key)) => {
                let mut http = http;
                http.body.push_str("&token_type=pop&req_cnf=");
                http.body.push_str(&msal_wasm::core::dpop::req_cnf(key.thumbprint()));
                self.net.send(&http).await
            }
            Some(AppBind::Dpop(key)) => {
                let nonce = self.dpop_nonce.lock().ok().and_then(|n| n.clone());
                let send = |h: HttpRequest| async move { self.net.send(&h).await };
                let endpoint = metadata.token_endpoint.as_str();
                let prove = |n: Option<String>| async move { key.proof("POST", endpoint, n.as_deref(), None) };
                send_with_proof(http, nonce, send, prove).await.map(|(resp, latest)| {
                    if let (Some(n), Ok(mut slot)) = (latest, self.dpop_nonce.lock()) {
                        *slot = Some(n);
                    }
                    resp
                })
            }
            None => self.net.send(&http).await,
        };
        let resp = sent.map_err(|e| {
            self.log(LogLevel::Error, &correlation_id, &["the token request got no answer: ", e.code()].concat());
            e.with_correlation_id(correlation_id.clone())
        })?;
        let mut token = match TokenResponse::parse(&resp, now_s()) {
            Ok(t) => t,
            Err(e) => {
                self.log(LogLevel::Error, &correlation_id, &["the token endpoint refused the request: ", e.code()].concat());
                if let Some(value) = throttle::on_failure(&resp, &e, now_s().saturating_mul(1000)) {
                    if let Ok(mut held) = self.throttled.lock() {
                        hold(&mut held, thumb, value);
                    }
                }
                return Err(e.with_correlation_id(correlation_id));
            }
        };
        // (The parser lets B2C's answer to OpenID scopes alone through without an access token;
        // an app's token is nothing without one.)
        if token.access_token.secret().is_empty() {
            return Err(AuthError::new(ErrorKind::Network, codes::FAILED_TO_PARSE_RESPONSE, "the token response has no access_token")
                .with_correlation_id(correlation_id));
        }
        check_token_type(&token.token_type, if bind.is_some() { token_type } else { "Bearer" })
            .map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        // (A bound token's type in the scheme's spelling, as msal's.)
        if bind.is_some() {
            token_type.clone_into(&mut token.token_type);
        }
        if matches!(bind, Some(AppBind::Pop(_)))
            && msal_wasm::core::dpop::access_token_kid(token.access_token.secret()).as_deref() != Some(key_id)
        {
            return Err(AuthError::client(codes::TOKEN_CLAIMS_CNF_REQUIRED, "the PoP access token's cnf.kid is not the app's key")
                .with_correlation_id(correlation_id));
        }
        let granted = token.scope.as_deref().map(ScopeSet::parse).filter(|s| !s.is_empty()).unwrap_or_else(|| scopes.clone());
        // On behalf of a user, msal-node keeps the user's account, ID token and refresh token
        // beside the access token (the refresh token under the assertion's hash too).
        let user = match hash {
            Some(h) => self
                .obo_user_entries(&token, h, (&tenant, &authority.default_cloud().preferred_cache))
                .map_err(|e| e.with_correlation_id(correlation_id.clone()))?,
            None => None,
        };
        let home = match (hash, &user) {
            (_, Some((account, _))) => account.account.home_account_id.clone(),
            (Some(_), None) => ClientInfo::decode(&token.client_info).map(|ci| ci.home_account_id()).unwrap_or_default(),
            (None, None) => String::new(),
        };
        // As msal-node: the realm is the user's `tid` (their ID token's), else the authority's.
        let realm = user
            .as_ref()
            .and_then(|(_, others)| others.iter().find(|c| c.credential_type == CredentialType::IdToken))
            .map_or(tenant.as_str(), |id| id.realm.as_str());
        // Under the request's authority's cloud (msal-node's preferred cache for it): a
        // custom domain in knownAuthorities is no alias of the configured authority's cloud.
        let environment = authority.default_cloud().preferred_cache;
        let mut entry = CacheEntry::new(kind, &home, &environment, &self.config.client_id, realm, token.access_token.secret());
        entry.target = granted.to_space_string();
        entry.scopes = granted;
        entry.cached_at = token.cached_at;
        entry.expires_on = token.expires_on;
        entry.extended_expires_on = token.extended_expires_on;
        entry.refresh_on = token.refresh_on;
        entry.token_type = token.token_type.clone();
        key_id.clone_into(&mut entry.key_id);
        entry.last_updated_at = token.cached_at.saturating_mul(1000);
        if let Some(h) = hash {
            entry.extra.push((USER_ASSERTION_HASH.to_owned(), h.clone()));
        }
        let cloud = authority.default_cloud();
        self.with_cache(partition.clone(), |cache| {
            // As msal's saveAccessToken: the tokens this one replaces go (its kind, app, user,
            // tenant and key, under any alias of the cloud, for overlapping scopes), so that an
            // msal-node sharing the partition finds one token, not several
            // (multiple_matching_tokens).
            let hash_of = |c: &CacheEntry| c.extra.iter().find(|(k, _)| k == USER_ASSERTION_HASH).map(|(_, v)| v.clone());
            let replaced: Vec<String> = cache
                .credentials()
                .into_iter()
                .filter(|(_, c)| {
                    c.credential_type == entry.credential_type
                        && c.client_id == entry.client_id
                        && c.home_account_id == entry.home_account_id
                        && c.realm.eq_ignore_ascii_case(&entry.realm)
                        && (kind == CredentialType::AccessToken || c.token_type.eq_ignore_ascii_case(&entry.token_type))
                        && c.key_id == entry.key_id
                        && cloud.has_alias(&c.environment)
                        && !c.has_other_key_components()
                        && hash_of(c) == hash_of(&entry)
                        && c.scopes.replaced_by(&entry.scopes)
                })
                .map(|(k, _)| k.to_owned())
                .collect();
            for key in replaced {
                cache.remove(Section::of(kind), &key);
            }
            cache.add_credential(&entry);
            if let Some((account, others)) = &user {
                cache.add_account(account);
                for c in others {
                    cache.add_credential(c);
                }
            }
            ((), true)
        })
        .await?;
        let account = user.map(|(a, others)| {
            let id_token = others.into_iter().find(|c| c.credential_type == CredentialType::IdToken);
            let tenant = id_token.as_ref().map_or(a.account.realm.as_str(), |t| t.realm.as_str());
            account_info(&a.account, tenant, id_token.as_ref())
        });
        Ok((entry, account))
    }

    /// What msal-node caches for the user of an on-behalf-of response beside the access token:
    /// with an ID token, the account and the ID token, and the refresh token under the
    /// assertion's hash. None without an ID token (msal-node then keeps no account). Filed, as
    /// the access token, under the request's authority's cloud (`environment`).
    fn obo_user_entries(
        &self,
        token: &TokenResponse,
        hash: &Json,
        (tenant, environment): (&str, &str),
    ) -> Result<Option<(AccountEntity, Vec<CacheEntry>)>, AuthError> {
        let Some(id_token) = &token.id_token else { return Ok(None) };
        let claims = IdTokenClaims::decode(id_token.secret())?;
        let kind = if self.authority.kind() == AuthorityType::Adfs { authority_type::ADFS } else { authority_type::MSSTS };
        let now_ms = now_s().saturating_mul(1000);
        let Some(account) = Account::from_response(&token.client_info, Some(&claims), environment, kind, now_ms) else {
            return Ok(None);
        };
        let home = account.home_account_id.clone();
        let client_id = &self.config.client_id;
        // The ID token's tenant (msal-node's: `tid`, else none), the refresh token's none.
        let realm = claims.tid().unwrap_or(tenant);
        let mut entries = vec![CacheEntry::new(CredentialType::IdToken, &home, environment, client_id, realm, id_token.secret())];
        if let Some(rt) = &token.refresh_token {
            let mut c = CacheEntry::new(CredentialType::RefreshToken, &home, environment, client_id, "", rt.secret());
            token.family_id.clone_into(&mut c.family_id);
            c.expires_on = token.refresh_token_expires_on.unwrap_or_default();
            c.extra.push((USER_ASSERTION_HASH.to_owned(), hash.clone()));
            entries.push(c);
        }
        for c in &mut entries {
            c.cached_at = token.cached_at;
            c.last_updated_at = token.cached_at.saturating_mul(1000);
        }
        Ok(Some((AccountEntity::new(account), entries)))
    }

    /// The user of a cached on-behalf-of access token, as msal-node finds them: the ID token
    /// of the token's home account for this client, its cloud and the authority's tenant, and
    /// its account.
    fn obo_account(&self, cache: &UnifiedCache, at: &CacheEntry, tenant: &str) -> Option<AccountInfo> {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let credentials = cache.credentials();
        // The ID token of the authority's tenant, else the user's own (at a multi-tenant
        // authority, it is stored under the user's `tid`).
        let of_user = |c: &CacheEntry| {
            c.credential_type == CredentialType::IdToken
                && c.home_account_id == at.home_account_id
                && same(&c.environment, &at.environment)
                && c.client_id == self.config.client_id
        };
        let id_token = match credentials.iter().find(|(_, c)| of_user(c) && same(&c.realm, tenant)) {
            Some((_, c)) => c.clone(),
            None => credentials.iter().find(|(_, c)| of_user(c)).map(|(_, c)| c.clone())?,
        };
        // (Its account is keyed by the home tenant, a guest's ID token by the guest tenant.)
        let accounts = cache.accounts();
        let (_, entity) = accounts
            .into_iter()
            .find(|(_, e)| e.account.home_account_id == at.home_account_id && same(&e.account.environment, &at.environment))?;
        Some(account_info(&entity.account, &id_token.realm, Some(&id_token)))
    }

    /// The credential of one token request (a certificate signs a fresh assertion).
    async fn client_credential(&self, token_endpoint: &str) -> Result<ClientCredential, AuthError> {
        credential_for(&self.config.credential, &self.config.client_id, token_endpoint).await
    }

    /// Runs a user flow on msal-wasm's client (the flows are written once, there) for this
    /// app: a client of its own per call, with this app's endpoints and credential, its cache
    /// loaded from and saved to the plugin by `run`. The shared client is single-threaded: it
    /// runs on a blocking thread with a runtime of its own, so this future is `Send` (for web
    /// servers' handlers).
    async fn run_user_flow<R, F>(&self, response_mode: &str, run: F) -> Result<R, AuthError>
    where
        R: Send + 'static,
        F: for<'a> FnOnce(
                &'a Core<NativePlatform>,
                Option<&'a dyn CachePlugin>,
            ) -> Pin<Box<dyn Future<Output = Result<R, AuthError>> + 'a>>
            + Send
            + 'static,
    {
        let (_, document) = self.discover(&self.authority).await?;
        let documents = self.documents.clone();
        let (credential, client_id) = (self.config.credential.clone(), self.config.client_id.clone());
        let mut config = Config::new(self.config.client_id.clone())
            .with_authority(self.config.authority.clone())
            .with_authority_metadata(document.clone());
        config.response_mode = response_mode.to_owned();
        config.protocol_mode = self.config.protocol_mode;
        config.known_authorities.clone_from(&self.config.known_authorities);
        config.client_capabilities.clone_from(&self.config.client_capabilities);
        config.application.clone_from(&self.config.application);
        config.network_timeout_ms = u64::try_from(self.config.network_timeout.as_millis()).unwrap_or(u64::MAX);
        if let Some(l) = &self.config.system.logger {
            config.log_level = l.level();
        }
        // The client's own network client (the app's, or its reqwest one) and logger.
        let on_app_runtime = OnAppRuntime { client: self.net.clone(), runtime: tokio::runtime::Handle::current() };
        let system = SystemOptions { network_client: Some(Arc::new(on_app_runtime)), logger: self.config.system.logger.clone() };
        let plugin = self.plugin.clone();
        let throttled = self.throttled.clone();
        // The app's binding keys, for bound user tokens (DPoP: made now if not configured).
        let (dpop, pop) = (self.dpop_key().await?, self.config.pop_key.clone());
        let joined = tokio::task::spawn_blocking(move || {
            let flow = async move {
                let timeout = Duration::from_millis(config.network_timeout_ms);
                let platform = NativePlatform::with_system(timeout, &system)?;
                platform.use_dpop_key(dpop);
                if let Some(pop) = pop {
                    platform.use_pop_key(pop);
                }
                // The shared client keeps its throttling entries in its store: this call's
                // starts with the app's, and hands back what it changed.
                let store = msal_wasm::platform::Platform::cache_store(&platform);
                let _hand_back = HandBack::seed(store.clone(), throttled);
                documents.seed(&store, &config.client_id);
                let _take_back = TakeBack { documents, store, client_id: config.client_id.clone(), mode: config.protocol_mode };
                let core = Core::new(config, platform)?;
                core.initialize().await?;
                // Made for each request's token endpoint: a request's authority, or a guest
                // tenant the client picks, changes it, and an assertion names it (msal-node
                // signs each for it).
                core.set_credential_maker(std::rc::Rc::new(move |endpoint: &str| {
                    let (credential, client_id, endpoint) = (credential.clone(), client_id.clone(), endpoint.to_owned());
                    Box::pin(async move { credential_for(&credential, &client_id, &endpoint).await })
                }));
                run(&core, plugin.as_deref()).await
            };
            // One runtime per blocking thread, kept for the thread's next flows.
            LOCAL_RUNTIME.with(|slot| {
                let mut slot = slot.borrow_mut();
                if slot.is_none() {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|_| AuthError::client(codes::UNEXPECTED_ERROR, "could not start a runtime for the token flow"))?;
                    *slot = Some(runtime);
                }
                match slot.as_ref() {
                    Some(runtime) => runtime.block_on(flow),
                    None => Err(AuthError::client(codes::UNEXPECTED_ERROR, "no runtime for the token flow")),
                }
            })
        })
        .await;
        joined.map_err(|_| AuthError::client(codes::UNEXPECTED_ERROR, "the token flow stopped unexpectedly"))?
    }

    /// msal-node's `getAuthCodeUrl`: the authorize URL to send the user to (PKCE, state, nonce;
    /// `response_mode=form_post` unless the request says otherwise), and the request to keep in
    /// the user's server-side session until [`acquire_token_by_code`](Self::acquire_token_by_code).
    pub async fn get_auth_code_url(&self, req: &AuthCodeUrlRequest) -> Result<AuthCodeFlow, AuthError> {
        let interactive = InteractiveRequest {
            scopes: req.scopes.clone(),
            redirect_uri: req.redirect_uri.clone(),
            state: req.state.clone(),
            login_hint: req.login_hint.clone(),
            prompt: req.prompt.clone(),
            authentication_scheme: req.authentication_scheme.clone(),
            domain_hint: req.domain_hint.clone(),
            sid: req.sid.clone(),
            claims: req.claims.clone(),
            extra_scopes_to_consent: req.extra_scopes_to_consent.clone(),
            extra_query_parameters: req.extra_query_parameters.clone(),
            correlation_id: req.correlation_id.clone(),
            authority: req.authority.clone(),
            ..InteractiveRequest::default()
        };
        let mode = if req.response_mode.is_empty() { "form_post".to_owned() } else { req.response_mode.clone() };
        self.run_user_flow(&mode, move |core, _| {
            Box::pin(async move {
                // As a redirect (the browser comes back to the app); a bound request's key is
                // the app's (see run_user_flow).
                let pending = core.begin_redirect(&interactive, "").await?;
                core.abort_interaction(&pending);
                Ok(AuthCodeFlow { url: pending.url.clone(), session: pending.to_session() })
            })
        })
        .await
    }

    /// msal-node's `acquireTokenByCode`: redeems the authorize response (`response`: the
    /// form_post body or the query, `code=…&state=…`) of the request kept in `session`, after
    /// checking its state (and the ID token's nonce), with the app's credential and the PKCE
    /// verifier. The user's tokens are cached in their partition (`homeAccountId`).
    pub async fn acquire_token_by_code(&self, session: &str, response: &str) -> Result<AuthenticationResult, AuthError> {
        let pending = PendingAuth::from_session(session)
            .ok_or_else(|| AuthError::browser(codes::NO_TOKEN_REQUEST_CACHE_ERROR, "the session holds no authorization request"))?;
        let response = response.to_owned();
        self.run_user_flow("form_post", move |core, plugin| {
            Box::pin(async move {
                let loaded = crate::sync::fresh(core)?;
                let result = core.finish_interaction(pending, &response).await?;
                let partition = Partition::Account(result.account.account.home_account_id.clone());
                crate::sync::save(core, plugin, &partition, Some(loaded)).await?;
                Ok(result)
            })
        })
        .await
    }

    /// msal-node's `acquireTokenByCode` for a code this app did not ask for itself (a mobile or
    /// desktop app's, another front end's, with its PKCE `code_verifier`): redeemed with this
    /// app's credential at the request's `redirect_uri` (the one the code was sent to), the
    /// user's tokens saved in their partition for later silent calls.
    pub async fn acquire_token_by_code_request(&self, req: ByCodeRequest) -> Result<AuthenticationResult, AuthError> {
        self.run_user_flow("query", move |core, plugin| {
            Box::pin(async move {
                let loaded = crate::sync::fresh(core)?;
                let result = core.acquire_token_by_code(&req).await?;
                let partition = Partition::Account(result.account.account.home_account_id.clone());
                crate::sync::save(core, plugin, &partition, Some(loaded)).await?;
                Ok(result)
            })
        })
        .await
    }

    /// msal-node's `acquireTokenSilent` for a user: the cached token (from the user's partition
    /// of the plugin's store), else the refresh token (with the app's credential); else an
    /// `InteractionRequired` error — then sign the user in again.
    ///
    /// As msal-node (its `SilentRequestCoalescer`), an identical call made while one is in
    /// flight shares its outcome (one token request); a result carries the caller's own
    /// correlation id.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let key = silent_key(req);
        let correlation_id = if req.correlation_id.is_empty() { guid() } else { req.correlation_id.clone() };
        loop {
            let (mut flight, runs) = match self.silent_flights.lock() {
                Ok(mut flights) => {
                    // A flight that landed with nobody left to see it is not joined later.
                    flights.retain(|(_, f)| f.borrow().is_none());
                    match flights.iter().find(|(k, _)| *k == key) {
                        Some((_, f)) => (f.clone(), None),
                        None => {
                            let (tx, rx) = tokio::sync::watch::channel(None);
                            flights.push((key.clone(), rx.clone()));
                            (rx, Some(Arc::new(tx)))
                        }
                    }
                }
                Err(_) => {
                    let (tx, rx) = tokio::sync::watch::channel(None);
                    (rx, Some(Arc::new(tx)))
                }
            };
            if let Some(tx) = runs {
                // The blocking thread that redeems publishes the outcome too: the calls that
                // joined get it even when this one is dropped (a client that went away).
                let first = SilentRequest { correlation_id: correlation_id.clone(), ..req.clone() };
                let outcome = self.silent_call(&first, Some(tx.clone())).await;
                tx.send_replace(Some(outcome));
            }
            let outcome = flight.wait_for(Option::is_some).await.ok().and_then(|o| o.clone());
            if let Ok(mut flights) = self.silent_flights.lock() {
                flights.retain(|(_, f)| !f.same_channel(&flight));
            }
            match outcome {
                Some(Ok(mut r)) => {
                    r.correlation_id = correlation_id;
                    return Ok(r);
                }
                // (As msal-node: a shared failure keeps the call's own correlation id, the one
                // the server saw.)
                Some(Err(e)) => return Err(e),
                // The call that ran it was dropped before its request went out: run it here.
                None => continue,
            }
        }
    }

    /// One silent call (see [`acquire_token_silent`](Self::acquire_token_silent)).
    /// `publish`: where the blocking thread sends the outcome as well.
    async fn silent_call(&self, req: &SilentRequest, publish: Option<SilentOutcome>) -> Result<AuthenticationResult, AuthError> {
        let Some(account) = req.account.clone() else {
            return Err(AuthError::client(codes::NO_ACCOUNT_IN_SILENT_REQUEST, "a silent request names its account"));
        };
        let req = crate::without_frames(req);
        self.run_user_flow("form_post", move |core, plugin| {
            Box::pin(async move {
                let partition = Partition::Account(account.home_account_id.clone());
                let flow = async {
                    let loaded = crate::sync::load(core, plugin, &partition).await?;
                    let result = core.acquire_token_silent_refreshing(&req).await;
                    crate::sync::save(core, plugin, &partition, loaded).await?;
                    // The account is not in its partition (never signed in here, or the store
                    // lost it): as msal-node, the user must sign in (no tokens found).
                    result.map_err(|e| match e.code() == codes::NO_ACCOUNT_ERROR {
                        true => AuthError::new(
                            ErrorKind::InteractionRequired,
                            codes::NO_TOKENS_FOUND,
                            "no tokens for this account in the cache",
                        ),
                        false => e,
                    })
                };
                let outcome = flow.await;
                if let Some(tx) = publish {
                    tx.send_replace(Some(outcome.clone()));
                }
                outcome
            })
        })
        .await
    }

    /// msal-node's `getTokenCache().getAllAccounts()`: every user's account cached in this
    /// process (each user's partition, those of on-behalf-of tokens included), as msal-node's
    /// in-memory cache lists them; with a plugin whose every access loads the whole cache (a
    /// file, [`CachePlugin::whole_cache`]), every account in it. A partitioned plugin's store
    /// cannot be listed: `method_not_implemented` (look an account up by its `homeAccountId`
    /// instead, as msal-node's web app samples do with their session's).
    pub async fn get_all_accounts(&self) -> Result<Vec<AccountInfo>, AuthError> {
        let Some(store) = &self.own_store else {
            if self.plugin.as_ref().is_some_and(|p| p.whole_cache()) {
                return self.with_cache(Partition::Account(String::new()), |cache| (self.accounts_in(cache), false)).await;
            }
            return Err(AuthError::client(
                "method_not_implemented",
                "the users' partitions are the cache plugin's: look an account up by its homeAccountId",
            ));
        };
        let app = ["msal.", &self.config.client_id, "."].concat();
        let partitions: Vec<String> = store.snapshot().into_iter().map(|(k, _)| k).filter(|k| !k.starts_with(&app)).collect();
        let mut out: Vec<AccountInfo> = Vec::new();
        for key in partitions {
            let found = self.with_cache(Partition::Account(key), |cache| (self.accounts_in(cache), false)).await?;
            for a in found {
                let (home, tenant) = (&a.account.home_account_id, &a.account.realm);
                if !out.iter().any(|o| &o.account.home_account_id == home && o.account.realm.eq_ignore_ascii_case(tenant)) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// msal-node's `getTokenCache().getAccountByLocalId()`: the account whose `localAccountId`
    /// is `local_account_id`, among [`get_all_accounts`](Self::get_all_accounts)'.
    pub async fn get_account_by_local_id(&self, local_account_id: &str) -> Result<Option<AccountInfo>, AuthError> {
        if local_account_id.is_empty() {
            return Ok(None);
        }
        Ok(self.get_all_accounts().await?.into_iter().find(|a| a.account.local_account_id == local_account_id))
    }

    /// The accounts in `cache`, one per tenant profile as msal-node's (a guest's is its
    /// guest tenant's view), each with that tenant's ID token of this client (an on-behalf-of
    /// user's may be filed under a request's authority's cloud, not the configured one's).
    fn accounts_in(&self, cache: &UnifiedCache) -> Vec<AccountInfo> {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let credentials = cache.credentials();
        let mut out = Vec::new();
        for (_, entity) in cache.accounts() {
            let account = entity.account;
            let profiles = account.profiles();
            for profile in profiles.iter() {
                let id_token_in = |tenant: &str| {
                    credentials.iter().map(|(_, c)| c).find(|c| {
                        c.credential_type == CredentialType::IdToken
                            && c.home_account_id == account.home_account_id
                            && c.client_id == self.config.client_id
                            && same(&c.environment, &account.environment)
                            && (tenant.is_empty() || same(&c.realm, tenant))
                    })
                };
                // (An entry without its tenant's ID token, from an older cache: the account's own.)
                let id_token = id_token_in(&profile.tenant_id)
                    .or_else(|| (profile.tenant_id.is_empty() || profiles.len() <= 1).then(|| id_token_in("")).flatten());
                out.push(account_info(&account, &profile.tenant_id, id_token));
            }
        }
        out
    }

    /// msal-node's `getTokenCache().getAccountByHomeId()`: the user's account, with their ID
    /// token's claims, from their partition (`None` when it holds none: never signed in here,
    /// signed out, or the store lost it). Reads the cache only: no network, no credential.
    pub async fn get_account_by_home_id(&self, home_account_id: &str) -> Result<Option<AccountInfo>, AuthError> {
        if home_account_id.is_empty() {
            return Ok(None);
        }
        let home = home_account_id;
        self.with_cache(Partition::Account(home.to_owned()), |cache| {
            (self.accounts_in(cache).into_iter().find(|a| a.account.home_account_id == home), false)
        })
        .await
    }

    /// msal-node's `getTokenCache().removeAccount()`: removes the user's account and every
    /// token of theirs (any client's, as msal) from their partition; no end-session URL (see
    /// [`sign_out`](Self::sign_out) for that too). Touches the cache only.
    pub async fn remove_account(&self, account: &AccountRef) -> Result<(), AuthError> {
        if account.home_account_id.is_empty() {
            return Ok(());
        }
        self.with_cache(Partition::Account(account.home_account_id.clone()), |cache| {
            // (The account's own cloud, as its AccountInfo names it: an on-behalf-of user's may
            // be another than the configured authority's.)
            let environment = if account.environment.is_empty() { &self.environment } else { &account.environment };
            cache.remove_account(&account.home_account_id, environment);
            ((), true)
        })
        .await
    }

    /// msal-node's `acquireTokenByRefreshToken`: redeems a refresh token obtained elsewhere
    /// (e.g. migrated from another library) with the app's credential; the user's tokens are
    /// cached in their partition.
    pub async fn acquire_token_by_refresh_token(&self, refresh_token: &str, scopes: &[String]) -> Result<AuthenticationResult, AuthError> {
        let (refresh_token, scopes) = (refresh_token.to_owned(), scopes.to_vec());
        self.run_user_flow("form_post", move |core, plugin| {
            Box::pin(async move {
                let loaded = crate::sync::fresh(core)?;
                let result = core.acquire_token_by_refresh_token(&refresh_token, &scopes, "").await?;
                let partition = Partition::Account(result.account.account.home_account_id.clone());
                crate::sync::save(core, plugin, &partition, Some(loaded)).await?;
                Ok(result)
            })
        })
        .await
    }

    /// Signs `account` out of the app: removes their tokens from their partition, and gives
    /// the provider's end-session URL to send the browser to (msal-node's sample's
    /// `/auth/signout`; `None` when the provider has no end-session endpoint).
    pub async fn sign_out(&self, account: &AccountRef, post_logout_redirect_uri: &str) -> Result<Option<String>, AuthError> {
        let req = LogoutRequest {
            account: Some(account.clone()),
            post_logout_redirect_uri: Some(post_logout_redirect_uri.to_owned()),
            ..LogoutRequest::default()
        };
        self.run_user_flow("form_post", move |core, plugin| {
            Box::pin(async move {
                let partition = Partition::Account(req.account.as_ref().map(|a| a.home_account_id.clone()).unwrap_or_default());
                let loaded = crate::sync::load(core, plugin, &partition).await?;
                // The removal is saved whatever the end-session URL's fate.
                let started = core.begin_logout(&req, InteractionType::Redirect);
                crate::sync::save(core, plugin, &partition, loaded).await?;
                match started {
                    Ok(s) => Ok(s.url),
                    // A provider without an end-session endpoint: the sign-out is the local one.
                    Err(e) if e.code() == codes::END_SESSION_ENDPOINT_NOT_SUPPORTED => Ok(None),
                    Err(e) => Err(e),
                }
            })
        })
        .await
    }

    /// The authority's end-session URL, to send a signed-out user's browser to (`None` when the
    /// authority has none); the cache is left as it is (see [`sign_out`](Self::sign_out) for
    /// both). `logout_hint`: the ID token's `login_hint` claim, so the user is not asked which
    /// account to sign out (may be empty).
    pub async fn get_logout_url(&self, post_logout_redirect_uri: &str, logout_hint: &str) -> Result<Option<String>, AuthError> {
        let metadata = self.metadata().await?;
        Ok(metadata
            .end_session_endpoint
            .as_deref()
            .map(|endpoint| msal_wasm::core::authorize::logout_url(endpoint, post_logout_redirect_uri, &guid(), "", logout_hint, "", &[])))
    }

    /// The whole cache in msal's unified format (msal-node's `getTokenCache().serialize()`):
    /// the app's tokens and every user's. With a plugin of the app's own, the cache lives in its
    /// store; this is then the partition of the last access (read the store for the rest).
    pub fn serialize(&self) -> String {
        match &self.own_store {
            Some(store) => {
                let mut whole = self.foreign.lock().map(|f| f.clone()).unwrap_or_default();
                for (_, text) in store.snapshot() {
                    let Ok(part) = msal_wasm::core::cache::unified::deserialize_or_empty(&text) else { continue };
                    for s in Section::ALL {
                        for (key, entity) in part.entries(s) {
                            whole.insert(s, key, entity.clone());
                        }
                    }
                }
                whole.serialize()
            }
            None => self.memory.lock().map(|m| m.serialize()).unwrap_or_default(),
        }
    }

    /// Replaces the cache with `text` (unified format; msal-node's
    /// `getTokenCache().deserialize()`): its entries go to the app's partition (no account),
    /// a user's partition (an on-behalf-of token's too; one without a user: its assertion's
    /// partition). With a plugin of the app's own, write the store instead: the plugin loads
    /// its partition over this.
    /// An empty `text` (a file not written yet) changes nothing, as msal-node's.
    pub fn deserialize(&self, text: &str) -> Result<(), AuthError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let cache = msal_wasm::core::cache::unified::deserialize(text)?;
        let Some(store) = &self.own_store else {
            if let Ok(mut m) = self.memory.lock() {
                *m = cache;
            }
            return Ok(());
        };
        let mut parts: Vec<(String, UnifiedCache)> = Vec::new();
        for s in Section::ALL {
            for (key, entity) in cache.entries(s) {
                let home = entity.str_field("home_account_id").unwrap_or_default();
                let partition = match entity.str_field("userAssertionHash").or_else(|| entity.str_field("user_assertion_hash")) {
                    Some(hash) if home.is_empty() => Partition::Account(["obo.", hash].concat()),
                    // An app token in its tenant's partition (a request's authority may name
                    // another than the configured one).
                    None if home.is_empty() => {
                        let realm = entity.str_field("realm").filter(|r| !r.is_empty());
                        self.app_partition(realm.unwrap_or(self.authority.tenant()))
                    }
                    // A user's token, also on behalf of them (see `obo_partition`).
                    _ => Partition::Account(home.to_owned()),
                };
                let name = crate::plugins::distributed::PartitionManager::key(&crate::DefaultPartitions, &partition);
                let at = match parts.iter().position(|(n, _)| *n == name) {
                    Some(at) => at,
                    None => {
                        parts.push((name, UnifiedCache::new()));
                        parts.len() - 1
                    }
                };
                parts[at].1.insert(s, key, entity.clone());
            }
        }
        store.replace_all(parts.into_iter().map(|(name, part)| (name, part.serialize())).collect());
        if let Ok(mut m) = self.memory.lock() {
            *m = UnifiedCache::new();
        }
        let mut foreign = cache.clone();
        for s in Section::ALL {
            for (key, _) in cache.entries(s) {
                foreign.remove(s, key);
            }
        }
        if let Ok(mut f) = self.foreign.lock() {
            *f = foreign;
        }
        Ok(())
    }
}

/// An account with its ID token and the token's claims, as results carry it.
/// `account` as its tenant profile in `tenant` shows it (its first when it has none there:
/// msal's `AccountInfo` per tenant), with that tenant's ID token.
fn account_info(account: &Account, tenant: &str, id_token: Option<&CacheEntry>) -> AccountInfo {
    let profiles = account.profiles();
    let Some(profile) = profiles.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(tenant)).or(profiles.first()) else {
        return AccountInfo { account: account.clone(), id_token: None, id_token_claims: None };
    };
    let claims = id_token.and_then(|t| IdTokenClaims::decode(&t.secret).ok());
    AccountInfo {
        account: account.in_tenant(profile, claims.as_ref()),
        id_token: id_token.map(|t| IdToken::new(t.secret.clone())),
        id_token_claims: claims.map(|c| c.json().clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msal_wasm::core::http::HttpResponse;

    /// A user flow hands back only what it changed: an entry another flow renewed meanwhile
    /// keeps the renewal, one it added or removed is added or removed, one past its time goes.
    #[test]
    fn an_on_behalf_of_partition_is_the_users_whatever_assertion_they_bring() {
        let jwt = |claims: &str| ["e30", &base64::encode_url(claims.as_bytes()), "sig"].join(".");
        let hash = |a: &str| base64::encode_url(&sha256(a.as_bytes()));
        let part = |a: &str| obo_partition(a, &hash(a));
        // AD FS: no oid or tid. Each hour's new access token of one user: one partition.
        let adfs = |jti: &str| jwt(&format!(r#"{{"iss":"https://adfs.contoso.com/adfs","sub":"user-7","jti":"{jti}"}}"#));
        assert_eq!(part(&adfs("a")), part(&adfs("b")));
        assert_ne!(part(&adfs("a")), part(&jwt(r#"{"iss":"https://adfs.contoso.com/adfs","sub":"user-8"}"#)));
        assert_ne!(part(&adfs("a")), part(&jwt(r#"{"iss":"https://other.example","sub":"user-7"}"#)));
        // Entra: the user's homeAccountId.
        assert_eq!(part(&jwt(r#"{"oid":"o","tid":"t","sub":"s"}"#)), Partition::Account("o.t".into()));
        // Not a JWT, or no sub: the assertion's own.
        assert_eq!(part("opaque"), Partition::Account(["obo.", &hash("opaque")].concat()));
        let no_sub = jwt(r#"{"iss":"x"}"#);
        assert_eq!(part(&no_sub), Partition::Account(["obo.", &hash(&no_sub)].concat()));
    }

    #[test]
    fn an_empty_secret_is_refused_when_the_client_is_built() {
        let config =
            |secret: &str| ConfidentialClientConfig::new("c", "https://login.microsoftonline.com/t", Credential::Secret(secret.into()));
        let e = ConfidentialClientApplication::new(config(""), None).err().unwrap();
        assert_eq!((e.code(), e.kind()), (codes::INVALID_CLIENT_CREDENTIAL, msal_wasm::error::ErrorKind::Client));
        assert!(ConfidentialClientApplication::new(config("s"), None).is_ok());
    }

    #[test]
    fn a_flow_hands_back_only_the_throttling_entries_it_changed() {
        let until = |s: u64| format!(r#"{{"throttleTime":{},"error":"temporarily_unavailable"}}"#, (now_s() + s) * 1000);
        let shared = Arc::new(Mutex::new(Throttled::new()));
        for (k, s) in [("throttling.a", 60), ("throttling.b", 60), ("throttling.gone", 0)] {
            hold(&mut shared.lock().unwrap(), k.to_owned(), until(s));
        }
        let store = Rc::new(MemoryStore::new());
        let flow = HandBack::seed(store.clone(), shared.clone());
        assert_eq!(flow.seeded.len(), 2, "an entry past its time is not seeded");
        assert!(store.get("throttling.a").is_some());
        // Meanwhile another flow renewed `a`; this one redeemed a new code (its `b` went) and
        // was throttled itself (`c`).
        let renewed = until(120);
        hold(&mut shared.lock().unwrap(), "throttling.a".to_owned(), renewed.clone());
        store.remove("throttling.b");
        store.set("throttling.c", &until(30)).unwrap();
        drop(flow);
        let mut held: Vec<(String, String)> = shared.lock().unwrap().iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect();
        held.sort();
        assert_eq!(held, vec![("throttling.a".to_owned(), renewed), ("throttling.c".to_owned(), until(30))]);
    }

    /// A scripted token service on 127.0.0.1, for the authority `http://localhost:<port>/tenant`:
    /// its discovery document, and tokens; keeps each request's method, `Host` and path.
    async fn service() -> (u16, Arc<Mutex<Vec<String>>>) {
        let port = Arc::new(std::sync::OnceLock::<u16>::new());
        let known = port.clone();
        let (addr, heads) = crate::http::scripted(move |head| {
            let base = format!("http://localhost:{}/tenant", known.get().copied().unwrap_or_default());
            let body = if head.lines().next().is_some_and(|l| l.contains("/.well-known/openid-configuration")) {
                format!(r#"{{"issuer":"{base}/v2.0","authorization_endpoint":"{base}/oauth2/v2.0/authorize","token_endpoint":"{base}/oauth2/v2.0/token"}}"#)
            } else {
                r#"{"token_type":"Bearer","access_token":"app-token","expires_in":3600}"#.to_owned()
            };
            (200, body)
        })
        .await;
        let _ = port.set(addr.port());
        (addr.port(), heads)
    }

    /// `METHOD host/path` of a request head (without the query).
    fn route(head: &str) -> String {
        let line = head.lines().next().unwrap_or_default();
        let mut parts = line.split(' ');
        let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let host = head.lines().find_map(|l| l.strip_prefix("host:")).unwrap_or_default().trim();
        format!("{} {host}{}", method.to_ascii_uppercase(), target.split('?').next().unwrap_or_default())
    }

    #[tokio::test]
    async fn a_region_sends_the_client_credentials_request_to_the_regional_token_service() {
        let (port, seen) = service().await;
        let mut config = ConfidentialClientConfig::new("daemon", format!("http://localhost:{port}/tenant"), Credential::Secret("s".into()));
        config.application = AppTelemetry { name: "daemon-app".into(), version: "3.0".into() };
        let mut app = ConfidentialClientApplication::new(config, None).unwrap();
        // A resolver of the test's own: the global and the regional host are both this service.
        let here = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let client = reqwest::Client::builder().resolve("localhost", here).resolve("westus2.localhost", here).build().unwrap();
        app.net = Arc::new(Http::over(client, Duration::from_secs(5)));
        let scopes = vec!["api://x/.default".to_owned()];
        let global = ClientCredentialRequest {
            scopes: scopes.clone(),
            azure_region: Some(crate::region::DISABLE_FORCED.into()),
            ..Default::default()
        };
        app.acquire_token_by_client_credential(&global).await.unwrap();
        let regional = ClientCredentialRequest { skip_cache: true, azure_region: Some("westus2".into()), ..global.clone() };
        assert!(!app.acquire_token_by_client_credential(&regional).await.unwrap().from_cache);
        let log: Vec<String> = seen.lock().unwrap().iter().map(|h| route(h)).collect();
        let posts: Vec<&String> = log.iter().filter(|l| l.starts_with("POST ")).collect();
        assert_eq!(
            posts,
            [
                &format!("POST localhost:{port}/tenant/oauth2/v2.0/token"),
                &format!("POST westus2.localhost:{port}/tenant/oauth2/v2.0/token")
            ],
            "{log:?}"
        );
        // msal-node's telemetry.application, in every token request.
        let sent: Vec<String> = seen.lock().unwrap().iter().filter(|h| h.starts_with("post ")).cloned().collect();
        assert_eq!(sent.iter().filter(|b| b.contains("&x-app-name=daemon-app&x-app-ver=3.0&")).count(), 2, "{sent:?}");
        // The regional token is cached as the global one is: the next call is served from it.
        assert!(app.acquire_token_by_client_credential(&global).await.unwrap().from_cache);
    }

    /// A store whose reads take 20 ms; notes the most reads of one key, and of any keys, at
    /// once.
    #[derive(Default)]
    struct SlowStore {
        reading: Mutex<Vec<String>>,
        most: Mutex<(usize, usize)>,
    }

    impl crate::KeyValueClient for SlowStore {
        fn get<'a>(&'a self, key: &'a str) -> crate::plugins::distributed::ClientFuture<'a, Option<String>> {
            Box::pin(async move {
                {
                    let mut reading = self.reading.lock().unwrap();
                    reading.push(key.to_owned());
                    let same = reading.iter().filter(|k| *k == key).count();
                    let mut most = self.most.lock().unwrap();
                    *most = (most.0.max(same), most.1.max(reading.len()));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                let mut reading = self.reading.lock().unwrap();
                let at = reading.iter().position(|k| k == key).unwrap();
                reading.remove(at);
                Ok(None)
            })
        }
        fn set<'a>(&'a self, _key: &'a str, _value: &'a str) -> crate::plugins::distributed::ClientFuture<'a, ()> {
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test]
    async fn a_silent_call_without_an_account_fails_with_msal_nodes_code() {
        let config = ConfidentialClientConfig::new("api", "https://login.microsoftonline.com/tenant-id", Credential::Secret("s".into()));
        let app = ConfidentialClientApplication::new(config, None).unwrap();
        let e = app.acquire_token_silent(&SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() }).await.unwrap_err();
        assert_eq!((e.code(), e.kind()), ("no_account_in_silent_request", ErrorKind::Client));
    }

    #[tokio::test]
    async fn cache_accesses_of_other_partitions_go_on_together_and_one_partitions_one_at_a_time() {
        // As msal-node's distributed plugin (no lock): a middle tier's lookups for many users
        // are not queued behind one another's store round trips.
        let store = Arc::new(SlowStore::default());
        let plugin: Arc<dyn CachePlugin> = Arc::new(crate::DistributedCachePlugin::new(store.clone(), Arc::new(crate::DefaultPartitions)));
        let config = ConfidentialClientConfig::new("api", "https://login.microsoftonline.com/tenant-id", Credential::Secret("s".into()));
        let app = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
        let access = |user: String| app.with_cache(Partition::Account(user), |_| ((), false));
        let all: Vec<_> = (0..8).map(|i| format!("user-{i}")).chain((0..4).map(|_| "user-0".to_owned())).map(access).collect();
        for r in futures_join(all).await {
            r.unwrap();
        }
        let (one_key, any) = *store.most.lock().unwrap();
        assert_eq!(one_key, 1, "one partition's accesses one at a time");
        assert!(any >= 4, "other partitions' accesses together: at most {any} at once");
        assert!(app.turns.lock().unwrap().values().all(|t| t.strong_count() == 0), "no lock outlives its accesses");
        // A plugin that does not name its entries (one blob, as msal-node's custom plugins
        // often store it): one access at a time, whatever the partition.
        struct Blob(crate::DistributedCachePlugin);
        impl CachePlugin for Blob {
            fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> crate::cache::PluginFuture<'a> {
                self.0.before_cache_access(ctx)
            }
            fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> crate::cache::PluginFuture<'a> {
                self.0.after_cache_access(ctx)
            }
        }
        let store = Arc::new(SlowStore::default());
        let plugin: Arc<dyn CachePlugin> =
            Arc::new(Blob(crate::DistributedCachePlugin::new(store.clone(), Arc::new(crate::DefaultPartitions))));
        let config = ConfidentialClientConfig::new("api", "https://login.microsoftonline.com/tenant-id", Credential::Secret("s".into()));
        let app = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
        let access = |user: String| app.with_cache(Partition::Account(user), |_| ((), false));
        for r in futures_join((0..4).map(|i| format!("user-{i}")).map(access).collect()).await {
            r.unwrap();
        }
        assert_eq!(store.most.lock().unwrap().1, 1, "a blob's accesses one at a time");
    }

    /// Runs the futures together on this task (a join).
    async fn futures_join<F: Future>(all: Vec<F>) -> Vec<F::Output> {
        let mut pinned: Vec<Pin<Box<F>>> = all.into_iter().map(Box::pin).collect();
        let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut pending = false;
            for (f, r) in pinned.iter_mut().zip(results.iter_mut()) {
                if r.is_none() {
                    match f.as_mut().poll(cx) {
                        std::task::Poll::Ready(v) => *r = Some(v),
                        std::task::Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await;
        results.into_iter().map(Option::unwrap).collect()
    }

    /// A network where the global host is down: notes each request; only the regional token
    /// service answers (a token).
    struct GlobalOutage(Mutex<Vec<String>>);

    impl GlobalOutage {
        /// A daemon at `authority` whose requests go through such a network.
        fn daemon_at(authority: &str) -> (ConfidentialClientApplication, Arc<GlobalOutage>) {
            let config = ConfidentialClientConfig::new("daemon", authority, Credential::Secret("s".into()));
            let mut app = ConfidentialClientApplication::new(config, None).unwrap();
            let net = Arc::new(GlobalOutage(Mutex::new(Vec::new())));
            app.net = net.clone();
            (app, net)
        }
    }

    impl NetworkClient for GlobalOutage {
        fn send<'a>(&'a self, request: &'a HttpRequest) -> crate::system::BoxFuture<'a, Result<HttpResponse, AuthError>> {
            self.0.lock().unwrap().push(format!("{:?} {}", request.method, request.url.split('?').next().unwrap_or_default()));
            let regional = request.url.starts_with("https://westus2.login.microsoft.com/");
            Box::pin(async move {
                match regional {
                    true => Ok(HttpResponse::new(200, r#"{"token_type":"Bearer","access_token":"app-token","expires_in":3600}"#)),
                    false => Err(AuthError::new(msal_wasm::error::ErrorKind::Network, "network_error", "unreachable")),
                }
            })
        }
    }

    #[tokio::test]
    async fn on_microsofts_cloud_a_regional_request_needs_no_discovery_from_the_global_host() {
        // As msal-node, whose endpoints for Microsoft's clouds are built in: a new pod during a
        // global outage still gets its token from the regional service.
        let (app, net) = GlobalOutage::daemon_at("https://login.microsoftonline.com/tenant-id");
        let request =
            ClientCredentialRequest { scopes: vec!["api://x/.default".into()], azure_region: Some("westus2".into()), ..Default::default() };
        let t = app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!(t.access_token.secret(), "app-token");
        assert_eq!(*net.0.lock().unwrap(), ["Post https://westus2.login.microsoft.com/tenant-id/oauth2/v2.0/token"]);
        // The public `metadata()` is the fetched document (its issuer is the tenant's id, what
        // token validation compares), not the built-in endpoints: here the global host is down.
        assert_eq!(app.metadata().await.unwrap_err().code(), "endpoints_resolution_error");
        assert!(net.0.lock().unwrap()[1].ends_with("/tenant-id/v2.0/.well-known/openid-configuration"), "{:?}", net.0.lock().unwrap());
    }

    #[tokio::test]
    async fn an_alias_host_of_microsofts_cloud_needs_no_discovery_either() {
        // An ADAL-era configuration (login.windows.net): msal-node moves it to the cloud's
        // network host and its built-in endpoints; so does a request naming another tenant there.
        let (app, net) = GlobalOutage::daemon_at("https://login.windows.net/tenant-id");
        let mut request =
            ClientCredentialRequest { scopes: vec!["api://x/.default".into()], azure_region: Some("westus2".into()), ..Default::default() };
        assert_eq!(app.acquire_token_by_client_credential(&request).await.unwrap().access_token.secret(), "app-token");
        request.authority = Some("https://sts.windows.net/other-tenant".into());
        assert_eq!(app.acquire_token_by_client_credential(&request).await.unwrap().access_token.secret(), "app-token");
        assert_eq!(
            *net.0.lock().unwrap(),
            [
                "Post https://westus2.login.microsoft.com/tenant-id/oauth2/v2.0/token",
                "Post https://westus2.login.microsoft.com/other-tenant/oauth2/v2.0/token"
            ]
        );
        // Built-in endpoints are held nowhere: a daemon of many tenants keeps nothing per tenant.
        assert!(app.documents.0.lock().unwrap().is_empty());
    }

    /// A provider at login.contoso.com (a custom domain): notes each request; its discovery
    /// document answers after 50 ms, or fails once `down`; its token endpoint issues app tokens.
    #[derive(Default)]
    struct Contoso {
        requests: Mutex<Vec<String>>,
        down: std::sync::atomic::AtomicBool,
    }

    impl Contoso {
        fn gets(&self) -> usize {
            self.requests.lock().unwrap().iter().filter(|r| r.starts_with("Get ")).count()
        }
    }

    impl NetworkClient for Contoso {
        fn send<'a>(&'a self, request: &'a HttpRequest) -> crate::system::BoxFuture<'a, Result<HttpResponse, AuthError>> {
            self.requests.lock().unwrap().push(format!("{:?} {}", request.method, request.url));
            let down = self.down.load(std::sync::atomic::Ordering::SeqCst);
            let base = "https://login.contoso.com/tenant-id";
            let discovery = request.url == format!("{base}/v2.0/.well-known/openid-configuration");
            Box::pin(async move {
                if discovery {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if down {
                        return Err(AuthError::new(msal_wasm::error::ErrorKind::Network, "network_error", "unreachable"));
                    }
                    let document = format!(
                        r#"{{"issuer":"{base}/v2.0","authorization_endpoint":"{base}/oauth2/v2.0/authorize","token_endpoint":"{base}/oauth2/v2.0/token"}}"#
                    );
                    return Ok(HttpResponse::new(200, &document));
                }
                Ok(HttpResponse::new(200, r#"{"token_type":"Bearer","access_token":"app-token","expires_in":3600}"#))
            })
        }
    }

    #[tokio::test]
    async fn a_custom_domains_document_is_kept_a_day_and_its_tokens_are_served_from_the_cache() {
        let mut config =
            ConfidentialClientConfig::new("daemon", "https://login.microsoftonline.com/tenant-id", Credential::Secret("s".into()));
        config.known_authorities = vec!["login.contoso.com".into()];
        let mut app = ConfidentialClientApplication::new(config, None).unwrap();
        let net = Arc::new(Contoso::default());
        app.net = net.clone();
        let mut request = ClientCredentialRequest {
            scopes: vec!["api://x/.default".into()],
            authority: Some("https://login.contoso.com/tenant-id".into()),
            ..Default::default()
        };
        assert!(!app.acquire_token_by_client_credential(&request).await.unwrap().from_cache);
        // Filed under the request's host, not the configured authority's cloud: found again.
        assert!(app.acquire_token_by_client_credential(&request).await.unwrap().from_cache);
        assert_eq!(net.requests.lock().unwrap().len(), 2, "{:?}", net.requests.lock().unwrap());
        // Within the day, a token request needs no discovery.
        request.skip_cache = true;
        app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!(net.gets(), 1);
        // A day later the document is fetched again; while that fails, the last one is used.
        let key = Authority::parse("https://login.contoso.com/tenant-id", ProtocolMode::Aad).unwrap().canonical().to_owned();
        let a_day_later = |app: &ConfidentialClientApplication| {
            let (m, text) = app.documents.fresh(&key).unwrap();
            app.documents.hold(&key, m, text, 1);
        };
        a_day_later(&app);
        app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!(net.gets(), 2);
        a_day_later(&app);
        net.down.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(app.acquire_token_by_client_credential(&request).await.unwrap().access_token.secret(), "app-token");
        assert_eq!(net.gets(), 3);
        // The last one is then held a few minutes: the next calls do not each try again.
        app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!(net.gets(), 3);
    }

    #[tokio::test]
    async fn calls_waiting_for_a_failing_discovery_share_its_failure() {
        // Three requests for different tokens while the provider's discovery fails: one
        // request, one failure for all (a hanging endpoint costs them one timeout, not three).
        let config = ConfidentialClientConfig::new("daemon", "https://login.contoso.com/tenant-id", Credential::Secret("s".into()));
        let mut app = ConfidentialClientApplication::new(config, None).unwrap();
        let net = Arc::new(Contoso::default());
        net.down.store(true, std::sync::atomic::Ordering::SeqCst);
        app.net = net.clone();
        let request = |s: &str| ClientCredentialRequest { scopes: vec![format!("api://{s}/.default")], ..Default::default() };
        let requests = [request("a"), request("b"), request("c")];
        let results = futures_join(requests.iter().map(|r| app.acquire_token_by_client_credential(r)).collect()).await;
        assert!(results.iter().all(|r| r.as_ref().is_err_and(|e| e.code() == "endpoints_resolution_error")), "{results:?}");
        assert_eq!(net.gets(), 1);
        // The next call tries again.
        assert!(app.acquire_token_by_client_credential(&request("d")).await.is_err());
        assert_eq!(net.gets(), 2);
    }

    /// A provider whose app tokens live 5 minutes (Keycloak's default) and come after 100 ms.
    #[derive(Default)]
    struct ShortLived {
        tokens: std::sync::atomic::AtomicUsize,
    }

    impl NetworkClient for ShortLived {
        fn send<'a>(&'a self, request: &'a HttpRequest) -> crate::system::BoxFuture<'a, Result<HttpResponse, AuthError>> {
            let base = "https://login.contoso.com/tenant-id";
            let discovery = request.url == format!("{base}/v2.0/.well-known/openid-configuration");
            let n = if discovery { 0 } else { self.tokens.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 };
            Box::pin(async move {
                if discovery {
                    let document = format!(
                        r#"{{"issuer":"{base}/v2.0","authorization_endpoint":"{base}/oauth2/v2.0/authorize","token_endpoint":"{base}/oauth2/v2.0/token"}}"#
                    );
                    return Ok(HttpResponse::new(200, &document));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(HttpResponse::new(200, format!(r#"{{"token_type":"Bearer","access_token":"short-{n}","expires_in":300}}"#)))
            })
        }
    }

    #[tokio::test]
    async fn a_burst_of_calls_for_a_token_shorter_than_the_renewal_offset_makes_one_request() {
        // A 5-minute token is never a cache hit (renewed 5 minutes before it expires): the
        // calls that waited for the request are handed its token, not queued one after another.
        let mut config = ConfidentialClientConfig::new("daemon", "https://login.contoso.com/tenant-id", Credential::Secret("s".into()));
        config.known_authorities = vec!["login.contoso.com".into()];
        let mut app = ConfidentialClientApplication::new(config, None).unwrap();
        let net = Arc::new(ShortLived::default());
        app.net = net.clone();
        let request = ClientCredentialRequest { scopes: vec!["api://x/.default".into()], ..Default::default() };
        let results = futures_join((0..10).map(|_| app.acquire_token_by_client_credential(&request)).collect()).await;
        let tokens: Vec<String> = results.into_iter().map(|r| r.unwrap().access_token.secret().to_owned()).collect();
        assert!(tokens.iter().all(|t| t == "short-1"), "{tokens:?}");
        assert_eq!(net.tokens.load(std::sync::atomic::Ordering::SeqCst), 1, "one request, its token handed to the calls that waited");
        // A later call asks again (the token is due).
        let next = app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!((next.access_token.secret(), next.from_cache), ("short-2", false));
    }

    #[tokio::test]
    async fn a_new_app_token_replaces_the_cached_ones_whose_scopes_overlap() {
        // As msal's saveAccessToken: an expired token of the app for overlapping scopes goes
        // when its new one is saved (msal-node, sharing the partition, fails on two that match:
        // multiple_matching_tokens). Another tenant's, or another app's, stays.
        let mut config = ConfidentialClientConfig::new("daemon", "https://login.contoso.com/tenant-id", Credential::Secret("s".into()));
        config.known_authorities = vec!["login.contoso.com".into()];
        let store = Arc::new(crate::MemoryClient::default());
        let plugin: Arc<dyn CachePlugin> = Arc::new(crate::DistributedCachePlugin::new(store.clone(), Arc::new(crate::DefaultPartitions)));
        let mut app = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
        app.net = Arc::new(Contoso::default());
        let token = |client: &str, realm: &str, target: &str, value: &str| {
            let mut at = CacheEntry::new(CredentialType::AccessToken, "", "login.contoso.com", client, realm, value);
            at.target = target.into();
            at.scopes = ScopeSet::parse(target);
            let now = now_s();
            (at.cached_at, at.expires_on, at.extended_expires_on) = (now - 7200, now - 3600, now - 3600);
            at
        };
        let mut node = UnifiedCache::new();
        node.add_credential(&token("daemon", "tenant-id", "api://x/.default api://x/extra", "expired"));
        node.add_credential(&token("daemon", "other-tenant", "api://x/.default", "other-tenant"));
        node.add_credential(&token("other-app", "tenant-id", "api://x/.default", "other-app"));
        store.replace_all(vec![("msal.daemon.tenant-id".into(), node.serialize())]);
        let request = ClientCredentialRequest { scopes: vec!["api://x/.default".into()], ..Default::default() };
        let t = app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!((t.from_cache, t.access_token.secret()), (false, "app-token"));
        let (_, text) = store.snapshot().into_iter().find(|(k, _)| k == "msal.daemon.tenant-id").unwrap();
        let mut secrets: Vec<String> = msal_wasm::core::cache::unified::deserialize(&text)
            .unwrap()
            .credentials()
            .into_iter()
            .filter(|(_, c)| c.credential_type == CredentialType::AccessToken)
            .map(|(_, c)| c.secret)
            .collect();
        secrets.sort();
        assert_eq!(secrets, ["app-token", "other-app", "other-tenant"]);
    }

    #[tokio::test]
    async fn an_app_token_filed_under_another_alias_of_the_cloud_is_served() {
        // msal-node with knownAuthorities files its tokens under the host it was given
        // (login.microsoftonline.com); this client's cache host is login.windows.net. A miss
        // would ask for a token again, and msal-node then finds two (multiple_matching_tokens).
        let config = ConfidentialClientConfig::new("daemon", "https://login.microsoftonline.com/tenant-id", Credential::Secret("s".into()));
        let store = Arc::new(crate::MemoryClient::default());
        let plugin: Arc<dyn CachePlugin> = Arc::new(crate::DistributedCachePlugin::new(store.clone(), Arc::new(crate::DefaultPartitions)));
        let mut app = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
        // Nothing answers there: a miss fails.
        let nowhere = std::net::SocketAddr::from(([127, 0, 0, 1], 9));
        let client = reqwest::Client::builder().resolve("login.microsoftonline.com", nowhere).build().unwrap();
        app.net = Arc::new(Http::over(client, Duration::from_secs(2)));
        let mut at = CacheEntry::new(CredentialType::AccessToken, "", "login.microsoftonline.com", "daemon", "tenant-id", "node-token");
        at.target = "api://x/.default".into();
        at.scopes = ScopeSet::parse(&at.target);
        let now = now_s();
        (at.cached_at, at.expires_on, at.extended_expires_on) = (now, now + 3600, now + 3600);
        let mut node = UnifiedCache::new();
        node.add_credential(&at);
        store.replace_all(vec![("msal.daemon.tenant-id".into(), node.serialize())]);
        let request = ClientCredentialRequest { scopes: vec!["api://x/.default".into()], ..Default::default() };
        let t = app.acquire_token_by_client_credential(&request).await.unwrap();
        assert_eq!((t.from_cache, t.access_token.secret()), (true, "node-token"));
    }
}
