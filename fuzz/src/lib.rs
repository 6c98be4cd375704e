//! The fuzz targets' bodies, one function per target. The `fuzz_targets/` binaries hand them
//! libFuzzer's input; `tests/seeds.rs` replays the seed corpora through the same functions as
//! ordinary tests, so the targets compile and their seeds run in every test run (on stable).
//!
//! Each function checks invariants beyond "no panic" (see README.md) and returns whether the
//! target's main parser accepted the input, so a replay can tell a seed that reaches the deep
//! paths from one that is rejected at the door.

use msal_wasm::client::{AccountRef, CacheLocation, Config, PublicClientApplication, SilentRequest};
use msal_wasm::core::account::{authority_type, Account, ClientInfo};
use msal_wasm::core::authorize::AuthorizeResponse;
use msal_wasm::core::cache::{unified, AccountEntity, AtQuery, Credential, KeyValueStore, MemoryStore, TokenCache};
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::core::id_token::{IdTokenChecks, IdTokenClaims};
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::{InteractionType, RequestState};
use msal_wasm::core::scopes::ScopeSet;
use msal_wasm::core::token::{device_poll, DeviceCodeInfo, TokenResponse};
use msal_wasm::core::url::{decode, parse_query};
use msal_wasm::error::{AuthError, ErrorKind};
use msal_wasm::js::wire;
use msal_wasm::platform::memory::{block_on, MemoryPlatform};
use msal_wasm::secret::{Nonce, State};
use std::rc::Rc;

/// The redirect / authorize response parser: `AuthorizeResponse::parse` (fragment or query),
/// the state check and error mapping of `into_code`, and `RequestState::parse`. Accepted: the
/// input parses as a response or as a library state.
pub fn authorize_response(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let s: &str = &text;
    let _ = AuthorizeResponse::looks_like_response(s);
    let _ = parse_query(s);
    let _ = decode(s);
    let mut accepted = false;
    // The whole input as a state string too.
    if let Ok(rs) = RequestState::parse(s) {
        accepted = true;
        // A parsed state re-encodes to something that parses back the same.
        let again = RequestState::parse(&rs.encode()).expect("re-encoded state parses");
        assert_eq!(again, rs);
    }
    if let Ok(r) = AuthorizeResponse::parse(s) {
        accepted = true;
        let _ = format!("{r:?}");
        let _ = RequestState::parse(&r.state);
        let state = State::new(r.state.clone());
        match r.clone().into_code(&state) {
            Ok((code, _client_info)) => assert!(!code.secret().is_empty()),
            Err(e) => {
                let _ = (e.kind(), e.code(), e.error_no(), e.to_string());
            }
        }
        // A different expected state is always a mismatch.
        let other = State::new(format!("{}x", r.state));
        let e = r.into_code(&other).expect_err("state mismatch");
        assert_eq!(e.code(), "state_mismatch");
    }
    accepted
}

const STATUSES: [u16; 8] = [200, 201, 400, 401, 429, 500, 503, 302];

/// The back channel: `TokenResponse::parse` (status from the first byte, body from the rest),
/// server-error classification, the device authorization response and `device_poll`.
/// Accepted: a token or a device authorization response.
pub fn token_response(data: &[u8]) -> bool {
    let Some((&sel, rest)) = data.split_first() else { return false };
    let status = STATUSES[usize::from(sel) % STATUSES.len()];
    // Times near both ends of the range, to catch overflow.
    let now = match sel >> 6 {
        0 => 0,
        1 => 1_700_000_000,
        2 => u64::MAX / 2,
        _ => u64::MAX,
    };
    let body = String::from_utf8_lossy(rest).into_owned();
    let resp = HttpResponse::new(status, body);
    let mut accepted = false;
    match TokenResponse::parse(&resp, now) {
        Ok(t) => {
            accepted = true;
            // An access token, unless the response is for OpenID scopes alone (B2C answers
            // those with an ID token only, and msal then returns an empty `accessToken`).
            let oidc_only = t.scope.as_deref().is_some_and(|s| ScopeSet::parse(s).only_oidc());
            assert!(!t.access_token.secret().is_empty() || oidc_only);
            assert!(t.expires_on >= now || t.expires_on == u64::MAX);
            assert!(!t.token_type.is_empty());
            let _ = format!("{t:?}");
        }
        Err(e) => {
            let _ = (e.kind(), e.code(), e.sub_error(), e.error_no(), e.status(), e.to_string(), format!("{e:?}"));
            assert!(e.code().chars().count() <= 128);
        }
    }
    if let Ok(info) = DeviceCodeInfo::parse(&resp) {
        accepted = true;
        assert!((1..=60).contains(&info.interval));
    }
    let _ = device_poll(&resp, now);
    accepted
}

/// ID-token decoding (`IdTokenClaims::decode`) and everything built from the claims: nonce and
/// lifetime checks, `client_info` decoding and the account record. Input: `jwt[\0client_info]`.
/// Accepted: the JWT decodes.
pub fn id_token(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    // Optionally split off a client_info part after a NUL.
    let (jwt, ci) = text.split_once('\0').unwrap_or((&text, ""));
    if let Some(c) = ClientInfo::decode(ci) {
        assert!(!c.uid.is_empty() && !c.utid.is_empty());
    }
    let claims = IdTokenClaims::decode(jwt);
    if let Ok(c) = &claims {
        let _ = (c.sub(), c.oid(), c.tid(), c.iss(), c.name(), c.sid(), c.login_hint(), c.exp(), c.nbf(), c.username());
        let _ = c.has_audience("client");
        let _ = c.check_nonce(None);
        let _ = c.check_nonce(Some(&Nonce::new("n")));
        let checks = IdTokenChecks { issuer: Some("https://i"), audience: Some("client"), lifetime_skew: Some(300) };
        for now in [0, 1_700_000_000, u64::MAX] {
            let _ = c.validate(&checks, now);
        }
        let _ = format!("{c:?}");
    }
    for at in [authority_type::MSSTS, authority_type::ADFS, authority_type::GENERIC] {
        if let Some(a) = Account::from_response(ci, claims.as_ref().ok(), "login.microsoftonline.com", at, 1) {
            assert!(!a.home_account_id.is_empty());
            let _ = (a.home_tenant(), a.oid_anchor());
        }
    }
    claims.is_ok()
}

const CLIENT: &str = "client-1";

/// Cache deserialization: `Json::parse`, the browser entities (`Credential`, `AccountEntity`),
/// `TokenCache::load` over a `MemoryStore` seeded from the input, and the unified cache.
///
/// Input: a JSON object `{storage key: value}` seeds the store (string values as is, other
/// values as their JSON text); the same text is also fed to every other parser. Accepted: the
/// browser cache loaded at least one credential, or the text is a unified cache with one.
pub fn cache(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let parsed = Json::parse(&text);
    if let Ok(j) = &parsed {
        // Printing and re-parsing gives the same value.
        let again = Json::parse(&j.to_json()).expect("printed JSON parses");
        assert_eq!(&again, j);
        if let Some(c) = Credential::from_json(j) {
            let _ = format!("{c:?}");
            let back = Credential::from_json(&c.to_json()).expect("a written credential reads back");
            assert_eq!(back.secret, c.secret);
            assert_eq!(back.credential_type, c.credential_type);
        }
        if let Some(a) = AccountEntity::from_json(j) {
            let back = AccountEntity::from_json(&a.to_json()).expect("a written account reads back");
            assert_eq!(back.account.home_account_id, a.account.home_account_id);
        }
    }
    // The store, seeded from the input (or from NUL-separated key/value pairs).
    let store = Rc::new(MemoryStore::new());
    match &parsed {
        Ok(Json::Obj(fields)) => {
            for (k, v) in fields {
                let value = match v {
                    Json::Str(s) => s.clone(),
                    other => other.to_json(),
                };
                let _ = store.set(k, &value);
            }
        }
        _ => {
            let mut parts = text.split('\0');
            while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
                let _ = store.set(k, v);
            }
        }
    }
    let (mut cache, _issues) = TokenCache::load(store.clone(), CLIENT);
    // A second load of what the first one left is clean and finds the same entities.
    let count = cache.credentials().count();
    let accounts = cache.accounts().count();
    let (again, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "second load reported {issues:?}");
    assert_eq!(again.credentials().count(), count);
    assert_eq!(again.accounts().count(), accounts);
    let homes: Vec<String> = cache.accounts().map(|a| a.home_account_id.clone()).collect();
    let envs = vec!["login.microsoftonline.com".to_owned()];
    let scopes = ScopeSet::parse("User.Read");
    for h in &homes {
        let q = AtQuery {
            home_account_id: h,
            environments: &envs,
            client_id: CLIENT,
            realm: "",
            scopes: &scopes,
            token_type: "Bearer",
            key_id: None,
            attribute_tokens: "",
        };
        let _ = cache.find_access_token(&q);
        let _ = cache.find_refresh_token(h, &envs, true);
        let _ = cache.find_id_token(h, &envs, "");
    }
    let _ = cache.active_account();
    let _ = format!("{cache:?}");
    if let Some(h) = homes.first() {
        let _ = cache.remove_account(h);
    }
    let _ = cache.clear();
    let _ = cache.reload();

    // The unified cache.
    let mut unified_credentials = 0;
    if let Ok(u) = unified::deserialize(&text) {
        let out = u.serialize();
        let back = unified::deserialize(&out).expect("serialized cache reads back");
        assert_eq!(back, u);
        let mut typed = unified::UnifiedCache::new();
        for (_, a) in u.accounts() {
            typed.add_account(&a);
        }
        for (_, c) in u.credentials() {
            typed.add_credential(&c);
        }
        for (_, m) in u.app_metadata() {
            typed.add_app_metadata(&m);
        }
        let typed_back = unified::deserialize(&typed.serialize()).expect("typed cache reads back");
        assert_eq!(typed_back.credentials().len(), typed.credentials().len());
        unified_credentials = u.credentials().len();
        let _ = format!("{u:?}");
    }
    count > 0 || unified_credentials > 0
}

/// The times a client assertion is made at (byte 0, bits 1-2): the epoch, today, far ahead, the
/// end of `u64`.
const ASSERTION_NOWS: [u64; 4] = [0, 1_796_000_000, u64::MAX / 2, u64::MAX];

/// The native confidential client's certificate credential: `Certificate::from_pem` on the
/// input's PEM text, and when it takes it, `assertion` (RFC 7523). The input is byte 0 (bit 0:
/// RS256 or PS256; bits 1-2: the time), then `client id \0 token endpoint \0 PEM` (or only the
/// PEM). Accepted: the PEM gave a certificate. Checked: the assertion is three base64url parts
/// whose header names the algorithm and the certificate's `x5t#S256`, whose claims carry the
/// client id and endpoint as given and an expiry never before `nbf`; `Debug` shows no key.
pub fn client_assertion(data: &[u8]) -> bool {
    use msal_native::{Certificate, SigningAlgorithm};
    let Some((&flags, rest)) = data.split_first() else { return false };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\0');
    let (client_id, endpoint, pem) = match (parts.next(), parts.next(), parts.next()) {
        (Some(c), Some(e), Some(p)) => (c, e, p),
        (Some(p), None, None) => ("client", "https://login.example/token", p),
        _ => return false,
    };
    let (algorithm, alg) = if flags & 1 == 0 { (SigningAlgorithm::Rs256, "RS256") } else { (SigningAlgorithm::Ps256, "PS256") };
    let now = ASSERTION_NOWS[usize::from((flags >> 1) & 3)];
    let Ok(cert) = Certificate::from_pem(pem, algorithm) else { return false };
    let debug = format!("{cert:?}");
    assert!(!debug.contains("PRIVATE") && debug.contains(cert.thumbprint_sha256()));
    let jwt = cert.assertion(client_id, endpoint, now, "jti").expect("an accepted key signs");
    let pieces: Vec<&str> = jwt.split('.').collect();
    assert_eq!(pieces.len(), 3);
    let part = |i: usize| {
        let bytes = msal_wasm::core::base64::decode(pieces[i]).expect("base64url part");
        assert!(!pieces[i].contains(['+', '/', '=']), "base64url without padding");
        bytes
    };
    let header = Json::parse(&String::from_utf8(part(0)).expect("utf-8 header")).expect("JSON header");
    assert_eq!(header.str_field("alg"), Some(alg));
    assert_eq!(header.str_field("x5t#S256"), Some(cert.thumbprint_sha256()));
    let claims = Json::parse(&String::from_utf8(part(1)).expect("utf-8 claims")).expect("JSON claims");
    assert_eq!(claims.str_field("iss"), Some(client_id));
    assert_eq!(claims.str_field("sub"), Some(client_id));
    assert_eq!(claims.str_field("aud"), Some(endpoint));
    let (nbf, exp) = (claims.get("nbf").and_then(Json::as_u64), claims.get("exp").and_then(Json::as_u64));
    assert!(matches!((nbf, exp), (Some(n), Some(e)) if e >= n && n == now));
    assert!(!part(2).is_empty());
    true
}

/// The HTTP answer of the platform the client targets run on: no network (every request fails
/// as a network error would), so only what the input itself holds is read.
fn offline(_: &HttpRequest) -> Result<HttpResponse, AuthError> {
    Err(AuthError::new(ErrorKind::Network, "no_network_connectivity", "the fuzz platform has no network"))
}

/// A time for the client targets: 2026-12-01.
const FUZZ_NOW_MS: u64 = 1_796_083_200_000;

/// msal-browser's JSON wire format as an app hands it over (`js::wire`): the input as a
/// configuration object, and the same object as every kind of request. A configuration the
/// reader takes builds a client (over a platform without network), which initializes and is
/// handed each request. Accepted: the configuration was taken.
///
/// Checked: `getConfiguration()`'s JSON, read back as a configuration, gives the same JSON; a
/// client error carries a code and names no value longer than 7 characters that the input gives
/// (once) as a `code`, `codeVerifier`, `accessToken`, `idToken` or `refreshToken`.
pub fn wire(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let Ok(j) = Json::parse(&text) else { return false };
    let secrets: Vec<String> = ["code", "codeVerifier", "accessToken", "idToken", "refreshToken"]
        .iter()
        .filter_map(|k| j.str_field(k))
        // A value the input also gives elsewhere (as a correlation id, say) may be shown as that.
        .filter(|s| s.len() > 7 && text.matches(*s).count() == 1)
        .map(str::to_owned)
        .collect();
    let tell = |e: &AuthError| {
        assert!(!e.code().is_empty());
        let shown = [e.code(), e.message(), &format!("{e:?}"), &wire::error_json(e).to_json()].concat();
        for s in &secrets {
            assert!(!shown.contains(s.as_str()), "an error names a secret of the request: {shown}");
        }
    };
    // The request readers, whatever the configuration.
    let interactive = wire::interactive_request(&j).map_err(|e| tell(&e)).ok();
    let silent = wire::silent_request(&j).map_err(|e| tell(&e)).ok();
    let by_code = wire::by_code_request(&j).map_err(|e| tell(&e)).ok();
    let logout = wire::logout_request(&j);
    let _ = wire::token_options(&j).map_err(|e| tell(&e));
    for mcp in [false, true] {
        let _ = wire::enforce_resource(mcp, &j).map_err(|e| tell(&e));
    }
    let _ = (wire::names_a_value(&j), wire::never_matches(&j), wire::account_filter(&j), wire::popup_attributes(&j));
    let _ = wire::given_account(&j);
    let hydration = wire::hydration(&j, &j);
    let _ = format!("{interactive:?}{silent:?}{by_code:?}{logout:?}{hydration:?}");

    let (config, _warnings) = match wire::config(&j) {
        Ok(c) => c,
        Err(e) => {
            tell(&e);
            return false;
        }
    };
    // getConfiguration() reads back as itself.
    let shown = wire::config_json(&config);
    let (again, _) = wire::config(&shown).expect("getConfiguration()'s JSON reads back");
    assert_eq!(wire::config_json(&again).to_json(), shown.to_json(), "getConfiguration() changes when read back");

    let platform = MemoryPlatform::new(FUZZ_NOW_MS, offline);
    platform.set_page_url("https://app.example/page");
    let pca = match PublicClientApplication::new(config, platform) {
        Ok(p) => p,
        Err(e) => {
            tell(&e);
            return true;
        }
    };
    if let Err(e) = block_on(pca.initialize()) {
        tell(&e);
        return true;
    }
    let _ = pca.hydrate_cache(&hydration).map_err(|e| tell(&e));
    if let Some(r) = &silent {
        let _ = pca.acquire_token_silent_cached(r).map_err(|e| tell(&e));
    }
    if let Some(r) = &interactive {
        match pca.begin_interaction(r, InteractionType::Popup, "") {
            Ok(p) => pca.abort_interaction(&p),
            Err(e) => tell(&e),
        }
    }
    if let Err(e) = pca.begin_logout(&logout, InteractionType::Redirect) {
        tell(&e);
    }
    let _ = (pca.all_accounts(), pca.active_account());
    true
}

/// Another tab's announcement (`PublicClientApplication::apply_announcement`): any page of the
/// origin can post one. The input is the message, applied by a localStorage client and by a
/// sessionStorage client of "client-1" whose storage holds an account and its tokens (the
/// `cache/v5` seed). Accepted: a client applied it.
///
/// Checked: a message that is not for "client-1" changes nothing; after any message the clients
/// still answer (accounts, a silent lookup for each, a cache re-read that lists the same
/// accounts), and no log line names a secret the message carries (a value under "secret"
/// longer than 7 characters that the message gives only there).
pub fn announcement(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let parsed = Json::parse(&text).ok();
    let ours = parsed.as_ref().and_then(|j| j.str_field("clientId")) == Some(CLIENT);
    let mut secrets = Vec::new();
    collect_secrets(parsed.as_ref(), &mut secrets);
    // A value the message also gives elsewhere (as a key or an id) may be logged as that.
    secrets.retain(|s| text.matches(s.as_str()).count() == 1);
    let mut applied_any = false;
    for location in [CacheLocation::LocalStorage, CacheLocation::SessionStorage] {
        let platform = MemoryPlatform::new(FUZZ_NOW_MS, offline);
        seed_store(&platform.cache());
        let mut config = Config::new(CLIENT);
        config.cache_location = location;
        let pca = PublicClientApplication::new(config, platform.clone()).expect("the client builds");
        block_on(pca.initialize()).expect("the client initializes");
        let before = homes(&pca);
        let applied = pca.apply_announcement(&text);
        applied_any |= applied;
        let after = homes(&pca);
        if !ours {
            assert!(!applied, "a message for another client was applied");
            assert_eq!(before, after, "a message for another client changed the accounts");
        }
        look_up_tokens(&pca, &after);
        let _ = pca.active_account();
        pca.reload_cache();
        let reread = homes(&pca);
        pca.reload_cache();
        let twice = homes(&pca);
        assert_eq!(reread, twice, "a second re-read of the cache lists other accounts");
        for (_, line) in platform.logs.borrow().iter() {
            for s in &secrets {
                assert!(!line.contains(s.as_str()), "a log line names a secret of the message: {line}");
            }
        }
    }
    applied_any
}

/// The `homeAccountId`s of the accounts `pca` lists.
fn homes(pca: &PublicClientApplication<MemoryPlatform>) -> Vec<String> {
    pca.all_accounts().into_iter().map(|a| a.account.home_account_id).collect()
}

/// A silent cache lookup of "User.Read" for each of `homes`' accounts (any outcome but a panic).
fn look_up_tokens(pca: &PublicClientApplication<MemoryPlatform>, homes: &[String]) {
    for home in homes {
        let req = SilentRequest { scopes: vec!["User.Read".into()], account: Some(AccountRef::new(home.clone())), ..Default::default() };
        let _ = pca.acquire_token_silent_cached(&req);
    }
}

/// The values under "secret" (a cache entry's token) anywhere in `j`, longer than 7 characters.
fn collect_secrets(j: Option<&Json>, out: &mut Vec<String>) {
    match j {
        Some(Json::Obj(fields)) => {
            for (k, v) in fields {
                match v {
                    Json::Str(s) if k == "secret" && s.len() > 7 => out.push(s.clone()),
                    other => collect_secrets(Some(other), out),
                }
            }
        }
        Some(Json::Arr(items)) => items.iter().for_each(|v| collect_secrets(Some(v), out)),
        _ => {}
    }
}

/// The `cache/v5` seed's account and tokens (`u.t` in tenant `t`), written into `store`.
fn seed_store(store: &MemoryStore) {
    let seed = include_str!("../seeds/cache/v5");
    if let Ok(Json::Obj(fields)) = Json::parse(seed) {
        for (k, v) in fields {
            if let Json::Str(s) = v {
                let _ = store.set(&k, &s);
            }
        }
    }
}

/// The configuration of the `storage` target's clients: a provider whose endpoints the
/// configuration holds (no discovery request).
fn storage_config(location: CacheLocation) -> Config {
    let mut c = Config::new(CLIENT);
    c.authority = "https://idp.example/t".into();
    c.known_authorities = vec!["idp.example".into()];
    c.protocol_mode = msal_wasm::core::authority::ProtocolMode::Oidc;
    c.authority_metadata = STORAGE_METADATA.into();
    c.redirect_uri = "https://app.example/page".into();
    c.cache_location = location;
    c
}

const STORAGE_METADATA: &str = r#"{"issuer":"https://idp.example/t","authorization_endpoint":"https://idp.example/t/authorize","token_endpoint":"https://idp.example/t/token","end_session_endpoint":"https://idp.example/t/logout"}"#;

/// What a page finds in its storage and its address when it loads: another script of the
/// origin, an older library or a bug may have written anything there. The input is a JSON
/// object: `"page"` is the page's address, keys starting with `temp:` go to the session store
/// (the redirect's saved request, the interaction lock), the others to the cache's store. A
/// localStorage and a sessionStorage client of "client-1" each load it, then run the start of
/// a page: `initialize`, the accounts, `handleRedirectPromise` (its synchronous half, and the
/// redemption, which fails without network), a silent lookup per account. Accepted: a client
/// initialized and a redirect response of its own was found.
///
/// Checked: a second client on what the first one left loads without removing a corrupt entry
/// (the first removed them all) and lists the same accounts.
pub fn storage(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let Ok(Json::Obj(fields)) = Json::parse(&text) else { return false };
    let mut accepted = false;
    for location in [CacheLocation::LocalStorage, CacheLocation::SessionStorage] {
        let platform = MemoryPlatform::new(FUZZ_NOW_MS, offline);
        platform.set_page_url("https://app.example/page");
        for (k, v) in &fields {
            let value = match v {
                Json::Str(s) => s.clone(),
                other => other.to_json(),
            };
            match k.strip_prefix("temp:") {
                _ if k == "page" => platform.set_page_url(value),
                Some(key) => {
                    let _ = platform.temp().set(key, &value);
                }
                None => {
                    let _ = platform.cache().set(k, &value);
                }
            }
        }
        let Ok(pca) = PublicClientApplication::new(storage_config(location), platform.clone()) else { continue };
        if block_on(pca.initialize()).is_err() {
            continue;
        }
        let accounts = homes(&pca);
        let _ = (pca.active_account(), pca.interaction_in_progress(), pca.redirect_in_progress());
        look_up_tokens(&pca, &accounts);
        match pca.begin_handle_redirect(None, true) {
            Ok(msal_wasm::client::RedirectStart::Redeem { response, .. }) => {
                accepted = true;
                let _ = block_on(pca.handle_redirect(Some(&response)));
            }
            Ok(_) => {
                let _ = block_on(pca.handle_redirect(None));
            }
            Err(e) => assert!(!e.code().is_empty()),
        }
        // What the first client left loads clean.
        platform.logs.borrow_mut().clear();
        platform.set_page_url("https://app.example/page");
        let second = PublicClientApplication::new(storage_config(location), platform.clone()).expect("the second client builds");
        block_on(second.initialize()).expect("the second client initializes");
        let removed = platform.logs.borrow().iter().any(|(_, l)| l.contains("corrupt"));
        assert!(!removed, "a second load removed a corrupt entry: {:?}", platform.logs.borrow());
        let again = homes(&second);
        let now = homes(&pca);
        assert_eq!(again, now, "a second client lists other accounts");
    }
    accepted
}

/// The refresh token the `server` target's client is signed in with.
const SERVER_RT: &str = "rt-secret-0123456789abcdef";
/// The code the `server` target redeems.
const SERVER_CODE: &str = "code-secret-0123456789abcdef";

/// A token response a provider would give the `server` target's client for its sign-in.
fn good_token_response() -> String {
    let b64 = |s: &str| msal_wasm::core::base64::encode_url(s.as_bytes());
    let now_s = FUZZ_NOW_MS / 1000;
    let claims = [
        r#"{"iss":"https://idp.example/t","aud":"client-1","sub":"u","tid":"t","preferred_username":"u@x","iat":"#,
        &now_s.to_string(),
        r#","exp":"#,
        &(now_s + 3600).to_string(),
        "}",
    ]
    .concat();
    let id_token = [b64(r#"{"alg":"none"}"#), b64(&claims), "sig".into()].join(".");
    Json::object()
        .with("access_token", "good-access-token-0123456789")
        .with("token_type", "Bearer")
        .with("expires_in", 3600u64)
        .with("scope", "User.Read openid profile offline_access")
        .with("refresh_token", SERVER_RT)
        .with("id_token", id_token.as_str())
        .to_json()
}

/// The input as an HTTP response: a first line with the status, header lines `name: value`,
/// an empty line, the body; without a status line, the whole input is a 200's body.
fn http_response(text: &str) -> HttpResponse {
    let parsed = text.split_once('\n').and_then(|(first, rest)| {
        let status: u16 = first.trim().parse().ok()?;
        let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
        let headers =
            head.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
        Some(HttpResponse { status, headers, body: body.to_owned() })
    });
    parsed.unwrap_or_else(|| HttpResponse::new(200, text))
}

/// What a token endpoint answers (a malformed, hostile or failing provider, a 429 with any
/// `Retry-After`): the input is that answer (see [`http_response`]). Two clients of a provider
/// whose endpoints the configuration holds: one redeems a code (`acquireTokenByCode`) and gets
/// the input; the other is signed in with a good answer, then renews by refresh token and gets
/// the input, then asks once more. Accepted: a call succeeded on the input.
///
/// Checked: a success carries an access token and an account; a failure has a code; an answer
/// that throttles keeps the second renewal off the network; the clients still answer
/// afterwards; no error, `Debug` output or log line shows the refresh token, the code or the
/// first access token.
pub fn server(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let answer = http_response(&text);
    let secrets = [SERVER_RT, SERVER_CODE, "good-access-token-0123456789"];
    // The input may itself carry a secret (the fuzzer copies from the seeds): then only what it
    // does not carry is checked.
    let secrets: Vec<&str> = secrets.into_iter().filter(|s| !text.contains(s)).collect();
    let check_error = |e: &AuthError| {
        assert!(!e.code().is_empty());
        let shown = [e.code(), e.message(), &format!("{e:?}")].concat();
        for s in &secrets {
            assert!(!shown.contains(s), "an error shows a secret: {shown}");
        }
    };
    let check_logs = |platform: &MemoryPlatform| {
        for (_, line) in platform.logs.borrow().iter() {
            for s in &secrets {
                assert!(!line.contains(s), "a log line shows a secret: {line}");
            }
        }
    };
    let check_result = |r: &Result<msal_wasm::client::AuthenticationResult, AuthError>| match r {
        Ok(r) => {
            assert!(!r.access_token.secret().is_empty(), "a result without an access token");
            assert!(!r.account.account.home_account_id.is_empty(), "a result without an account");
            let _ = format!("{r:?}");
            true
        }
        Err(e) => {
            check_error(e);
            false
        }
    };
    let by_code = |pca: &PublicClientApplication<MemoryPlatform>| {
        let req = msal_wasm::client::ByCodeRequest {
            code: msal_wasm::secret::AuthCode::new(SERVER_CODE),
            scopes: vec!["User.Read".into()],
            ..Default::default()
        };
        block_on(pca.acquire_token_by_code(&req))
    };
    let mut accepted = false;

    // A code redeemed: the answer is the input.
    let reply = answer.clone();
    let platform = MemoryPlatform::new(FUZZ_NOW_MS, move |_| Ok(reply.clone()));
    let pca = PublicClientApplication::new(storage_config(CacheLocation::LocalStorage), platform.clone()).expect("the client builds");
    block_on(pca.initialize()).expect("the client initializes");
    accepted |= check_result(&by_code(&pca));
    let _ = (pca.all_accounts(), pca.active_account());
    check_logs(&platform);

    // A renewal: signed in with a good answer, then the input.
    let good = HttpResponse::new(200, good_token_response());
    let platform = MemoryPlatform::new(FUZZ_NOW_MS, move |_| Ok(good.clone()));
    let pca = PublicClientApplication::new(storage_config(CacheLocation::SessionStorage), platform.clone()).expect("the client builds");
    block_on(pca.initialize()).expect("the client initializes");
    let signed = by_code(&pca).expect("the good answer signs in");
    let home = signed.account.account.home_account_id.clone();
    let throttling = msal_wasm::core::throttle::should_throttle(&answer);
    let reply = answer;
    platform.set_handler(move |_| Ok(reply.clone()));
    let req = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(home)),
        force_refresh: true,
        cache_lookup_policy: msal_wasm::client::CacheLookupPolicy::RefreshToken,
        ..Default::default()
    };
    let first = block_on(pca.acquire_token_silent(&req));
    accepted |= check_result(&first);
    // Once more: an answer that throttles (one it could read: a 429, a 5xx, an error with
    // `Retry-After`) keeps the same request from the network for a while.
    let throttled = throttling && matches!(&first, Err(e) if e.code() != "failed_to_parse_response");
    let sent = platform.requests.borrow().len();
    let again = block_on(pca.acquire_token_silent(&req));
    let _ = check_result(&again);
    if throttled {
        assert_eq!(platform.requests.borrow().len(), sent, "a throttled request went to the network again");
        assert!(again.is_err(), "a throttled request succeeded");
    }
    let _ = (pca.all_accounts(), pca.active_account(), pca.acquire_token_silent_cached(&SilentRequest { force_refresh: false, ..req }));
    check_logs(&platform);
    accepted
}

/// A DPoP or PoP resource request as an app names it: the first line is the method
/// (`normalize_htm`), the rest the resource URL (`normalize_htu` and the nonce's `origin`); an
/// input without a line break is a `GET` of the whole input. Accepted: the URL normalizes.
///
/// Checked: what the url crate (the URL Standard) refuses is refused, and what both take is
/// written as it writes it (but where msal-wasm differs on purpose); what normalizes is its own
/// normal form (a second pass changes nothing), is ASCII, `http(s)://` without query, fragment
/// or white space, and starts with the origin; the origin and the `htu` accept and refuse the
/// same URLs; a refusal is one of msal's codes.
pub fn dpop_target(data: &[u8]) -> bool {
    use msal_wasm::core::dpop::{normalize_htm, normalize_htu, origin};
    let text = String::from_utf8_lossy(data);
    let (method, url) = text.split_once('\n').unwrap_or(("GET", &text));
    match normalize_htm(method) {
        Ok(m) => {
            assert_eq!(normalize_htm(&m).ok().as_deref(), Some(m.as_str()), "htm {method:?}");
            assert!(!m.bytes().any(|b| b.is_ascii_lowercase()), "htm {m:?}");
        }
        Err(e) => assert_eq!(e.code(), "invalid_dpop_htm"),
    }
    // The url crate (the URL Standard, as reqwest sends a request) as the reference: what it
    // refuses is refused; what both take is written alike, but where msal-wasm differs on purpose
    // (README: tabs and newlines refused, `%2e` segments and a `\` kept as written; an IPv6
    // literal checked for its characters only, and kept as written).
    let reference = url::Url::parse(url).ok().map(|mut r| {
        r.set_query(None);
        r.set_fragment(None);
        r.to_string()
    });
    // (And the url crate's own way: a segment such as `s:` it reads as a Windows drive letter
    // in every scheme, where the URL Standard and browsers do so for `file:` only.)
    let drive = url.split('/').any(|seg| matches!(seg.as_bytes(), [a, b':' | b'|'] if a.is_ascii_alphabetic()));
    let own_way = drive || url.contains(['\t', '\n', '\r', '\\', '[']) || url.to_ascii_lowercase().contains("%2e");
    match (reference, normalize_htu(url)) {
        (None, Ok(htu)) if !url.contains('[') => panic!("the URL Standard refuses {url:?}, signed as {htu:?}"),
        (Some(r), Ok(htu)) if !own_way => assert_eq!(htu, r, "{url:?}"),
        _ => {}
    }
    let (htu, at) = (normalize_htu(url), origin(url));
    match (htu, at) {
        (Ok(htu), Ok(at)) => {
            assert_eq!(normalize_htu(&htu).ok().as_deref(), Some(htu.as_str()), "not its own normal form: {url:?}");
            assert!(htu.is_ascii() && (htu.starts_with("https://") || htu.starts_with("http://")), "{htu:?}");
            assert!(!htu.contains(['?', '#', ' ', '\t', '\n', '\r']), "{htu:?}");
            assert!(htu.starts_with(&at) && htu.get(at.len()..).is_some_and(|p| p.starts_with('/')), "{htu:?} / {at:?}");
            true
        }
        (Err(e), Err(o)) => {
            assert!(matches!(e.code(), "invalid_dpop_htu" | "url_parse_error"), "{}", e.code());
            assert_eq!(o.code(), "invalid_dpop_htu");
            false
        }
        (htu, at) => panic!("htu and origin disagree on {url:?}: {htu:?} / {at:?}"),
    }
}
