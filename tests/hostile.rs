//! Native tests of issue 12's hostile and unlucky conditions, over the memory platform: a
//! renewal lock held forever, endpoints that never answer, a planted discovery document,
//! redirect responses that are not this client's, a garbage interaction status, forged
//! cross-tab messages and start pages off the origin.

mod scripted;

use msal_wasm::client::{
    CacheLocation, Config, InteractiveRequest, PublicClientApplication, RedirectStart, SilentRequest, INTERACTION_STATUS_KEY,
};
use msal_wasm::core::cache::KeyValueStore;
use msal_wasm::core::http::HttpResponse;
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::error::{AuthError, ErrorKind};
use msal_wasm::platform::memory::{block_on, MemoryPlatform};
use msal_wasm::platform::{LogLevel, Platform};
use scripted::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

type Task<'a> = Pin<Box<dyn Future<Output = Result<msal_wasm::client::AuthenticationResult, AuthError>> + 'a>>;

fn shared_config() -> Config {
    let mut c = config();
    c.cache_location = CacheLocation::LocalStorage;
    c.network_timeout_ms = 2_000;
    c
}

/// A configuration that discovers its endpoints (no `authority_metadata`, and the `v2.0` path,
/// which msal has no hardcoded endpoints for).
fn discovering() -> Config {
    let mut c = Config::new("client-1").with_authority([AUTHORITY, "/v2.0"].concat()).with_redirect_uri("https://app.example/");
    c.network_timeout_ms = 2_000;
    c
}

fn warned(platform: &MemoryPlatform, needle: &str) -> bool {
    platform.logs.borrow().iter().any(|(l, m)| *l == LogLevel::Warning && m.contains(needle))
}

#[test]
fn a_renewal_lock_held_forever_costs_its_bound_then_the_tab_renews_alone() {
    let h = harness_with(shared_config());
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_now_ms(NOW_MS + 3600 * 1000 + 1);
    let name = h.pca.renewal_lock_name(&silent(&home)).unwrap();
    // A page of the origin takes our lock name and never lets go.
    let squatter = block_on(h.platform.lock(&name, 0)).expect("the lock was free");
    let start = h.platform.now_ms();
    let req = silent(&home);
    let other_scopes = SilentRequest { scopes: vec!["Mail.Read".into()], ..silent(&home) };
    // Two identical calls (they share one flight) and one queued behind them for the account.
    let tasks: Vec<Task> = vec![
        Box::pin(h.pca.acquire_token_silent(&req)),
        Box::pin(h.pca.acquire_token_silent(&req)),
        Box::pin(h.pca.acquire_token_silent(&other_scopes)),
    ];
    let results = h.platform.run(tasks);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let waited = h.platform.now_ms() - start;
    let bound = shared_config().renewal_lock_wait_ms();
    // The call queued behind them waits briefly only (3 s, the hand-off's bound), not the
    // whole bound again.
    let short = 3_000;
    assert!(waited >= bound + short && waited < bound + short + 1_000, "settled after {waited} ms (bound {bound} ms)");
    assert!(warned(&h.platform, "renewal lock past its bound"));
    assert_eq!(results[0].as_ref().unwrap().access_token.secret(), results[1].as_ref().unwrap().access_token.secret());
    // So does a renewal a minute later; 5 minutes on, the lock is waited for in full again.
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    for (later_ms, least, most) in [(60_000, short, short + 1_000), (6 * 60_000, bound, bound + 1_000)] {
        h.platform.set_now_ms(h.platform.now_ms() + later_ms);
        let start = h.platform.now_ms();
        let tasks: Vec<Task> = vec![Box::pin(h.pca.acquire_token_silent(&forced))];
        assert!(h.platform.run(tasks).pop().unwrap().is_ok());
        let waited = h.platform.now_ms() - start;
        assert!(waited >= least && waited < most, "{later_ms} ms on: waited {waited} ms");
    }
    drop(squatter);
}

#[test]
fn a_renewal_lock_given_up_on_still_hands_over_a_tab_that_renews_as_usual() {
    // The squatter (a tab that hung past the bound, then recovered) lets go; a minute later two
    // tabs renew at once: the one that gave up waits briefly for the other and takes its
    // result, so one refresh token is redeemed once (a provider that detects reuse would
    // revoke the family otherwise).
    let h = harness_with(shared_config());
    let tabs: Vec<_> = (0..2).map(|_| h.tab(shared_config())).collect();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let started = tabs[0].open_popup(&req, msal_wasm::platform::PopupAttributes::default()).unwrap();
    let home = block_on(tabs[0].complete_popup(started)).unwrap().account.account.home_account_id;
    h.platform.run::<()>(vec![]); // deliver the sign-in to the other tab
    for t in &tabs {
        t.reload_cache();
    }
    h.platform.set_now_ms(NOW_MS + 3600 * 1000 + 1);
    let req = silent(&home);
    let name = tabs[1].renewal_lock_name(&req).unwrap();
    let squatter = block_on(h.platform.lock(&name, 0)).expect("the lock was free");
    let task: Vec<Task> = vec![Box::pin(tabs[1].acquire_token_silent(&req))];
    assert!(h.platform.run(task).pop().unwrap().is_ok());
    assert!(warned(&h.platform, "renewal lock past its bound"));
    drop(squatter);
    // (The other tab hears the renewal.)
    let p = h.platform.clone();
    h.platform.run::<()>(vec![Box::pin(async move { msal_wasm::platform::Platform::sleep(&p, 5_000).await })]);
    h.platform.set_now_ms(h.platform.now_ms() + 60_000);
    h.platform.set_network_delay_ms(50);
    let before = h.token_requests();
    let req = SilentRequest { force_refresh: true, ..req };
    // The tab that gave up asks while the other holds the lock.
    let p = h.platform.clone();
    let later = async {
        msal_wasm::platform::Platform::sleep(&p, 10).await;
        tabs[1].acquire_token_silent(&req).await
    };
    let tasks: Vec<Task> = vec![Box::pin(tabs[0].acquire_token_silent(&req)), Box::pin(later)];
    let results = h.platform.run(tasks);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(h.token_requests() - before, 1, "one renewal for both tabs");
}

#[test]
fn a_token_endpoint_that_never_answers_times_out_and_frees_the_flight() {
    let h = harness_with(shared_config());
    let home = h.sign_in().account.account.home_account_id;
    let req = SilentRequest { force_refresh: true, ..silent(&home) };
    h.platform.set_network_delay_ms(u64::MAX / 4);
    let start = h.platform.now_ms();
    let tasks: Vec<Task> = vec![Box::pin(h.pca.acquire_token_silent(&req)), Box::pin(h.pca.acquire_token_silent(&req))];
    for r in h.platform.run(tasks) {
        let e = r.unwrap_err();
        assert_eq!((e.code(), e.sub_error()), ("post_request_failed", "timed_out"));
    }
    assert_eq!(h.platform.now_ms() - start, 2_000, "aborted at the network timeout");
    assert_eq!(h.token_requests(), 2, "one sign-in, one (shared) renewal");
    // The endpoint answers again: the next call is not stuck behind the aborted one. The
    // aborted request reached the provider, which rotated the refresh token (only its answer
    // was lost): the next call's refresh token is refused as used, and a hidden frame renews,
    // as msal's would.
    h.platform.set_network_delay_ms(0);
    let r = h.platform.block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert!(!r.from_cache);
    let grants: Vec<String> = h.platform.requests.borrow().iter().filter_map(|r| r.form_field("grant_type")).collect();
    assert_eq!(grants, ["authorization_code", "refresh_token", "refresh_token", "authorization_code"]);
}

#[test]
fn discovery_that_never_answers_fails_the_request_within_the_timeout_and_the_next_one_fetches_it() {
    let idp = Rc::new(RefCell::new(Idp::default()));
    let i = idp.clone();
    let platform = MemoryPlatform::new(NOW_MS, move |req| handle(&i, req));
    platform.set_network_delay_ms(u64::MAX / 4);
    let pca = PublicClientApplication::new(discovering(), platform.clone()).unwrap();
    // As msal (its initialize() needs no network): the client starts at once, without the
    // endpoints.
    platform.block_on(pca.initialize()).unwrap();
    assert!(pca.is_initialized());
    assert_eq!(platform.now_ms(), NOW_MS, "nothing waited for");
    assert_eq!(pca.metadata().unwrap_err().code(), "endpoints_resolution_error");
    // No answer: the request fails as the fetch does, at the network timeout.
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let e = platform.block_on(pca.begin_redirect(&req, "https://app.example/")).unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("endpoints_resolution_error", "get_request_failed"));
    assert_eq!(platform.now_ms(), NOW_MS + 2_000);
    // The provider answers again: the next request fetches the document and runs.
    platform.set_network_delay_ms(0);
    platform.block_on(pca.begin_redirect(&req, "https://app.example/")).unwrap();
    assert!(pca.metadata().is_ok(), "the endpoints are kept");
}

/// The stored discovery document of the test authority, as the client keeps it.
fn metadata_entry(expires_at: u64, document: &str) -> String {
    Json::object().with("expiresAt", expires_at).with("document", document).to_json()
}

const METADATA_KEY: &str = "msal.client-1.authority-metadata.https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0/";

#[test]
fn a_cached_document_on_a_host_of_the_configured_cloud_is_used() {
    // The configured cloud metadata names an alias of the authority's host; the document the
    // last page load cached has its issuer and endpoints there: it is judged against that cloud
    // (not the default one), so no fetch.
    let alias = r#"{"authorization_endpoint":"https://login.alias.example/{tenant}/oauth2/v2.0/authorize","token_endpoint":"https://login.alias.example/{tenant}/oauth2/v2.0/token","issuer":"https://login.alias.example/{tenant}/v2.0"}"#;
    let mut config = discovering();
    config.cloud_discovery_metadata = r#"{"metadata":[{"preferred_network":"login.microsoftonline.com","preferred_cache":"login.windows.net","aliases":["login.microsoftonline.com","login.alias.example"]}]}"#.to_owned();
    let idp = Rc::new(RefCell::new(Idp::default()));
    let i = idp.clone();
    let platform = MemoryPlatform::new(NOW_MS, move |req| handle(&i, req));
    platform.cache().set(METADATA_KEY, &metadata_entry(NOW_MS + 3600 * 1000, alias)).unwrap();
    let pca = PublicClientApplication::new(config, platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    assert_eq!(idp.borrow().discoveries.len(), 0, "served from the cached document");
    assert!(!warned(&platform, "dropped a cached discovery document"));
}

#[test]
fn a_planted_discovery_document_is_dropped_and_fetched_again() {
    let real_token = format!("{AUTHORITY}/oauth2/v2.0/token");
    let far = r#"{"authorization_endpoint":"https://evil.example/authorize","token_endpoint":"https://evil.example/token","issuer":"https://login.microsoftonline.com/{tenant}/v2.0"}"#;
    let foreign_issuer = r#"{"authorization_endpoint":"https://evil.example/authorize","token_endpoint":"https://evil.example/token","issuer":"https://evil.example/v2.0"}"#;
    let plain_http = r#"{"authorization_endpoint":"http://evil.example/authorize","token_endpoint":"http://evil.example/token","issuer":"https://login.microsoftonline.com/{tenant}/v2.0"}"#;
    let cases = [
        ("a far-future expiry", metadata_entry(u64::MAX / 2, far)),
        ("an expiry just past the 24 h a fetch gets", metadata_entry(NOW_MS + 24 * 3600 * 1000 + 60_000, far)),
        ("an issuer of another host", metadata_entry(NOW_MS + 3600 * 1000, foreign_issuer)),
        ("the authority's issuer, endpoints on another host", metadata_entry(NOW_MS + 3600 * 1000, far)),
        ("http endpoints", metadata_entry(NOW_MS + 3600 * 1000, plain_http)),
        ("garbage", "{not json".to_owned()),
    ];
    for (what, planted) in cases {
        let idp = Rc::new(RefCell::new(Idp::default()));
        let i = idp.clone();
        let platform = MemoryPlatform::new(NOW_MS, move |req| handle(&i, req));
        platform.set_windows(front_channel(&idp));
        platform.cache().set(METADATA_KEY, &planted).unwrap();
        let pca = PublicClientApplication::new(discovering(), platform.clone()).unwrap();
        block_on(pca.initialize()).unwrap();
        assert!(warned(&platform, "dropped a cached discovery document"), "{what}");
        block_on(pca.resolve_authority(None)).unwrap();
        assert_eq!(idp.borrow().discoveries.len(), 1, "{what}: fetched again");
        let started = pca.open_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }, Default::default());
        block_on(pca.complete_popup(started.unwrap())).unwrap();
        let urls: Vec<String> = platform.requests.borrow().iter().map(|r| r.url.clone()).collect();
        assert!(urls.iter().all(|u| !u.contains("evil.example")), "{what}: {urls:?}");
        assert!(platform.windows.borrow().iter().all(|u| !u.contains("evil.example")), "{what}");
        assert_eq!(urls.last().map(|u| msal_wasm::core::url::without_query(u)), Some(real_token.as_str()), "{what}");
        // What is stored now is the fetched document, good for 24 h at most.
        let stored = Json::parse(&platform.cache().get(METADATA_KEY).unwrap()).unwrap();
        assert_eq!(stored.get("expiresAt").and_then(Json::as_u64), Some(NOW_MS + 24 * 3600 * 1000), "{what}");
    }
}

#[test]
fn a_fetched_document_naming_a_foreign_issuer_is_refused_as_msal_does() {
    let platform = MemoryPlatform::new(NOW_MS, |_| {
        Ok(HttpResponse::new(
            200,
            r#"{"authorization_endpoint":"https://login.microsoftonline.com/t/oauth2/v2.0/authorize","token_endpoint":"https://login.microsoftonline.com/t/oauth2/v2.0/token","issuer":"https://evil.example/t/v2.0"}"#,
        ))
    });
    let pca = PublicClientApplication::new(discovering(), platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    // At the first request that needs the endpoints, as msal: its issuer check fails the
    // endpoint resolution, which msal reports as such (a ClientAuthError).
    let e = block_on(pca.resolve_authority(None)).unwrap_err();
    assert_eq!((e.code(), e.sub_error(), e.kind()), ("endpoints_resolution_error", "issuer_validation_failed", ErrorKind::Client));
    assert!(platform.cache().get(METADATA_KEY).is_none(), "not stored");
}

#[test]
fn a_response_in_the_address_is_consumed_only_while_this_clients_redirect_is_in_progress() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    let page = format!("https://app.example/{response}");
    h.platform.set_page_url(page.clone());
    // Another client of the page (another client id) has no interaction in progress: the
    // address is not its business.
    let other = h.other_client();
    assert_eq!(other.begin_handle_redirect(None, false).unwrap(), RedirectStart::None);
    assert!(block_on(other.handle_redirect(None)).unwrap().is_none());
    assert!(h.pca.own_interaction_in_progress(), "the other client left this one's redirect alone");
    // This client redeems it.
    let RedirectStart::Redeem { response: found, clean_url } = h.pca.begin_handle_redirect(None, false).unwrap() else {
        panic!("client-1 redeems its response")
    };
    assert_eq!(clean_url.as_deref(), Some("https://app.example/"));
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
    // The same response again (a reload, or a bookmark): no interaction is in progress, so it
    // is not consumed — no error, no token request; as msal 5, the stale response leaves the
    // address.
    let before = h.token_requests();
    assert_eq!(h.pca.begin_handle_redirect(None, false).unwrap(), RedirectStart::Stale { clean_url: "https://app.example/".into() });
    assert!(block_on(h.pca.handle_redirect(None)).unwrap().is_none());
    assert_eq!(h.token_requests(), before);
}

/// Any page of the origin can post on the tabs' channel: with a `sessionStorage` cache, whose
/// tabs each keep their own active account (as msal's), no message changes it.
#[test]
fn no_message_changes_a_session_storage_tabs_active_account() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id.clone();
    h.pca.set_active_account(Some(&msal_wasm::client::AccountRef::new(&home))).unwrap();
    for forged in [
        r#"{"t":"active","clientId":"client-1","homeAccountId":null,"at":18446744073709551615}"#.to_owned(),
        format!(r#"{{"t":"active","clientId":"client-1","homeAccountId":null,"at":{}}}"#, NOW_MS + 1_000),
    ] {
        assert!(!h.pca.apply_announcement(&forged), "{forged}");
        assert_eq!(h.pca.active_account().map(|a| a.account.home_account_id), Some(home.clone()), "{forged}");
    }
}

#[test]
fn a_second_handle_redirect_call_while_the_first_redeems_redeems_nothing() {
    // msal-angular's MsalService passes the hash, an app's own call in APP_INITIALIZER does
    // not: two calls of one client, each memoized apart, on the same response.
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.set_page_url(format!("https://app.example/{response}"));
    let RedirectStart::Redeem { response: found, .. } = h.pca.begin_handle_redirect(None, false).unwrap() else {
        panic!("the first call redeems")
    };
    let second = h.pca.begin_handle_redirect(Some(&response), false).unwrap();
    assert!(!matches!(second, RedirectStart::Redeem { .. }), "the second call redeems nothing: {second:?}");
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
    // Afterwards the same response again is no redirect of this client's any more.
    assert!(!matches!(h.pca.begin_handle_redirect(Some(&response), false).unwrap(), RedirectStart::Redeem { .. }));
    assert_eq!(h.token_requests(), 1);
}

#[test]
fn a_second_handle_redirect_call_while_a_stashed_response_is_redeemed_leaves_it_alone() {
    // The response came back on another page and waits on the start page (the package kept it
    // when it was evaluated; a router took it out of the address).
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.set_page_url("https://app.example/");
    h.pca.stash_redirect_response(&response).unwrap();
    let RedirectStart::Redeem { response: found, .. } = h.pca.begin_handle_redirect(None, true).unwrap() else {
        panic!("the first call redeems the kept response")
    };
    let second = h.pca.begin_handle_redirect(None, true).unwrap();
    assert_eq!(second, RedirectStart::Redeeming);
    assert!(h.pca.own_interaction_in_progress(), "the lock stays with the redemption");
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
    assert_eq!(h.token_requests(), 1);
}

#[test]
fn two_clients_of_one_page_each_complete_their_own_redirect() {
    let h = harness();
    let second = h.other_client();
    for (me, other) in [(&h.pca, &second), (&second, &h.pca)] {
        h.platform.set_page_url("https://app.example/");
        let pending = me
            .begin_interaction(
                &InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() },
                InteractionType::Redirect,
                "",
            )
            .unwrap();
        let played = front_channel(&h.idp)(&pending.url).unwrap();
        drop(pending);
        h.platform.set_page_url(format!("https://app.example/{played}"));
        // The page loads both clients; the other one goes first and must not take it.
        assert_eq!(other.begin_handle_redirect(None, true).unwrap(), RedirectStart::None);
        let RedirectStart::Redeem { response, .. } = me.begin_handle_redirect(None, true).unwrap() else { panic!("its own response") };
        let r = block_on(me.handle_redirect(Some(&response))).unwrap().unwrap();
        assert_eq!(r.account.account.username, "ada@contoso.com");
        assert!(!me.interaction_in_progress());
    }
}

#[test]
fn an_interaction_status_this_library_did_not_write_is_cleared_with_a_warning() {
    for planted in ["garbage{", "client-1", r#"{"clientId":"client-1","type":"signin"}"#, "42", r#"{"clientId":7}"#] {
        let h = harness();
        h.platform.temp().set(INTERACTION_STATUS_KEY, planted).unwrap();
        assert!(!h.pca.interaction_in_progress(), "{planted}");
        assert!(warned(&h.platform, "interaction status this library did not write"), "{planted}");
        let started = h.pca.open_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }, Default::default());
        block_on(h.pca.complete_popup(started.unwrap())).unwrap();
    }
    // Ours, still running, still blocks.
    let h = harness();
    let (_pending, _) = h.authorize(InteractionType::Popup);
    let e = h.pca.begin_interaction(&InteractiveRequest::default(), InteractionType::Popup, "").unwrap_err();
    assert_eq!(e.code(), "interaction_in_progress");
}

/// A page of the origin still on msal-browser (a host shell beside an msal-wasm widget) holds
/// its interaction lock in msal's own format, `{clientId, type}`, for its client: msal-browser
/// honours ours, and ours honours it, given a lease so that one left behind expires. Its
/// redirect response stays in the address for its own handleRedirectPromise.
#[test]
fn another_clients_msal_browser_lock_is_honoured_with_a_lease() {
    let h = harness();
    h.platform.temp().set(INTERACTION_STATUS_KEY, r#"{"clientId":"shell-client","type":"signin"}"#).unwrap();
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let e = h.pca.open_popup(&request, Default::default()).unwrap_err();
    assert_eq!(e.code(), "interaction_in_progress");
    assert!(!warned(&h.platform, "interaction status this library did not write"));
    // The shell's redirect response (its own state) is left where it is.
    let shell_state = msal_wasm::core::url::encode(r#"eyJpZCI6InNoZWxsIiwibWV0YSI6eyJpbnRlcmFjdGlvblR5cGUiOiJyZWRpcmVjdCJ9fQ"#);
    h.platform.set_page_url(format!("https://app.example/#code=shell-code&state={shell_state}"));
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None);
    assert!(h.platform.temp().get(INTERACTION_STATUS_KEY).is_some_and(|v| v.contains("shell-client")));
    // Left behind (the shell's page never came back), it expires with its lease.
    h.platform.set_now_ms(NOW_MS + msal_wasm::client::REDIRECT_LEASE_MS + 1);
    let started = h.pca.open_popup(&request, Default::default()).expect("the lease ran out");
    block_on(h.pca.complete_popup(started)).unwrap();
}

#[test]
fn forged_cross_tab_messages_are_not_applied() {
    let h = harness_with(shared_config());
    let tab = h.tab(shared_config());
    let signed = h.sign_in();
    let home = signed.account.account.home_account_id.clone();
    h.platform.run::<()>(vec![]);
    let genuine = h.platform.announcements.borrow().iter().find(|m| m.contains(r#""t":"tokens""#)).cloned().unwrap();
    assert!(tab.apply_announcement(&genuine) || !tab.all_accounts().is_empty());
    let served = || tab.acquire_token_silent_cached(&silent(&home)).unwrap().map(|r| r.access_token.secret().to_owned());
    assert_eq!(served().as_deref(), Some(signed.access_token.secret()));

    let forged_token = |edit: &dyn Fn(&mut String)| {
        let mut m = genuine.replace(signed.access_token.secret(), "forged-access-token");
        edit(&mut m);
        m
    };
    let far_future = (NOW_MS + 10 * 365 * 24 * 3600 * 1000).to_string();
    let now_text = Json::parse(&genuine).unwrap().get("snapshot").unwrap().to_json();
    let last_updated = now_text.split(r#""lastUpdatedAt":""#).nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let cases: Vec<(&str, String)> = vec![
        ("another client id", forged_token(&|m: &mut String| *m = m.replace(r#""clientId":"client-1""#, r#""clientId":"client-2""#))),
        (
            "no client id",
            forged_token(&|m: &mut String| {
                let mut j = Json::parse(m).unwrap();
                j.remove("clientId").unwrap();
                *m = j.to_json();
            }),
        ),
        ("an entity under another entity's key", forged_token(&|m: &mut String| *m = m.replacen("|accesstoken|", "|idtoken|", 1))),
        ("dated in the far future", forged_token(&|m: &mut String| *m = m.replace(&last_updated, &far_future))),
        ("not JSON", "{".to_owned()),
        ("an unknown type", r#"{"t":"bogus","clientId":"client-1"}"#.to_owned()),
        ("oversized", format!(r#"{{"t":"tokens","clientId":"client-1","pad":"{}"}}"#, "x".repeat(300 * 1024))),
    ];
    let refusals = || h.platform.logs.borrow().iter().filter(|(_, m)| m.contains("ignored another tab's token snapshot")).count();
    for (what, message) in cases {
        let before = refusals();
        assert!(!tab.apply_announcement(&message), "{what}: applied");
        assert_eq!(served().as_deref(), Some(signed.access_token.secret()), "{what}: the forged token is never served");
        assert_eq!(tab.all_accounts().len(), 1, "{what}: accounts still answer");
        // The snapshot's own checks refused these (apply_announcement's false says only that
        // no account was new).
        if what.starts_with("an entity") || what.starts_with("dated") {
            assert_eq!(refusals(), before + 1, "{what}: refused by the snapshot's checks");
        }
    }
}

#[test]
fn a_start_page_off_the_origin_is_refused_and_a_planted_one_is_not_followed() {
    let h = harness();
    h.platform.set_page_url("https://app.example/page");
    for start in
        ["javascript:alert(1)", "https://evil.example/", "data:text/html,x", "http://app.example/", "https://app.example\\@evil.example/"]
    {
        let req = InteractiveRequest { scopes: vec!["User.Read".into()], redirect_start_page: start.into(), ..Default::default() };
        let e = h.pca.begin_interaction(&req, InteractionType::Redirect, "").unwrap_err();
        assert_eq!(e.code(), "invalid_redirect_start_page", "{start}");
        assert!(!h.pca.interaction_in_progress(), "{start}");
    }
    // This origin written with its scheme's default port (an app behind a proxy builds it so),
    // as the browser's URL.origin reads it.
    let explicit = InteractiveRequest { redirect_start_page: "https://app.example:443/home".into(), ..Default::default() };
    let pending = h.pca.begin_interaction(&explicit, InteractionType::Redirect, "").unwrap();
    h.pca.abort_interaction(&pending);
    let ok = InteractiveRequest { scopes: vec!["User.Read".into()], redirect_start_page: "/home".into(), ..Default::default() };
    let pending = h.pca.begin_interaction(&ok, InteractionType::Redirect, "").unwrap();
    assert_eq!(pending.origin, "https://app.example/home");
    let played = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    // A script of the origin rewrites the saved request's start page.
    let key = "msal.client-1.request.params";
    let saved = h.platform.temp().get(key).unwrap();
    let text = String::from_utf8(msal_wasm::core::base64::decode(&saved).unwrap()).unwrap();
    let planted = text.replace("https://app.example/home", "javascript:alert(document.cookie)");
    h.platform.temp().set(key, &msal_wasm::core::base64::encode_url(planted.as_bytes())).unwrap();
    h.platform.set_page_url(format!("https://app.example/cb{played}"));
    match h.pca.begin_handle_redirect(None, true).unwrap() {
        RedirectStart::Redeem { .. } => {}
        other => panic!("the planted start page was followed: {other:?}"),
    }
    assert!(warned(&h.platform, "start page is not on this origin"));
}

#[test]
fn a_redirect_from_a_page_that_is_not_http_signs_in_as_msal() {
    // msal's browser-extension sample: the extension's page starts a redirect, hands the
    // authorize URL to the browser's auth window in onRedirectNavigate, and passes the
    // response to handleRedirectPromise. msal takes the page's address as the start page as
    // it is; a start page the app names (msal-angular's guard does) must be a page of the
    // origin, here the extension's: its scheme and id.
    let h = harness();
    let page = "chrome-extension://abcdefghijklmnop/popup.html";
    h.platform.set_page_url(page);
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "").unwrap();
    assert_eq!(pending.origin, page);
    let response = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    let RedirectStart::Redeem { response: found, .. } = h.pca.begin_handle_redirect(Some(&response), true).unwrap() else {
        panic!("the extension's response is redeemed")
    };
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
    // The guard's start page, another page of the extension: the response is taken there.
    let other = "chrome-extension://abcdefghijklmnop/other.html#/orders";
    let named = InteractiveRequest { redirect_start_page: other.into(), ..req.clone() };
    let pending = h.pca.begin_interaction(&named, InteractionType::Redirect, "").unwrap();
    let response = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    match h.pca.begin_handle_redirect(Some(&response), true).unwrap() {
        RedirectStart::Navigate { url, .. } => assert_eq!(url, other),
        start => panic!("the extension's start page is followed: {start:?}"),
    }
    // Never a page of another extension, another scheme, or a script.
    let h = harness();
    h.platform.set_page_url(page);
    for planted in [
        "chrome-extension://otherextension/popup.html",
        "https://abcdefghijklmnop/popup.html",
        "javascript:alert(1)//chrome-extension://abcdefghijklmnop/",
    ] {
        let named = InteractiveRequest { redirect_start_page: planted.into(), ..req.clone() };
        assert_eq!(
            h.pca.begin_interaction(&named, InteractionType::Redirect, "").unwrap_err().code(),
            "invalid_redirect_start_page",
            "{planted}"
        );
    }
}

#[test]
fn a_hybrid_apps_guarded_route_signs_in_by_redirect() {
    // msal-angular's guard on an Ionic iOS app (capacitor://localhost) names the route as the
    // start page; the app's navigation client opens the system browser.
    let h = harness();
    h.platform.set_page_url("capacitor://localhost/");
    let req = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        redirect_start_page: "capacitor://localhost/home".into(),
        ..Default::default()
    };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "").unwrap();
    let response = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    let RedirectStart::Navigate { url, .. } = h.pca.begin_handle_redirect(Some(&response), true).unwrap() else {
        panic!("the route is followed")
    };
    assert_eq!(url, "capacitor://localhost/home");
    h.platform.set_page_url(url);
    let RedirectStart::Redeem { response: found, .. } = h.pca.begin_handle_redirect(None, true).unwrap() else {
        panic!("redeemed on the route")
    };
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
}

#[test]
fn optional_id_token_checks_refuse_another_issuer_audience_or_an_expired_token() {
    let now = NOW_MS / 1000;
    let token = |claims: String| {
        HttpResponse::new(
            200,
            format!(
                r#"{{"token_type":"Bearer","scope":"User.Read","expires_in":3600,"access_token":"at-x","id_token":"{}"}}"#,
                jwt(&claims)
            ),
        )
    };
    let claims = |iss: &str, aud: &str, exp: u64| {
        format!(r#"{{"iss":"{iss}","aud":"{aud}","exp":{exp},"sub":"s","oid":"o","tid":"{TENANT}","preferred_username":"ada"}}"#)
    };
    let iss = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let cases = [
        (claims(&iss, "client-1", now + 3600), None),
        (claims(&iss, "client-1", now - 200), None), // within the 5 minutes' skew
        (claims("https://login.microsoftonline.com/another-tenant/v2.0", "client-1", now + 3600), Some("issuer_mismatch")),
        (claims(&iss, "another-client", now + 3600), Some("audience_mismatch")),
        (claims(&iss, "client-1", now - 600), Some("id_token_expired")),
    ];
    for on in [true, false] {
        let mut c = config();
        c.validate_id_token_claims = on;
        let h = harness_with(c);
        for (claims, refused) in &cases {
            h.idp.borrow_mut().fail_next = Some(token(claims.clone()));
            let stored = h.platform.cache().keys().len();
            let r = block_on(h.pca.acquire_token_by_code(&a_code()));
            match (on, refused) {
                (true, Some(code)) => {
                    assert_eq!(r.unwrap_err().code(), *code, "{claims}");
                    assert_eq!(h.platform.cache().keys().len(), stored, "nothing stored: {claims}");
                }
                _ => assert!(r.is_ok(), "{claims}: {r:?}"),
            }
        }
    }
    // A multi-tenant authority's issuer names the token's tenant in place of `{tenantid}`.
    let mut c =
        Config::new("client-1").with_authority("https://login.microsoftonline.com/organizations").with_redirect_uri("https://app.example/");
    c.validate_id_token_claims = true;
    let h = harness_with(c);
    h.idp.borrow_mut().fail_next = Some(token(claims(&iss, "client-1", now + 3600)));
    block_on(h.pca.acquire_token_by_code(&a_code())).unwrap();
    h.idp.borrow_mut().fail_next = Some(token(claims("https://login.microsoftonline.com/organizations/v2.0", "client-1", now + 3600)));
    let e = block_on(h.pca.acquire_token_by_code(&a_code())).unwrap_err();
    assert_eq!(e.code(), "issuer_mismatch");
}

/// A store that, like the encrypted browser store, holds entries it cannot read yet (another
/// tab's, still being decrypted).
struct Undecrypted {
    inner: Rc<msal_wasm::core::cache::MemoryStore>,
    hidden: RefCell<Vec<String>>,
}

impl KeyValueStore for Undecrypted {
    fn get(&self, key: &str) -> Option<String> {
        if self.hidden.borrow().iter().any(|k| k == key) {
            return None;
        }
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) {
        self.inner.remove(key)
    }
    fn keys(&self) -> Vec<String> {
        self.inner.keys()
    }
    fn contains(&self, key: &str) -> bool {
        self.inner.get(key).is_some()
    }
}

#[test]
fn a_listed_entry_not_yet_readable_is_kept_and_read_later() {
    let h = harness_with(shared_config());
    h.sign_in();
    let store = Rc::new(Undecrypted { inner: h.platform.cache(), hidden: RefCell::default() });
    let at_key = store.keys().into_iter().find(|k| k.contains("|accesstoken|")).unwrap();
    let lists_before = store.get("msal.3.token.keys.client-1").unwrap();
    store.hidden.borrow_mut().push(at_key.clone());
    let (cache, issues) = msal_wasm::core::cache::TokenCache::load(store.clone(), "client-1");
    assert!(issues.is_empty());
    assert!(cache.credentials().all(|c| !c.credential_type.is_access_token()), "not readable yet");
    assert_eq!(store.get("msal.3.token.keys.client-1").unwrap(), lists_before, "the key list was not pruned");
    store.hidden.borrow_mut().clear();
    let (cache, _) = msal_wasm::core::cache::TokenCache::load(store.clone(), "client-1");
    assert!(cache.credentials().any(|c| c.credential_type.is_access_token()), "read once decrypted");
}

#[test]
fn a_reload_keeps_an_entry_while_another_tabs_rewrite_of_it_is_not_readable_yet() {
    // Tab B holds the access token; tab A rewrites it and B's store has not decrypted the new
    // value when B reloads (for another entry's storage event): B keeps the one it holds, as
    // its account would otherwise count for nothing until the decryption. Removed, it goes.
    let h = harness_with(shared_config());
    h.sign_in();
    let store = Rc::new(Undecrypted { inner: h.platform.cache(), hidden: RefCell::default() });
    let (mut b, _) = msal_wasm::core::cache::TokenCache::load(store.clone(), "client-1");
    let at_key = store.keys().into_iter().find(|k| k.contains("|accesstoken|")).unwrap();
    store.hidden.borrow_mut().push(at_key.clone());
    assert!(b.reload().is_empty());
    assert!(b.credentials().any(|c| c.credential_type.is_access_token()), "kept while not readable");
    store.remove(&at_key);
    b.reload();
    assert!(!b.credentials().any(|c| c.credential_type.is_access_token()), "removed by the other tab: gone");
}

#[test]
fn a_reload_never_unlists_an_entry_another_tab_is_rewriting() {
    // Tab A renews an access token under the same key: it removes the old entry, then writes
    // the new one and its key list. Tab B reloads in between (WebKit's tabs see each other's
    // writes late: B reads the entry gone while the list still names it). B must not write the
    // list back without the key: the renewed token would be unlisted for every tab.
    let h = harness_with(shared_config());
    h.sign_in();
    let store = h.platform.cache();
    let (mut b, _) = msal_wasm::core::cache::TokenCache::load(store.clone(), "client-1");
    let at_key = store.keys().into_iter().find(|k| k.contains("|accesstoken|")).unwrap();
    let entry = store.get(&at_key).unwrap();
    let lists_before = store.get("msal.3.token.keys.client-1").unwrap();
    store.remove(&at_key);
    let issues = b.reload();
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(store.get("msal.3.token.keys.client-1").unwrap(), lists_before, "the key list was left as it was");
    store.set(&at_key, &entry).unwrap();
    b.reload();
    assert!(b.credentials().any(|c| c.credential_type.is_access_token()), "the rewritten entry is read");
}

#[test]
fn id_tokens_a_provider_wrote_loosely_sign_in_as_with_msal() {
    // A name cut inside an emoji (a lone `\ud83d` escape, which JSON.parse takes) and a payload
    // in a platform charset (Cp1252's é, which msal's TextDecoder makes U+FFFD).
    let cut = format!(r#"{{"sub":"s","oid":"o","tid":"{TENANT}","name":"Zo\u00eb \ud83d","preferred_username":"zoe"}}"#);
    let mut latin = format!(r#"{{"sub":"s","oid":"o","tid":"{TENANT}","name":"Ren?","preferred_username":"rene"}}"#).into_bytes();
    let at = latin.iter().position(|b| *b == b'?').unwrap();
    latin[at] = 0xE9;
    let h = harness_with(config());
    for (payload, name) in [(cut.into_bytes(), "Zoë \u{FFFD}"), (latin, "Ren\u{FFFD}")] {
        let id_token = format!("eyJhbGciOiJSUzI1NiJ9.{}.c2ln", msal_wasm::core::base64::encode_url(&payload));
        let body =
            format!(r#"{{"token_type":"Bearer","scope":"User.Read","expires_in":3600,"access_token":"at-x","id_token":"{id_token}"}}"#);
        h.idp.borrow_mut().fail_next = Some(HttpResponse::new(200, body));
        let r = block_on(h.pca.acquire_token_by_code(&a_code())).unwrap();
        assert_eq!(r.account.account.name, name);
    }
}

#[test]
fn an_empty_tid_falls_back_as_msals_or_for_the_tokens_too() {
    // msal: realm `tid || tfp || acr`, uniqueId `oid || sub`: an empty claim is none, for the
    // account and for the tokens alike.
    let claims = r#"{"sub":"s","oid":"","tid":"","tfp":"B2C_1_x","preferred_username":"ada"}"#;
    let body =
        format!(r#"{{"token_type":"Bearer","scope":"User.Read","expires_in":3600,"access_token":"at-x","id_token":"{}"}}"#, jwt(claims));
    let h = harness_with(config());
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(200, body));
    let r = block_on(h.pca.acquire_token_by_code(&a_code())).unwrap();
    assert_eq!((r.unique_id.as_str(), r.account.account.realm.as_str()), ("s", "B2C_1_x"));
    // The access token is filed under the account's realm (it was under ""), where a silent call
    // of an authority that names no tenant looks.
    let keys = h.platform.cache().keys();
    assert!(keys.iter().any(|k| k.contains("|accesstoken|") || k.contains("-accesstoken-")), "{keys:?}");
    assert!(keys.iter().filter(|k| k.contains("accesstoken")).all(|k| k.to_ascii_lowercase().contains("b2c_1_x")), "{keys:?}");
}

/// `a-code` for `User.Read`, sent to https://app.example/.
fn a_code() -> msal_wasm::client::ByCodeRequest {
    msal_wasm::client::ByCodeRequest {
        code: msal_wasm::secret::AuthCode::new("a-code"),
        scopes: vec!["User.Read".into()],
        redirect_uri: "https://app.example/".into(),
        ..Default::default()
    }
}

#[test]
fn a_planted_document_is_never_read_for_an_authority_with_msals_built_in_endpoints() {
    let platform = MemoryPlatform::new(NOW_MS, |req| panic!("no request expected: {}", req.url));
    let far = r#"{"authorization_endpoint":"https://evil.example/authorize","token_endpoint":"https://evil.example/token","issuer":"https://login.microsoftonline.com/{tenant}/v2.0"}"#;
    let key = "msal.client-1.authority-metadata.https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/";
    platform.cache().set(key, &metadata_entry(NOW_MS + 3600 * 1000, far)).unwrap();
    let pca =
        PublicClientApplication::new(Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/"), platform)
            .unwrap();
    block_on(pca.initialize()).unwrap();
    assert_eq!(pca.metadata().unwrap().token_endpoint, format!("{AUTHORITY}/oauth2/v2.0/token"));
}
