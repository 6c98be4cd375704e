//! Shared by the framework hook tests (wasm32): the local provider's address (set by
//! scripts/with-idp.mjs at build time), DOM polling, and signing in through the provider's
//! test endpoint that mints an authorization code for our PKCE challenge.
#![allow(dead_code)]

use msal_wasm::browser::BrowserApp;
use msal_wasm::client::{CacheLocation, Config};
use msal_wasm::core::http::{HttpRequest, Method};
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce;
use msal_wasm::platform::browser::{window, BrowserPlatform};
use msal_wasm::platform::Platform;
use wasm_bindgen_futures::JsFuture;

/// A value scripts/with-idp.mjs put in the build's environment. The tests are built (so that
/// clippy can read them) without it too; run that way, they stop here and say how to run them.
fn built_with(name: &str, value: Option<&'static str>) -> &'static str {
    match value {
        Some(v) => v,
        None => panic!("build these tests through scripts/with-idp.mjs ({name} is not set)"),
    }
}

/// The Entra-mode authority of the provider started by scripts/with-idp.mjs.
pub fn authority() -> &'static str {
    built_with("MSAL_TEST_ENTRA_AUTHORITY", option_env!("MSAL_TEST_ENTRA_AUTHORITY"))
}

/// The provider's origin.
pub fn idp_origin() -> &'static str {
    built_with("MSAL_TEST_IDP_ORIGIN", option_env!("MSAL_TEST_IDP_ORIGIN"))
}

/// The provider's second tenant, where its users are guests (tests/idp/server.mjs).
pub const GUEST_TENANT_ID: &str = "3c9a7d51-6b2e-4f80-a1d4-0f5e2b7c9e31";

/// This page's origin + "/" (a redirect URI the provider accepts for the test origin).
pub fn redirect_uri() -> String {
    web_sys::window().unwrap().location().origin().unwrap() + "/"
}

/// A configuration for the provider, with an in-memory cache so tests do not share state.
pub fn config() -> Config {
    let mut c = Config::new("msal-wasm-test-client").with_authority(authority()).with_redirect_uri(redirect_uri());
    c.cache_location = CacheLocation::MemoryStorage;
    c
}

/// The element with `id`, its text, or "" when absent.
pub fn text_of(id: &str) -> String {
    web_sys::window().unwrap().document().unwrap().get_element_by_id(id).and_then(|e| e.text_content()).unwrap_or_default()
}

/// Waits (up to 10 s) until `cond` holds.
pub async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    wait_up_to(10_000, what, cond).await
}

/// [`wait_for`], for up to `ms`.
pub async fn wait_up_to(ms: u32, what: &str, cond: impl Fn() -> bool) {
    for _ in 0..ms / 50 {
        if cond() {
            return;
        }
        JsFuture::from(window::sleep(50)).await.unwrap();
    }
    panic!("timed out waiting for {what}");
}

/// The redirect URI of popups: a plain page of this origin (the runner answers 404; the
/// client reads the response from the popup's address before closing it).
pub fn popup_redirect_uri() -> String {
    web_sys::window().unwrap().location().origin().unwrap() + "/tests/e2e/www/blank.html"
}

/// Makes the provider's sign-in form submit itself as `login` (`None`: a person signs in).
pub async fn set_auto_login(login: Option<&str>) {
    configure_idp(Json::object().with("autoLogin", login.map(Json::from).unwrap_or(Json::Null))).await;
}

/// A platform of its own for the tests' calls to the provider's test endpoints.
fn test_platform() -> BrowserPlatform {
    BrowserPlatform::new(CacheLocation::MemoryStorage, "msal-wasm-test-client", wasm_bindgen::JsValue::NULL, wasm_bindgen::JsValue::NULL)
}

/// How many token requests the provider answered so far.
pub async fn token_requests() -> u64 {
    let platform = test_platform();
    let idp_origin = idp_origin();
    let req = HttpRequest { method: Method::Get, url: format!("{idp_origin}/__test/counters"), headers: Vec::new(), body: String::new() };
    let resp = platform.send(req, 10_000).await.unwrap();
    assert_eq!(resp.status, 200, "the provider's counters: {}", resp.body);
    Json::parse(&resp.body).ok().and_then(|j| j.get("token").and_then(Json::as_u64)).expect("the counters name the token requests")
}

/// Changes the provider's test configuration (`/__test/config`: `accessTokenTtl`, `autoLogin`...).
pub async fn configure_idp(patch: Json) {
    let platform = test_platform();
    let idp_origin = idp_origin();
    let req = HttpRequest {
        method: Method::Post,
        url: format!("{idp_origin}/__test/config"),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: patch.to_json(),
    };
    let resp = platform.send(req, 10_000).await.unwrap();
    assert_eq!(resp.status, 200, "config failed: {}", resp.body);
}

/// The provider's next answer (`/__test/fail-next`: `{"status": ..., "body": {...}}`).
pub async fn fail_next(answer: Json) {
    let platform = test_platform();
    let req = HttpRequest {
        method: Method::Post,
        url: format!("{}/__test/fail-next", idp_origin()),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: answer.to_json(),
    };
    let resp = platform.send(req, 10_000).await.unwrap();
    assert_eq!(resp.status, 200, "fail-next failed: {}", resp.body);
}

/// Signs `login` in: the provider mints a code for our PKCE challenge, the app redeems it at
/// the real token endpoint.
pub async fn sign_in(app: &BrowserApp, login: &str) {
    let platform = test_platform();
    let mut entropy = [0u8; 32];
    platform.fill_random(&mut entropy).unwrap();
    let verifier = pkce::verifier_from_entropy(&entropy).unwrap();
    let idp_origin = idp_origin();
    let body = Json::object()
        .with("mode", "entra")
        .with("login", login)
        .with("redirect_uri", redirect_uri())
        .with("code_challenge", pkce::challenge(&verifier))
        .with("scope", "openid profile offline_access User.Read");
    let req = HttpRequest {
        method: Method::Post,
        url: format!("{idp_origin}/__test/code"),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_json(),
    };
    let resp = platform.send(req, 10_000).await.unwrap();
    assert_eq!(resp.status, 200, "mint failed: {}", resp.body);
    let code = Json::parse(&resp.body).unwrap().string_or_empty("code");
    let req = msal_wasm::client::ByCodeRequest {
        code: msal_wasm::secret::AuthCode::new(code),
        scopes: vec!["User.Read".to_owned()],
        code_verifier: Some(verifier),
        redirect_uri: redirect_uri(),
        ..Default::default()
    };
    app.acquire_token_by_code(&req).await.unwrap();
}

/// A configuration whose cache is in sessionStorage (a redirect needs one).
pub fn redirect_config() -> Config {
    let mut c = config();
    c.cache_location = CacheLocation::SessionStorage;
    c
}

/// Leaves the tab as a redirect sign-in that came back with `error` leaves it: the request
/// `loginRedirect` saved in sessionStorage, and the provider's error response in the address;
/// `signed_in` (a login) was signed in before.
pub async fn returned_from_redirect_with(error: &str, signed_in: Option<&str>) {
    returned_from_redirect(&["error=", error, "&error_description=declined"].concat(), signed_in).await;
}

/// The same with the response's `params` (`code=…`) before its state.
pub async fn returned_from_redirect(params: &str, signed_in: Option<&str>) {
    let app = BrowserApp::new(redirect_config()).await.unwrap();
    if let Some(login) = signed_in {
        sign_in(&app, login).await;
    }
    // The runner's page carries a fragment of its own: the sign-in starts from the page without it.
    let href = web_sys::window().unwrap().location().href().unwrap();
    let page = href.split('#').next().unwrap_or_default().to_owned();
    let req = msal_wasm::client::InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    // A synchronous start needs the endpoints (initialize() fetches no discovery document).
    app.client().resolve_authority(None).await.unwrap();
    let pending = app.client().begin_interaction(&req, msal_wasm::core::pkce::InteractionType::Redirect, &page).unwrap();
    let query = pending.url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let state = msal_wasm::core::url::parse_query(query).into_iter().find(|(k, _)| k == "state").map(|(_, v)| v).unwrap();
    let back = [page.as_str(), "#", params, "&state=", &msal_wasm::core::url::encode(&state)].concat();
    web_sys::window().unwrap().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&back)).unwrap();
}

/// Waits `ms` milliseconds.
pub async fn sleep_ms(ms: u32) {
    JsFuture::from(window::sleep(ms)).await.unwrap();
}
