//! A scripted identity provider for the native flow tests: it checks PKCE, issues ID tokens
//! with the request's nonce, rotates refresh tokens (a replayed one is refused), and plays
//! the front channel of popups and hidden frames on the memory platform.
#![allow(dead_code)]

use msal_wasm::client::{AccountRef, AccountSnapshot, Config, InteractiveRequest, PublicClientApplication, SilentRequest};
use msal_wasm::core::base64;
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::core::sha256::sha256;
use msal_wasm::core::url::parse_query;
use msal_wasm::platform::memory::{block_on, MemoryPlatform};
use msal_wasm::platform::WindowError;
use std::cell::RefCell;
use std::rc::Rc;

pub const AUTHORITY: &str = "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
pub const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
pub const METADATA: &str = r#"{"authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize","token_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token","end_session_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout","issuer":"https://login.microsoftonline.com/{tenant}/v2.0"}"#;
pub const NOW_MS: u64 = 1_700_000_000_000;

/// What the scripted IdP remembers between the authorize URL and the token request.
#[derive(Default)]
pub struct Idp {
    /// For the code `the-code` (a test's own): its PKCE challenge and nonce.
    pub challenge: String,
    pub nonce: String,
    /// The codes the front channel issued (`code-N`): each with its request's challenge and
    /// nonce, and whether it was redeemed (a code is good once, as Entra's).
    pub codes: Vec<(String, String, String, bool)>,
    pub issued_rts: Vec<String>,
    pub used_rts: Vec<String>,
    pub next: u32,
    pub fail_next: Option<HttpResponse>,
    /// Discovery documents asked for.
    pub discoveries: Vec<String>,
    /// `refresh_token_expires_in` of the responses (none when `None`).
    pub rt_expires_in: Option<u64>,
    /// The signed-in user's object id (`uid-1`, ada, when `None`).
    pub uid: Option<String>,
    /// Answers as a generic provider (Keycloak): no client_info, an ID token naming no `tid`
    /// but an `acr`.
    pub generic: bool,
    /// The generic provider's `acr` ("1" when `None`; Keycloak's "0" after a sign-in through its
    /// session cookie, another after a step-up).
    pub acr: Option<String>,
    /// Refresh tokens are not rotated: a refresh answers without one, and the old one stays good.
    pub reusable_rts: bool,
    /// Whose each refresh token is (its user's `uid`, `None` for ada): a refresh answers for them.
    pub rt_users: Vec<(String, Option<String>)>,
    /// As B2C: a refresh for OpenID scopes alone answers without an access token.
    pub b2c: bool,
    /// Scopes a refresh does not grant: its response's `scope` leaves them out (the request
    /// still succeeds, as Entra's and Keycloak's do).
    pub withheld: Vec<String>,
    /// Responses name no `scope` (RFC 6749 section 5.1 allows it when it is the one asked for).
    pub unnamed_scope: bool,
}

pub fn jwt(claims: &str) -> String {
    format!("eyJhbGciOiJSUzI1NiJ9.{}.c2ln", base64::encode_url(claims.as_bytes()))
}

/// A tenant where ada (home tenant [`TENANT`]) is a guest.
pub const GUEST_TENANT: &str = "5f1c2d3e-0000-4000-8000-00000000beef";

/// [`TENANT`]'s domain name: a request to it is answered as Entra answers, with the tenant's
/// GUID in `tid`.
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";

/// [`GUEST_TENANT`]'s domain name, answered as [`TENANT_DOMAIN`] is.
pub const GUEST_TENANT_DOMAIN: &str = "fabrikam.onmicrosoft.com";

/// The tenant a token endpoint URL belongs to (`https://host/<tenant>/oauth2/...`).
pub fn tenant_of(url: &str) -> String {
    url.split('/').nth(3).unwrap_or_default().to_owned()
}

pub fn token_response(idp: &mut Idp, with_id_token: bool) -> HttpResponse {
    token_response_in(idp, with_id_token, TENANT)
}

/// A token response of `tenant`: ada's home account (client_info names her home tenant) with
/// that tenant's ID token (a guest's own `oid`).
pub fn token_response_in(idp: &mut Idp, with_id_token: bool, tenant: &str) -> HttpResponse {
    idp.next += 1;
    let rt = format!("rt-{}", idp.next);
    idp.issued_rts.push(rt.clone());
    idp.rt_users.push((rt.clone(), idp.uid.clone()));
    let uid = idp.uid.clone().unwrap_or_else(|| "uid-1".to_owned());
    let client_info = base64::encode_url(format!(r#"{{"uid":"{uid}","utid":"{TENANT}"}}"#).as_bytes());
    let oid = if tenant == TENANT { uid } else { format!("guest-in-{tenant}") };
    let id_token = jwt(&format!(
        r#"{{"sub":"sub-1","oid":"{oid}","tid":"{tenant}","preferred_username":"ada@contoso.com","name":"Ada","nonce":"{}","sid":"sid-1"}}"#,
        idp.nonce
    ));
    let (id_token, client_info) = if idp.generic {
        let acr = idp.acr.as_deref().unwrap_or("1");
        let claims =
            format!(r#"{{"sub":"sub-1","acr":"{acr}","preferred_username":"ada@contoso.com","name":"Ada","nonce":"{}"}}"#, idp.nonce);
        (jwt(&claims), String::new())
    } else {
        (id_token, client_info)
    };
    let mut idt = if with_id_token { format!(r#","id_token":"{id_token}""#) } else { String::new() };
    if let Some(s) = idp.rt_expires_in {
        idt.push_str(&format!(r#","refresh_token_expires_in":{s}"#));
    }
    let mut resp = HttpResponse::new(
        200,
        format!(
            r#"{{"token_type":"Bearer","scope":"User.Read openid profile offline_access","expires_in":"3600","ext_expires_in":3600,"access_token":"at-{}","refresh_token":"{rt}","client_info":"{client_info}"{idt}}}"#,
            idp.next
        ),
    );
    if idp.unnamed_scope {
        resp.body = resp.body.replace(r#""scope":"User.Read openid profile offline_access","#, "");
    }
    // Entra names each request.
    resp.headers.push(("x-ms-request-id".into(), format!("request-{}", idp.next)));
    resp
}

pub fn handle(idp: &Rc<RefCell<Idp>>, req: &HttpRequest) -> Result<HttpResponse, msal_wasm::AuthError> {
    let mut idp = idp.borrow_mut();
    if let Some(r) = idp.fail_next.take() {
        return Ok(r);
    }
    if let Some(base) = req.url.strip_suffix("/v2.0/.well-known/openid-configuration") {
        idp.discoveries.push(req.url.clone());
        return Ok(HttpResponse::new(
            200,
            format!(
                r#"{{"authorization_endpoint":"{base}/oauth2/v2.0/authorize","token_endpoint":"{base}/oauth2/v2.0/token","end_session_endpoint":"{base}/oauth2/v2.0/logout","issuer":"{base}/v2.0"}}"#
            ),
        ));
    }
    let tenant = tenant_of(&req.url);
    let tenant = match tenant {
        t if t == "common" || t.eq_ignore_ascii_case(TENANT_DOMAIN) => TENANT.to_owned(),
        t if t.eq_ignore_ascii_case(GUEST_TENANT_DOMAIN) => GUEST_TENANT.to_owned(),
        t => t,
    };
    match req.form_field("grant_type").as_deref() {
        Some("authorization_code") => {
            let verifier = req.form_field("code_verifier").unwrap_or_default();
            let code = req.form_field("code").unwrap_or_default();
            // A code the front channel issued: its own challenge and nonce, once.
            let issued = idp.codes.iter().position(|(c, ..)| *c == code);
            let challenge = match issued {
                Some(i) if idp.codes[i].3 => {
                    return Ok(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"the code was redeemed already"}"#))
                }
                Some(i) => {
                    idp.codes[i].3 = true;
                    idp.nonce = idp.codes[i].2.clone();
                    idp.codes[i].1.clone()
                }
                None if code == "the-code" => idp.challenge.clone(),
                None => String::new(),
            };
            if base64::encode_url(&sha256(verifier.as_bytes())) != challenge {
                return Ok(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"PKCE verification failed"}"#));
            }
            Ok(token_response_in(&mut idp, true, &tenant))
        }
        Some("refresh_token") => {
            let rt = req.form_field("refresh_token").unwrap_or_default();
            if (idp.used_rts.contains(&rt) && !idp.reusable_rts) || !idp.issued_rts.contains(&rt) {
                return Ok(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"refresh token replayed"}"#));
            }
            idp.used_rts.push(rt.clone());
            // For the refresh token's user, not whoever signed in last.
            let user = idp.rt_users.iter().find(|(r, _)| *r == rt).and_then(|(_, u)| u.clone());
            let last = std::mem::replace(&mut idp.uid, user);
            let mut r = token_response_in(&mut idp, true, &tenant);
            idp.uid = last;
            // Granted: the scopes asked for.
            if let Some(scope) = req.form_field("scope").filter(|s| !s.contains('"')) {
                let granted: Vec<&str> = scope.split(' ').filter(|s| !idp.withheld.iter().any(|w| w == s)).collect();
                let scope = granted.join(" ");
                r.body = r.body.replace(r#""scope":"User.Read openid profile offline_access""#, &format!(r#""scope":"{scope}""#));
                if idp.b2c && msal_wasm::core::scopes::ScopeSet::parse(&scope).only_oidc() {
                    r.body = r.body.replace(&format!(r#""access_token":"at-{}","#, idp.next), "");
                }
            }
            if idp.reusable_rts {
                r.body = r.body.replace(&format!(r#","refresh_token":"rt-{}""#, idp.next), "");
            }
            Ok(r)
        }
        _ => Ok(HttpResponse::new(400, r#"{"error":"unsupported_grant_type"}"#)),
    }
}

pub struct Harness {
    pub platform: MemoryPlatform,
    pub idp: Rc<RefCell<Idp>>,
    pub pca: PublicClientApplication<MemoryPlatform>,
}

/// The test client's configuration (sessionStorage cache unless changed).
pub fn config() -> Config {
    Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA)
}

pub fn harness() -> Harness {
    harness_with(config())
}

/// A client for `config` on a new profile, with the scripted provider's front channel in its
/// windows.
pub fn harness_with(config: Config) -> Harness {
    let idp = Rc::new(RefCell::new(Idp::default()));
    let i = idp.clone();
    let platform = MemoryPlatform::new(NOW_MS, move |req| handle(&i, req));
    platform.set_windows(front_channel(&idp));
    let pca = PublicClientApplication::new(config, platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    // The endpoints, as the app's first request would resolve them (initialize() fetches no
    // discovery document, as msal's).
    block_on(pca.resolve_authority(None)).unwrap();
    Harness { platform, idp, pca }
}

/// What a tab's listeners were told of the other tabs' changes to its accounts, as the facade
/// tells them (msal's `ACCOUNT_ADDED`, `ACCOUNT_REMOVED` and `ACTIVE_ACCOUNT_CHANGED`), and how
/// many storage events of the active account the tab got.
#[derive(Debug, Default)]
pub struct Heard {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub active_changes: u32,
    pub active_events: u32,
}

/// A tab that hears the others as a browser tab does ([`Harness::listening_tab`]).
pub struct ListeningTab {
    pub pca: Rc<PublicClientApplication<MemoryPlatform>>,
    pub heard: Rc<RefCell<Heard>>,
    known: Rc<RefCell<AccountSnapshot>>,
}

impl ListeningTab {
    /// This tab changed its accounts itself (msal tells its own events): as the facade, the
    /// baseline takes those changes.
    pub fn changed_here(&self) {
        self.pca.settle_own_changes(&mut self.known.borrow_mut());
    }

    /// The baseline is what the tab sees now, and nothing was heard yet (the client started).
    pub fn start_over(&self) {
        *self.known.borrow_mut() = self.pca.account_snapshot();
        *self.heard.borrow_mut() = Heard::default();
    }

    /// This tab changed its active account itself.
    pub fn active_changed_here(&self) {
        let now = self.pca.account_snapshot();
        self.known.borrow_mut().settle_active(now);
    }
}

impl Harness {
    /// Another tab of the same profile that hears the other tabs as a browser tab does: their
    /// messages and their storage events, each followed by the account changes the facade
    /// would tell its listeners (see `src/browser/mod.rs`, `TabListener`).
    pub fn listening_tab(&self, config: Config) -> ListeningTab {
        self.listening_tab_on(self.platform.new_tab(), config)
    }

    /// The same, for a tab whose cache store is its own (a `sessionStorage` cache).
    pub fn listening_session_tab(&self, config: Config) -> ListeningTab {
        self.listening_tab_on(self.platform.new_session_tab(), config)
    }

    /// A client for `config` on `platform` that hears the others as [`listening_tab`](Self::listening_tab).
    pub fn listening_tab_on(&self, platform: MemoryPlatform, config: Config) -> ListeningTab {
        let pca = Rc::new(PublicClientApplication::new(config, platform.clone()).unwrap());
        block_on(pca.initialize()).unwrap();
        let known = Rc::new(RefCell::new(pca.account_snapshot()));
        let heard = Rc::new(RefCell::new(Heard::default()));
        let tell = {
            let (known, heard) = (known.clone(), heard.clone());
            move |pca: &PublicClientApplication<MemoryPlatform>| {
                let c = pca.account_changes(&mut known.borrow_mut());
                let mut heard = heard.borrow_mut();
                heard.added.extend(c.added);
                heard.removed.extend(c.removed);
                heard.active_changes += c.active_changes;
            }
        };
        let tell = Rc::new(tell);
        let (weak, told) = (Rc::downgrade(&pca), tell.clone());
        platform.subscribe(move |message| {
            if let Some(pca) = weak.upgrade() {
                if pca.apply_announcement(message) {
                    told(&pca);
                }
            }
        });
        let (weak, counted) = (Rc::downgrade(&pca), heard.clone());
        let active_key = msal_wasm::core::cache::active_account_key(&pca.config().client_id);
        platform.listen_to_storage(move |key| {
            if let Some(pca) = weak.upgrade() {
                if key == active_key {
                    counted.borrow_mut().active_events += 1;
                }
                if key.is_empty() || key.starts_with("msal.") {
                    pca.mark_stale();
                    if pca.storage_shown(key) {
                        tell(&pca);
                    }
                }
            }
        });
        ListeningTab { pca, heard, known }
    }

    /// Another client of the app's page (another client id, `client-2`, on the same platform),
    /// initialized: a micro-frontend beside the test client.
    pub fn other_client(&self) -> PublicClientApplication<MemoryPlatform> {
        let config =
            Config::new("client-2").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA);
        let pca = PublicClientApplication::new(config, self.platform.clone()).unwrap();
        block_on(pca.initialize()).unwrap();
        pca
    }

    /// Another tab of the same profile with a client for `config`: it hears the other tabs'
    /// announcements (as over a BroadcastChannel) when the platform delivers them.
    pub fn tab(&self, config: Config) -> Rc<PublicClientApplication<MemoryPlatform>> {
        let platform = self.platform.new_tab();
        let pca = Rc::new(PublicClientApplication::new(config, platform.clone()).unwrap());
        block_on(pca.initialize()).unwrap();
        let weak = Rc::downgrade(&pca);
        platform.subscribe(move |message| {
            if let Some(pca) = weak.upgrade() {
                pca.apply_announcement(message);
            }
        });
        pca
    }

    /// Starts an interaction and plays the IdP's front channel: returns the response string.
    pub fn authorize(&self, itype: InteractionType) -> (msal_wasm::client::PendingAuth, String) {
        let pending = self
            .pca
            .begin_interaction(
                &InteractiveRequest { scopes: vec!["User.Read".into()], state: "app|state".into(), ..Default::default() },
                itype,
                "https://app.example/start",
            )
            .unwrap();
        let query: Vec<(String, String)> = parse_query(pending.url.split_once('?').unwrap().1);
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(get("code_challenge_method"), "S256");
        assert_eq!(get("client_info"), "1");
        assert_eq!(get("scope"), "User.Read openid profile offline_access");
        self.idp.borrow_mut().challenge = get("code_challenge");
        self.idp.borrow_mut().nonce = get("nonce");
        let response = format!("#code=the-code&state={}&client_info=x", msal_wasm::core::url::encode(&get("state")));
        (pending, response)
    }

    pub fn sign_in(&self) -> msal_wasm::client::AuthenticationResult {
        let (pending, response) = self.authorize(InteractionType::Popup);
        block_on(self.pca.finish_interaction(pending, &response)).unwrap()
    }

    pub fn token_requests(&self) -> usize {
        self.platform.requests.borrow().iter().filter(|r| r.url.contains("/token")).count()
    }
}

pub fn silent(home: &str) -> SilentRequest {
    SilentRequest { scopes: vec!["User.Read".into()], account: Some(AccountRef::new(home)), ..Default::default() }
}

/// The provider's front channel in a popup or hidden frame: answers the authorize URL with a
/// code of its own and the state; the code is redeemed with that request's PKCE verifier only,
/// once, and its ID token carries that request's nonce.
pub fn front_channel(idp: &Rc<RefCell<Idp>>) -> impl Fn(&str) -> Result<String, WindowError> + 'static {
    let idp = idp.clone();
    move |url: &str| {
        let query = parse_query(url.split_once('?').map(|(_, q)| q).unwrap_or_default());
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let mut idp = idp.borrow_mut();
        let code = format!("code-{}", idp.codes.len() + 1);
        idp.codes.push((code.clone(), get("code_challenge"), get("nonce"), false));
        Ok(format!("#code={code}&state={}&client_info=x", msal_wasm::core::url::encode(&get("state"))))
    }
}
