//! Native micro-benchmarks of the core's hot paths (no browser, no wasm):
//!
//!   cargo bench --bench core            # all
//!   cargo bench --bench core -- cache   # only the benchmarks whose name contains "cache"
//!
//! Each benchmark is timed in batches of enough iterations to last about 2 ms; the number
//! printed is the median over the batches of the time per operation (std::time::Instant).
//! The `bench` profile inherits `release` (opt-level "z", LTO), i.e. the code that ships.

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

use msal_wasm::client::{AccountRef, Config, InteractiveRequest, PublicClientApplication, SilentRequest};
use msal_wasm::core::account::{authority_type, Account};
use msal_wasm::core::authorize::{authorize_url, AppTelemetry, AuthorizeParams, AuthorizeResponse, HintSource};
use msal_wasm::core::base64;
use msal_wasm::core::cache::{AtQuery, MemoryStore, SaveRequest, TokenCache};
use msal_wasm::core::http::HttpResponse;
use msal_wasm::core::id_token::IdTokenClaims;
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::core::scopes::ScopeSet;
use msal_wasm::core::token::TokenResponse;
use msal_wasm::core::url::parse_query;
use msal_wasm::platform::memory::{block_on, MemoryPlatform};

const CLIENT: &str = "00000000-0000-0000-0000-00000000c11e";
const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const UID: &str = "7f3a1c2e-9b4d-4e8f-a1b2-c3d4e5f60718";
const ENV: &str = "login.microsoftonline.com";
const NOW: u64 = 1_800_000_000;

const BATCHES: usize = 31;
const BATCH_TARGET: Duration = Duration::from_millis(2);

/// Runs `f` in batches and prints the median time per call.
fn bench<R>(filter: &Option<String>, name: &str, mut f: impl FnMut() -> R) {
    if filter.as_ref().is_some_and(|p| !name.contains(p.as_str())) {
        return;
    }
    // Calibrate: double the batch size until one batch lasts BATCH_TARGET.
    let mut iters: u64 = 1;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        if t.elapsed() >= BATCH_TARGET || iters >= 1 << 30 {
            break;
        }
        iters *= 2;
    }
    let mut per_op: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    per_op.sort_by(|a, b| a.total_cmp(b));
    let median = per_op[BATCHES / 2];
    let (min, max) = (per_op[0], per_op[BATCHES - 1]);
    println!("{name:<44} {median:>12.1} ns/op   (min {min:.1}, max {max:.1}; {BATCHES} batches x {iters})");
}

fn jwt(claims: &str, signature_len: usize) -> String {
    format!(
        "{}.{}.{}",
        base64::encode_url(br#"{"typ":"JWT","alg":"RS256","kid":"nOo3ZDrODXEK1jKWhXslHR_KXEg"}"#),
        base64::encode_url(claims.as_bytes()),
        "s".repeat(signature_len)
    )
}

fn client_info() -> String {
    base64::encode_url(format!(r#"{{"uid":"{UID}","utid":"{TENANT}"}}"#).as_bytes())
}

fn id_token() -> String {
    id_token_with_nonce("0195f8a2-6c1e-7b3d-9e4f-5a6b7c8d9e0f")
}

fn id_token_with_nonce(nonce: &str) -> String {
    jwt(
        &format!(
            r#"{{"aud":"{CLIENT}","iss":"https://{ENV}/{TENANT}/v2.0","iat":{NOW},"nbf":{NOW},"exp":{},"name":"Ada Lovelace","nonce":"{nonce}","oid":"{UID}","preferred_username":"ada@contoso.onmicrosoft.com","rh":"0.AXkAI_CujuoraU2qm4vIyaSkkB8qhkZiPvZDoNqGuvVxwX55AMY.","sid":"00a8c7c1-4b6e-9d2f-3e1a-5c7b9d0f2e4a","sub":"X0lYfKq3Rz7m1c9p2eT8wU6vN4bA5sD3fG1hJ7kL9qM","tid":"{TENANT}","uti":"Xk3mQ9rT2kWp0sVb8aLc4A","ver":"2.0"}}"#,
            NOW + 3600
        ),
        342,
    )
}

/// A token endpoint response the size of Entra's (JWT access token, ID token, long RT).
fn token_response_body(scope: &str, at: &str) -> String {
    token_response_body_with(scope, at, &id_token())
}

fn token_response_body_with(scope: &str, at: &str, id_token: &str) -> String {
    let access_token = jwt(
        &format!(
            r#"{{"aud":"00000003-0000-0000-c000-000000000000","iss":"https://sts.windows.net/{TENANT}/","iat":{NOW},"nbf":{NOW},"exp":{},"acct":0,"acr":"1","aio":"AVQAq/8XAAAA{at}","amr":["pwd","mfa"],"app_displayname":"contoso-spa","appid":"{CLIENT}","appidacr":"0","family_name":"Lovelace","given_name":"Ada","idtyp":"user","ipaddr":"203.0.113.7","name":"Ada Lovelace","oid":"{UID}","platf":"3","puid":"10032001C0FFEE42","rh":"0.AXkAI_CujuoraU2qm4vIyaSkkAMAAAAAAAAAwAAAAAAAAAB5AMY.","scp":"{scope}","sid":"00a8c7c1-4b6e-9d2f-3e1a-5c7b9d0f2e4a","sub":"kQ3nW1pX9rT5vY7zA2cE4gI6kM8oQ0sU2wY4aC6eG8i","tenant_region_scope":"EU","tid":"{TENANT}","unique_name":"ada@contoso.onmicrosoft.com","upn":"ada@contoso.onmicrosoft.com","uti":"p9Lm2Qx7RkW3sT5vB8nC1A","ver":"1.0","wids":["b79fbf4d-3ef9-4689-8143-76b194e85509"],"xms_idrel":"1 20","xms_st":{{"sub":"X0lYfKq3Rz7m1c9p2eT8wU6vN4bA5sD3fG1hJ7kL9qM"}},"xms_tcdt":1600000000}}"#,
            NOW + 3600
        ),
        342,
    );
    let refresh_token =
        format!("1.AXkAI_CujuoraU2qm4vIyaSkkB8qhkZiPvZDoNqGuvVxwX55AMY.{}", "AgABAwEAAADW6jl31mB3T7ugrWTT8pFeAwDs_wUA9P-".repeat(24));
    format!(
        r#"{{"token_type":"Bearer","scope":"{scope}","expires_in":3600,"ext_expires_in":3600,"access_token":"{access_token}","refresh_token":"{refresh_token}","refresh_token_expires_in":86399,"id_token":"{}","client_info":"{}"}}"#,
        id_token,
        client_info()
    )
}

fn account() -> Account {
    let claims = IdTokenClaims::decode(&id_token()).expect("id token");
    Account::from_response(&client_info(), Some(&claims), ENV, authority_type::MSSTS, NOW * 1000).expect("account")
}

/// The public cloud's hosts, as the client passes them.
static ALIASES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"].map(String::from).to_vec()
});

/// The save of `response` for `account`, as the client makes it.
fn save_request<'a>(response: &'a TokenResponse, account: &'a Account, requested: &'a ScopeSet) -> SaveRequest<'a> {
    SaveRequest {
        response,
        account,
        realm: TENANT,
        at_realm: None,
        requested,
        key_id: "",
        resource: "",
        attribute_tokens: "",
        environments: &ALIASES,
        store: Default::default(),
        kmsi: false,
        now_ms: response.cached_at * 1000,
    }
}

/// A cache holding `n` access tokens of one account: `User.Read` first, then `n - 1` tokens
/// for other scopes (plus the ID token and the refresh token).
fn cache_with(n: usize) -> TokenCache<MemoryStore> {
    let (mut cache, issues) = TokenCache::load(MemoryStore::new(), CLIENT);
    assert!(issues.is_empty());
    let account = account();
    for i in 0..n {
        let scope = if i == 0 { "User.Read openid profile".to_owned() } else { format!("api://bench/scope.{i:04} openid profile") };
        let body = token_response_body(&scope, &format!("at{i}"));
        let response = TokenResponse::parse(&HttpResponse::new(200, body), NOW).expect("token response");
        let requested = ScopeSet::parse(&scope);
        cache.save(&save_request(&response, &account, &requested)).expect("save");
    }
    let ats = cache.credentials().filter(|c| c.credential_type.is_access_token()).count();
    assert_eq!(ats, n, "every access token is kept");
    cache
}

/// A client over the in-memory platform, signed in by a (scripted) popup: one account, its ID
/// token, a User.Read access token and a refresh token — what a page has after loginPopup.
fn signed_in_client() -> PublicClientApplication<MemoryPlatform> {
    let nonce = Rc::new(RefCell::new(String::new()));
    let n = nonce.clone();
    let platform = MemoryPlatform::new(NOW * 1000, move |_req| {
        Ok(HttpResponse::new(200, token_response_body_with("User.Read openid profile", "at0", &id_token_with_nonce(&n.borrow()))))
    });
    let metadata = format!(
        r#"{{"authorization_endpoint":"https://{ENV}/{TENANT}/oauth2/v2.0/authorize","token_endpoint":"https://{ENV}/{TENANT}/oauth2/v2.0/token","end_session_endpoint":"https://{ENV}/{TENANT}/oauth2/v2.0/logout","issuer":"https://{ENV}/{TENANT}/v2.0"}}"#
    );
    let config = Config::new(CLIENT)
        .with_authority(format!("https://{ENV}/{TENANT}"))
        .with_redirect_uri("https://app.contoso.com/redirect.html")
        .with_authority_metadata(metadata);
    let pca = PublicClientApplication::new(config, platform).expect("client");
    block_on(pca.initialize()).expect("initialize");
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = pca.begin_interaction(&request, InteractionType::Popup, "https://app.contoso.com/").expect("authorize url");
    let query = parse_query(pending.url.split_once('?').expect("query").1);
    let get = |k: &str| query.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone()).unwrap_or_default();
    *nonce.borrow_mut() = get("nonce");
    let response = format!("#code=the-code&client_info={}&state={}", client_info(), msal_wasm::core::url::encode(&get("state")));
    block_on(pca.finish_interaction(pending, &response)).expect("sign-in");
    pca
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!("msal-wasm core, native ({} {}), median time per operation", std::env::consts::ARCH, std::env::consts::OS);

    // ---- cache lookup ----
    let home = format!("{UID}.{TENANT}");
    let envs = vec![ENV.to_owned(), "login.windows.net".to_owned(), "login.microsoft.com".to_owned(), "sts.windows.net".to_owned()];
    let search = ScopeSet::parse("User.Read").for_cache_search();
    for n in [1usize, 100, 1000] {
        let cache = cache_with(n);
        let query = AtQuery {
            home_account_id: &home,
            environments: &envs,
            client_id: CLIENT,
            realm: TENANT,
            scopes: &search,
            token_type: "Bearer",
            key_id: None,
            attribute_tokens: "",
        };
        assert!(cache.find_access_token(&query).is_some(), "the User.Read token is found");
        bench(&filter, &format!("cache: find_access_token, {n} AT(s), hit"), || {
            black_box(&cache).find_access_token(black_box(&query)).map(|c| c.expires_on)
        });
    }

    // ---- a whole re-read (another tab wrote; a focus) and a save, as the cache grows ----
    for n in [10usize, 100, 1000] {
        let mut cache = cache_with(n);
        assert!(cache.reload().is_empty(), "a clean cache reloads without issues");
        assert_eq!(cache.credentials().count(), n + 2, "the reload keeps every entry");
        bench(&filter, &format!("cache: reload, {n} AT(s)"), || black_box(&mut cache).reload().len());
        let body = token_response_body("api://bench/scope.0001 openid profile", "at-renewed");
        let response = TokenResponse::parse(&HttpResponse::new(200, body), NOW).expect("token response");
        let (account, requested) = (account(), ScopeSet::parse("api://bench/scope.0001"));
        bench(&filter, &format!("cache: save (a renewal), {n} AT(s)"), || {
            black_box(&mut cache).save(&save_request(&response, &account, &requested))
        });
        assert_eq!(cache.credentials().count(), n + 2, "a renewal replaces its token");
    }

    // ---- the client's cache-hit path (what acquireTokenSilent runs in the wasm) ----
    let pca = signed_in_client();
    let silent = SilentRequest { scopes: vec!["User.Read".into()], account: Some(AccountRef::new(home.clone())), ..Default::default() };
    assert!(pca.acquire_token_silent_cached(&silent).expect("lookup").is_some_and(|r| r.from_cache));
    bench(&filter, "client: account(homeAccountId)", || black_box(&pca).account(black_box(&home)).map(|a| a.account.username.len()));
    bench(&filter, "client: acquire_token_silent_cached, 1 AT", || {
        black_box(&pca).acquire_token_silent_cached(black_box(&silent)).map(|r| r.map(|r| r.expires_on_ms))
    });
    // The wasm export silentCached(json): request JSON in, result JSON out.
    let request_json = format!(r#"{{"scopes":["User.Read"],"account":{{"homeAccountId":"{home}"}}}}"#);
    let silent_cached_json = |json: &str| -> Option<String> {
        let req = msal_wasm::js::wire::silent_request(&Json::parse(json).ok()?).ok()?;
        pca.acquire_token_silent_cached(&req).ok()?.map(|r| msal_wasm::js::wire::result_json(&r).to_json())
    };
    let result_len = silent_cached_json(&request_json).expect("hit").len();
    bench(&filter, &format!("client: silentCached JSON in/out ({result_len} B out)"), || {
        silent_cached_json(black_box(&request_json)).map(|r| r.len())
    });

    // ---- authorize URL ----
    let scopes = ScopeSet::parse("User.Read openid profile offline_access");
    let hints = HintSource {
        account_login_hint: String::new(),
        account_username: "ada@contoso.onmicrosoft.com".into(),
        account_oid_anchor: format!("{UID}@{TENANT}"),
        ..HintSource::default()
    };
    let state =
        format!("{}|app-state", base64::encode_url(br#"{"id":"0195f8a2-6c1e-7b3d-9e4f-5a6b7c8d9e0f","meta":{"interactionType":"popup"}}"#));
    let params = AuthorizeParams {
        endpoint: "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/oauth2/v2.0/authorize",
        client_id: CLIENT,
        scopes: &scopes,
        redirect_uri: "https://app.contoso.com/redirect.html",
        correlation_id: "5d3b7a9c-2e1f-4c6d-8b0a-9f8e7d6c5b4a",
        response_mode: "fragment",
        client_info: true,
        prompt: None,
        domain_hint: "",
        hints: &hints,
        nonce: "0195f8a2-6c1e-7b3d-9e4f-5a6b7c8d9e0f",
        state: &state,
        claims: "",
        client_capabilities: &[],
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        extra: &[],
        app: AppTelemetry::NONE,
    };
    assert!(authorize_url(&params).is_ok());
    bench(&filter, "authorize_url", || authorize_url(black_box(&params)).map(|u| u.len()));

    // ---- authorize response ----
    let code =
        format!("1.AXkAI_CujuoraU2qm4vIyaSkkB8qhkZiPvZDoNqGuvVxwX55AMY.{}", "AgABBAIAAADW6jl31mB3T7ugrWTT8pFeAwDs_wUA9P8".repeat(17));
    let response = format!(
        "#code={code}&client_info={}&state={}&session_state=00a8c7c1-4b6e-9d2f-3e1a-5c7b9d0f2e4a",
        client_info(),
        msal_wasm::core::url::encode(&state)
    );
    assert!(AuthorizeResponse::parse(&response).is_ok_and(|r| r.code.is_some()));
    bench(&filter, &format!("AuthorizeResponse::parse ({} B)", response.len()), || {
        AuthorizeResponse::parse(black_box(&response)).map(|r| r.state.len())
    });

    // ---- token response ----
    let body = token_response_body("User.Read openid profile", "at0");
    let http = HttpResponse::new(200, body.clone());
    assert!(TokenResponse::parse(&http, NOW).is_ok());
    bench(&filter, &format!("TokenResponse::parse ({} B)", body.len()), || {
        TokenResponse::parse(black_box(&http), NOW).map(|r| r.expires_on)
    });
}
