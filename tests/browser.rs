//! Browser tests (wasm32, headless Chromium via webdriver.json): the storage, crypto and
//! fetch layers of the browser platform, against the real browser APIs.
#![cfg(target_arch = "wasm32")]

use msal_wasm::client::CacheLocation;
use msal_wasm::core::cache::KeyValueStore;
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::{base64, pkce, sha256::sha256};
use msal_wasm::platform::browser::{BrowserPlatform, WebStore};
use msal_wasm::platform::Platform;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn session_storage_round_trip_and_keys() {
    let (store, fell_back) = WebStore::open(CacheLocation::SessionStorage, &JsValue::NULL);
    assert!(!fell_back, "sessionStorage should be available in Chromium");
    assert!(matches!(store, WebStore::Web(..)));
    store.set("msal.test.key", "välue \"quoted\"").unwrap();
    assert_eq!(store.get("msal.test.key").as_deref(), Some("välue \"quoted\""));
    // The value is really in window.sessionStorage.
    let raw = web_sys::window().unwrap().session_storage().unwrap().unwrap().get_item("msal.test.key").unwrap();
    assert_eq!(raw.as_deref(), Some("välue \"quoted\""));
    assert!(store.keys().iter().any(|k| k == "msal.test.key"));
    store.remove("msal.test.key");
    assert_eq!(store.get("msal.test.key"), None);
}

#[test]
fn memory_storage_is_not_web_storage() {
    let (store, fell_back) = WebStore::open(CacheLocation::MemoryStorage, &JsValue::NULL);
    assert!(!fell_back);
    store.set("k", "v").unwrap();
    assert_eq!(store.get("k").as_deref(), Some("v"));
    let web = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    assert_eq!(web.get_item("k").unwrap(), None);
}

#[test]
fn local_storage_quota_exceeded_keeps_the_value_in_memory() {
    let (store, _) = WebStore::open(CacheLocation::LocalStorage, &JsValue::NULL);
    // ~12 MB in one value is over every browser's localStorage quota.
    let huge = "x".repeat(12 * 1024 * 1024);
    let err = store.set("msal.test.huge", &huge).unwrap_err();
    assert_eq!(err.code(), "cache_quota_exceeded", "the quota error is reported as such, so the cache can evict first");
    store.set_in_memory("msal.test.huge", &huge).unwrap();
    assert_eq!(store.get("msal.test.huge").map(|v| v.len()), Some(huge.len()), "readable for this page");
    let web = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(web.get_item("msal.test.huge").unwrap(), None, "not in localStorage");
    assert!(store.keys().iter().any(|k| k == "msal.test.huge"));
    store.remove("msal.test.huge");
    assert_eq!(store.get("msal.test.huge"), None);
}

#[test]
fn get_random_values_fills_and_differs() {
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage, "msal-wasm-test-client", JsValue::NULL, JsValue::NULL);
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    p.fill_random(&mut a).unwrap();
    p.fill_random(&mut b).unwrap();
    assert_ne!(a, [0u8; 32]);
    assert_ne!(a, b);
    let v = pkce::verifier_from_entropy(&a).unwrap();
    assert_eq!(v.secret().len(), 43);
}

async fn subtle_sha256(data: &[u8]) -> Vec<u8> {
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let copy = data.to_vec();
    let promise = subtle.digest_with_str_and_u8_array("SHA-256", &copy).unwrap();
    let buf = JsFuture::from(promise).await.unwrap();
    js_sys::Uint8Array::new(&buf.dyn_into::<js_sys::ArrayBuffer>().unwrap()).to_vec()
}

#[test]
async fn sha256_and_pkce_match_crypto_subtle() {
    for len in [0usize, 1, 55, 56, 63, 64, 65, 1000, 100_000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        assert_eq!(sha256(&data).to_vec(), subtle_sha256(&data).await, "length {len}");
    }
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage, "msal-wasm-test-client", JsValue::NULL, JsValue::NULL);
    let mut entropy = [0u8; 32];
    p.fill_random(&mut entropy).unwrap();
    let verifier = pkce::verifier_from_entropy(&entropy).unwrap();
    let expected = base64::encode_url(&subtle_sha256(verifier.secret().as_bytes()).await);
    assert_eq!(pkce::challenge(&verifier), expected);
}

#[test]
async fn fetch_failure_maps_to_get_request_failed() {
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage, "msal-wasm-test-client", JsValue::NULL, JsValue::NULL);
    // Port 9 on loopback: nothing listens there, the request fails at once.
    let err = p.send(HttpRequest::get("http://127.0.0.1:9/none"), 10_000).await.unwrap_err();
    assert_eq!(err.code(), "get_request_failed");
    assert_eq!(err.kind().class_name(), "BrowserAuthError");
}

// ---- window layer: popups and hidden iframes ----

use msal_wasm::platform::browser::window;

async fn settle(p: js_sys::Promise) -> Result<String, String> {
    JsFuture::from(p).await.map(|v| v.as_string().unwrap_or_default()).map_err(|e| e.as_string().unwrap_or_default())
}

/// True on a cross-origin-isolated page (COOP + COEP).
fn isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).ok().and_then(|v| v.as_bool()) == Some(true)
}

fn same_origin(path: &str) -> String {
    format!("{}{path}", web_sys::window().unwrap().location().origin().unwrap())
}

#[test]
async fn popup_response_is_read_by_polling_or_the_bridge_even_when_coop_severs_it() {
    // An unknown path on our own origin stands in for the app's redirect page. The test
    // runner's page is cross-origin isolated (COOP), so the popup may be severed from us and
    // `closed` read true: the wait must not end as user_cancelled, and the bridge must work.
    let popup = window::open_popup(&same_origin("/msal-redirect-page#code=abc&state=xyz"), "msal.test.poll", -1, -1, -1, -1).unwrap();
    assert!(!popup.is_null(), "ChromeDriver allows popups");
    let waiting = window::wait_for_popup(&popup, "state-poll", 5_000, &JsValue::NULL, "", 0, "", false);
    // The popup is severed once its page has loaded (later on a loaded machine): look for up to
    // 3 s on an isolated page, 400 ms on another.
    let closed = || js_sys::Reflect::get(&popup, &"closed".into()).unwrap().as_bool() == Some(true);
    let polls = if isolated() { 60 } else { 8 };
    for _ in 0..polls {
        JsFuture::from(window::sleep(50)).await.unwrap();
        if closed() {
            break;
        }
    }
    assert_eq!(closed(), isolated(), "COOP severs the popup exactly when the page is isolated");
    let channel = web_sys::BroadcastChannel::new("state-poll").unwrap();
    let msg = js_sys::Object::new();
    js_sys::Reflect::set(&msg, &"v".into(), &1.into()).unwrap();
    js_sys::Reflect::set(&msg, &"payload".into(), &"#code=from-bridge&state=xyz".into()).unwrap();
    channel.post_message(&msg).unwrap();
    channel.close();
    // The popup's address, read by polling while it was in reach (Firefox reads it before COOP
    // severs the popup), else the bridge's answer (Chromium severs it first): an answer either
    // way, never user_cancelled.
    let answer = settle(waiting).await;
    assert!(answer == Ok("#code=abc&state=xyz".to_owned()) || answer == Ok("#code=from-bridge&state=xyz".to_owned()), "{answer:?}");
}

#[test]
async fn popup_response_arrives_over_the_redirect_bridge_channel() {
    let popup = window::open_popup("about:blank", "msal.test.bridge", 400, 300, 0, 0).unwrap();
    let waiting = window::wait_for_popup(&popup, "state-bridge", 5_000, &JsValue::NULL, "", 0, "", false);
    let channel = web_sys::BroadcastChannel::new("state-bridge").unwrap();
    let msg = js_sys::Object::new();
    js_sys::Reflect::set(&msg, &"v".into(), &1.into()).unwrap();
    js_sys::Reflect::set(&msg, &"payload".into(), &"#code=from-bridge&state=s".into()).unwrap();
    channel.post_message(&msg).unwrap();
    channel.close();
    assert_eq!(settle(waiting).await.unwrap(), "#code=from-bridge&state=s");
}

#[test]
async fn a_popup_that_reads_closed_before_it_was_seen_at_the_provider_waits_for_the_timeout() {
    // Closed, or severed by COOP as it navigated (both read `closed`): only the bridge or the
    // timeout ends the wait. (A popup closed after a while at the provider ends the wait as
    // user_cancelled: tests/e2e/matrix/core.test.mjs; a severed one signs in: coop-only.test.mjs.)
    let popup = window::open_popup("about:blank", "msal.test.closed", -1, -1, -1, -1).unwrap();
    let waiting = window::wait_for_popup(&popup, "state-closed", 700, &JsValue::NULL, "", 0, "", false);
    let close = js_sys::Reflect::get(&popup, &"close".into()).unwrap();
    js_sys::Function::from(close).call0(&popup).unwrap();
    assert_eq!(settle(waiting).await, Err("timed_out".to_owned()));
}

/// msal 5's `system.enableLegacyPolling` (msal 4's poller): a popup that reads closed is the
/// user's cancel, after a moment for a bridge message in flight (not the timeout).
#[test]
async fn a_legacy_polled_popup_is_cancelled_at_once_when_closed() {
    let popup = window::open_popup("about:blank", "msal.test.legacy-closed", -1, -1, -1, -1).unwrap();
    let waiting = window::wait_for_popup(&popup, "state-legacy-closed", 60_000, &JsValue::NULL, "", 0, "", true);
    let close = js_sys::Reflect::get(&popup, &"close".into()).unwrap();
    js_sys::Function::from(close).call0(&popup).unwrap();
    let start = js_sys::Date::now();
    assert_eq!(settle(waiting).await, Err("user_cancelled".to_owned()));
    assert!(js_sys::Date::now() - start < 1_000.0, "at once, not after a wait");

    // (Its other cases, on a page not isolated by COOP as legacy polling requires:
    // tests/e2e/basic.test.mjs.)
}

/// As msal's popups: titled "Microsoft Authentication" while they show no page of their own
/// (a request whose authority is being resolved, a form post, a sign-out before discovery).
#[test]
fn a_blank_popup_bears_msals_title() {
    let popup = window::open_popup("about:blank", "msal.test.title", -1, -1, -1, -1).unwrap();
    let document = js_sys::Reflect::get(&popup, &"document".into()).unwrap();
    let title = js_sys::Reflect::get(&document, &"title".into()).unwrap().as_string();
    let close = js_sys::Reflect::get(&popup, &"close".into()).unwrap();
    js_sys::Function::from(close).call0(&popup).unwrap();
    assert_eq!(title.as_deref(), Some("Microsoft Authentication"));
}

#[test]
async fn popup_without_response_times_out() {
    let popup = window::open_popup("about:blank", "msal.test.timeout", -1, -1, -1, -1).unwrap();
    assert_eq!(
        settle(window::wait_for_popup(&popup, "state-timeout", 200, &JsValue::NULL, "", 0, "", false)).await.unwrap_err(),
        "timed_out"
    );
}

#[test]
async fn hidden_iframe_reads_the_response_and_is_removed() {
    let waiting = window::load_hidden_iframe(&same_origin("/msal-redirect-page#code=frame-code&state=s"), None, "state-frame", 5_000, 0);
    assert_eq!(settle(waiting).await.unwrap(), "#code=frame-code&state=s");
    let doc = web_sys::window().unwrap().document().unwrap();
    assert_eq!(doc.query_selector_all("iframe").unwrap().length(), 0);
    assert_eq!(settle(window::load_hidden_iframe("about:blank", None, "state-frame2", 150, 0)).await.unwrap_err(), "timed_out");
    assert_eq!(doc.query_selector_all("iframe").unwrap().length(), 0);
}

/// A provider on this origin (reverse-proxied beside the app) shows its sign-in page at the
/// authorize URL, whose `state` is ours, and a sign-out page at the end-session URL: neither is
/// the response. The frame goes on waiting, here for the bridge's message.
#[test]
async fn a_provider_page_on_this_origin_is_not_taken_for_the_response() {
    for (request, id) in [
        ("/idp/authorize?client_id=c&redirect_uri=http%3A%2F%2Fapp%2F&response_type=code&state=s1", "state-same-origin-1"),
        ("/idp/logout?post_logout_redirect_uri=http%3A%2F%2Fapp%2F&state=s2", "state-same-origin-2"),
    ] {
        let waiting = window::load_hidden_iframe(&same_origin(request), None, id, 5_000, 0);
        JsFuture::from(window::sleep(300)).await.unwrap();
        let channel = web_sys::BroadcastChannel::new(id).unwrap();
        let msg = js_sys::Object::new();
        js_sys::Reflect::set(&msg, &"payload".into(), &"#code=the-answer&state=s1".into()).unwrap();
        channel.post_message(&msg).unwrap();
        channel.close();
        assert_eq!(settle(waiting).await.unwrap(), "#code=the-answer&state=s1", "{request}");
    }
}

/// The page coming back from the back/forward cache (the user pressed back on the provider's
/// page) ends this tab's redirect sign-in: the lock and the saved request go, and the app hears
/// it (`RedirectCancelled`, the status back to `None`). A plain page show changes nothing. (The
/// event is dispatched here as the browser sends it on a restore; the e2e test restores a real
/// page from Chromium's cache.)
#[test]
async fn a_page_restored_from_the_back_forward_cache_ends_its_redirect() {
    use msal_wasm::browser::{AppEvent, BrowserApp, InteractionStatus};
    use msal_wasm::client::InteractiveRequest;
    use msal_wasm::core::pkce::InteractionType;
    use std::cell::RefCell;
    use std::rc::Rc;

    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let app = BrowserApp::build(session_config("msal-wasm-bfcache-test"), JsValue::NULL, JsValue::NULL).unwrap();
    app.client().initialize().await.unwrap();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let h = heard.clone();
    app.subscribe(move |e| h.borrow_mut().push(e));
    // What loginRedirect leaves before the page goes to the provider.
    let req = InteractiveRequest { scopes: vec!["openid".into()], ..Default::default() };
    app.client().begin_interaction(&req, InteractionType::Redirect, &origin).unwrap();
    assert!(app.client().pending_redirect().is_some() && app.client().interaction_in_progress());

    // A `pageshow` event as the browser sends it (its `persisted` says whether the page was
    // restored).
    let show = |persisted: bool| {
        let event = web_sys::Event::new("pageshow").unwrap();
        js_sys::Reflect::set(&event, &"persisted".into(), &persisted.into()).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    };
    show(false);
    assert!(app.client().pending_redirect().is_some(), "a page loaded afresh is not a restore");
    assert!(heard.borrow().is_empty());
    show(true);
    assert!(app.client().pending_redirect().is_none(), "the saved request is gone");
    assert!(!app.client().interaction_in_progress(), "the lock is released");
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(heard.borrow().contains(&AppEvent::RedirectCancelled), "{:?}", heard.borrow());
    // Nothing is under way any more: a second restore says nothing.
    heard.borrow_mut().clear();
    show(true);
    assert!(!heard.borrow().contains(&AppEvent::RedirectCancelled));
}

/// A client of `client_id` for a provider that is never reached (its endpoints given), with a
/// sessionStorage cache and this page as its redirect URI.
fn session_config(client_id: &str) -> msal_wasm::client::Config {
    use msal_wasm::core::authority::ProtocolMode;
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let mut c = msal_wasm::client::Config::new(client_id)
        .with_authority("https://idp.example/t1")
        .with_redirect_uri(origin + "/")
        .with_protocol_mode(ProtocolMode::Oidc)
        .with_authority_metadata(r#"{"authorization_endpoint":"https://idp.example/t1/authorize","token_endpoint":"https://idp.example/t1/token","issuer":"https://idp.example/t1"}"#);
    c.known_authorities = vec!["idp.example".into()];
    c.cache_location = CacheLocation::SessionStorage;
    c
}

/// A Rust app that handles the redirect before its client's `initialize()` has finished (two
/// `spawn_local` calls side by side) is refused, and the redirect it refused stays for the call
/// after `initialize()`: it was abandoned (its saved request removed) and the refusal kept as
/// the page load's outcome.
#[test]
async fn a_redirect_handled_before_initialize_is_kept_for_the_call_after_it() {
    use msal_wasm::browser::BrowserApp;
    use msal_wasm::client::InteractiveRequest;
    use msal_wasm::core::pkce::InteractionType;

    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let config = || session_config("msal-wasm-early-redirect-test");
    // The page before: its sign-in went to the provider (the saved request is in sessionStorage).
    let before = BrowserApp::build(config(), JsValue::NULL, JsValue::NULL).unwrap();
    before.client().initialize().await.unwrap();
    let req = InteractiveRequest { scopes: vec!["openid".into()], ..Default::default() };
    before.client().begin_interaction(&req, InteractionType::Redirect, &origin).unwrap();
    // This page, not initialized yet.
    let app = BrowserApp::build(config(), JsValue::NULL, JsValue::NULL).unwrap();
    let e = app.handle_redirect().await.unwrap_err();
    assert_eq!(e.code(), "uninitialized_public_client_application");
    assert!(app.client().pending_redirect().is_some(), "the saved request stays");
    app.client().initialize().await.unwrap();
    // (No response in this page's address: the redirect was abandoned, which the call after
    // initialize() now handles, instead of repeating the refusal.)
    let after = app.handle_redirect().await;
    assert!(matches!(after, Ok(None)), "{after:?}");
    assert!(app.client().pending_redirect().is_none());
}

// ---- the futures runtime (runtime.rs) ----

use msal_wasm::platform::browser::runtime::{promised, spawn};

#[test]
async fn a_spawned_task_awaits_promises_and_settles_its_promise_with_the_result() {
    // Three awaits, each woken from a timer (one of 0 ms), then a promise already settled.
    let ok = spawn(Box::pin(async {
        let mut n = 0;
        for ms in [20, 0, 5] {
            promised(window::sleep(ms)).await?;
            n += 1;
        }
        promised(js_sys::Promise::resolve(&JsValue::from(n))).await
    }));
    assert_eq!(JsFuture::from(ok).await.unwrap().as_f64(), Some(3.0));
    // A rejected promise's value comes out of the await as the error, and a task's error
    // rejects its promise.
    let failed = spawn(Box::pin(async { promised(js_sys::Promise::reject(&"no".into())).await }));
    assert_eq!(JsFuture::from(failed).await.unwrap_err().as_string().as_deref(), Some("no"));
    // A task that wakes itself as it ends is not polled again once freed (that threw an
    // uncaught error in the page).
    let errors = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = errors.clone();
    let on_error = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_| seen.set(seen.get() + 1));
    let page = web_sys::window().unwrap();
    page.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()).unwrap();
    let selfish = spawn(Box::pin(std::future::poll_fn(|cx| {
        cx.waker().wake_by_ref();
        std::task::Poll::Ready(Ok(JsValue::from(7)))
    })));
    assert_eq!(JsFuture::from(selfish).await.unwrap().as_f64(), Some(7.0));
    JsFuture::from(window::sleep(20)).await.unwrap();
    page.remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()).unwrap();
    assert_eq!(errors.get(), 0, "a finished task was polled again");
    // Many tasks at once, each finishing in its own order.
    let all: Vec<_> =
        (0..20u32).map(|i| spawn(Box::pin(async move { promised(window::sleep(20 - i)).await.map(|_| JsValue::from(i)) }))).collect();
    for (i, p) in all.into_iter().enumerate() {
        assert_eq!(JsFuture::from(p).await.unwrap().as_f64(), Some(i as f64));
    }
}

#[test]
async fn news_from_another_tab_while_nobody_waits_ends_the_next_wait_at_once() {
    use msal_wasm::browser::BrowserApp;
    use msal_wasm::client::Config;
    let mut c = Config::new("msal-wasm-news-test").with_authority("https://idp.example/t1");
    c.known_authorities = vec!["idp.example".into()];
    c.cache_location = CacheLocation::MemoryStorage;
    let _app = BrowserApp::build(c, JsValue::NULL, JsValue::NULL).unwrap();
    // Waits that end by their timer (the first may take news an earlier test left).
    for _ in 0..2 {
        JsFuture::from(window::wait_for_tabs(30)).await.unwrap();
    }
    // Another tab speaks while nobody waits here.
    let other = web_sys::BroadcastChannel::new("msal.msal-wasm-news-test.accounts").unwrap();
    other.post_message(&JsValue::from("{}")).unwrap();
    JsFuture::from(window::sleep(50)).await.unwrap();
    let start = js_sys::Date::now();
    JsFuture::from(window::wait_for_tabs(3_000)).await.unwrap();
    assert!(js_sys::Date::now() - start < 1_000.0, "the news was lost: the wait ran to its end");
}

/// As msal 5 (its `ACQUIRE_TOKEN_START` before the first await): a redirect sign-in is
/// `AcquireToken` from the moment it holds the lock, also while its authority's discovery
/// document is fetched, and `None` again when that fails.
#[test]
async fn a_redirect_sign_in_is_acquire_token_while_its_discovery_runs() {
    use msal_wasm::browser::{AppEvent, BrowserApp, InteractionStatus};
    use msal_wasm::client::{Config, InteractiveRequest};
    use msal_wasm::core::authority::ProtocolMode;
    use std::{cell::RefCell, rc::Rc};

    let location = web_sys::window().unwrap().location();
    let origin = location.origin().unwrap();
    // (No document at this path: the discovery fails.)
    let mut c = Config::new("msal-wasm-redirect-status-test")
        .with_authority(format!("{origin}/no-such-provider"))
        .with_redirect_uri(origin.clone() + "/")
        .with_protocol_mode(ProtocolMode::Oidc);
    c.known_authorities = vec![location.host().unwrap()];
    c.cache_location = CacheLocation::SessionStorage;
    let app = BrowserApp::build(c, JsValue::NULL, JsValue::NULL).unwrap();
    app.client().initialize().await.unwrap();
    let trail = Rc::new(RefCell::new(Vec::new()));
    let seen = trail.clone();
    app.subscribe(move |e| {
        if let AppEvent::Status(s) = e {
            seen.borrow_mut().push(s);
        }
    });
    let req = InteractiveRequest { scopes: vec!["openid".into()], ..Default::default() };
    let e = app.login_redirect(&req).await.unwrap_err();
    assert_eq!(e.code(), "endpoints_resolution_error");
    assert_eq!(*trail.borrow(), [InteractionStatus::AcquireToken, InteractionStatus::None]);
    assert!(!app.client().interaction_in_progress());

    // An app that drops the future half-way (a task cancelled with its component, a timeout of
    // its own) ends the interaction: the status is `None` again and the lock free, so the next
    // sign-in may start (the same for a popup sign-in).
    let started = |fut: std::pin::Pin<&mut dyn std::future::Future<Output = Result<(), msal_wasm::AuthError>>>| {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(fut.poll(&mut cx).is_pending(), "still fetching the discovery document");
    };
    trail.borrow_mut().clear();
    let mut redirect = Box::pin(app.login_redirect(&req));
    started(redirect.as_mut());
    assert!(app.client().interaction_in_progress());
    drop(redirect);
    assert_eq!(*trail.borrow(), [InteractionStatus::AcquireToken, InteractionStatus::None]);
    assert!(!app.client().interaction_in_progress() && app.client().pending_redirect().is_none());
    // (The window the library opens, seen from here.)
    let win = web_sys::window().unwrap();
    let open: js_sys::Function = js_sys::Reflect::get(&win, &"open".into()).unwrap().into();
    let opened = Rc::new(RefCell::new(JsValue::NULL));
    let (seen, real) = (opened.clone(), open.clone());
    let spy = wasm_bindgen::closure::Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(move |a, b, c| {
        let w = real.call3(&web_sys::window().unwrap(), &a, &b, &c).unwrap();
        *seen.borrow_mut() = w.clone();
        w
    });
    js_sys::Reflect::set(&win, &"open".into(), spy.as_ref()).unwrap();
    let closed = || js_sys::Reflect::get(&opened.borrow(), &"closed".into()).unwrap().as_bool();
    let mut popup = Box::pin(app.login_popup(&req));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(std::future::Future::poll(popup.as_mut(), &mut cx).is_pending(), "the popup waits on about:blank for the discovery document");
    assert!(app.client().interaction_in_progress());
    assert_eq!(closed(), Some(false));
    drop(popup);
    assert_eq!(closed(), Some(true), "its blank window closes");
    js_sys::Reflect::set(&win, &"open".into(), &open).unwrap();
    assert!(!app.client().interaction_in_progress());
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    // One dropped after another request took its interaction over leaves that one's lock and
    // status alone.
    let mut first = Box::pin(app.login_popup(&req));
    assert!(std::future::Future::poll(first.as_mut(), &mut cx).is_pending());
    let over = InteractiveRequest { override_interaction_in_progress: true, ..req.clone() };
    let mut second = Box::pin(app.login_popup(&over));
    assert!(std::future::Future::poll(second.as_mut(), &mut cx).is_pending());
    drop(first);
    assert!(app.client().interaction_in_progress(), "the second popup's lock");
    assert_eq!(app.interaction_status(), InteractionStatus::AcquireToken);
    drop(second);
    assert!(!app.client().interaction_in_progress());
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    let e = app.login_redirect(&req).await.unwrap_err();
    assert_eq!(e.code(), "endpoints_resolution_error", "not interaction_in_progress");
}

/// As msal 5 (`redirectNavigationTimeout`): a redirect of the Rust front-end API whose page
/// stays (a `beforeunload` prompt answered "stay"; here, an endpoint in this page's fragment, a
/// navigation that never leaves) fails with `timed_out` / `failed_to_redirect`, and the
/// interaction ends: the status is back to `None`, the lock free, the request gone.
#[test]
async fn a_redirect_whose_page_stays_fails_with_timed_out_and_ends_the_interaction() {
    use msal_wasm::browser::{BrowserApp, InteractionStatus};
    use msal_wasm::client::{Config, InteractiveRequest, LogoutRequest};
    use msal_wasm::core::authority::ProtocolMode;

    let location = web_sys::window().unwrap().location();
    let origin = location.origin().unwrap();
    let page = [origin.as_str(), &location.pathname().unwrap(), &location.search().unwrap()].concat();
    let host = location.host().unwrap();
    let metadata = format!(
        r#"{{"authorization_endpoint":"{page}#authorize","token_endpoint":"{origin}/t1/token","end_session_endpoint":"{page}#signed-out","issuer":"{origin}/t1"}}"#
    );
    let mut c = Config::new("msal-wasm-stay-test")
        .with_authority(format!("{origin}/t1"))
        .with_redirect_uri(origin.clone() + "/")
        .with_protocol_mode(ProtocolMode::Oidc)
        .with_authority_metadata(metadata);
    c.known_authorities = vec![host];
    c.cache_location = CacheLocation::SessionStorage;
    c.redirect_navigation_timeout_ms = 300;
    let app = BrowserApp::build(c, JsValue::NULL, JsValue::NULL).unwrap();
    app.client().initialize().await.unwrap();
    let req = InteractiveRequest { scopes: vec!["openid".into()], ..Default::default() };
    let e = app.login_redirect(&req).await.unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("timed_out", "failed_to_redirect"));
    assert!(location.hash().unwrap().starts_with("#authorize?"), "it did navigate, within the page");
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(!app.client().interaction_in_progress() && app.client().pending_redirect().is_none());
    // A sign-out likewise.
    let e = app.logout_redirect(&LogoutRequest::default()).await.unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("timed_out", "failed_to_redirect"));
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(!app.client().interaction_in_progress());
    // The page back from the back/forward cache while it waits (the user pressed back on the
    // provider's page): that ends the redirect, and the wait with user_cancelled, not later
    // with timed_out.
    let mut c = app.client().config().clone();
    c.redirect_navigation_timeout_ms = 5_000;
    drop(app);
    let app = BrowserApp::build(c, JsValue::NULL, JsValue::NULL).unwrap();
    app.client().initialize().await.unwrap();
    wasm_bindgen_futures::spawn_local(async {
        JsFuture::from(window::sleep(200)).await.unwrap();
        let event = web_sys::Event::new("pageshow").unwrap();
        js_sys::Reflect::set(&event, &"persisted".into(), &true.into()).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    });
    let e = app.login_redirect(&req).await.unwrap_err();
    assert_eq!(e.code(), "user_cancelled");
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(!app.client().interaction_in_progress());
    // A sign-out likewise: back from the provider's sign-out page, it ends at once.
    wasm_bindgen_futures::spawn_local(async {
        JsFuture::from(window::sleep(200)).await.unwrap();
        let event = web_sys::Event::new("pageshow").unwrap();
        js_sys::Reflect::set(&event, &"persisted".into(), &true.into()).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    });
    let started = js_sys::Date::now();
    let e = app.logout_redirect(&LogoutRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), "user_cancelled");
    assert!(js_sys::Date::now() - started < 2_000.0, "ended by the return, not by the 5 s timeout");
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(!app.client().interaction_in_progress());
    location.set_hash("").unwrap();
}
