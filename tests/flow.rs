//! Native flow tests: the client over the in-memory platform with a scripted identity
//! provider that checks PKCE, issues ID tokens with the request's nonce and rotates refresh
//! tokens.

mod scripted;

use msal_wasm::client::{
    AccountFilter, AccountRef, CacheLookupPolicy, Config, InteractiveRequest, LogoutRequest, PublicClientApplication, RedirectStart,
    SilentRequest, StoreInCache, TokenOptions,
};
use msal_wasm::core::account::Account;
use msal_wasm::core::authority::ProtocolMode;
use msal_wasm::core::authorize::AppTelemetry;
use msal_wasm::core::base64;
use msal_wasm::core::cache::KeyValueStore;
use msal_wasm::core::http::HttpResponse;
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::InteractionType;
use msal_wasm::core::url::parse_query;
use msal_wasm::platform::memory::{block_on, MemoryPlatform};
use msal_wasm::platform::{Platform, PopupAttributes, WindowError};
use msal_wasm::ErrorKind;
use scripted::*;
use std::cell::RefCell;
use std::rc::Rc;

// The same tests run natively and, on wasm32, in headless Chromium.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn popup_sign_in_then_silent_cache_hit_without_network() {
    let h = harness();
    let r = h.sign_in();
    assert_eq!(r.account.account.home_account_id, format!("uid-1.{TENANT}"));
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert_eq!(r.state, "app|state");
    assert_eq!(r.expires_on_ms, (NOW_MS / 1000 + 3600) * 1000);
    assert!(!h.pca.interaction_in_progress(), "the lock is released after the popup");
    assert_eq!(h.token_requests(), 1);
    assert_eq!(r.request_id, "request-1", "the server's x-ms-request-id");
    let hit = h.pca.acquire_token_silent_cached(&silent(&r.account.account.home_account_id)).unwrap().unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.request_id, "", "none from the cache");
    assert_eq!(hit.access_token.secret(), r.access_token.secret());
    assert_eq!(h.token_requests(), 1, "a cache hit sends nothing");
    // The cache is really persisted in msal-browser's layout.
    let keys = h.platform.cache().keys();
    assert!(keys.iter().any(|k| k.starts_with("msal.3|uid-1.") && k.contains("|accesstoken|client-1|")), "{keys:?}");
    assert!(keys.contains(&"msal.3.token.keys.client-1".to_owned()));
}

#[test]
fn expired_token_is_renewed_with_the_refresh_token_which_rotates() {
    let h = harness();
    let r = h.sign_in();
    let home = r.account.account.home_account_id.clone();
    // 3600 s token, 300 s renewal offset: at +3301 s it must be renewed.
    h.platform.set_now_ms(NOW_MS + 3_301_000);
    assert!(h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().is_none());
    let renewed = block_on(h.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(renewed.access_token.secret(), "at-2");
    let sent = h.platform.requests.borrow().last().cloned().unwrap();
    assert_eq!(sent.form_field("refresh_token").as_deref(), Some("rt-1"));
    // The next renewal presents the rotated token, never the used one.
    h.platform.set_now_ms(NOW_MS + 8_000_000);
    block_on(h.pca.acquire_token_silent(&silent(&home))).unwrap();
    let sent = h.platform.requests.borrow().last().cloned().unwrap();
    assert_eq!(sent.form_field("refresh_token").as_deref(), Some("rt-2"));
}

/// A response naming no `scope` is for the scopes the app asked for, as msal's (its request's
/// scopes), not for the OpenID ones the library adds to the request.
#[test]
fn a_response_naming_no_scope_is_for_the_apps_scopes() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let signed_in = h.pca.acquire_token_silent_cached(&SilentRequest { scopes: vec!["openid".into()], ..silent(&home) }).unwrap().unwrap();
    h.idp.borrow_mut().unnamed_scope = true;
    let req = SilentRequest { scopes: vec!["Files.Read".into()], ..silent(&home) };
    let r = block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert_eq!(r.scopes, vec!["Files.Read".to_owned()]);
    let hit = h.pca.acquire_token_silent_cached(&req).unwrap().unwrap();
    assert_eq!((hit.access_token.secret(), hit.scopes.clone()), (r.access_token.secret(), vec!["Files.Read".to_owned()]));
    // An OpenID request is still served the sign-in's token, not this one.
    let oidc = h.pca.acquire_token_silent_cached(&SilentRequest { scopes: vec!["openid".into()], ..silent(&home) }).unwrap().unwrap();
    assert_eq!(oidc.access_token.secret(), signed_in.access_token.secret());
}

/// Accounts as older msal-browser versions leave them: one stored without tenant profiles
/// (before 3.6) is its home profile to the filters; a profile whose ID token is gone keeps its
/// login hint and UPN for them (msal's view: the profile's fields, then the claims').
#[test]
fn account_filters_read_the_tenant_profile_where_the_cache_lacks_it() {
    let h = harness();
    h.sign_in();
    let store = h.platform.cache();
    let account_key = store.keys().into_iter().find(|k| store.get(k).is_some_and(|v| v.contains("\"authorityType\""))).unwrap();
    let rewrite = |edit: &dyn Fn(&mut Json)| {
        let mut j = Json::parse(&store.get(&account_key).unwrap()).unwrap();
        edit(&mut j);
        store.set(&account_key, &j.to_json()).unwrap();
        h.pca.reload_cache();
    };
    let filter = |f: AccountFilter| h.pca.accounts_matching(&f).len();
    rewrite(&|j| {
        j.remove("tenantProfiles");
    });
    assert_eq!(filter(AccountFilter { is_home_tenant: Some(true), ..Default::default() }), 1);
    let profile = format!(
        r#"[{{"tenantId":"{TENANT}","localAccountId":"uid-1","name":"Ada","username":"ada@contoso.com","loginHint":"O.lh1","upn":"ADA@contoso.com","isHomeTenant":true}}]"#
    );
    rewrite(&|j| j.set("tenantProfiles", Json::parse(&profile).unwrap()));
    for k in store.keys().into_iter().filter(|k| k.contains("|idtoken|")) {
        store.remove(&k);
    }
    h.pca.reload_cache();
    assert_eq!(filter(AccountFilter { login_hint: Some("O.lh1".into()), ..Default::default() }), 1);
    assert_eq!(filter(AccountFilter { upn: Some("ADA@contoso.com".into()), ..Default::default() }), 1);
    assert_eq!(filter(AccountFilter { upn: Some("other@contoso.com".into()), ..Default::default() }), 0);
    // An empty string is no condition, as msal tests each field for truthiness (an app's
    // `username: hint ?? ""`).
    let blank = || Some(String::new());
    let blanks =
        AccountFilter { username: blank(), home_account_id: blank(), local_account_id: blank(), name: blank(), ..Default::default() };
    assert_eq!(filter(blanks.clone()), 1);
    // (msal's getAccount: a filter naming no value names nobody.)
    assert!(h.pca.account_matching(&blanks).is_none());
}

#[test]
fn invalid_grant_removes_the_refresh_token() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(
        400,
        r#"{"error":"invalid_grant","error_description":"AADSTS70000 expired","error_codes":[70000],"suberror":"bad_token","correlation_id":"the-servers"}"#,
    ));
    // The refresh token alone (no hidden frame after it): its failure is the answer.
    let req = SilentRequest {
        force_refresh: true,
        cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken,
        correlation_id: "cid-9".into(),
        ..silent(&home)
    };
    let e = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!(e.code(), "invalid_grant");
    // As msal's: the error carries the call's correlation id, not the one the server sent.
    assert_eq!(e.correlation_id(), "cid-9");
    assert_eq!(e.kind(), ErrorKind::InteractionRequired, "suberror bad_token makes it interaction required");
    assert_eq!(e.error_no(), "70000");
    let again = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!(again.code(), "no_tokens_found");
    assert!(again.is_interaction_required());
}

/// As msal's RefreshTokenClient: any interaction-required refusal whose suberror is
/// `bad_token` removes the refresh token, whatever its error code.
#[test]
fn a_bad_token_suberror_removes_the_refresh_token_whatever_the_error() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().fail_next =
        Some(HttpResponse::new(400, r#"{"error":"interaction_required","error_description":"AADSTS50076 mfa","suberror":"bad_token"}"#));
    let req = SilentRequest { force_refresh: true, cache_lookup_policy: CacheLookupPolicy::RefreshToken, ..silent(&home) };
    let e = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("interaction_required", "bad_token"));
    let again = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!(again.code(), "no_tokens_found", "the refresh token went");
    assert_eq!(h.token_requests(), 2, "the sign-in and the refused refresh");
}

/// msal removes a refresh token only when the server calls it bad: Entra refuses a grant
/// for one request's consent or conditional access with the same `invalid_grant`, and the
/// token still serves the scopes already granted.
#[test]
fn a_consent_refusal_keeps_the_refresh_token_for_the_granted_scopes() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    for suberror in ["consent_required", "basic_action", ""] {
        let body = [r#"{"error":"invalid_grant","error_description":"AADSTS65001 consent","suberror":""#, suberror, r#""}"#].concat();
        h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, &body));
        let other = SilentRequest {
            scopes: vec!["Mail.Read".into()],
            force_refresh: true,
            cache_lookup_policy: CacheLookupPolicy::RefreshToken,
            ..silent(&home)
        };
        let e = block_on(h.pca.acquire_token_silent(&other)).unwrap_err();
        assert_eq!(e.code(), "invalid_grant", "{suberror}");
        let granted = SilentRequest { force_refresh: true, cache_lookup_policy: CacheLookupPolicy::RefreshToken, ..silent(&home) };
        let r = block_on(h.pca.acquire_token_silent(&granted)).expect("the refresh token is still there");
        assert!(!r.from_cache, "{suberror}");
    }
}

#[test]
fn a_wake_renews_each_expired_token_once_however_its_renewal_ends() {
    // A page that wakes (a tab switch, the network back) renews what expired meanwhile. A
    // renewal the provider refuses (a session that ended, a scope refused) keeps the refresh
    // token, as msal: asked again at every wake, it would send a failing request per token
    // per tab switch, all day. It is left to the app's next call for it.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_now_ms(NOW_MS + 7_200_000);
    let due = h.pca.due_renewals();
    assert_eq!(due.len(), 1);
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"AADSTS70043 session"}"#));
    assert!(block_on(h.pca.acquire_token_silent_network(&due[0])).is_err());
    assert!(h.pca.due_renewals().is_empty(), "the refused renewal is not asked for again");
    // The app's own call renews it; once that token expires in turn, a wake renews it again.
    let r = block_on(h.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert!(!r.from_cache);
    assert!(h.pca.due_renewals().is_empty(), "the new token is not due");
    h.platform.set_now_ms(NOW_MS + 7_200_000 + 3_600_000);
    assert_eq!(h.pca.due_renewals().len(), 1, "the new token, expired, is due once");
    assert!(h.pca.due_renewals().is_empty());
}

#[test]
fn after_a_wake_the_apps_call_waits_for_one_renewal_at_most_and_tokens_due_before_the_page_loaded_are_left_to_the_app() {
    // An enterprise page with five resources' tokens, back after two hours: the wake renews
    // them one at a time (one refresh token per account), and the app's own call, made while
    // the first renewal is out, goes next rather than after all of them.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let scopes = ["A.Read", "B.Read", "C.Read", "D.Read"];
    for s in scopes {
        block_on(h.pca.acquire_token_silent(&SilentRequest { scopes: vec![s.into()], ..silent(&home) })).unwrap();
    }
    h.platform.set_now_ms(NOW_MS + 7_200_000);
    // A page loaded now leaves the tokens that expired before it to the app's calls.
    assert!(h.tab(config()).due_renewals().is_empty());
    h.platform.set_network_delay_ms(100);
    let before = h.token_requests();
    let waited = std::cell::Cell::new(0);
    let wake = async {
        h.pca.renew_due(|| {}).await;
        true
    };
    let app = async {
        h.platform.sleep(10).await;
        let asked = h.platform.now_ms();
        let r = h.pca.acquire_token_silent(&SilentRequest { scopes: vec!["D.Read".into()], ..silent(&home) }).await.unwrap();
        waited.set(h.platform.now_ms() - asked);
        !r.from_cache
    };
    let tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>> = vec![Box::pin(wake), Box::pin(app)];
    assert_eq!(h.platform.run(tasks), [true, true]);
    assert!(waited.get() <= 2 * 100, "the app's call waited {} ms: the renewal out, then its own", waited.get());
    assert_eq!(h.token_requests() - before, 5, "each token renewed once (the app's not again by the wake)");
}

#[test]
fn a_wake_renewal_without_a_good_answer_holds_up_no_other_and_is_handed_out_again() {
    // A gateway's HTML page for the first renewal (failed_to_parse_response, a network error):
    // the next token is still renewed, and the failed one comes back at the next wake.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    block_on(h.pca.acquire_token_silent(&SilentRequest { scopes: vec!["A.Read".into()], ..silent(&home) })).unwrap();
    h.platform.set_now_ms(NOW_MS + 7_200_000);
    let before = h.token_requests();
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(502, "<html>Bad Gateway</html>"));
    let renewed = std::cell::Cell::new(0);
    block_on(h.pca.renew_due(|| renewed.set(renewed.get() + 1)));
    assert_eq!((h.token_requests() - before, renewed.get()), (2, 1), "both asked for, one renewed");
    assert_eq!(h.pca.due_renewals().len(), 1, "the one without an answer, again at the next wake");
}

#[test]
fn cache_lookup_policy_access_token_never_uses_the_network() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_now_ms(NOW_MS + 4_000_000);
    let req = SilentRequest { cache_lookup_policy: CacheLookupPolicy::AccessToken, correlation_id: "cid-1".into(), ..silent(&home) };
    // As msal: a ClientAuthError (no interaction is needed for what the cache could not give),
    // from the cache lookup itself, with the request's correlation id.
    let e = h.pca.acquire_token_silent_cached(&req).unwrap_err();
    assert_eq!((e.code(), e.kind(), e.correlation_id()), ("token_refresh_required", ErrorKind::Client, "cid-1"));
    let e = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!(e.code(), "token_refresh_required");
    let forced = SilentRequest { force_refresh: true, ..req };
    assert_eq!(block_on(h.pca.acquire_token_silent(&forced)).unwrap_err().code(), "token_refresh_required");
    assert_eq!(h.token_requests(), 1);
    // A policy msal does not know falls to its lookups' default case: the same error, with a
    // valid token in the cache too, and no frame.
    let unknown = SilentRequest { cache_lookup_policy: CacheLookupPolicy::Unknown, ..silent(&home) };
    let e = block_on(h.pca.acquire_token_silent(&unknown)).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("token_refresh_required", ErrorKind::Client));
    h.platform.set_now_ms(NOW_MS);
    assert_eq!(block_on(h.pca.acquire_token_silent(&unknown)).unwrap_err().code(), "token_refresh_required");
    assert_eq!(h.token_requests(), 1);
    assert!(h.platform.windows.borrow().iter().all(|w| !w.contains("prompt=none")), "no hidden frame");
}

#[test]
fn second_interaction_is_refused_until_the_first_ends() {
    let h = harness();
    let (pending, _) = h.authorize(InteractionType::Popup);
    let e = h.pca.begin_interaction(&InteractiveRequest::default(), InteractionType::Redirect, "").unwrap_err();
    assert_eq!(e.code(), "interaction_in_progress");
    h.pca.abort_interaction(&pending);
    assert!(!h.pca.interaction_in_progress());
}

/// msal's `acquireTokenRedirect` takes the lock before its first await: `lock_redirect` takes
/// it at once (a popup started right after is refused), `begin_redirect` goes on under it, and
/// releases it when it fails.
#[test]
fn a_redirect_locks_before_it_resolves_anything_and_a_failed_one_lets_go() {
    let h = harness();
    h.pca.set_log_level(msal_wasm::platform::LogLevel::Verbose);
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    h.pca.lock_redirect(&req).unwrap();
    assert!(h.pca.interaction_in_progress());
    let popup = h.pca.begin_interaction(&req, InteractionType::Popup, "").unwrap_err();
    assert_eq!(popup.code(), "interaction_in_progress");
    assert_eq!(h.pca.lock_redirect(&req).unwrap_err().code(), "interaction_in_progress");
    let pending = block_on(h.pca.begin_redirect(&req, "")).expect("the redirect goes on under its own lock");
    assert!(pending.url.contains("response_type=code"));
    // The page leaves with a line in the log (msal logs its navigation too).
    assert!(h.platform.logs.borrow().iter().any(|(_, m)| m.starts_with("redirect: leaving for the authorize request")));
    h.pca.abort_interaction(&pending);
    // A redirect whose authority cannot be resolved fails after the lock: it is let go.
    h.pca.lock_redirect(&req).unwrap();
    let elsewhere = InteractiveRequest { authority: Some("https://unknown.example/tenant".into()), ..req.clone() };
    assert!(block_on(h.pca.begin_redirect(&elsewhere, "")).is_err());
    assert!(!h.pca.interaction_in_progress(), "the failed redirect let go of its lock");
}

#[test]
fn redirect_round_trip_and_stale_or_foreign_responses() {
    let h = harness();
    // A redirect persists its request in the temp store; a fresh client (the page after the
    // redirect) redeems it.
    let (pending, response) = h.authorize(InteractionType::Redirect);
    assert_eq!(pending.origin, "https://app.example/start");
    drop(pending);
    let page2 = PublicClientApplication::new(
        Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA),
        h.platform.clone(),
    )
    .unwrap();
    block_on(page2.initialize()).unwrap();
    let r = block_on(page2.handle_redirect(Some(&response))).unwrap().unwrap();
    assert_eq!(r.account.account.name, "Ada");
    assert!(!page2.interaction_in_progress());
    // Replaying the same response: the request is gone, so it is refused and stores nothing new.
    let e = block_on(page2.handle_redirect(Some(&response))).unwrap_err();
    assert_eq!(e.code(), "no_token_request_cache_error");
    assert_eq!(h.token_requests(), 1);
    // An abandoned redirect (back button: no response) is cleaned up and unblocks the next call.
    let (_pending, _) = h.authorize(InteractionType::Redirect);
    assert!(page2.interaction_in_progress());
    assert!(block_on(page2.handle_redirect(None)).unwrap().is_none());
    assert!(!page2.interaction_in_progress());
    assert!(page2.pending_redirect().is_none());
}

/// As msal 5's `clearHash`: with no interaction of any client under way, a response in the
/// fragment leaves the address whatever its state (another app's, none: a bookmark, a stale
/// link), so no code lingers there; an app's route, a state alone that is empty, an implicit
/// flow's token are no response and stay. A popup's or a hidden frame's own answer stays for
/// the bridge of its page. With another client's interaction under way, or in a frame, nothing
/// is touched.
#[test]
fn a_stray_response_in_the_fragment_leaves_the_address_as_msal_5_clears_it() {
    let h = harness();
    let page = "https://app.example/start?tab=2";
    let popup_state = base64::encode_url(br#"{"id":"x","meta":{"interactionType":"popup"}}"#);
    let cases = [
        ("#code=abc&state=bm90LW91cnM", true),
        ("#error=access_denied&error_description=nope&state=bm90LW91cnM", true),
        ("#code=abc", true),
        ("#state=", false),
        ("#access_token=abc&token_type=Bearer", false),
        ("#/inbox?folder=1&code=abc", false),
        (&*format!("#code=abc&state={popup_state}"), false),
    ];
    for (fragment, stale) in cases {
        h.platform.set_page_url([page, fragment].concat());
        let start = h.pca.begin_handle_redirect(None, false).unwrap();
        match start {
            RedirectStart::Stale { clean_url } if stale => assert_eq!(clean_url, page, "{fragment}"),
            RedirectStart::None if !stale => {}
            other => panic!("{fragment}: {other:?}"),
        }
    }
    // In a frame (another library's hidden frame landing on this app's page), as msal: left
    // alone unless the app allows redirects in frames.
    h.platform.set_in_frame(true);
    h.platform.set_page_url([page, "#code=abc&state=bm90LW91cnM"].concat());
    assert!(matches!(h.pca.begin_handle_redirect(None, false).unwrap(), RedirectStart::None));
    h.platform.set_in_frame(false);
    // Another client's interaction under way: its answer is left alone.
    h.platform.set_page_url(page.to_owned());
    let other = h.other_client();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    other.lock_redirect(&req).unwrap();
    h.platform.set_page_url([page, "#code=abc&state=bm90LW91cnM"].concat());
    assert!(matches!(h.pca.begin_handle_redirect(None, false).unwrap(), RedirectStart::None));
}

/// A sign-in's answer without a code and without `error` (an `error_description` alone, or
/// the state alone) is the sign-in's failure, as msal's: it was taken for no response, so
/// `handleRedirectPromise` gave `null` and a template redirected again (a loop).
#[test]
fn a_redirect_answer_without_a_code_or_an_error_code_fails_the_sign_in() {
    for (answer, code) in
        [("error_description=AADB2C90091%3A+broken&state=", "server_error"), ("state=", "authorization_code_missing_from_server_response")]
    {
        let h = harness();
        let (pending, response) = h.authorize(InteractionType::Redirect);
        drop(pending);
        let state = query_param(&response.replacen('#', "?", 1), "state");
        let fragment = ["#", answer, &msal_wasm::core::url::encode(&state)].concat();
        h.platform.set_page_url(["https://app.example/start", fragment.as_str()].concat());
        let start = h.pca.begin_handle_redirect(None, false).unwrap();
        let RedirectStart::Redeem { response, .. } = start else { panic!("{answer}: taken for no response: {start:?}") };
        let e = block_on(h.pca.handle_redirect(Some(&response))).unwrap_err();
        assert_eq!(e.code(), code, "{answer}");
        assert!(!h.pca.interaction_in_progress());
        assert_eq!(h.token_requests(), 0);
    }
}

/// A Rust app that handles the redirect before `initialize()` has finished is refused before
/// anything is touched, as msal: the response stays for the call after it (it was marked as
/// being redeemed, and so lost until the next load).
#[test]
fn handling_a_redirect_before_initialize_keeps_the_response() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    let page2 = PublicClientApplication::new(
        Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA),
        h.platform.clone(),
    )
    .unwrap();
    let e = page2.begin_handle_redirect(Some(&response), false).unwrap_err();
    assert_eq!(e.code(), "uninitialized_public_client_application");
    block_on(page2.initialize()).unwrap();
    let start = page2.begin_handle_redirect(Some(&response), false).unwrap();
    assert!(matches!(start, RedirectStart::Redeem { .. }), "{start:?}");
    let r = block_on(page2.handle_redirect(Some(&response))).unwrap().unwrap();
    assert_eq!(r.account.account.name, "Ada");
}

/// As msal's ResponseHandler: a sign-in's code redeemed without an ID token (which would
/// carry the request's nonce) is refused, and nothing is stored.
#[test]
fn a_sign_in_answered_without_an_id_token_fails_with_nonce_mismatch() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Popup);
    let mut idp = h.idp.borrow_mut();
    let answer = token_response(&mut idp, false);
    idp.fail_next = Some(answer);
    drop(idp);
    let e = block_on(h.pca.finish_interaction(pending, &response)).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("nonce_mismatch", ErrorKind::TokenValidation));
    assert_eq!(h.pca.all_accounts().len(), 0);
}

#[test]
fn nonce_mismatch_stores_nothing() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Popup);
    h.idp.borrow_mut().nonce = "someone-elses-nonce".into();
    let e = block_on(h.pca.finish_interaction(pending, &response)).unwrap_err();
    assert_eq!(e.code(), "nonce_mismatch");
    assert!(h.pca.all_accounts().is_empty());
    assert!(!h.pca.interaction_in_progress());
}

#[test]
fn wrong_state_is_rejected_before_any_token_request() {
    let h = harness();
    let (pending, _) = h.authorize(InteractionType::Popup);
    let forged = base64::encode_url(br#"{"id":"x","meta":{"interactionType":"popup"}}"#);
    let e = block_on(h.pca.finish_interaction(pending, &format!("#code=the-code&state={forged}"))).unwrap_err();
    assert_eq!(e.code(), "state_mismatch");
    assert_eq!(h.token_requests(), 0);
}

#[test]
fn throttled_request_fails_without_network_until_retry_after() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    // (A code that is not transient by itself: the status makes it so.)
    let mut busy = HttpResponse::new(429, r#"{"error":"too_many_requests","error_description":"slow down"}"#);
    busy.headers.push(("retry-after".into(), "30".into()));
    h.idp.borrow_mut().fail_next = Some(busy);
    let req = SilentRequest { force_refresh: true, ..silent(&home) };
    let first = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!((first.status(), first.is_transient()), (Some(429), true));
    let before = h.token_requests();
    let e = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!(e.code(), "too_many_requests");
    assert_eq!(h.token_requests(), before, "throttled: no request sent");
    // The replay is the answer's: still a 429, still transient (a token hook keeps its token).
    assert_eq!((e.status(), e.is_transient()), (Some(429), true));
    h.platform.set_now_ms(NOW_MS + 31_000);
    assert!(block_on(h.pca.acquire_token_silent(&req)).is_ok());
    // A proxy's page that is not JSON (a 502 from a gateway) is not throttled, as msal: it
    // fails to parse before throttling looks at it, and the next request goes out.
    let mut gateway = HttpResponse::new(502, "<html>Bad Gateway</html>");
    gateway.headers.push(("retry-after".into(), "30".into()));
    h.idp.borrow_mut().fail_next = Some(gateway);
    assert_eq!(block_on(h.pca.acquire_token_silent(&req)).unwrap_err().code(), "failed_to_parse_response");
    assert!(block_on(h.pca.acquire_token_silent(&req)).is_ok(), "not throttled");
}

fn logout(home: Option<&str>, post: Option<&str>, state: &str) -> LogoutRequest {
    LogoutRequest {
        account: home.map(msal_wasm::client::AccountRef::new),
        post_logout_redirect_uri: post.map(str::to_owned),
        state: state.into(),
        ..Default::default()
    }
}

#[test]
fn logout_removes_the_account_and_builds_the_end_session_url_as_msal() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.pca.set_active_account(Some(&AccountRef::new(home.clone()))).unwrap();
    h.platform.set_page_url("https://app.example/page");
    let started = h.pca.begin_logout(&logout(Some(&home), Some("https://app.example/bye"), "s1"), InteractionType::Redirect).unwrap();
    let url = started.url.unwrap();
    assert!(url.starts_with(&format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/logout?")));
    assert_eq!(query_param(&url, "post_logout_redirect_uri"), "https://app.example/bye");
    // The library state (for the redirect bridge) with the app's state after it.
    let state = query_param(&url, "state");
    let rs = msal_wasm::core::pkce::RequestState::parse(&state).unwrap();
    assert_eq!((rs.interaction_type, rs.user_state.as_str()), (InteractionType::Redirect, "s1"));
    // No ID token in the URL unless the app asks for it, and no client_id (msal sends neither).
    assert_eq!(query_param(&url, "id_token_hint"), "");
    assert_eq!(query_param(&url, "client_id"), "");
    assert_eq!(query_param(&url, "client-request-id"), started.correlation_id);
    assert!(h.pca.all_accounts().is_empty());
    assert!(h.pca.active_account().is_none());
    let left: Vec<String> = h.platform.cache().keys().into_iter().filter(|k| k.starts_with("msal.3|")).collect();
    assert!(left.is_empty(), "{left:?}");
    // The sign-out holds the interaction lock until the page it returns to is loaded.
    assert!(h.pca.interaction_in_progress());
    assert_eq!(
        h.pca.begin_interaction(&InteractiveRequest::default(), InteractionType::Popup, "").unwrap_err().code(),
        "interaction_in_progress"
    );
    // As msal: the query the provider returns the sign-out's state in stays for the app to read
    // (with the app's own parameters); only a response fragment is cleaned.
    h.platform.set_page_url(format!("https://app.example/bye?reason=idle&state={}", msal_wasm::core::url::encode(&state)));
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::SignedOut { clean_url: None });
    assert!(!h.pca.interaction_in_progress());
    let started = h.pca.begin_logout(&logout(None, Some("https://app.example/bye"), "s2"), InteractionType::Redirect).unwrap();
    let state = query_param(&started.url.unwrap(), "state");
    h.platform.set_page_url(format!("https://app.example/bye?reason=idle#state={}", msal_wasm::core::url::encode(&state)));
    assert_eq!(
        h.pca.begin_handle_redirect(None, true).unwrap(),
        RedirectStart::SignedOut { clean_url: Some("https://app.example/bye?reason=idle".into()) }
    );
}

#[test]
fn logout_of_an_account_this_tab_does_not_hold_tells_the_other_tabs_that_account_only() {
    // (Another tab signed it out already, or the app kept an account object.) The other tabs
    // hear of that account: a message without one signs every account out there.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.pca.begin_logout(&logout(Some("gone.utid"), None, ""), InteractionType::Redirect).unwrap();
    let told = h.platform.announcements.borrow().last().cloned().unwrap();
    assert!(told.contains(r#""t":"signout""#) && told.contains(r#""homeAccountId":"gone.utid""#), "{told}");
    assert_eq!(h.pca.all_accounts().len(), 1, "{home} is not the one signed out");
}

#[test]
fn logout_without_an_account_signs_every_account_out_and_a_null_uri_is_not_sent() {
    let h = harness();
    h.sign_in();
    h.platform.set_page_url("https://app.example/page");
    // A second account of another tenant profile stays out of it: sign out without an account.
    let started = h.pca.begin_logout(&logout(None, Some(""), ""), InteractionType::Redirect).unwrap();
    let url = started.url.unwrap();
    assert_eq!(query_param(&url, "post_logout_redirect_uri"), "", "null: not sent");
    assert!(h.pca.all_accounts().is_empty());
    // The navigation did not happen (onRedirectNavigate returned false): the lock goes.
    h.pca.abort_logout();
    assert!(!h.pca.interaction_in_progress());
}

#[test]
fn logout_popup_runs_the_end_session_page_in_a_window_and_frees_the_lock() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_windows(|url| Ok(format!("?state={}", query_param(url, "state"))));
    let req = LogoutRequest { logout_hint: "ada@contoso.com".into(), ..logout(Some(&home), None, "") };
    let started = h.pca.open_logout_popup(&req, msal_wasm::platform::PopupAttributes::default()).unwrap();
    assert!(h.pca.interaction_in_progress());
    block_on(h.pca.complete_logout_popup(started)).unwrap();
    assert!(!h.pca.interaction_in_progress());
    let url = h.platform.windows.borrow().last().cloned().unwrap();
    assert_eq!(query_param(&url, "logout_hint"), "ada@contoso.com");
    assert!(h.pca.all_accounts().is_empty());
    // The user closing the popup is no error: the provider's sign-out is best effort.
    h.sign_in();
    h.platform.set_windows(|_| Err(WindowError::UserCancelled));
    let started = h.pca.open_logout_popup(&logout(None, None, ""), msal_wasm::platform::PopupAttributes::default()).unwrap();
    assert!(block_on(h.pca.complete_logout_popup(started)).is_ok());
    assert!(!h.pca.interaction_in_progress());
    // A blocked popup frees the lock at once; as msal, the account is signed out first and
    // the sign-out then fails with popup_window_error.
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_windows(|_| Err(WindowError::Blocked));
    let started = h.pca.open_logout_popup(&logout(Some(&home), None, ""), msal_wasm::platform::PopupAttributes::default()).unwrap();
    assert!(started.window().is_none());
    assert!(!h.pca.interaction_in_progress());
    assert!(h.pca.all_accounts().is_empty());
    let e = block_on(h.pca.complete_logout_popup(started)).unwrap_err();
    assert_eq!(e.code(), "popup_window_error");
    assert!(!e.correlation_id().is_empty());
}

/// msal's `removeAccount`: a sign-out naming an account the cache no longer holds (another
/// tab signed it out) removes nothing else; only a request naming no account clears them all.
#[test]
fn signing_out_an_account_another_tab_removed_keeps_the_other_accounts() {
    let h = harness();
    let first = h.sign_in().account.account.home_account_id;
    h.pca.clear_cache(Some(&AccountRef::new(&first))).unwrap();
    h.idp.borrow_mut().uid = Some("uid-2".into());
    let second = h.sign_in().account.account.home_account_id;
    assert_ne!(first, second);
    // The app's object names its login hint (msal's logout_hint comes from it).
    let mut gone = logout(Some(&first), None, "");
    gone.account.as_mut().unwrap().login_hint = "hint-of-first".into();
    let started = h.pca.begin_logout(&gone, InteractionType::Redirect).unwrap();
    h.pca.abort_logout();
    assert_eq!(query_param(started.url.as_deref().unwrap(), "logout_hint"), "hint-of-first");
    let left: Vec<String> = h.pca.all_accounts().into_iter().map(|a| a.account.home_account_id).collect();
    assert_eq!(left, [second]);
}

#[test]
fn uninitialized_client_refuses_requests() {
    let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
    let pca = PublicClientApplication::new(Config::new("c").with_authority(AUTHORITY).with_redirect_uri("https://a/"), platform).unwrap();
    let e = pca.begin_interaction(&InteractiveRequest::default(), InteractionType::Popup, "").unwrap_err();
    assert_eq!(e.code(), "uninitialized_public_client_application");
    // Endpoints that need the discovery document, which cannot be fetched: as msal, whose
    // initialize() needs no network, the client starts (its cache is served) and the first
    // request that needs the endpoints fetches the document, failing as msal's does.
    let fetched = [AUTHORITY, "/v2.0"].concat();
    let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
    let pca =
        PublicClientApplication::new(Config::new("c").with_authority(&fetched).with_redirect_uri("https://a/"), platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    assert!(pca.is_initialized());
    assert_eq!(platform.requests.borrow().len(), 0, "initialize() sends nothing");
    assert_eq!(pca.metadata().unwrap_err().code(), "endpoints_resolution_error");
    assert!(pca.all_accounts().is_empty());
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let e = block_on(pca.begin_redirect(&req, "https://a/")).unwrap_err();
    assert_eq!(e.code(), "endpoints_resolution_error");
    assert_eq!(platform.requests.borrow().len(), 1, "fetched by the request");
    assert!(!pca.own_interaction_in_progress(), "no lock taken");
}

#[test]
fn microsoft_cloud_authorities_need_no_discovery_request_as_msal() {
    // msal's hardcoded endpoints for login.microsoftonline.com and the sovereign clouds: a client
    // starts (and serves its cache) with no network at all.
    let platform = MemoryPlatform::new(NOW_MS, |req| panic!("no request expected: {}", req.url));
    for authority in [AUTHORITY, "https://login.microsoftonline.com/common", "https://login.microsoftonline.us/organizations"] {
        let pca =
            PublicClientApplication::new(Config::new("c").with_authority(authority).with_redirect_uri("https://a/"), platform.clone())
                .unwrap();
        block_on(pca.initialize()).unwrap();
        let m = pca.metadata().unwrap();
        assert_eq!(m.token_endpoint, [authority, "/oauth2/v2.0/token"].concat());
        assert_eq!(m.authorization_endpoint, [authority, "/oauth2/v2.0/authorize"].concat());
        assert_eq!(m.end_session_endpoint.as_deref(), Some([authority, "/oauth2/v2.0/logout"].concat().as_str()));
    }
    // Not for other hosts or paths, nor when ID token claims are checked (their issuer comes
    // from the discovery document).
    let fetched = |authority: &str, check: bool| {
        let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
        let mut config = Config::new("c").with_authority(authority).with_redirect_uri("https://a/");
        config.validate_id_token_claims = check;
        let pca = PublicClientApplication::new(config, platform.clone()).unwrap();
        block_on(pca.initialize()).unwrap();
        assert_eq!(block_on(pca.resolve_authority(None)).unwrap_err().code(), "endpoints_resolution_error");
        let sent = platform.requests.borrow().len();
        sent
    };
    assert_eq!(fetched("https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin", false), 1);
    assert_eq!(fetched("https://login.microsoftonline.com/tfp/contoso.onmicrosoft.com/b2c_1_signin", false), 1);
    assert_eq!(fetched(AUTHORITY, true), 1);
}

/// A store that refuses writes past a byte budget, like a full localStorage.
struct QuotaStore {
    inner: msal_wasm::core::cache::MemoryStore,
    budget: std::cell::Cell<usize>,
    /// The refusal's code: the storage is full (`cache_quota_exceeded`), or refuses for
    /// another reason.
    refusal: &'static str,
}

impl KeyValueStore for QuotaStore {
    fn get(&self, key: &str) -> Option<String> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), msal_wasm::AuthError> {
        let used: usize =
            self.inner.keys().iter().filter(|k| k.as_str() != key).map(|k| k.len() + self.inner.get(k).map_or(0, |v| v.len())).sum();
        if used + key.len() + value.len() > self.budget.get() {
            return Err(msal_wasm::AuthError::new(ErrorKind::Storage, self.refusal, "refused"));
        }
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) {
        self.inner.remove(key)
    }
    fn keys(&self) -> Vec<String> {
        self.inner.keys()
    }
}

/// Saves a token response for `scope` whose access token is `size` bytes, at `now` (s).
fn save_token(
    cache: &mut msal_wasm::core::cache::TokenCache<QuotaStore>,
    size: usize,
    scope: &str,
    now: u64,
) -> Result<(), msal_wasm::AuthError> {
    save_token_of(cache, "u", size, scope, now)
}

/// [`save_token`] for the user `uid`.
fn save_token_of(
    cache: &mut msal_wasm::core::cache::TokenCache<QuotaStore>,
    uid: &str,
    size: usize,
    scope: &str,
    now: u64,
) -> Result<(), msal_wasm::AuthError> {
    use msal_wasm::core::cache::SaveRequest;
    use msal_wasm::core::scopes::ScopeSet;
    use msal_wasm::core::token::TokenResponse;
    let client_info = base64::encode_url(format!(r#"{{"uid":"{uid}","utid":"t"}}"#).as_bytes());
    let account = msal_wasm::core::account::Account::from_response(&client_info, None, "login.windows.net", "MSSTS", 0).unwrap();
    let body = format!(r#"{{"access_token":"{}","expires_in":100,"scope":"{scope}"}}"#, "x".repeat(size));
    let resp = TokenResponse::parse(&HttpResponse::new(200, body), now).unwrap();
    cache.save(&SaveRequest {
        response: &resp,
        account: &account,
        realm: "t",
        at_realm: None,
        requested: &ScopeSet::parse(scope),
        key_id: "",
        resource: "",
        attribute_tokens: "",
        environments: &[],
        store: Default::default(),
        kmsi: false,
        now_ms: resp.cached_at * 1000,
    })
}

#[test]
fn full_storage_drops_as_many_access_tokens_as_the_new_one_needs() {
    // As msal: one at a time until it fits, the one that expires first first. Two valid tokens
    // must go for a token twice their size; it then lands in the storage, not in memory only.
    use msal_wasm::core::cache::TokenCache;
    let store = QuotaStore { inner: Default::default(), budget: 6_500.into(), refusal: "cache_quota_exceeded" };
    let (mut cache, _) = TokenCache::load(store, "client-1");
    save_token(&mut cache, 1_500, "a.read", 1_000).unwrap();
    save_token(&mut cache, 1_500, "b.read", 1_001).unwrap();
    save_token(&mut cache, 1_500, "c.read", 1_002).unwrap();
    save_token(&mut cache, 3_000, "d.read", 1_010).unwrap();
    let targets: Vec<&str> = cache.credentials().map(|c| c.target.as_str()).collect();
    assert_eq!(targets, ["c.read", "d.read"]);
    let on_disk: Vec<String> = cache.store().inner.keys().into_iter().filter(|k| k.contains("|accesstoken|")).collect();
    assert!(on_disk.iter().any(|k| k.ends_with("d.read|")) && on_disk.len() == 2, "{on_disk:?}");
}

#[test]
fn full_storage_makes_room_for_a_new_account_and_the_key_lists_too() {
    // As msal, whose every write (the account, the key lists) drops access tokens to fit: a
    // second user signing in to a full storage is stored and listed, so a reload keeps both.
    // Before, only credentials made room: the account and the lists stayed in page memory
    // (and sessionStorage's stored lists were removed, so a reload lost every account).
    use msal_wasm::core::cache::TokenCache;
    let fill = |budget: usize| {
        let (mut cache, _) =
            TokenCache::load(QuotaStore { inner: Default::default(), budget: budget.into(), refusal: "cache_quota_exceeded" }, "client-1");
        for (i, scope) in ["a.read", "b.read", "c.read"].into_iter().enumerate() {
            save_token(&mut cache, 1_500, scope, 1_000 + i as u64).unwrap();
        }
        cache
    };
    let unlimited = fill(usize::MAX);
    let inner = &unlimited.store().inner;
    let used: usize = inner.keys().iter().map(|k| k.len() + inner.get(k).map_or(0, |v| v.len())).sum();
    // Full: room for a few bytes more, not for another account.
    let mut cache = fill(used + 50);
    save_token_of(&mut cache, "v", 600, "d.read", 1_010).unwrap();
    // What a reload reads: both accounts stored and listed, the new token listed.
    let disk = &cache.store().inner;
    let accounts = disk.get("msal.3.account.keys").unwrap_or_default();
    assert!(accounts.contains("|u.t|") && accounts.contains("|v.t|"), "{accounts}");
    let listed: Vec<String> = accounts.split('"').filter(|k| k.starts_with("msal.3|")).map(str::to_owned).collect();
    assert!(listed.iter().all(|k| disk.get(k).is_some()), "{listed:?}");
    let tokens = disk.get("msal.3.token.keys.client-1").unwrap_or_default();
    assert!(tokens.contains("d.read") && !tokens.contains("a.read"), "{tokens}");
}

#[test]
fn full_storage_drops_msal_browser_4s_access_tokens_first() {
    // As msal 5: the access tokens an earlier msal wrote (kept since they are copied, not
    // moved) go before any of the current schema's.
    use msal_wasm::core::cache::TokenCache;
    let store = QuotaStore { inner: Default::default(), budget: usize::MAX.into(), refusal: "cache_quota_exceeded" };
    let older = "msal.2|u.t|login.windows.net|accesstoken|client-1|t|a.read||";
    let entry = format!(
        r#"{{"homeAccountId":"u.t","environment":"login.windows.net","credentialType":"AccessToken","clientId":"client-1","secret":"{}","realm":"t","target":"a.read","cachedAt":"1000","expiresOn":"5000","extendedExpiresOn":"5000","tokenType":"Bearer","lastUpdatedAt":"1000000"}}"#,
        "x".repeat(1_500)
    );
    store.set(older, &entry).unwrap();
    store.set("msal.2.token.keys.client-1", &format!(r#"{{"idToken":[],"accessToken":["{older}"],"refreshToken":[]}}"#)).unwrap();
    let (mut cache, _) = TokenCache::load(store, "client-1");
    save_token(&mut cache, 1_500, "b.read", 1_001).unwrap();
    // Full: room for a few hundred bytes more, not for another token.
    let inner = &cache.store().inner;
    let used: usize = inner.keys().iter().map(|k| k.len() + inner.get(k).map_or(0, |v| v.len())).sum();
    cache.store().budget.set(used + 300);
    save_token(&mut cache, 1_500, "c.read", 1_002).unwrap();
    let disk = &cache.store().inner;
    assert!(disk.get(older).is_none(), "the older copy made room");
    let current: Vec<String> = disk.keys().into_iter().filter(|k| k.starts_with("msal.3|") && k.contains("|accesstoken|")).collect();
    assert_eq!(current.len(), 3, "a.read's copy, b.read and c.read: {current:?}");
}

#[test]
fn full_storage_evicts_expired_access_tokens_and_saves() {
    use msal_wasm::core::cache::TokenCache;
    let store = QuotaStore { inner: Default::default(), budget: 6_000.into(), refusal: "cache_quota_exceeded" };
    let (mut cache, _) = TokenCache::load(store, "client-1");
    let save = |cache: &mut TokenCache<QuotaStore>, scope: &str, now: u64| save_token(cache, 1_500, scope, now);
    save(&mut cache, "a.read", 1_000).unwrap();
    save(&mut cache, "b.read", 1_000).unwrap();
    save(&mut cache, "c.read", 1_000).unwrap();
    // Full now; at t=2000 the three tokens are expired and make room for the fourth.
    save(&mut cache, "d.read", 2_000).unwrap();
    let targets: Vec<&str> = cache.credentials().map(|c| c.target.as_str()).collect();
    assert!(targets.contains(&"d.read"), "{targets:?}");
    assert!(targets.len() < 4, "something was evicted: {targets:?}");
    // A single entry bigger than the whole budget still fails, with a typed error.
    let e = save_token(&mut cache, 7_000, "e.read", 2_000).unwrap_err();
    assert_eq!(e.code(), "cache_quota_exceeded");
}

/// 30 access tokens in a store that refuses a write of 50 KB with `refusal`: that write's
/// error code, and how many access tokens are left after it.
fn refused_huge_write(refusal: &'static str) -> (String, usize) {
    use msal_wasm::core::cache::TokenCache;
    let store = QuotaStore { inner: Default::default(), budget: 40_000.into(), refusal };
    let (mut cache, _) = TokenCache::load(store, "client-1");
    for i in 0..30 {
        save_token(&mut cache, 200, &format!("s{i}.read"), 1_000 + i).unwrap();
    }
    let code = save_token(&mut cache, 50_000, "huge.read", 1_100).unwrap_err().code().to_owned();
    (code, cache.credentials().filter(|c| c.credential_type.is_access_token()).count())
}

#[test]
fn a_storage_that_keeps_refusing_costs_20_access_tokens_at_most() {
    // As msal's 20 retries: a write refused whatever is dropped (an entry over the whole quota)
    // does not empty the cache.
    assert_eq!(refused_huge_write("cache_quota_exceeded"), ("cache_quota_exceeded".to_owned(), 10), "20 of the 30 dropped, no more");
}

#[test]
fn a_storage_that_refuses_for_another_reason_than_quota_keeps_every_access_token() {
    // As msal, which makes room for a quota error only (the user blocked the site's data with
    // the page open: every write fails, whatever is dropped).
    assert_eq!(refused_huge_write("storage_unavailable"), ("storage_unavailable".to_owned(), 30));
}

#[test]
fn proactive_refresh_is_due_after_refresh_in() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let hit = h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().unwrap();
    assert!(h.pca.background_renewal(&silent(&home), &hit).is_none(), "no refresh_in, nothing due");
    // A response with refresh_in=600: the token is served until expiry but a refresh is due
    // after 600 s.
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(
        200,
        format!(
            r#"{{"access_token":"at-r","token_type":"Bearer","expires_in":3600,"refresh_in":600,"scope":"User.Read","refresh_token":"rt-r","client_info":"{}"}}"#,
            base64::encode_url(format!(r#"{{"uid":"uid-1","utid":"{TENANT}"}}"#).as_bytes())
        ),
    ));
    h.idp.borrow_mut().issued_rts.push("rt-r".into());
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap();
    assert_eq!(r.refresh_on_ms, Some(NOW_MS + 600_000));
    h.platform.set_now_ms(NOW_MS + 601_000);
    let hit = h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().unwrap();
    assert_eq!(hit.access_token.secret(), "at-r");
    // The browser front ends serve it until its renewal is due (msal-browser does no proactive
    // refresh); msal-native's acquire_token_silent_refreshing renews it.
    assert_eq!(hit.served_until_ms, NOW_MS + (3600 - 300) * 1000);
    let renewal = h.pca.background_renewal(&silent(&home), &hit).expect("a proactive refresh is due");
    assert!(renewal.force_refresh && renewal.cache_lookup_policy == CacheLookupPolicy::RefreshToken);
    let renewed = block_on(h.pca.acquire_token_silent(&renewal)).unwrap();
    assert_ne!(renewed.access_token.secret(), "at-r");
    assert!(h.pca.background_renewal(&silent(&home), &h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().unwrap()).is_none());
}

#[test]
fn refresh_token_policies_skip_the_cached_access_token() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    for policy in [CacheLookupPolicy::RefreshToken, CacheLookupPolicy::RefreshTokenAndNetwork] {
        let before = h.token_requests();
        let r = block_on(h.pca.acquire_token_silent(&SilentRequest { cache_lookup_policy: policy, ..silent(&home) })).unwrap();
        assert!(!r.from_cache, "{policy:?}");
        assert_eq!(h.token_requests(), before + 1, "{policy:?}");
    }
    // Skip: neither the cached token nor the refresh token, straight to the hidden frame (here
    // the provider shows a page and never answers, as with third-party cookies blocked).
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    let before = h.token_requests();
    let e =
        block_on(h.pca.acquire_token_silent(&SilentRequest { cache_lookup_policy: CacheLookupPolicy::Skip, ..silent(&home) })).unwrap_err();
    assert!(e.is_interaction_required());
    assert_eq!(e.sub_error(), "iframe_no_response");
    assert_eq!(h.token_requests(), before);
    assert_eq!(h.platform.windows.borrow().len(), 1, "one hidden frame");
    assert!(
        CacheLookupPolicy::Skip.uses_iframe()
            && CacheLookupPolicy::Default.uses_iframe()
            && !CacheLookupPolicy::AccessTokenAndRefreshToken.uses_iframe()
    );
}

#[test]
fn claims_skip_the_cache_and_are_sent_with_client_capabilities() {
    let idp = Rc::new(RefCell::new(Idp::default()));
    let i = idp.clone();
    let platform = MemoryPlatform::new(NOW_MS, move |req| handle(&i, req));
    let mut config =
        Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA);
    config.client_capabilities = vec!["CP1".into()];
    let h = Harness { pca: PublicClientApplication::new(config, platform.clone()).unwrap(), platform, idp };
    block_on(h.pca.initialize()).unwrap();
    let home = h.sign_in().account.account.home_account_id;
    let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let req = SilentRequest { claims: claims.into(), ..silent(&home) };
    assert!(h.pca.acquire_token_silent_cached(&req).unwrap().is_none(), "claims bypass the cache");
    block_on(h.pca.acquire_token_silent(&req)).unwrap();
    let sent = h.platform.requests.borrow().last().cloned().unwrap().form_field("claims").unwrap();
    assert_eq!(
        sent,
        r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"},"xms_cc":{"values":["CP1"]}},"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}}}"#
    );
    let bad = SilentRequest { claims: "not json".into(), ..silent(&home) };
    assert_eq!(block_on(h.pca.acquire_token_silent(&bad)).unwrap_err().code(), "invalid_claims");
}

#[test]
fn discovery_document_is_cached_for_24_hours() {
    let discovery = METADATA.to_owned();
    let platform = MemoryPlatform::new(NOW_MS, move |req| {
        assert!(req.url.ends_with("/v2.0/.well-known/openid-configuration"), "{}", req.url);
        Ok(HttpResponse::new(200, discovery.clone()))
    });
    // An authority msal has no hardcoded endpoints for (the `v2.0` path).
    let authority = [AUTHORITY, "/v2.0"].concat();
    let config = || Config::new("client-1").with_authority(&authority).with_redirect_uri("https://app.example/");
    let fetches = |p: &MemoryPlatform| p.requests.borrow().iter().filter(|r| r.url.contains("openid-configuration")).count();
    // A page load whose first request needs the endpoints.
    let load = || {
        let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
        block_on(pca.initialize()).unwrap();
        block_on(pca.resolve_authority(None)).unwrap();
        pca
    };
    load();
    assert_eq!(fetches(&platform), 1);
    // The next page load (a new client on the same storage) needs no network: initialize()
    // reads the endpoints from the stored document.
    let again = PublicClientApplication::new(config(), platform.clone()).unwrap();
    block_on(again.initialize()).unwrap();
    assert!(again.metadata().unwrap().token_endpoint.ends_with("/oauth2/v2.0/token"));
    assert_eq!(fetches(&platform), 1);
    // After 24 hours it is fetched again.
    platform.set_now_ms(NOW_MS + 24 * 3600 * 1000 + 1);
    load();
    assert_eq!(fetches(&platform), 2);
}

/// A query parameter of a URL the client built.
fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    parse_query(query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_default()
}

#[test]
fn redirect_uris_default_to_the_page_and_resolve_relative_ones_as_msal() {
    let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "{}")));
    platform.set_page_url("https://app.example/route/page?x=1#frag");
    let begin = |pca: &PublicClientApplication<MemoryPlatform>, redirect_uri: &str| {
        let req = InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: redirect_uri.into(), ..Default::default() };
        let pending = pca.begin_interaction(&req, InteractionType::Popup, "https://app.example/start").unwrap();
        pca.abort_interaction(&pending);
        query_param(&pending.url, "redirect_uri")
    };
    // Nothing configured: the page without query and fragment.
    let bare = Config::new("client-1").with_authority(AUTHORITY).with_authority_metadata(METADATA);
    let pca = PublicClientApplication::new(bare.clone(), platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    assert_eq!(begin(&pca, ""), "https://app.example/route/page");
    // A relative request URI resolves against the page's origin; an absolute one is kept.
    assert_eq!(begin(&pca, "/redirect.html"), "https://app.example/redirect.html");
    assert_eq!(begin(&pca, "https://other.example/cb"), "https://other.example/cb");
    // The page the client was made on, as msal (its configuration's default): an SPA route
    // the user moved to since is not the registered URI.
    platform.set_page_url("https://app.example/orders/42?tab=2");
    assert_eq!(begin(&pca, ""), "https://app.example/route/page");
    assert_eq!(pca.config().redirect_uri, "https://app.example/route/page");
    platform.set_page_url("https://app.example/route/page?x=1#frag");
    // A relative configured URI too; the post-logout URI defaults to the page as well.
    let pca = PublicClientApplication::new(bare.with_redirect_uri("/"), platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    assert_eq!(begin(&pca, ""), "https://app.example/");
    let url = pca.begin_logout(&logout(None, None, ""), InteractionType::Redirect).unwrap().url.unwrap();
    assert_eq!(query_param(&url, "post_logout_redirect_uri"), "https://app.example/route/page");
    pca.abort_logout();
    let url = pca.begin_logout(&logout(None, Some("/signed-out"), ""), InteractionType::Redirect).unwrap().url.unwrap();
    assert_eq!(query_param(&url, "post_logout_redirect_uri"), "https://app.example/signed-out");
}

#[test]
fn an_interaction_without_an_account_takes_its_hints_from_the_active_account_as_msal() {
    let h = harness();
    let signed_in = h.sign_in();
    let hint_of = |req: &InteractiveRequest| {
        let pending = h.pca.begin_interaction(req, InteractionType::Popup, "https://app.example/start").unwrap();
        h.pca.abort_interaction(&pending);
        query_param(&pending.url, "login_hint")
    };
    let bare = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    assert_eq!(hint_of(&bare), "", "no active account: no hint");
    h.pca.set_active_account(Some(&signed_in.account.to_ref())).unwrap();
    assert_eq!(hint_of(&bare), signed_in.account.account.username, "the active account's");
    // A login hint of the request's own wins, and the active account is not looked at.
    let hinted = InteractiveRequest { login_hint: "bo@contoso.com".into(), ..bare.clone() };
    assert_eq!(hint_of(&hinted), "bo@contoso.com");
}

#[test]
fn token_requests_as_msal_browser_sends_them_claims_at_redemption_the_anchor_in_the_body_no_redirect_uri_on_refresh() {
    let h = harness();
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    let extra = vec![("dc".to_owned(), "ESTS-PUB-X".to_owned()), ("client-request-id".to_owned(), "evil".to_owned())];
    let req = InteractiveRequest { claims: claims.into(), extra_query_parameters: extra.clone(), ..with_options(TokenOptions::default()) };
    // Through a redirect, so the claims are kept with the request in the tab.
    let (url, r) = sign_in_with(&h, &req, true);
    assert!(query_param(&url, "claims").contains(r#""acrs""#));
    let redeemed = last_token_request(&h);
    assert!(redeemed.form_field("claims").is_some_and(|c| c.contains(r#""acrs""#)), "the request's claims at the token endpoint too");
    // And its extra query parameters in the token endpoint's URL (never over our own).
    assert_eq!(query_param(&redeemed.url, "dc"), "ESTS-PUB-X");
    assert_eq!(redeemed.url.matches("client-request-id=").count(), 1, "{}", redeemed.url);
    assert_ne!(query_param(&redeemed.url, "client-request-id"), "evil");
    let home = r.account.account.home_account_id.clone();
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    block_on(h.pca.acquire_token_silent(&forced)).unwrap();
    let refresh = last_token_request(&h);
    assert_eq!(refresh.form_field("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(refresh.form_field("redirect_uri"), None, "none named by the request");
    let (uid, utid) = home.split_once('.').unwrap();
    assert_eq!(refresh.form_field("X-AnchorMailbox"), Some(["Oid:", uid, "@", utid].concat()));
    assert!(refresh.headers.iter().all(|(k, _)| !k.eq_ignore_ascii_case("x-anchormailbox")), "no header: no CORS preflight");
    assert_eq!(query_param(&refresh.url, "dc"), "");
    let named = SilentRequest { redirect_uri: "https://app.example/silent".into(), extra_query_parameters: extra, ..forced };
    block_on(h.pca.acquire_token_silent(&named)).unwrap();
    assert_eq!(last_token_request(&h).form_field("redirect_uri").as_deref(), Some("https://app.example/silent"));
    assert_eq!(query_param(&last_token_request(&h).url, "dc"), "ESTS-PUB-X");
    // The code's redemption is anchored to the account the response's client_info names.
    let pending =
        h.pca.begin_interaction(&with_options(TokenOptions::default()), InteractionType::Popup, "https://app.example/start").unwrap();
    h.idp.borrow_mut().challenge = query_param(&pending.url, "code_challenge");
    h.idp.borrow_mut().nonce = query_param(&pending.url, "nonce");
    let client_info = msal_wasm::core::base64::encode_url(br#"{"uid":"u-7","utid":"t-7"}"#);
    let state = msal_wasm::core::url::encode(&query_param(&pending.url, "state"));
    block_on(h.pca.finish_interaction(pending, &format!("#code=the-code&state={state}&client_info={client_info}"))).unwrap();
    assert_eq!(last_token_request(&h).form_field("X-AnchorMailbox").as_deref(), Some("Oid:u-7@t-7"));
}

/// AD FS in OIDC mode (msal's documented set-up for it): as msal, its accounts are of type
/// `ADFS`, not `Generic` (msal tests for AD FS first).
#[test]
fn an_adfs_account_is_of_type_adfs_in_oidc_mode_too() {
    let c = Config::new("client-1")
        .with_authority("https://login.microsoftonline.com/adfs")
        .with_redirect_uri("https://app.example/")
        .with_authority_metadata(METADATA)
        .with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc);
    let h = harness_with(c);
    h.idp.borrow_mut().generic = true;
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    assert_eq!(r.account.account.authority_type, "ADFS");
    assert_eq!(h.pca.accounts_matching(&AccountFilter { authority_type: Some("ADFS".into()), ..Default::default() }).len(), 1);
}

/// A generic provider whose ID token names its tenant by `acr` (Keycloak's `"acr":"1"`), not
/// `tid`: as msal, the tokens are stored under that realm, which is the realm the account's
/// silent calls look in, so they are served from the cache.
#[test]
fn a_generic_providers_acr_realm_keys_the_access_token_so_silent_calls_hit() {
    let h = harness_with(config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc));
    h.idp.borrow_mut().generic = true;
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    assert_eq!((r.account.account.home_account_id.as_str(), r.account.account.realm.as_str()), ("sub-1", "1"));
    let before = h.token_requests();
    let hit = h.pca.acquire_token_silent_cached(&silent(&r.account.account.home_account_id)).unwrap();
    assert!(hit.is_some(), "the signed-in token is served from the cache");
    assert_eq!(h.token_requests(), before);
    // msal's result tenant id is the ID token's tid: none here.
    assert_eq!(r.tenant_id, "");
}

/// A generic provider's second sign-in whose `acr` changed (Keycloak's session sign-in, a
/// step-up): as msal, the one account of that user gets a profile for it, and the result is
/// the new sign-in's (its ID token, its realm), which a silent call is then served from the
/// cache with. (A second account was cached, and the result showed the first sign-in's.)
#[test]
fn a_generic_providers_second_sign_in_with_another_acr_is_a_profile_of_the_same_account() {
    let h = harness_with(config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc));
    h.idp.borrow_mut().generic = true;
    let (_, first) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    h.idp.borrow_mut().acr = Some("2".into());
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    let cached = msal_wasm::core::cache::unified::deserialize(&h.pca.serialize_cache()).unwrap();
    let accounts = cached.accounts();
    assert_eq!(accounts.len(), 1, "one account of the user");
    let profiles: Vec<&str> = accounts[0].1.account.tenant_profiles.iter().map(|p| p.tenant_id.as_str()).collect();
    assert_eq!(profiles, ["1", "2"]);
    let listed: Vec<String> = h.pca.all_accounts().into_iter().map(|a| a.account.realm).collect();
    assert_eq!(listed, ["1", "2"], "getAllAccounts: a profile each, as msal 5");
    assert_eq!(r.account.account.home_account_id, first.account.account.home_account_id);
    assert_eq!(r.account.account.realm, "2");
    assert_eq!(r.account.id_token_claims.as_ref().and_then(|c| c.str_field("acr")), Some("2"));
    let before = h.token_requests();
    let profile = msal_wasm::client::AccountRef::in_tenant(&r.account.account.home_account_id, Some("2".into()));
    let again = SilentRequest { account: Some(profile), ..silent(&r.account.account.home_account_id) };
    let hit = h.pca.acquire_token_silent_cached(&again).unwrap();
    assert!(hit.is_some_and(|t| t.account.account.realm == "2"), "the new sign-in's token, from the cache");
    assert_eq!(h.token_requests(), before);
    // A renewal whose ID token says another acr again (Keycloak's "0" for a session sign-in)
    // is stored: the account is the cached one, under its first key.
    h.idp.borrow_mut().acr = Some("0".into());
    let renewed = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..again.clone() })).unwrap();
    assert_eq!(renewed.account.account.realm, "0", "the result is the new ID token's profile");
    let in_0 = msal_wasm::client::AccountRef::in_tenant(&r.account.account.home_account_id, Some("0".into()));
    let hit = h.pca.acquire_token_silent_cached(&SilentRequest { account: Some(in_0), ..again }).unwrap();
    assert!(hit.is_some_and(|t| t.access_token.secret() == renewed.access_token.secret()), "the renewal was stored");
}

/// A generic provider holds a refresh token to the scopes it was granted for (RFC 6749 §6: Okta,
/// node-oidc-provider): a silent call for more is refused `invalid_scope`. As an expired or
/// refused refresh token, that goes to a hidden frame (the provider's session may grant them
/// at once, or say `consent_required`), never to the app as a ServerError with no way on.
#[test]
fn a_generic_providers_invalid_scope_on_refresh_goes_to_the_hidden_frame() {
    let h = harness_with(config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc));
    h.idp.borrow_mut().generic = true;
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    let frames = h.platform.windows.borrow().len();
    h.idp.borrow_mut().fail_next =
        Some(HttpResponse::new(400, r#"{"error":"invalid_scope","error_description":"the grant has no api.write"}"#));
    let more = SilentRequest { scopes: vec!["api.write".into()], ..silent(&r.account.account.home_account_id) };
    let got = block_on(h.pca.acquire_token_silent(&more));
    assert!(got.is_ok(), "{:?}", got.err());
    assert_eq!(h.platform.windows.borrow().len(), frames + 1, "one hidden frame");
    assert!(h.platform.windows.borrow().last().unwrap().contains("prompt=none"));
}

/// A silent call's hidden frame whose answer names another account than the one it renews
/// (B2C: the same user at another user flow, whose home account carries that policy) stores
/// that account and its tokens, as msal stores a response's account. They were dropped, as if
/// the renewed account had been signed out meanwhile: every later call ran the frame again.
#[test]
fn a_hidden_frame_answering_for_another_account_stores_it() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().uid = Some("uid-reset".into());
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"expired"}"#));
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap();
    assert!(r.account.account.home_account_id.starts_with("uid-reset."), "{}", r.account.account.home_account_id);
    let homes: Vec<String> = h.pca.all_accounts().into_iter().map(|a| a.account.home_account_id).collect();
    assert!(homes.contains(&r.account.account.home_account_id), "{homes:?}");
    assert!(homes.contains(&home), "{homes:?}");
}

/// A refresh answered for an account the cache does not hold is not stored, as msal's
/// (`Account used to refresh tokens not in persistence`): only a hidden frame's answer is a
/// sign-in of its own.
#[test]
fn a_refresh_answering_for_another_account_stores_nothing() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    for rt in h.idp.borrow_mut().rt_users.iter_mut() {
        rt.1 = Some("uid-other".into());
    }
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap();
    assert!(r.account.account.home_account_id.starts_with("uid-other."), "{}", r.account.account.home_account_id);
    let homes: Vec<String> = h.pca.all_accounts().into_iter().map(|a| a.account.home_account_id).collect();
    assert_eq!(homes, [home]);
}

#[test]
fn client_info_is_asked_in_oidc_mode_too_as_msal_5_and_names_the_account_when_returned() {
    let h = harness_with(config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc));
    let (url, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    assert_eq!(query_param(&url, "client_info"), "1");
    assert_eq!(last_token_request(&h).form_field("client_info").as_deref(), Some("1"));
    // The provider (Entra) answered with client_info: the account is uid.utid, as msal keys it.
    assert_eq!(r.account.account.home_account_id.split_once('.').map(|(_, utid)| utid), Some(TENANT));
}

/// msal's `telemetry.application`: `x-app-name` and `x-app-ver` in every token request, and in
/// the authorize request but in the OIDC protocol mode.
#[test]
fn the_apps_name_and_version_go_to_the_token_endpoint_and_to_entras_authorize_endpoint() {
    let app = AppTelemetry { name: "Contoso Portal".into(), version: "2.1.0".into() };
    for mode in [ProtocolMode::Aad, ProtocolMode::Oidc] {
        let mut c = config().with_protocol_mode(mode);
        c.application = app.clone();
        let h = harness_with(c);
        let (url, r) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
        let authorize = if mode == ProtocolMode::Aad { ["Contoso Portal", "2.1.0"] } else { ["", ""] };
        assert_eq!([query_param(&url, "x-app-name"), query_param(&url, "x-app-ver")], authorize, "{mode:?}");
        let redeemed = last_token_request(&h);
        assert_eq!(redeemed.form_field("x-app-name").as_deref(), Some("Contoso Portal"));
        assert_eq!(redeemed.form_field("x-app-ver").as_deref(), Some("2.1.0"));
        let forced = SilentRequest { force_refresh: true, ..silent(&r.account.account.home_account_id) };
        block_on(h.pca.acquire_token_silent(&forced)).unwrap();
        assert_eq!(last_token_request(&h).form_field("x-app-name").as_deref(), Some("Contoso Portal"));
    }
    let h = harness();
    let (url, _) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    assert!(!url.contains("x-app-") && !last_token_request(&h).body.contains("x-app-"), "none configured, none sent");
}

/// A page reloaded while its popup was open: this client's sign-in lock is held with no
/// redirect request saved. As msal, handleRedirectPromise releases it and fails with
/// `no_token_request_cache_error`, so the next sign-in is not refused.
#[test]
fn handle_redirect_releases_a_popup_lock_left_by_a_reload() {
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    drop(started);
    assert!(h.pca.own_interaction_in_progress());
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::Refused { clean_url: None });
    assert_eq!(h.pca.no_request_error().code(), "no_token_request_cache_error");
    assert!(!h.pca.own_interaction_in_progress(), "the lock is released");
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None, "once");
    assert!(h.pca.open_popup(&req, PopupAttributes::default()).is_ok(), "the next sign-in runs");
}

/// msal's `clearCache()` without an account clears its temporary entries too (its storage's
/// `clear`): the interaction status and a redirect's saved request. An app that recovers from
/// `interaction_in_progress` with `clearCache()` signs in again at once; the interaction
/// left behind does not release the next one's lock.
#[test]
fn clear_cache_lets_go_of_the_interaction_lock_and_the_saved_redirect_as_msal() {
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let left = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    assert_eq!(h.pca.open_popup(&req, PopupAttributes::default()).unwrap_err().code(), "interaction_in_progress");
    h.pca.clear_cache(None).unwrap();
    assert!(!h.pca.interaction_in_progress());
    let next = h.pca.open_popup(&req, PopupAttributes::default()).expect("the retry runs");
    assert!(block_on(h.pca.complete_popup(left)).is_err(), "the popup left behind ends");
    assert!(h.pca.interaction_in_progress(), "and leaves the retry's lock");
    let r = block_on(h.pca.complete_popup(next)).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert!(!h.pca.interaction_in_progress());
    // A redirect's saved request goes too.
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "https://app.example/").unwrap();
    drop(pending);
    assert!(h.pca.pending_redirect().is_some());
    h.pca.clear_cache(None).unwrap();
    assert!(h.pca.pending_redirect().is_none());
    assert!(!h.pca.interaction_in_progress());
    // Clearing one account's entries leaves an interaction running.
    let home = r.account.account.home_account_id.clone();
    let running = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    h.pca.clear_cache(Some(&AccountRef::new(&home))).unwrap();
    assert!(h.pca.interaction_in_progress());
    drop(running);
}

/// The same, with a redirect response of this client in the address (the back button to a
/// page whose response was already redeemed): as msal, the fragment leaves the address too.
#[test]
fn a_refused_redirect_leaves_no_response_in_the_address() {
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "https://app.example/").unwrap();
    let state = msal_wasm::core::url::encode(&query_param(&pending.url, "state"));
    h.pca.abort_interaction(&pending);
    drop(h.pca.open_popup(&req, PopupAttributes::default()).unwrap());
    h.platform.set_page_url(format!("https://app.example/?tab=2#code=the-code&state={state}"));
    assert_eq!(
        h.pca.begin_handle_redirect(None, true).unwrap(),
        RedirectStart::Refused { clean_url: Some("https://app.example/?tab=2".into()) }
    );
    assert!(!h.pca.own_interaction_in_progress(), "the lock is released");
}

/// A hash-routed app's sign-in started at `/#/dashboard` comes back to `/#code=…`: the same
/// page as msal compares them (the fragment does not count), so the response is redeemed there
/// and the start page's route is put back (navigating to a fragment alone would not reload it).
#[test]
fn a_redirect_back_to_the_start_page_but_for_its_fragment_is_redeemed_there_with_the_route_restored() {
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "https://app.example/#/dashboard").unwrap();
    let state = msal_wasm::core::url::encode(&query_param(&pending.url, "state"));
    drop(pending);
    h.platform.set_page_url(format!("https://app.example/#code=the-code&state={state}"));
    let start = h.pca.begin_handle_redirect(None, true).unwrap();
    let RedirectStart::Redeem { clean_url, .. } = start else { panic!("redeemed on this page, not sent back to it: {start:?}") };
    assert_eq!(clean_url.as_deref(), Some("https://app.example/#/dashboard"));
}

#[test]
fn a_response_kept_before_a_hash_router_rewrote_the_address_is_redeemed_with_the_start_pages_route_back() {
    // A HashRouter's catch-all took `#code=...` for a route and went to `#/` before
    // handleRedirectPromise ran; the package had kept the response when it loaded.
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, "https://app.example/#/orders?id=5").unwrap();
    let response = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    h.pca.stash_redirect_response(&response).unwrap();
    h.platform.set_page_url("https://app.example/#/");
    let start = h.pca.begin_handle_redirect(None, true).unwrap();
    let RedirectStart::Redeem { response: kept, clean_url } = start else { panic!("the kept response is redeemed: {start:?}") };
    assert_eq!(clean_url.as_deref(), Some("https://app.example/#/orders?id=5"));
    assert!(block_on(h.pca.handle_redirect(Some(&kept))).unwrap().is_some());
}

/// A client whose redirects ask for the response in the query (msal's `responseMode: "query"`).
fn query_mode_harness() -> Harness {
    let mut c = config();
    c.response_mode = "query".into();
    harness_with(c)
}

/// In query mode too, a sign-in started on the page a redirect sign-out returned to (its state
/// in the query) is redeemed there: a state alone is no sign-in's answer (it was redeemed for
/// one, `state_mismatch`, in place of the answer kept for the start page).
#[test]
fn in_query_mode_a_sign_in_started_where_a_sign_out_returned_is_redeemed_there() {
    let h = query_mode_harness();
    let (earlier, earlier_response) = h.authorize(InteractionType::Redirect);
    h.pca.abort_interaction(&earlier);
    let state_only = earlier_response.split('&').find(|p| p.starts_with("state=")).unwrap();
    let start = format!("https://app.example/start?{state_only}");
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let pending = h.pca.begin_interaction(&req, InteractionType::Redirect, &start).unwrap();
    let query = parse_query(pending.url.split_once('?').unwrap().1);
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    h.idp.borrow_mut().challenge = get("code_challenge");
    h.idp.borrow_mut().nonce = get("nonce");
    let response = format!("code=the-code&state={}&client_info=x", msal_wasm::core::url::encode(&get("state")));
    drop(pending);
    // The answer at the redirect URI is kept for the start page.
    h.platform.set_page_url(format!("https://app.example/?{response}"));
    let went = h.pca.begin_handle_redirect(None, true).unwrap();
    assert!(matches!(&went, RedirectStart::Navigate { url, .. } if *url == start), "{went:?}");
    // There, the sign-out's state in the query is not taken for it.
    h.platform.set_page_url(start.clone());
    let RedirectStart::Redeem { response: kept, clean_url } = h.pca.begin_handle_redirect(None, true).unwrap() else {
        panic!("the kept answer")
    };
    assert_eq!((kept.as_str(), clean_url), (response.as_str(), None));
    assert!(block_on(h.pca.handle_redirect(Some(&kept))).unwrap().is_some());
}

#[test]
fn a_route_msal_angular_gives_as_the_hash_is_no_response_the_query_response_in_the_address_is() {
    // msal-angular passes "#" + its path to handleRedirectPromise; with responseMode "query"
    // and a redirect URI with a path, that is `#/cb?code=...&state=...`.
    let h = query_mode_harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    let params = &response[1..];
    h.platform.set_page_url(format!("https://app.example/cb?{params}"));
    let start = h.pca.begin_handle_redirect(Some(&format!("#/cb?{params}")), false).unwrap();
    let RedirectStart::Redeem { response: found, clean_url } = start else { panic!("the address's response is redeemed: {start:?}") };
    assert_eq!((found.as_str(), clean_url.as_deref()), (params, Some("https://app.example/cb")));
    assert!(block_on(h.pca.handle_redirect(Some(&found))).unwrap().is_some());
}

#[test]
fn a_redirect_response_is_found_on_the_page_taken_back_to_the_start_page_and_redeemed_there() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    // The provider sent the browser to the redirect URI, with the response in the fragment.
    h.platform.set_page_url(format!("https://app.example/?keep=1{response}"));
    let start = h.pca.begin_handle_redirect(None, true).unwrap();
    assert_eq!(
        start,
        RedirectStart::Navigate { url: "https://app.example/start".into(), clean_url: Some("https://app.example/?keep=1".into()) },
        "the response is kept for the start page"
    );
    assert_eq!(h.token_requests(), 0);
    // The start page finds the stashed response and redeems it.
    h.platform.set_page_url("https://app.example/start");
    let RedirectStart::Redeem { response: stashed, clean_url: None } = h.pca.begin_handle_redirect(None, true).unwrap() else {
        panic!("the start page redeems the stashed response")
    };
    assert_eq!(stashed, response[1..], "the fragment without its #");
    let r = block_on(h.pca.handle_redirect(Some(&stashed))).unwrap().unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None, "a stashed response is taken once");

    // Without navigateToLoginRequestUrl, the response is redeemed where it arrived; a response
    // in the query (responseMode "query") leaves the fragment (a hash route) in place.
    let q = query_mode_harness();
    let (pending, response) = q.authorize(InteractionType::Redirect);
    drop(pending);
    q.platform.set_page_url(format!("https://app.example/cb?{}#/route", &response[1..]));
    let start = q.pca.begin_handle_redirect(None, false).unwrap();
    assert_eq!(
        start,
        RedirectStart::Redeem { response: response[1..].to_owned(), clean_url: Some("https://app.example/cb#/route".into()) }
    );
    assert!(block_on(q.pca.handle_redirect(Some(&response[1..]))).unwrap().is_some());
    // In fragment mode (the default) the query is not read, as msal: it may hold a redirect
    // sign-out's state, which stays for the app.
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.set_page_url(format!("https://app.example/start?{}", &response[1..]));
    assert!(matches!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None));
    h.pca.abort_interaction_of(InteractionType::Redirect);

    // A popup's or a hidden frame's response is not this page's business: the page is left alone.
    let (pending, response) = h.authorize(InteractionType::Popup);
    h.pca.abort_interaction(&pending);
    h.platform.set_page_url(format!("https://app.example/{response}"));
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None);
    // A response the app passes itself is used as given, and the address, holding none, is
    // not touched.
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.set_page_url("https://app.example/start");
    assert_eq!(
        h.pca.begin_handle_redirect(Some(&response), true).unwrap(),
        RedirectStart::Redeem { response: response.clone(), clean_url: None }
    );
    assert!(block_on(h.pca.handle_redirect(Some(&response))).unwrap().is_some());
    // msal-angular passes the address's fragment on every page (its MsalService reads it): as
    // msal, the response still leaves the address and the browser goes back to the start page,
    // where the path msal-angular then passes as a "hash" is no response and the stashed one
    // is redeemed.
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.set_page_url(format!("https://app.example/?keep=1{response}"));
    assert_eq!(
        h.pca.begin_handle_redirect(Some(&response), true).unwrap(),
        RedirectStart::Navigate { url: "https://app.example/start".into(), clean_url: Some("https://app.example/?keep=1".into()) }
    );
    h.platform.set_page_url("https://app.example/start");
    let RedirectStart::Redeem { response: stashed, clean_url: None } = h.pca.begin_handle_redirect(Some("#/start"), true).unwrap() else {
        panic!("the start page redeems the stashed response")
    };
    assert_eq!(stashed.trim_start_matches('#'), &response[1..]);
    assert!(block_on(h.pca.handle_redirect(Some(&stashed))).unwrap().is_some());
}

#[test]
fn account_filters_match_as_msal() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let filter = |json: &str| msal_wasm::js::wire::account_filter(&msal_wasm::core::json::Json::parse(json).unwrap());
    let found = |json: &str| h.pca.accounts_matching(&filter(json)).len();
    assert_eq!(found("{}"), 1);
    assert_eq!(found(&format!(r#"{{"homeAccountId":"{home}"}}"#)), 1);
    assert_eq!(found(r#"{"homeAccountId":"other"}"#), 0);
    assert_eq!(found(r#"{"username":"ADA@contoso.com"}"#), 1, "usernames ignore case");
    assert_eq!(found(r#"{"loginHint":"ada@contoso.com"}"#), 1, "a login hint matches the username");
    assert_eq!(found(r#"{"loginHint":"ada@CONTOSO.com"}"#), 0, "exactly, as msal");
    // The ID token has no upn claim; no account here has a broker's id.
    assert_eq!(found(r#"{"upn":"ada@contoso.com"}"#), 0);
    assert_eq!(found(r#"{"nativeAccountId":"broker-1"}"#), 0);
    assert_eq!(found(r#"{"authorityType":"mssts"}"#), 1);
    assert_eq!(found(r#"{"authorityType":"ADFS"}"#), 0);
    assert_eq!(found(&format!(r#"{{"tenantId":"{TENANT}","localAccountId":"uid-1"}}"#)), 1);
    assert_eq!(found(r#"{"tenantId":"another-tenant"}"#), 0);
    assert_eq!(found(&format!(r#"{{"tenantId":"{}"}}"#, TENANT.to_uppercase())), 0, "a tenant profile's id exactly, as msal");
    assert_eq!(found(&format!(r#"{{"realm":"{}"}}"#, TENANT.to_uppercase())), 1, "the account's realm ignoring case, as msal");
    assert_eq!(found(r#"{"sid":"sid-1","name":"Ada"}"#), 1);
    assert_eq!(found(r#"{"sid":"sid-2"}"#), 0);
    assert_eq!(found(r#"{"environment":"login.windows.net"}"#), 1, "an alias of the account's cloud");
    assert_eq!(found(r#"{"environment":"login.chinacloudapi.cn"}"#), 0);
    assert_eq!(found(r#"{"isHomeTenant":true}"#), 1);
    assert_eq!(found(r#"{"isHomeTenant":false}"#), 0);
    assert_eq!(found(r#"{"username":"","sid":null}"#), 1, "empty and null fields are any");
    // getAccount with an empty filter is null in msal v5.
    assert!(h.pca.account_matching(&filter("{}")).is_none());
    assert_eq!(h.pca.account_matching(&filter(r#"{"username":"ada@contoso.com"}"#)).unwrap().account.home_account_id, home);
    // (A filter that named only keys msal-wasm does not match on: any account, as msal.)
    assert_eq!(h.pca.first_account_matching(&filter("{}")).unwrap().account.home_account_id, home);
}

#[test]
fn hydrate_cache_stores_a_result_obtained_elsewhere_for_silent_calls() {
    use msal_wasm::client::Hydration;
    let h = harness();
    let id_token = jwt(&format!(r#"{{"sub":"sub-9","oid":"uid-9","tid":"{TENANT}","preferred_username":"bo@contoso.com","name":"Bo"}}"#));
    let home = format!("uid-9.{TENANT}");
    let hydration = Hydration {
        access_token: "at-from-server".into(),
        id_token,
        scopes: vec!["User.Read".into()],
        expires_on_ms: NOW_MS + 3_600_000,
        home_account_id: home.clone(),
        // (msal keeps the result's Graph hosts with the account it stores.)
        graph_hosts: ("graph.windows.net".into(), "graph.microsoft.com".into()),
        ..Default::default()
    };
    h.pca.hydrate_cache(&hydration).unwrap();
    // As msal, no network and no endpoints needed: a client whose discovery document is not
    // known (initialize() fetches none) stores it too.
    let platform = MemoryPlatform::new(NOW_MS, |req| panic!("no request expected: {}", req.url));
    let discovering = Config::new("c").with_authority([AUTHORITY, "/v2.0"].concat()).with_redirect_uri("https://a/");
    let bare = PublicClientApplication::new(discovering, platform).unwrap();
    block_on(bare.initialize()).unwrap();
    bare.hydrate_cache(&hydration).unwrap();
    assert!(bare.account(&home).is_some());
    let account = h.pca.account(&home).expect("the account is stored under its home id");
    assert_eq!(account.account.username, "bo@contoso.com");
    let hit = h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().unwrap();
    assert_eq!(hit.access_token.secret(), "at-from-server");
    assert_eq!(h.token_requests(), 0);
    assert_eq!(hit.account.account.ms_graph_host, "graph.microsoft.com");
    // A result for a request that named a resource (msal keeps it on the access token): a
    // silent request for that resource is served it.
    let mcp = "https://mcp.example/";
    let for_mcp =
        Hydration { access_token: "at-for-mcp".into(), scopes: vec!["Tools.Read".into()], resource: Some(mcp.into()), ..hydration.clone() };
    h.pca.hydrate_cache(&for_mcp).unwrap();
    let request = SilentRequest {
        scopes: vec!["Tools.Read".into()],
        options: TokenOptions { resource: Some(mcp.into()), ..Default::default() },
        ..silent(&home)
    };
    let hit = h.pca.acquire_token_silent_cached(&request).unwrap().expect("a cache hit for the resource");
    assert_eq!(hit.access_token.secret(), "at-for-mcp");
    assert!(cached_access_tokens(&h).iter().any(|t| t.contains(r#""resource":"https://mcp.example/""#)));
    // msal reads the ID token's claims: a result without one is null_or_empty_token.
    let empty = Hydration { home_account_id: home.clone(), ..Default::default() };
    assert_eq!(h.pca.hydrate_cache(&empty).unwrap_err().code(), "null_or_empty_token");
    let access_only =
        Hydration { access_token: "at-alone".into(), scopes: vec!["User.Read".into()], home_account_id: home, ..Default::default() };
    assert_eq!(h.pca.hydrate_cache(&access_only).unwrap_err().code(), "null_or_empty_token");
    // The result's account's data boundary is kept with it (msal stores the result's account).
    let eu = harness();
    eu.pca.hydrate_cache(&Hydration { data_boundary: "EU".into(), ..hydration.clone() }).unwrap();
    assert_eq!(eu.pca.account(&hydration.home_account_id).unwrap().account.data_boundary, "EU");
}

#[test]
fn load_external_tokens_stores_a_token_response_obtained_elsewhere() {
    let h = harness();
    let id_token = jwt(&format!(r#"{{"sub":"sub-8","oid":"uid-8","tid":"{TENANT}","preferred_username":"cy@contoso.com","name":"Cy"}}"#));
    let client_info = msal_wasm::core::base64::encode_url(format!(r#"{{"uid":"uid-8","utid":"{TENANT}"}}"#).as_bytes());
    let home = format!("uid-8.{TENANT}");
    let response = format!(
        r#"{{"token_type":"Bearer","scope":"User.Read","expires_in":3600,"access_token":"at-ext","refresh_token":"rt-ext","id_token":"{id_token}","client_info":"{client_info}"}}"#
    );
    let req = SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let json = |t: &str| msal_wasm::core::json::Json::parse(t).unwrap_or_default();
    let r = block_on(h.pca.load_external_tokens(&req, &json(&response), "", (None, None), None)).unwrap();
    assert_eq!(
        (r.access_token.secret(), r.account.account.home_account_id.as_str(), r.from_cache),
        ("at-ext", home.as_str(), true),
        "msal: fromCache"
    );
    assert_eq!(r.expires_on_ms, NOW_MS + 3_600_000);
    // msal's load result: the stored account's tenant and id.
    assert_eq!((r.tenant_id.as_str(), r.unique_id.as_str()), (TENANT, "uid-8"));
    let hit = h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().unwrap();
    assert_eq!(hit.access_token.secret(), "at-ext");
    assert_eq!(h.token_requests(), 0);
    // msal's options: the client_info of a response without one, and the extended expiry.
    let bare = format!(r#"{{"token_type":"Bearer","scope":"Files.Read","expires_in":60,"access_token":"at-2","id_token":"{id_token}"}}"#);
    let files = SilentRequest { scopes: vec!["Files.Read".into()], ..Default::default() };
    let ext = NOW_MS / 1000 + 7200;
    let other_info = msal_wasm::core::base64::encode_url(format!(r#"{{"uid":"ci-8","utid":"{TENANT}"}}"#).as_bytes());
    let r = block_on(h.pca.load_external_tokens(&files, &json(&bare), &other_info, (None, Some(ext)), None)).unwrap();
    assert_eq!(r.account.account.home_account_id, format!("ci-8.{TENANT}"), "the account options.clientInfo names");
    assert_eq!(r.ext_expires_on_ms, ext * 1000);
    // An ID and a refresh token alone: stored, and no empty access token is.
    let only_id = format!(r#"{{"id_token":"{id_token}","client_info":"{client_info}","refresh_token":"rt-2"}}"#);
    let mail_req = SilentRequest { scopes: vec!["Mail.Read".into()], ..Default::default() };
    let r = block_on(h.pca.load_external_tokens(&mail_req, &json(&only_id), "", (None, None), None)).unwrap();
    assert_eq!(r.access_token.secret(), "");
    // msal's result without an access token: no scopes, no expiry, no type.
    assert_eq!((r.scopes.len(), r.expires_on_ms, r.ext_expires_on_ms, r.token_type.as_str()), (0, 0, 0, ""));
    let mail = SilentRequest { scopes: vec!["Mail.Read".into()], ..silent(&home) };
    assert!(h.pca.acquire_token_silent_cached(&mail).unwrap().is_none(), "no access token for Mail.Read was stored");
    // As msal: an access token without expires_in, or without any scope, is left out (the
    // rest is stored); options.expiresOn (seconds) replaces the response's; a loaded token is
    // Bearer and its refresh_in is not read.
    for (body, scopes) in [
        (
            format!(r#"{{"access_token":"at-x","scope":"Mail.Read","id_token":"{id_token}","client_info":"{client_info}"}}"#),
            vec!["Mail.Read"],
        ),
        (format!(r#"{{"access_token":"at-x","expires_in":0,"scope":"Mail.Read","client_info":"{client_info}"}}"#), vec!["Mail.Read"]),
        (format!(r#"{{"access_token":"at-x","expires_in":60,"client_info":"{client_info}"}}"#), vec![]),
    ] {
        let req = SilentRequest { scopes: scopes.into_iter().map(str::to_owned).collect(), ..Default::default() };
        let r = block_on(h.pca.load_external_tokens(&req, &json(&body), "", (None, None), None)).unwrap();
        assert_eq!((r.access_token.secret(), r.expires_on_ms), ("", 0), "{body}");
        assert!(h.pca.acquire_token_silent_cached(&mail).unwrap().is_none(), "{body}");
    }
    let on = NOW_MS / 1000 + 9000;
    let typed = format!(
        r#"{{"access_token":"at-y","token_type":"pop","expires_in":60,"refresh_in":1,"scope":"Tasks.Read","client_info":"{client_info}"}}"#
    );
    let tasks = SilentRequest { scopes: vec!["Tasks.Read".into()], ..Default::default() };
    let r = block_on(h.pca.load_external_tokens(&tasks, &json(&typed), "", (Some(on), None), None)).unwrap();
    assert_eq!(
        (r.expires_on_ms, r.ext_expires_on_ms, r.token_type.as_str(), r.refresh_on_ms),
        (on * 1000, NOW_MS + 60_000, "Bearer", None)
    );
    assert_eq!(r.tenant_id, TENANT, "a load without an ID token names the account's tenant (client_info's)");
    // A guest tenant's ID token for the account stored in its home tenant: msal's result names
    // the stored account's tenant and id.
    let guest_id = jwt(&format!(r#"{{"sub":"s-g","oid":"guest-oid","tid":"{GUEST_TENANT}","preferred_username":"cy@contoso.com"}}"#));
    let guest =
        format!(r#"{{"access_token":"at-g","expires_in":60,"scope":"Guest.Read","id_token":"{guest_id}","client_info":"{client_info}"}}"#);
    let r = block_on(h.pca.load_external_tokens(&tasks, &json(&guest), "", (None, None), None)).unwrap();
    assert_eq!((r.tenant_id.as_str(), r.unique_id.as_str()), (TENANT, "uid-8"));
    // What msal refuses.
    for (bad, code) in [
        (r#"{"token_type":"Bearer"}"#, "unable_to_load_token"),
        (r#"{"access_token":"x"}"#, "unable_to_load_token"),
        ("[]", "unable_to_load_token"),
        ("null", "unable_to_load_token"),
        (r#"{"error":"invalid_grant"}"#, "invalid_grant"),
        // (A lifetime that is no number is 0, as msal reads one: no access token to load.)
        (r#"{"access_token":"x","expires_in":"soon"}"#, "unable_to_load_token"),
    ] {
        assert_eq!(block_on(h.pca.load_external_tokens(&req, &json(bad), "", (None, None), None)).unwrap_err().code(), code, "{bad}");
    }
    // An access token alone, for an account the app hands over and the cache lacks: as msal,
    // the account is stored as given, and the token is served for it.
    let home = format!("uid-9.{TENANT}");
    let given = Account {
        home_account_id: home.clone(),
        environment: "login.microsoftonline.com".into(),
        realm: TENANT.into(),
        local_account_id: "uid-9".into(),
        username: "dee@contoso.com".into(),
        name: "Dee".into(),
        authority_type: "MSSTS".into(),
        client_info: String::new(),
        tenant_profiles: Vec::new(),
        last_updated_at_ms: 0,
        data_boundary: String::new(),
        cloud_graph_host_name: String::new(),
        ms_graph_host: String::new(),
    };
    let for_dee = SilentRequest { scopes: vec!["Dee.Read".into()], account: Some(AccountRef::new(home.clone())), ..Default::default() };
    let bare = r#"{"access_token":"at-dee","expires_in":3600,"scope":"Dee.Read"}"#;
    assert_eq!(
        block_on(h.pca.load_external_tokens(&for_dee, &json(bare), "", (None, None), None)).unwrap_err().code(),
        "unable_to_load_token",
        "nothing names the account"
    );
    let other = h.tab(config()); // a tab of its own sessionStorage
    let r = block_on(h.pca.load_external_tokens(&for_dee, &json(bare), "", (None, None), Some(&given))).unwrap();
    h.platform.run::<()>(vec![]);
    assert!(other.all_accounts().iter().any(|a| a.account.home_account_id == home), "a new account is announced to the other tabs");
    assert_eq!((r.access_token.secret(), r.account.account.username.as_str()), ("at-dee", "dee@contoso.com"));
    let stored = h.pca.all_accounts().into_iter().find(|a| a.account.home_account_id == home).expect("the account is stored");
    assert_eq!((stored.account.name.as_str(), stored.account.local_account_id.as_str()), ("Dee", "uid-9"));
    let hit = block_on(h.pca.acquire_token_silent(&for_dee)).unwrap();
    assert_eq!((hit.access_token.secret(), hit.from_cache), ("at-dee", true));
    // A response with client_info that says no data boundary, for an account handed over with
    // one: the account keeps it (msal stores the account it was given).
    let h = harness();
    let home = format!("uid-8.{TENANT}");
    let given = Account { home_account_id: home.clone(), local_account_id: "uid-8".into(), data_boundary: "EU".into(), ..given };
    let info = base64::encode_url(format!(r#"{{"uid":"uid-8","utid":"{TENANT}"}}"#).as_bytes());
    let with_info = format!(r#"{{"access_token":"at-8","expires_in":3600,"scope":"Dee.Read","client_info":"{info}"}}"#);
    let for_8 = SilentRequest { account: Some(AccountRef::new(home.clone())), ..for_dee };
    let r = block_on(h.pca.load_external_tokens(&for_8, &json(&with_info), "", (None, None), Some(&given))).unwrap();
    assert_eq!(r.account.account.data_boundary, "EU");
    assert_eq!(h.pca.account(&home).unwrap().account.data_boundary, "EU");
    // A response fetched by a test runner: an ID token (its `sub` is per app, not the `oid`)
    // and no client_info. The tokens are the request's account's, as msal's loadAccount
    // stores them; no second account under the `sub`.
    let h = harness();
    let id_token = jwt(&format!(r#"{{"sub":"sub-9","oid":"uid-9","tid":"{TENANT}","preferred_username":"dee@contoso.com"}}"#));
    let home = format!("uid-9.{TENANT}");
    let given = Account { home_account_id: home.clone(), local_account_id: "uid-9".into(), data_boundary: String::new(), ..given };
    let for_9 = SilentRequest { account: Some(AccountRef::new(home.clone())), ..for_8 };
    let from_runner =
        format!(r#"{{"access_token":"at-9","refresh_token":"rt-9","expires_in":3600,"scope":"Dee.Read","id_token":"{id_token}"}}"#);
    let r = block_on(h.pca.load_external_tokens(&for_9, &json(&from_runner), "", (None, None), Some(&given))).unwrap();
    assert_eq!(r.account.account.home_account_id, home);
    assert_eq!(h.pca.all_accounts().len(), 1, "{:?}", h.pca.all_accounts());
    let hit = block_on(h.pca.acquire_token_silent(&for_9)).unwrap();
    assert_eq!((hit.access_token.secret(), hit.from_cache), ("at-9", true));
    // msal's order: options.clientInfo before the response's.
    let h = harness();
    let info = |uid: &str| base64::encode_url(format!(r#"{{"uid":"{uid}","utid":"{TENANT}"}}"#).as_bytes());
    let both = format!(r#"{{"access_token":"at-x","expires_in":3600,"scope":"Dee.Read","client_info":"{}"}}"#, info("uid-9"));
    let files = SilentRequest { scopes: vec!["Dee.Read".into()], ..Default::default() };
    let r = block_on(h.pca.load_external_tokens(&files, &json(&both), &info("ci-x"), (None, None), None)).unwrap();
    assert_eq!(r.account.account.home_account_id, format!("ci-x.{TENANT}"));
}

#[test]
fn a_refresh_token_lifetime_of_zero_states_none() {
    let h = harness();
    let id_token = jwt(&format!(r#"{{"sub":"s","oid":"uid-1","tid":"{TENANT}","preferred_username":"ada@contoso.com"}}"#));
    let info = base64::encode_url(format!(r#"{{"uid":"uid-1","utid":"{TENANT}"}}"#).as_bytes());
    let body = format!(
        r#"{{"access_token":"at-0","refresh_token":"rt-1","refresh_token_expires_in":0,"expires_in":1,"scope":"User.Read","id_token":"{id_token}","client_info":"{info}"}}"#
    );
    h.idp.borrow_mut().issued_rts.push("rt-1".into());
    let req = SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let json = msal_wasm::core::json::Json::parse(&body).unwrap();
    let r = block_on(h.pca.load_external_tokens(&req, &json, "", (None, None), None)).unwrap();
    h.platform.set_now_ms(NOW_MS + 10_000);
    let policy = SilentRequest {
        cache_lookup_policy: msal_wasm::client::CacheLookupPolicy::AccessTokenAndRefreshToken,
        ..silent(&r.account.account.home_account_id)
    };
    let renewed = block_on(h.pca.acquire_token_silent(&policy)).expect("the refresh token has no stated end");
    assert!(!renewed.from_cache);
    assert_eq!(h.token_requests(), 1);
}

/// Signs in with `req` (a redirect when `redirect`, its pending request read back from the
/// tab's storage as after the round trip; else a popup): the authorize URL and the result.
fn sign_in_with(h: &Harness, req: &InteractiveRequest, redirect: bool) -> (String, msal_wasm::client::AuthenticationResult) {
    let itype = if redirect { InteractionType::Redirect } else { InteractionType::Popup };
    let mut pending = h.pca.begin_interaction(req, itype, "https://app.example/start").unwrap();
    let url = pending.url.clone();
    if redirect {
        pending = h.pca.pending_redirect().expect("the redirect request is kept in the tab");
    }
    h.idp.borrow_mut().challenge = query_param(&url, "code_challenge");
    h.idp.borrow_mut().nonce = query_param(&url, "nonce");
    let response = format!("#code=the-code&state={}&client_info=x", msal_wasm::core::url::encode(&query_param(&url, "state")));
    (url, block_on(h.pca.finish_interaction(pending, &response)).unwrap())
}

fn last_token_request(h: &Harness) -> msal_wasm::core::http::HttpRequest {
    h.platform.requests.borrow().iter().rev().find(|r| r.url.contains("/token")).cloned().unwrap()
}

fn with_options(options: TokenOptions) -> InteractiveRequest {
    InteractiveRequest { scopes: vec!["User.Read".into()], options, ..Default::default() }
}

fn cached_access_tokens(h: &Harness) -> Vec<String> {
    let cache = h.platform.cache();
    cache.keys().into_iter().filter(|k| k.contains("|accesstoken|")).filter_map(|k| cache.get(&k)).collect()
}

#[test]
fn a_resource_is_sent_kept_on_the_access_token_and_asked_of_cached_ones() {
    let h = harness();
    let mcp = || TokenOptions { resource: Some("https://mcp.example/".into()), ..Default::default() };
    let (url, r) = sign_in_with(&h, &with_options(mcp()), true);
    assert_eq!(query_param(&url, "resource"), "https://mcp.example/");
    assert_eq!(last_token_request(&h).form_field("resource").as_deref(), Some("https://mcp.example/"), "kept across the redirect");
    let stored = cached_access_tokens(&h);
    assert!(stored.len() == 1 && stored[0].contains(r#""resource":"https://mcp.example/""#), "{stored:?}");
    let home = r.account.account.home_account_id.clone();
    let for_resource = |resource: Option<&str>| SilentRequest {
        options: TokenOptions { resource: resource.map(str::to_owned), ..Default::default() },
        ..silent(&home)
    };
    // The same resource, or none (msal): the cached token.
    for resource in [Some("https://mcp.example/"), None] {
        let hit = h.pca.acquire_token_silent_cached(&for_resource(resource)).unwrap().expect("a cache hit");
        assert_eq!(hit.access_token.secret(), r.access_token.secret());
    }
    // Another resource: renewed with the refresh token, which names it.
    assert!(h.pca.acquire_token_silent_cached(&for_resource(Some("https://other.example/"))).unwrap().is_none());
    let renewed = block_on(h.pca.acquire_token_silent(&for_resource(Some("https://other.example/")))).unwrap();
    assert!(!renewed.from_cache);
    let sent = last_token_request(&h);
    assert_eq!(sent.form_field("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(sent.form_field("resource").as_deref(), Some("https://other.example/"));
    assert!(h.pca.acquire_token_silent_cached(&for_resource(Some("https://other.example/"))).unwrap().is_some());
}

#[test]
fn attribute_tokens_go_to_the_token_endpoint_and_partition_the_cached_access_tokens() {
    let h = harness();
    let tokens = |t: &[&str]| TokenOptions { attribute_tokens: t.iter().map(|s| (*s).to_owned()).collect(), ..Default::default() };
    // Unsorted on purpose: msal sends and partitions them sorted. A plain token first.
    let (_, plain) = sign_in_with(&h, &with_options(TokenOptions::default()), false);
    let home = plain.account.account.home_account_id.clone();
    let (url, r) = sign_in_with(&h, &with_options(tokens(&["b.jwt", "a.jwt"])), true);
    assert!(!url.contains("attribute_tokens"), "token requests only (msal)");
    assert_eq!(last_token_request(&h).form_field("attribute_tokens").as_deref(), Some("a.jwt b.jwt"), "kept across the redirect, sorted");
    let stored = cached_access_tokens(&h);
    assert_eq!(stored.len(), 2, "a partitioned token does not replace the plain one: {stored:?}");
    assert!(stored.iter().any(|e| e.contains(r#""additionalCacheKeyComponents":{"attribute_tokens":"a.jwt b.jwt"}"#)), "{stored:?}");
    let with = |o: TokenOptions| SilentRequest { options: o, ..silent(&home) };
    let hit = |o: TokenOptions| h.pca.acquire_token_silent_cached(&with(o)).unwrap().map(|r| r.access_token.secret().to_owned());
    // Each partition is served its own token, and only it (both ways, as msal).
    assert_eq!(hit(tokens(&["a.jwt", "b.jwt"])).as_deref(), Some(r.access_token.secret()));
    assert_eq!(hit(tokens(&["b.jwt", "a.jwt"])).as_deref(), Some(r.access_token.secret()), "in any order");
    assert_eq!(hit(tokens(&[])).as_deref(), Some(plain.access_token.secret()));
    assert_eq!(hit(tokens(&["a.jwt"])), None);
    let before = h.token_requests();
    let renewed = block_on(h.pca.acquire_token_silent(&with(tokens(&["a.jwt"])))).unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(h.token_requests(), before + 1);
    let sent = last_token_request(&h);
    assert_eq!(sent.form_field("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(sent.form_field("attribute_tokens").as_deref(), Some("a.jwt"));
    assert_eq!(cached_access_tokens(&h).len(), 3);
    assert_eq!(hit(tokens(&["a.jwt", "b.jwt"])).as_deref(), Some(r.access_token.secret()), "other partitions are untouched");
}

#[test]
fn extra_scopes_to_consent_are_asked_at_the_authorize_endpoint_only() {
    let h = harness();
    let req = InteractiveRequest { extra_scopes_to_consent: vec!["Mail.Read".into()], ..with_options(TokenOptions::default()) };
    let (url, r) = sign_in_with(&h, &req, true);
    assert_eq!(query_param(&url, "scope"), "User.Read Mail.Read openid profile offline_access");
    assert_eq!(
        last_token_request(&h).form_field("scope").as_deref(),
        Some("User.Read openid profile offline_access"),
        "msal redeems for the request's scopes"
    );
    assert!(r.scopes.iter().all(|s| s != "Mail.Read"), "{:?}", r.scopes);
}

#[test]
fn a_popup_may_take_the_interaction_over_and_the_one_it_replaced_is_cancelled() {
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let first = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    assert_eq!(h.pca.open_popup(&req, PopupAttributes::default()).unwrap_err().code(), "interaction_in_progress");
    let over = InteractiveRequest { override_interaction_in_progress: true, ..req.clone() };
    let second = h.pca.open_popup(&over, PopupAttributes::default()).unwrap();
    let e = block_on(h.pca.complete_popup(first)).unwrap_err();
    assert_eq!((e.code(), e.kind().class_name()), ("interaction_in_progress_cancelled", "BrowserAuthError"));
    assert!(h.pca.interaction_in_progress(), "the lock stays with the request that took it over");
    assert_eq!(h.token_requests(), 0, "the cancelled popup redeems nothing");
    let r = block_on(h.pca.complete_popup(second)).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert!(!h.pca.interaction_in_progress());
    assert_eq!(h.token_requests(), 1);
}

#[test]
fn a_sign_out_popup_taken_over_leaves_the_lock_to_the_request_that_took_it() {
    // The user clicks sign-in while the sign-out popup is open, and the app overrides the
    // interaction in progress: the sign-out's end must not release the sign-in's lock (a
    // second click would then open a second popup).
    let h = harness();
    let r = h.sign_in();
    let home = r.account.account.home_account_id.clone();
    let logout = LogoutRequest { account: Some(AccountRef::new(&home)), ..Default::default() };
    let out = h.pca.open_logout_popup(&logout, PopupAttributes::default()).unwrap();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], override_interaction_in_progress: true, ..Default::default() };
    let sign_in = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    block_on(h.pca.complete_logout_popup(out)).unwrap();
    assert!(h.pca.interaction_in_progress(), "the lock stays with the sign-in");
    let again = InteractiveRequest { override_interaction_in_progress: false, ..req.clone() };
    assert_eq!(h.pca.open_popup(&again, PopupAttributes::default()).unwrap_err().code(), "interaction_in_progress");
    block_on(h.pca.complete_popup(sign_in)).unwrap();
    assert!(!h.pca.interaction_in_progress());
}

#[test]
fn a_popup_taken_over_while_its_code_is_redeemed_leaves_the_lock_to_the_new_one() {
    let h = harness();
    h.platform.set_network_delay_ms(50);
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let first = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let over = InteractiveRequest { override_interaction_in_progress: true, ..req.clone() };
    let taken = RefCell::new(None);
    let take_over = async {
        h.platform.sleep(10).await;
        *taken.borrow_mut() = Some(h.pca.open_popup(&over, PopupAttributes::default()).unwrap());
        true
    };
    // The first popup's answer came before the take-over: it redeems its own code with its own
    // verifier, and gets its tokens.
    let redeem = async {
        h.pca.complete_popup(first).await.unwrap();
        true
    };
    let tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>> = vec![Box::pin(redeem), Box::pin(take_over)];
    h.platform.run(tasks);
    assert_eq!(h.token_requests(), 1, "the first popup's code was redeemed, after the take-over");
    assert!(h.pca.interaction_in_progress(), "the lock stays with the popup that took it over");
    let second = taken.borrow_mut().take().unwrap();
    let done: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = _>>>> = vec![Box::pin(h.pca.complete_popup(second))];
    assert!(h.platform.run(done).pop().unwrap().is_ok());
    assert!(!h.pca.interaction_in_progress());
}

#[test]
fn a_popup_whose_lease_ran_out_leaves_the_lock_to_the_popup_that_took_it() {
    // The computer slept with popup A open: its lease (wall clock) ran out. A second click
    // opens popup B over the expired lock; A's end must not release B's lock. (Here A, completed
    // after B opened, sees the take-over and ends with interaction_in_progress_cancelled. A popup
    // already waiting is cancelled by the platform's cancel_popup_waits, which the memory
    // platform does not model.)
    let h = harness();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let a = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    h.platform.set_now_ms(NOW_MS + 3_600_000);
    let b = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    assert!(block_on(h.pca.complete_popup(a)).is_err(), "A ends: the lock is B's");
    assert!(h.pca.interaction_in_progress(), "B keeps the lock");
    assert_eq!(h.pca.open_popup(&req, PopupAttributes::default()).unwrap_err().code(), "interaction_in_progress");
    block_on(h.pca.complete_popup(b)).unwrap();
    assert!(!h.pca.interaction_in_progress());
}

/// With `system.enableLegacyPolling` a popup has no timeout (msal 4's poller): its lock is
/// leased as a redirect's, so a second sign-in 90 s in is refused instead of taking the lock
/// over and cancelling the popup the user is still in.
#[test]
fn a_legacy_polled_popup_keeps_its_lock_past_the_popup_lease() {
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    for legacy in [false, true] {
        let mut c = config();
        c.legacy_polling = legacy;
        let h = harness_with(c);
        let first = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
        h.platform.set_now_ms(NOW_MS + 91_000);
        let second = h.pca.open_popup(&req, PopupAttributes::default());
        assert_eq!(second.as_ref().err().map(|e| e.code()), legacy.then_some("interaction_in_progress"), "legacy: {legacy}");
        drop((first, second));
    }
}

#[test]
fn http_method_post_sends_the_authorize_request_as_a_form() {
    let h = harness();
    let post = InteractiveRequest {
        post: true,
        extra_query_parameters: vec![("dc".into(), "ESTS-PUB-WUS2".into())],
        ..with_options(TokenOptions { extra_parameters: vec![("x".into(), "body".into())], ..Default::default() })
    };
    // The action URL carries extraQueryParameters and client-request-id; the form the rest.
    let pending = h.pca.begin_interaction(&post, InteractionType::Redirect, "https://app.example/").unwrap();
    let query: Vec<String> = parse_query(pending.url.split_once('?').unwrap().1).into_iter().map(|(k, _)| k).collect();
    assert_eq!(query, ["dc", "client-request-id"], "{}", pending.url);
    let form = parse_query(pending.form.as_deref().expect("a POST has a form"));
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(field("scope"), Some("User.Read openid profile offline_access"));
    assert_eq!((field("response_type"), field("x"), field("dc")), (Some("code"), Some("body"), None));
    assert!(field("state").is_some() && field("code_challenge").is_some() && field("client-request-id").is_none());
    h.pca.abort_interaction(&pending);
    // A popup opens on about:blank and the form is posted into it; the response is redeemed.
    let started = h.pca.open_popup(&post, PopupAttributes::default()).unwrap();
    let windows = h.platform.windows.borrow().clone();
    assert_eq!(windows[windows.len() - 2], "about:blank");
    assert!(windows.last().unwrap().starts_with("POST https://login.microsoftonline.com/"), "{windows:?}");
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    assert_eq!(h.token_requests(), 1);
    // A hidden frame posts it too.
    let frame = InteractiveRequest { post: true, ..with_options(TokenOptions::default()) };
    block_on(h.pca.sso_silent(&InteractiveRequest { account: Some(AccountRef::new(&r.account.account.home_account_id)), ..frame }))
        .unwrap();
    let last = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(last.starts_with("POST ") && last.contains("prompt=none"), "{last}");
}

#[test]
fn an_mcp_client_needs_a_resource_named_once() {
    let mut config = config();
    config.is_mcp = true;
    let h = harness_with(config);
    let named = TokenOptions { resource: Some("https://mcp.example/".into()), ..Default::default() };
    for (options, extra_query, code) in [
        (TokenOptions::default(), vec![], "resource_parameter_required"),
        (named.clone(), vec![("resource".to_owned(), "https://x/".to_owned())], "misplaced_resource_parameter"),
        (
            TokenOptions { extra_parameters: vec![("resource".into(), "https://x/".into())], ..named.clone() },
            vec![],
            "misplaced_resource_parameter",
        ),
    ] {
        let req = InteractiveRequest { extra_query_parameters: extra_query.clone(), ..with_options(options.clone()) };
        let e = h.pca.begin_interaction(&req, InteractionType::Popup, "https://app.example/").unwrap_err();
        assert_eq!(e.code(), code);
        assert_eq!(e.kind(), ErrorKind::Client);
        let code_req = msal_wasm::client::ByCodeRequest { extra_query_parameters: extra_query.clone(), ..by_code("c", options.clone()) };
        assert_eq!(block_on(h.pca.acquire_token_by_code(&code_req)).unwrap_err().code(), code);
        let req = SilentRequest { options, extra_query_parameters: extra_query, ..silent("uid-1.x") };
        assert_eq!(h.pca.acquire_token_silent_cached(&req).unwrap_err().code(), code);
        assert_eq!(block_on(h.pca.acquire_token_silent_network(&req)).unwrap_err().code(), code);
    }
    assert!(!h.pca.interaction_in_progress(), "a refused request takes no lock");
    assert_eq!(h.token_requests(), 0);
    sign_in_with(&h, &with_options(named), false);
}

#[test]
fn extra_parameters_reach_the_authorize_url_and_the_token_requests() {
    let h = harness();
    let extra = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>();
    let req = InteractiveRequest {
        extra_query_parameters: extra(&[("x", "query"), ("q", "only-query")]),
        ..with_options(TokenOptions { extra_parameters: extra(&[("x", "body"), ("scope", "hijack"), ("e", "")]), ..Default::default() })
    };
    let (url, r) = sign_in_with(&h, &req, true);
    assert_eq!(query_param(&url, "x"), "body", "extraParameters win over extraQueryParameters (msal merges them so)");
    assert_eq!(query_param(&url, "q"), "only-query");
    assert_eq!(query_param(&url, "scope"), "User.Read openid profile offline_access", "never over the library's own");
    assert!(!url.contains("&e="), "an empty value is not sent");
    let sent = last_token_request(&h);
    assert_eq!(sent.form_field("x").as_deref(), Some("body"), "kept across the redirect");
    assert_eq!(sent.form_field("q"), None, "extraQueryParameters stay in the URL");
    assert_eq!(sent.form_field("scope").as_deref(), Some("User.Read openid profile offline_access"));
    let home = r.account.account.home_account_id;
    let req = SilentRequest {
        force_refresh: true,
        options: TokenOptions { extra_parameters: extra(&[("x", "renewal")]), ..Default::default() },
        ..silent(&home)
    };
    block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert_eq!(last_token_request(&h).form_field("x").as_deref(), Some("renewal"));
}

#[test]
fn store_in_cache_keeps_the_credentials_it_turns_off_out_of_the_cache() {
    let h = harness();
    let store = StoreInCache { access_token: false, id_token: true, refresh_token: false };
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions { store, ..Default::default() }), false);
    assert_eq!(r.access_token.secret(), "at-1", "the result carries the token all the same");
    let keys = h.platform.cache().keys();
    assert!(!keys.iter().any(|k| k.contains("|accesstoken|") || k.contains("|refreshtoken|")), "{keys:?}");
    assert!(keys.iter().any(|k| k.contains("|idtoken|")), "{keys:?}");
    let home = r.account.account.home_account_id;
    assert_eq!(h.pca.all_accounts().len(), 1, "the account is stored");
    // Nothing to renew with: silent renewal needs a new sign-in.
    let e = block_on(
        h.pca.acquire_token_silent(&SilentRequest { cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken, ..silent(&home) }),
    )
    .unwrap_err();
    assert_eq!(e.code(), "no_tokens_found");
}

#[test]
fn a_result_carries_the_responses_id_token_when_the_cache_does_not_keep_it() {
    // msal's result is built from the response: `storeInCache.idToken` off still hands the app
    // the ID token and its claims (roles, name), for a first sign-in and for a renewal.
    let h = harness();
    let store = StoreInCache { access_token: true, id_token: false, refresh_token: true };
    let (_, r) = sign_in_with(&h, &with_options(TokenOptions { store, ..Default::default() }), false);
    let keys = h.platform.cache().keys();
    assert!(!keys.iter().any(|k| k.contains("|idtoken|")), "{keys:?}");
    let idt = r.account.id_token.as_ref().expect("the response's ID token");
    assert!(!idt.secret().is_empty());
    let claims = r.account.id_token_claims.as_ref().expect("its claims");
    assert!(claims.get("oid").and_then(|v| v.as_str()).is_some_and(|s| !s.is_empty()), "{claims:?}");
    assert!(!r.account.account.name.is_empty(), "the name from the claims: {:?}", r.account.account);
    // A renewal whose new ID token is not kept: its result names the new claims, not the
    // cached sign-in's.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let claims =
        format!(r#"{{"sub":"sub-1","oid":"uid-1","tid":"{TENANT}","preferred_username":"ada@contoso.com","name":"Bea","sid":"sid-1"}}"#);
    let client_info = base64::encode_url(format!(r#"{{"uid":"uid-1","utid":"{TENANT}"}}"#).as_bytes());
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(
        200,
        format!(
            r#"{{"token_type":"Bearer","scope":"User.Read openid profile","expires_in":3600,"access_token":"at-new","refresh_token":"rt-new","client_info":"{client_info}","id_token":"{}"}}"#,
            jwt(&claims)
        ),
    ));
    let req = SilentRequest { force_refresh: true, options: TokenOptions { store, ..Default::default() }, ..silent(&home) };
    let renewed = block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert_eq!(renewed.access_token.secret(), "at-new");
    assert_eq!(renewed.account.account.name, "Bea");
    assert_eq!(renewed.account.id_token_claims.as_ref().and_then(|c| c.str_field("name")), Some("Bea"));
}

#[test]
fn a_refresh_token_that_expires_within_the_offset_is_not_used() {
    let h = harness();
    h.idp.borrow_mut().rt_expires_in = Some(86_400);
    let home = h.sign_in().account.account.home_account_id;
    let req = |offset: u64| SilentRequest {
        cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken,
        refresh_token_expiration_offset_secs: offset,
        ..silent(&home)
    };
    // 200 s before the refresh token expires: within msal's default 5 minutes.
    h.platform.set_now_ms(NOW_MS + (86_400 - 200) * 1000);
    let e = block_on(h.pca.acquire_token_silent(&req(0))).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("refresh_token_expired", ErrorKind::InteractionRequired));
    assert_eq!(h.token_requests(), 1, "nothing is sent");
    // A request with a shorter offset still uses it (it was kept).
    let renewed = block_on(h.pca.acquire_token_silent(&req(100))).unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(h.token_requests(), 2);
}

#[test]
fn an_older_msals_entries_past_cache_retention_days_are_not_migrated() {
    // A v4 account last updated six days ago: msal v5's default retention (5 days) drops it when
    // the client starts, 10 days migrate it.
    let accounts = |retention_days: u64| {
        let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
        let store = platform.cache_store();
        let key = "msal.2|old.home|login.microsoftonline.com|utid";
        let updated = NOW_MS - 6 * 86_400_000;
        store.set("msal.2.account.keys", &format!(r#"["{key}"]"#)).unwrap();
        store
            .set(key, &format!(r#"{{"homeAccountId":"old.home","environment":"login.microsoftonline.com","realm":"utid","localAccountId":"l","username":"u@x","authorityType":"MSSTS","lastUpdatedAt":"{updated}"}}"#))
            .unwrap();
        // Its ID token of this client (an older account is migrated with it, as msal 5's).
        let idt = "msal.2|old.home|login.microsoftonline.com|idtoken|c|utid||";
        store.set(idt, r#"{"homeAccountId":"old.home","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"c","secret":"x.e30.x","realm":"utid"}"#).unwrap();
        store.set("msal.2.token.keys.c", &format!(r#"{{"idToken":["{idt}"],"accessToken":[],"refreshToken":[]}}"#)).unwrap();
        let mut config = Config::new("c").with_authority(AUTHORITY).with_redirect_uri("https://a/");
        config.cache_retention_days = retention_days;
        let _pca = PublicClientApplication::new(config, platform).unwrap();
        (store.get(key).is_some(), store.get("msal.3|old.home|login.microsoftonline.com|home").is_some())
    };
    assert_eq!(accounts(5), (false, false), "removed");
    assert_eq!(accounts(10), (true, true), "copied to the current schema (the older copy stays, as msal 5's)");
}

#[test]
fn an_account_that_is_not_cached_can_be_made_active_and_is_active_once_it_signs_in() {
    // msal-react sets the active account from its `accounts` state, which can trail the cache
    // (another tab signed the account out): msal keeps the filters and never throws.
    let h = harness();
    let signed_in = h.sign_in().account.account;
    h.pca.set_active_account(Some(&AccountRef::new("not.cached"))).unwrap();
    assert!(h.pca.active_account().is_none());
    // The filters name an account that arrives later: it is the active one then.
    h.pca.set_active_account(Some(&AccountRef::new(signed_in.home_account_id.clone()))).unwrap();
    assert_eq!(h.pca.active_account().unwrap().account.home_account_id, signed_in.home_account_id);
    h.pca.set_active_account(None).unwrap();
    h.pca.clear_cache(None).unwrap();
    h.pca.set_active_account(Some(&AccountRef::new(signed_in.home_account_id.clone()))).unwrap();
    assert!(h.pca.active_account().is_none());
    let again = h.sign_in().account.account;
    assert_eq!(again.home_account_id, signed_in.home_account_id);
    assert_eq!(h.pca.active_account().unwrap().account.home_account_id, signed_in.home_account_id);
}

/// A by-code request for `code` (`User.Read`, the configured redirect URI) with `options`.
fn by_code(code: &str, options: msal_wasm::client::TokenOptions) -> msal_wasm::client::ByCodeRequest {
    msal_wasm::client::ByCodeRequest {
        code: msal_wasm::secret::AuthCode::new(code),
        scopes: vec!["User.Read".into()],
        options,
        ..Default::default()
    }
}

#[test]
fn a_silent_request_without_an_account_or_active_account_is_refused_whatever_it_skips() {
    // msal checks `request.account || getActiveAccount()` before anything: without one, even a
    // request that skips the cache (Skip, forceRefresh, claims, the refresh-token policies, DPoP)
    // is no_account_error, with no network call and no hidden frame (whose authorize request,
    // without hints, would sign in whoever holds the provider's session).
    let h = harness();
    h.sign_in();
    h.pca.set_active_account(None).unwrap();
    let before = h.token_requests();
    let none = SilentRequest { account: None, ..silent("x") };
    let variants = [
        SilentRequest { cache_lookup_policy: CacheLookupPolicy::Skip, ..none.clone() },
        SilentRequest { force_refresh: true, ..none.clone() },
        SilentRequest { claims: r#"{"access_token":{"nbf":{"essential":true,"value":"1"}}}"#.into(), ..none.clone() },
        SilentRequest { cache_lookup_policy: CacheLookupPolicy::RefreshToken, ..none.clone() },
        SilentRequest { cache_lookup_policy: CacheLookupPolicy::RefreshTokenAndNetwork, ..none.clone() },
    ];
    for req in &variants {
        assert_eq!(h.pca.acquire_token_silent_cached(req).unwrap_err().code(), "no_account_error", "{req:?}");
        assert_eq!(block_on(h.pca.acquire_token_silent(req)).unwrap_err().code(), "no_account_error", "{req:?}");
    }
    assert!(h.platform.windows.borrow().is_empty(), "no hidden frame");
    assert_eq!(h.token_requests(), before, "no token request");
}

#[test]
fn a_request_for_offline_access_alone_is_never_served_another_resources_token() {
    // Its cache search has no scope left (msal's createSearchScopes drops offline_access), and
    // msal's containsScopeSet matches nothing with an empty set: the cache misses and the
    // token endpoint answers, instead of the account's User.Read token being served.
    let h = harness();
    let r = h.sign_in();
    let home = r.account.account.home_account_id.clone();
    let req = SilentRequest { scopes: vec!["offline_access".into()], ..silent(&home) };
    assert!(h.pca.acquire_token_silent_cached(&req).unwrap().is_none(), "a miss, not the User.Read token");
    // The User.Read token itself is still a hit.
    assert!(h.pca.acquire_token_silent_cached(&silent(&home)).unwrap().is_some());
}

#[test]
fn a_silent_request_for_an_account_the_cache_lacks_tries_a_hidden_frame_with_its_hints() {
    // msal: an account given but not cached has no tokens (no_tokens_found, which a hidden
    // frame may resolve): the frame's authorize request takes its hints from the app's object.
    // No account at all is no_account_error.
    let h = harness();
    h.sign_in();
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    let gone = AccountRef {
        login_hint: "hint-of-9".into(),
        sid: "sid-9".into(),
        username: "nine@contoso.com".into(),
        ..AccountRef::new("uid-9.utid-9")
    };
    let req = SilentRequest { account: Some(gone.clone()), ..silent("x") };
    assert!(h.pca.acquire_token_silent_cached(&req).unwrap().is_none(), "a cache miss, not an error");
    let e = block_on(h.pca.acquire_token_silent(&req)).unwrap_err();
    assert_eq!((e.kind(), e.sub_error()), (ErrorKind::InteractionRequired, "iframe_no_response"));
    let frames = h.platform.windows.borrow().clone();
    assert_eq!(frames.len(), 1, "one hidden frame");
    // msal's order: the object's login_hint claim first (then its sid, then its username).
    assert_eq!(query_param(&frames[0], "login_hint"), "hint-of-9");
    // The anchor from its homeAccountId, as msal's buildClientInfoFromHomeAccountId.
    assert_eq!(query_param(&frames[0], "X-AnchorMailbox"), "Oid:uid-9@utid-9");
    // (After the back-off that a frame without an answer starts.)
    h.platform.set_now_ms(h.platform.now_ms() + 600_000);
    let no_claim = AccountRef { login_hint: String::new(), ..gone.clone() };
    let _ = block_on(h.pca.acquire_token_silent(&SilentRequest { account: Some(no_claim), ..silent("x") }));
    assert_eq!(query_param(&h.platform.windows.borrow()[1], "sid"), "sid-9");
    // A popup for it, too (a sid is a hint for prompt=none only).
    let popup =
        InteractiveRequest { account: Some(AccountRef { login_hint: String::new(), ..gone.clone() }), ..InteractiveRequest::default() };
    let pending = h.pca.begin_interaction(&popup, InteractionType::Popup, "https://app.example/start").unwrap();
    assert_eq!(query_param(&pending.url, "login_hint"), "nine@contoso.com");
    // The cached access token alone: msal's token_refresh_required, before any frame.
    let only_at = SilentRequest { cache_lookup_policy: CacheLookupPolicy::AccessToken, ..req.clone() };
    assert_eq!(block_on(h.pca.acquire_token_silent(&only_at)).unwrap_err().code(), "token_refresh_required");
    // Policies without the frame: the refresh token's no_tokens_found.
    let no_frame = SilentRequest { cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken, ..req };
    let e = block_on(h.pca.acquire_token_silent(&no_frame)).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("no_tokens_found", ErrorKind::InteractionRequired));
    assert_eq!(h.platform.windows.borrow().len(), 2, "no frame for those");
    let e = block_on(h.pca.acquire_token_silent(&SilentRequest { account: None, ..silent("x") })).unwrap_err();
    assert_eq!(e.code(), "no_account_error");
    // The cache lookup's refusals carry the request's correlation id, as msal stamps it.
    let named = SilentRequest { account: None, correlation_id: "cid-7".into(), ..silent("x") };
    assert_eq!(h.pca.acquire_token_silent_cached(&named).unwrap_err().correlation_id(), "cid-7");
}

#[test]
fn offline_a_hidden_frame_fails_as_offline_and_frames_are_not_held_back_after() {
    // Offline, a frame shows the browser's error page: no sign that frames get no answer on
    // this page. The call fails with msal's no_network_connectivity (not interaction required,
    // which sends msal-react's hook to a sign-in the browser cannot show), and the frames'
    // 5-minute back-off does not start, so the first call back online works.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let skip = SilentRequest { cache_lookup_policy: CacheLookupPolicy::Skip, ..silent(&home) };
    let offline = |e: msal_wasm::AuthError| {
        assert_eq!((e.code(), e.kind()), ("no_network_connectivity", ErrorKind::Browser));
        assert!(!e.is_interaction_required() && e.is_transient());
    };
    h.platform.set_online(false);
    offline(block_on(h.pca.acquire_token_silent(&skip)).unwrap_err());
    assert_eq!(h.platform.windows.borrow().len(), 1, "the frame is tried, as msal tries it");
    // Offline while the frame loads.
    h.platform.set_online(true);
    let p = h.platform.clone();
    h.platform.set_windows(move |_| {
        p.set_online(false);
        Err(WindowError::NoResponse)
    });
    offline(block_on(h.pca.acquire_token_silent(&skip)).unwrap_err());
    assert_eq!(h.platform.windows.borrow().len(), 2);
    // Back online: the next frame is tried, and answers.
    h.platform.set_online(true);
    h.platform.set_windows(front_channel(&h.idp));
    let r = block_on(h.pca.acquire_token_silent(&skip)).unwrap();
    assert!(!r.from_cache);
    assert_eq!(h.platform.windows.borrow().len(), 3);
    // Frames held back (one got no answer online), then offline: offline it is.
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    assert_eq!(block_on(h.pca.acquire_token_silent(&skip)).unwrap_err().sub_error(), "iframe_no_response");
    h.platform.set_online(false);
    offline(block_on(h.pca.acquire_token_silent(&skip)).unwrap_err());
    assert_eq!(h.platform.windows.borrow().len(), 4, "no frame while held back");
    h.platform.set_online(true);
    // A frame that waited out an app's longer timeout (no settle) while offline: offline too.
    let mut slow = config();
    slow.iframe_timeout_ms = 30_000;
    let h = harness_with(slow);
    let home = h.sign_in().account.account.home_account_id;
    let p = h.platform.clone();
    h.platform.set_windows(move |_| {
        p.set_online(false);
        Err(WindowError::TimedOut)
    });
    offline(
        block_on(h.pca.acquire_token_silent(&SilentRequest { cache_lookup_policy: CacheLookupPolicy::Skip, ..silent(&home) })).unwrap_err(),
    );
}

#[test]
fn a_refresh_error_that_needs_the_user_goes_to_the_app_without_a_hidden_frame() {
    // msal's checkIfRefreshTokenErrorCanBeResolvedSilently: a claims challenge or a basic_action
    // needs the user, so no frame (whose answer would replace the server's claims); a refused
    // refresh token (plain invalid_grant) may be replaced by one from the frame.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(
        400,
        r#"{"error":"invalid_grant","error_description":"AADSTS50076 MFA","suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"c1\"]}}}"}"#,
    ));
    let e = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("invalid_grant", "basic_action"));
    assert!(e.is_interaction_required());
    assert_eq!(h.platform.windows.borrow().len(), 0, "no hidden frame");
    // A plain invalid_grant: the frame is tried (here it gets no answer).
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"AADSTS70000 revoked"}"#));
    let e = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap_err();
    assert_eq!(e.sub_error(), "iframe_no_response");
    assert_eq!(h.platform.windows.borrow().len(), 1, "one hidden frame");
}

#[test]
fn preflight_refuses_what_msal_refuses_before_any_request() {
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Popup);
    h.pca.abort_interaction(&pending);
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let code = |r: Result<(), msal_wasm::AuthError>| r.err().map(|e| e.code().to_owned()).unwrap_or_default();

    // The app's page, loaded in the popup by its response, asks for tokens: refused.
    h.platform.set_page_url(format!("https://app.example/{response}"));
    assert_eq!(code(h.pca.preflight(false)), "block_nested_popups");
    assert_eq!(code(h.pca.open_popup(&req, PopupAttributes::default()).map(drop)), "block_nested_popups");
    assert_eq!(code(h.pca.acquire_token_silent_cached(&silent("uid-1")).map(drop)), "block_nested_popups");
    assert_eq!(code(block_on(h.pca.sso_silent(&req)).map(drop)), "block_nested_popups");
    assert!(h.platform.windows.borrow().is_empty(), "no window opened");
    // A redirect response on the page is not a popup's.
    let (pending, redirect_response) = h.authorize(InteractionType::Redirect);
    h.pca.abort_interaction(&pending);
    h.platform.set_page_url(format!("https://app.example/{redirect_response}"));
    assert_eq!(code(h.pca.preflight(false)), "");

    // In a frame: a response there is one of msal's hidden frames; no redirect from a frame.
    h.platform.set_in_frame(true);
    assert_eq!(code(h.pca.preflight(false)), "block_iframe_reload");
    h.platform.set_page_url("https://app.example/embedded");
    assert_eq!(code(h.pca.preflight(false)), "");
    // An app route that holds such names is no response (a framed app with hash routes).
    h.platform.set_page_url("https://app.example/#/products?cat=1&code=SKU42");
    assert_eq!(code(h.pca.preflight(false)), "");
    // Nor is a route named after one (msal wants a value): the app's own error page.
    h.platform.set_page_url("https://app.example/#/error");
    assert_eq!(code(h.pca.preflight(false)), "");
    assert_eq!(code(block_on(h.pca.begin_redirect(&req, "")).map(drop)), "redirect_in_iframe");
    assert_eq!(code(block_on(h.pca.begin_logout_redirect(&LogoutRequest::default())).map(drop)), "redirect_in_iframe");
    h.platform.set_in_frame(false);
    assert_eq!(code(h.pca.preflight(true)), "");
    // Unless the configuration allows it (msal's allowRedirectInIframe).
    let mut c = config();
    c.allow_redirect_in_iframe = true;
    let framed = harness_with(c);
    framed.platform.set_in_frame(true);
    framed.platform.set_page_url("https://app.example/embedded");
    assert!(block_on(framed.pca.begin_redirect(&req, "")).is_ok(), "a redirect from the frame starts");

    // A memory cache would not survive a redirect.
    let mut c = config();
    c.cache_location = msal_wasm::client::CacheLocation::MemoryStorage;
    let memory = harness_with(c);
    let e = block_on(memory.pca.begin_redirect(&req, "")).unwrap_err();
    assert_eq!((e.code(), e.kind().class_name()), ("in_mem_redirect_unavailable", "BrowserConfigurationAuthError"));
    assert!(!memory.pca.interaction_in_progress(), "nothing was started");
    assert_eq!(code(memory.pca.preflight(false)), "", "popups and silent calls work with a memory cache");
    // A cacheLocation msal does not know ("localstorage") keeps the cache in memory, and
    // redirects run, as msal refuses them for memoryStorage itself only.
    let mut c = config();
    c.cache_location = msal_wasm::client::CacheLocation::MemoryStorage;
    c.unknown_cache_location = true;
    let unknown = harness_with(c);
    assert!(block_on(unknown.pca.begin_redirect(&req, "")).is_ok(), "the redirect starts");
}

#[test]
fn a_hooks_silent_request_keeps_what_the_interactive_request_asks() {
    let req = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        claims: r#"{"access_token":{"acrs":{"essential":true}}}"#.into(),
        authority: Some("https://login.microsoftonline.com/other-tenant".into()),
        extra_query_parameters: vec![("dc".into(), "x".into())],
        redirect_uri: "https://app.example/r".into(),
        correlation_id: "cid".into(),
        state: "st".into(),
        options: TokenOptions { resource: Some("https://mcp.example/".into()), ..TokenOptions::default() },
        ..InteractiveRequest::default()
    };
    let s = SilentRequest::for_interactive(&req, Some(AccountRef::new("home")));
    assert_eq!((s.scopes, s.account), (req.scopes.clone(), Some(AccountRef::new("home"))));
    assert_eq!(
        (s.claims, s.authority, s.extra_query_parameters),
        (req.claims.clone(), req.authority.clone(), req.extra_query_parameters.clone())
    );
    assert_eq!((s.redirect_uri, s.correlation_id, s.state), (req.redirect_uri.clone(), req.correlation_id.clone(), req.state.clone()));
    assert_eq!(s.options.resource, req.options.resource);
}

#[test]
fn hydrate_cache_keeps_a_generic_providers_account_as_given_even_with_a_dot_in_its_sub() {
    use msal_wasm::client::Hydration;
    let h = harness_with(config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc));
    let sub = "001234.a1b2c3.1234"; // Sign in with Apple's shape
    let id_token = jwt(&format!(r#"{{"sub":"{sub}","preferred_username":"apple-user"}}"#));
    let hydration = Hydration {
        access_token: "at".into(),
        id_token,
        scopes: vec!["User.Read".into()],
        expires_on_ms: NOW_MS + 3_600_000,
        home_account_id: sub.into(),
        ..Default::default()
    };
    h.pca.hydrate_cache(&hydration).unwrap();
    let account = h.pca.account(sub).expect("stored under its sub");
    assert_eq!(account.account.local_account_id, sub, "no uid invented from the sub");
    assert_ne!(account.account.realm, "a1b2c3.1234", "no tenant invented from the sub");
    assert_eq!(h.token_requests(), 0);
}

#[test]
fn pocd_is_sent_when_the_page_passes_msals_popup_origin_check() {
    let pocd_of = |h: &Harness| {
        let pending =
            h.pca.begin_interaction(&with_options(TokenOptions::default()), InteractionType::Popup, "https://app.example/").unwrap();
        h.pca.abort_interaction(&pending);
        query_param(&pending.url, "pocd")
    };
    let h = harness();
    assert_eq!(pocd_of(&h), "1", "a top-level page");
    let home = h.sign_in().account.account.home_account_id;
    let url = h.pca.begin_logout(&logout(Some(&home), None, ""), InteractionType::Redirect).unwrap().url.unwrap();
    assert_eq!(query_param(&url, "pocd"), "1", "end-session requests too");
    h.pca.abort_logout();
    // In a frame of another origin the check fails: no pocd, unless auth.originCheck is false.
    h.platform.set_in_frame(true);
    assert_eq!(pocd_of(&h), "");
    let mut off = config();
    off.origin_check = false;
    let h = harness_with(off);
    h.platform.set_in_frame(true);
    assert_eq!(pocd_of(&h), "1");
}

#[test]
fn acquire_token_by_code_sends_what_msal_sends_no_redirect_uri_unless_named_its_claims_and_extra_query() {
    // msal's hybrid SPA client redeems a code obtained elsewhere without a redirect_uri (the
    // server's is not this page's); the request's claims go in the body and its extra query
    // parameters on the URL; its state comes back.
    let h = harness();
    let verifier = "a-verifier-of-the-code-obtained-elsewhere";
    h.idp.borrow_mut().challenge = msal_wasm::core::base64::encode_url(&msal_wasm::core::sha256::sha256(verifier.as_bytes()));
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    let req = msal_wasm::client::ByCodeRequest {
        code_verifier: Some(msal_wasm::secret::PkceVerifier::new(verifier)),
        claims: claims.into(),
        extra_query_parameters: vec![("dc".into(), "ESTS-PUB-X".into())],
        state: "app-state".into(),
        ..by_code("the-code", TokenOptions::default())
    };
    let r = block_on(h.pca.acquire_token_by_code(&req)).unwrap();
    assert_eq!(r.state, "app-state");
    let sent = last_token_request(&h);
    assert_eq!(sent.form_field("redirect_uri"), None);
    assert!(sent.form_field("claims").is_some_and(|c| c.contains(r#""acrs""#)));
    assert_eq!(query_param(&sent.url, "dc"), "ESTS-PUB-X");
    let named = msal_wasm::client::ByCodeRequest { redirect_uri: "https://app.example/from-server".into(), ..req };
    let _ = block_on(h.pca.acquire_token_by_code(&named));
    assert_eq!(last_token_request(&h).form_field("redirect_uri").as_deref(), Some("https://app.example/from-server"));
    // A relative one (a popup request's, reused) is made absolute against the page, as every
    // other redirect URI.
    h.platform.set_page_url("https://app.example/spa/home?tab=1");
    let relative = msal_wasm::client::ByCodeRequest { redirect_uri: "/blank.html".into(), ..by_code("the-code", TokenOptions::default()) };
    let _ = block_on(h.pca.acquire_token_by_code(&relative));
    assert_eq!(last_token_request(&h).form_field("redirect_uri").as_deref(), Some("https://app.example/blank.html"));
    // nativeAccountId (a platform broker's account; there is none here): msal's refusals.
    let before = h.token_requests();
    let native =
        |code: &str| msal_wasm::client::ByCodeRequest { native_account_id: "n-1".into(), ..by_code(code, TokenOptions::default()) };
    assert_eq!(block_on(h.pca.acquire_token_by_code(&native("c"))).unwrap_err().code(), "spa_code_and_nativeAccountId_present");
    assert_eq!(block_on(h.pca.acquire_token_by_code(&native(""))).unwrap_err().code(), "unable_to_acquire_token_from_native_platform");
    assert_eq!(
        block_on(h.pca.acquire_token_by_code(&by_code("", TokenOptions::default()))).unwrap_err().code(),
        "auth_code_or_nativeAccountId_required"
    );
    assert_eq!(h.token_requests(), before, "refused before any request");
}

#[test]
fn a_redirect_sign_out_signs_out_here_before_the_requests_authority_is_resolved_as_msal() {
    // msal clears the cache first, then resolves the authority: a request authority that
    // cannot be used still leaves the account signed out here, and the lock released.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let req = LogoutRequest { authority: Some("https://evil.example/tenant".into()), ..logout(Some(&home), None, "") };
    let e = block_on(h.pca.begin_logout_redirect(&req)).unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    assert!(h.pca.all_accounts().is_empty(), "signed out here");
    assert!(!h.pca.interaction_in_progress(), "the lock is released");
}

#[test]
fn an_entra_authority_without_an_end_session_endpoint_fails_the_sign_out_with_msals_code_after_signing_out_here() {
    // msal's endSessionEndpoint: end_session_endpoint_not_supported (ROPC policies have none).
    let no_logout = METADATA.replace(r#","end_session_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout""#, "");
    assert!(!no_logout.contains("end_session"));
    let h = harness_with(
        Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(no_logout),
    );
    let home = h.sign_in().account.account.home_account_id;
    let e = block_on(h.pca.begin_logout_redirect(&logout(Some(&home), None, ""))).unwrap_err();
    assert_eq!(e.code(), "end_session_endpoint_not_supported");
    assert!(h.pca.all_accounts().is_empty(), "signed out here first, as msal");
    assert!(!h.pca.interaction_in_progress());
}

fn relayed(uri: &str, version: u8) -> Harness {
    let mut config = config();
    config.popup_relay = Some(msal_wasm::client::PopupRelay { uri: uri.into(), version });
    let h = harness_with(config);
    h.platform.set_page_url("https://app.example/embedded/page?tab=1#top");
    // Framed by another site: the page fails msal's popup origin check.
    h.platform.set_in_frame(true);
    h
}

/// The address (without its fragment) and the fragment's parameters of the `at`-th window
/// this tab opened: a relay page's.
fn relay_window(h: &Harness, at: usize) -> (String, Vec<(String, String)>) {
    let opened = h.platform.windows.borrow()[at].clone();
    let (page, fragment) = opened.split_once('#').expect("the relay page carries the request in its fragment");
    (page.to_owned(), parse_query(fragment))
}

/// msal 5's popup relay (`auth.popupRelayUri`), protocol 1: the popup opens the relay page of
/// the app's origin with the request in its fragment; the provider's page is asked with
/// `pocd=1`; the answer the relay page posts back is redeemed.
#[test]
fn a_popup_goes_through_the_relay_page_with_the_request_in_its_address() {
    let h = relayed("relay.html", 1);
    let started = h
        .pca
        .open_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }, PopupAttributes::default())
        .unwrap();
    let (page, carried) = relay_window(&h, 0);
    assert_eq!(page, "https://app.example/relay.html", "resolved against the origin, as new URL(uri, origin)");
    assert_eq!(carried.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["req"]);
    let request = msal_wasm::core::json::Json::parse(&carried[0].1).unwrap();
    assert_eq!(request.str_field("method"), Some("GET"));
    let url = request.str_field("url").unwrap().to_owned();
    assert!(url.starts_with(&format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize?")), "{url}");
    assert_eq!(query_param(&url, "pocd"), "1", "the provider's window is the relay page's own popup");
    let state = msal_wasm::core::pkce::RequestState::parse(&query_param(&url, "state")).unwrap();
    assert_eq!(request.str_field("id"), Some(state.id.as_str()), "the request is the state's id: the channel the bridge answers on");
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert_eq!(h.platform.relays.borrow().as_slice(), [(1, carried[0].1.clone())]);
    assert!(!h.pca.interaction_in_progress());
}

/// Protocol 2: the relay page's address names the request's id only; the request is handed over
/// by the wait. A POST request goes as its action and fields, not posted into the relay page.
#[test]
fn protocol_2_hands_the_request_over_and_a_post_goes_as_its_fields() {
    let h = relayed("https://app.example/relay?v=2#old", 2);
    let post = InteractiveRequest { post: true, ..with_options(TokenOptions::default()) };
    let started = h.pca.open_popup(&post, PopupAttributes::default()).unwrap();
    let (page, carried) = relay_window(&h, 0);
    assert_eq!(page, "https://app.example/relay?v=2");
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].0, "id");
    assert_eq!(h.platform.windows.borrow().len(), 1, "nothing is posted into the relay page");
    block_on(h.pca.complete_popup(started)).unwrap();
    let (version, handed) = h.platform.relays.borrow()[0].clone();
    assert_eq!(version, 2);
    let request = msal_wasm::core::json::Json::parse(&handed).unwrap();
    assert_eq!(request.str_field("id"), Some(carried[0].1.as_str()));
    assert_eq!(request.str_field("method"), Some("POST"));
    assert!(request.str_field("action").unwrap().contains("/oauth2/v2.0/authorize"));
    let fields = request.get("fields").unwrap();
    assert_eq!(fields.str_field("response_type"), Some("code"));
    assert_eq!(fields.str_field("pocd"), Some("1"));
    assert!(fields.str_field("state").is_some() && fields.str_field("code_challenge").is_some());
    assert_eq!(h.token_requests(), 1);
}

/// As msal: a relay page of another origin, or a protocol other than 1 and 2, fails the popup
/// with `popup_relay_unsupported_flow` before any window opens, and frees the lock; the relay
/// page's own refusals come back with its sub-error.
#[test]
fn a_relay_page_elsewhere_or_refusing_fails_with_msals_codes() {
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    for (uri, version, sub) in [
        ("https://other.example/relay", 1, "popup_relay_cross_origin"),
        ("//other.example/relay", 1, "popup_relay_cross_origin"),
        ("javascript:alert(1)", 1, "popup_relay_cross_origin"),
        ("https://app.example:8443/relay", 1, "popup_relay_cross_origin"),
        ("/relay", 3, "popup_relay_invalid_protocol"),
        ("/relay", 0, "popup_relay_invalid_protocol"),
    ] {
        let h = relayed(uri, version);
        let e = h.pca.open_popup(&req, PopupAttributes::default()).unwrap_err();
        assert_eq!((e.code(), e.sub_error()), ("popup_relay_unsupported_flow", sub), "{uri} v{version}");
        assert!(!e.correlation_id().is_empty());
        assert!(h.platform.windows.borrow().is_empty());
        assert!(!h.pca.interaction_in_progress());
    }
    let h = relayed("/relay", 2);
    h.platform.set_windows(|_| Err(WindowError::RelayRefused("popup_relay_untrusted_authority")));
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let e = block_on(h.pca.complete_popup(started)).unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("popup_relay_unsupported_flow", "popup_relay_untrusted_authority"));
    assert!(!h.pca.interaction_in_progress());
    h.platform.set_windows(|url| if url.contains("#id=") { Ok(String::new()) } else { Err(WindowError::TimedOut) });
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let e = block_on(h.pca.complete_popup(started)).unwrap_err();
    assert_eq!((e.code(), e.sub_error()), ("timed_out", "popup_relay_timeout"));
}

/// A popup sign-out goes through the relay page too, with the end-session page as its request.
#[test]
fn a_popup_sign_out_goes_through_the_relay_page() {
    let h = relayed("/relay.html", 1);
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_windows(|url| Ok(format!("?state={}", query_param(url, "state"))));
    let started = h.pca.open_logout_popup(&logout(Some(&home), None, ""), PopupAttributes::default()).unwrap();
    block_on(h.pca.complete_logout_popup(started)).unwrap();
    let (page, carried) = relay_window(&h, 0);
    assert_eq!(page, "https://app.example/relay.html");
    let request = msal_wasm::core::json::Json::parse(&carried[0].1).unwrap();
    let url = request.str_field("url").unwrap();
    assert!(url.contains("/oauth2/v2.0/logout?"), "{url}");
    assert_eq!(query_param(url, "pocd"), "1");
    assert_eq!(h.platform.relays.borrow().len(), 1);
    assert!(!h.pca.interaction_in_progress());
    assert!(h.pca.all_accounts().is_empty());
}

#[test]
fn a_throttled_code_redemption_does_not_block_the_next_sign_in() {
    // As msal (Authorize.handleResponseCode removes the request's throttle): the user acted
    // again, so the next code is redeemed even within the server's Retry-After.
    let h = harness();
    let mut busy = HttpResponse::new(429, r#"{"error":"temporarily_unavailable","error_description":"slow down"}"#);
    busy.headers.push(("retry-after".into(), "600".into()));
    h.idp.borrow_mut().fail_next = Some(busy);
    let req = with_options(TokenOptions::default());
    let pending = h.pca.begin_interaction(&req, InteractionType::Popup, "https://app.example/start").unwrap();
    let url = pending.url.clone();
    h.idp.borrow_mut().challenge = query_param(&url, "code_challenge");
    h.idp.borrow_mut().nonce = query_param(&url, "nonce");
    let response = format!("#code=the-code&state={}&client_info=x", msal_wasm::core::url::encode(&query_param(&url, "state")));
    assert_eq!(block_on(h.pca.finish_interaction(pending, &response)).unwrap_err().status(), Some(429));
    let before = h.token_requests();
    let (_, r) = sign_in_with(&h, &req, false);
    assert_eq!(h.token_requests(), before + 1, "the second code is sent");
    assert!(!r.access_token.secret().is_empty());
}

#[test]
fn a_generic_provider_without_an_end_session_endpoint_signs_out_here_only() {
    // A generic OpenID provider may have none (Google): the sign-out is local, with or without
    // an account, and the lock is free (msal 5 signs out locally only when an account is named).
    let no_logout = METADATA.replace(r#","end_session_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout""#, "");
    for named in [true, false] {
        let h = harness_with(
            Config::new("client-1")
                .with_authority(AUTHORITY)
                .with_redirect_uri("https://app.example/")
                .with_authority_metadata(no_logout.clone())
                .with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc),
        );
        let home = h.sign_in().account.account.home_account_id;
        let started = block_on(h.pca.begin_logout_redirect(&logout(named.then_some(home.as_str()), None, ""))).unwrap();
        assert!(started.url.is_none(), "no navigation");
        assert!(h.pca.all_accounts().is_empty());
        assert!(!h.pca.interaction_in_progress());
    }
}

#[test]
fn a_token_endpoint_that_answers_404_drops_the_cached_discovery_document() {
    // The provider moved its endpoints (the stored document is up to 24 h old): the failed call
    // is not the end of it; the next one fetches the document again.
    let authority = [AUTHORITY, "/v2.0"].concat();
    let h = harness_with(Config::new("client-1").with_authority(&authority).with_redirect_uri("https://app.example/"));
    let home = h.sign_in().account.account.home_account_id;
    let stored = |h: &Harness| h.platform.cache().keys().iter().any(|k| k.contains(".authority-metadata."));
    assert!(stored(&h));
    let fetched = h.idp.borrow().discoveries.len();
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(404, "<html>Not Found</html>"));
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    assert_eq!(block_on(h.pca.acquire_token_silent(&forced)).unwrap_err().status(), Some(404));
    assert!(!stored(&h), "the document is dropped");
    assert!(block_on(h.pca.acquire_token_silent(&forced)).is_ok());
    assert_eq!(h.idp.borrow().discoveries.len(), fetched + 1, "fetched again");
    assert!(stored(&h));
    // Any other failure keeps it.
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(500, "<html>oops</html>"));
    assert!(block_on(h.pca.acquire_token_silent(&forced)).is_err());
    assert!(stored(&h));
}

/// A redirect started by the release before this one is redeemed after a deploy (the tab loads
/// the new release while the user is at the provider): the interaction status and the saved
/// request are literal copies of what this release writes, kept from release to release. These
/// fields are only ever added to, never renamed or retyped.
#[test]
fn a_redirect_saved_in_this_releases_format_is_redeemed_by_the_next() {
    let h = harness();
    let temp = h.platform.temp();
    temp.set(
        "msal.interaction.status",
        &format!(r#"{{"clientId":"client-1","type":"signin","startedAt":{NOW_MS},"leaseUntil":{}}}"#, NOW_MS + 600_000),
    )
    .unwrap();
    let state = "eyJpZCI6IjVhMDllNmFhLWRiMDAtNDBjNC05MDVjLTEzMmQxYWFkMzY0MyIsIm1ldGEiOnsiaW50ZXJhY3Rpb25UeXBlIjoicmVkaXJlY3QifX0|app|state";
    let nonce = "12a304fd-c156-4359-a72d-a732732c651d";
    let saved = [
        r#"{"url":"https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/oauth2/v2.0/authorize?client_id=client-1","#,
        r#""interactionType":"redirect","stateId":"5a09e6aa-db00-40c4-905c-132d1aad3643","#,
        r#""correlationId":"3eaab126-7c63-487c-a030-599d53fc3902","state":""#,
        state,
        r#"","codeVerifier":"V3Bou9Nhkz0H13GyCGu2lZv1lamru_7igA938vmdB8o","nonce":""#,
        nonce,
        r#"","scopes":"User.Read openid profile offline_access","redirectUri":"https://app.example/","userState":"app|state","#,
        r#""origin":"https://app.example/start","authority":"https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/","#,
        r#""binding":null,"options":{"extraParameters":{},"storeInCache":{"accessToken":true,"idToken":true,"refreshToken":true}},"#,
        r#""claims":"","extraQuery":""}"#,
    ]
    .concat();
    temp.set("msal.client-1.request.params", &base64::encode_url(saved.as_bytes())).unwrap();
    temp.set("msal.client-1.request.origin", "https://app.example/start").unwrap();
    h.idp.borrow_mut().challenge = "OR00ZYKaVeZRXkt3_ZewuD5_iQkERJkkc9KErc4HYAM".into();
    h.idp.borrow_mut().nonce = nonce.into();
    let response = format!("#code=the-code&state={}&client_info=x", msal_wasm::core::url::encode(state));
    let page2 = PublicClientApplication::new(
        Config::new("client-1").with_authority(AUTHORITY).with_redirect_uri("https://app.example/").with_authority_metadata(METADATA),
        h.platform.clone(),
    )
    .unwrap();
    block_on(page2.initialize()).unwrap();
    let start = page2.begin_handle_redirect(Some(&response), false).unwrap();
    assert!(matches!(start, RedirectStart::Redeem { .. }), "{start:?}");
    let r = block_on(page2.handle_redirect(Some(&response))).unwrap().unwrap();
    assert_eq!((r.account.account.name.as_str(), r.state.as_str()), ("Ada", "app|state"));
    assert!(!page2.interaction_in_progress());
}

#[test]
fn making_the_active_account_active_again_tells_no_other_tab() {
    // msal's samples call setActiveAccount at every ACQUIRE_TOKEN_SUCCESS: the same account again
    // is no change, so the other tabs are not told to re-read their caches.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let actives = || h.platform.announcements.borrow().iter().filter(|m| m.contains(r#""t":"active""#)).count();
    h.pca.set_active_account(Some(&AccountRef::new(home.clone()))).unwrap();
    assert_eq!(actives(), 1, "a change is announced");
    for _ in 0..3 {
        h.pca.set_active_account(Some(&AccountRef::new(home.clone()))).unwrap();
    }
    assert_eq!(actives(), 1, "the same account again is not");
    h.pca.set_active_account(None).unwrap();
    h.pca.set_active_account(None).unwrap();
    assert_eq!(actives(), 2, "clearing it is, once");
}

#[test]
fn a_kept_response_without_the_saved_request_fails_once_frees_the_lock_and_leaves_the_address() {
    // The sign-in's saved request is gone (another library's redirect, switched away from
    // mid-way; storage cleared) while the lock and the response kept at the page's load stay:
    // as msal, no_token_request_cache_error, the lock freed, the response out of the address.
    let h = harness();
    let (pending, response) = h.authorize(InteractionType::Redirect);
    drop(pending);
    h.platform.temp_store().remove("msal.client-1.request.params");
    h.pca.stash_redirect_response(&response[1..]).unwrap();
    h.platform.set_page_url(format!("https://app.example/?keep=1{response}"));
    let start = h.pca.begin_handle_redirect(None, true).unwrap();
    assert_eq!(start, RedirectStart::Refused { clean_url: Some("https://app.example/?keep=1".into()) });
    assert!(!h.pca.interaction_in_progress(), "the lock is freed");
    assert_eq!(h.token_requests(), 0);
    // Nothing is left to redeem at the next load.
    h.platform.set_page_url("https://app.example/");
    assert_eq!(h.pca.begin_handle_redirect(None, true).unwrap(), RedirectStart::None);
}

#[test]
fn a_bearer_request_answered_with_a_providers_own_token_type_gets_its_token_but_never_a_bound_one() {
    // As msal, which checks the type of a DPoP request's answer only: a provider's own type
    // (`N_A`) comes back as given; a bound type where Bearer was asked for still fails.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let answer = |t: &str| {
        HttpResponse::new(
            200,
            format!(r#"{{"token_type":"{t}","scope":"User.Read","expires_in":3600,"access_token":"at-{t}","refresh_token":"rt-{t}"}}"#),
        )
    };
    let req = SilentRequest { force_refresh: true, cache_lookup_policy: CacheLookupPolicy::RefreshToken, ..silent(&home) };
    h.idp.borrow_mut().fail_next = Some(answer("N_A"));
    let r = block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert_eq!((r.access_token.secret(), r.token_type.as_str()), ("at-N_A", "N_A"));
    h.idp.borrow_mut().fail_next = Some(answer("DPoP"));
    assert_eq!(block_on(h.pca.acquire_token_silent(&req)).unwrap_err().code(), "dpop_token_type_mismatch");
}
