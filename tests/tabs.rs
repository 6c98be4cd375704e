//! Native tests of the flows that need windows, locks, timers and several tabs: popups and
//! hidden frames with a scripted front channel, the silent flow's frame fallback, and renewal
//! that is single-flight across tabs — on the memory platform's virtual time, so the races
//! play out the same way on every run.

mod scripted;

use msal_wasm::client::{AuthenticationResult, CacheLocation, CacheLookupPolicy, Config, InteractiveRequest, SilentRequest};
use msal_wasm::core::authorize::Prompt;
use msal_wasm::core::http::HttpResponse;
use msal_wasm::error::AuthError;
use msal_wasm::platform::memory::block_on;
use msal_wasm::platform::{Platform, PopupAttributes, WindowError};
use scripted::*;
use std::future::Future;
use std::pin::Pin;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn request() -> InteractiveRequest {
    InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }
}

fn shared_config() -> Config {
    let mut c = config();
    c.cache_location = CacheLocation::LocalStorage;
    c
}

fn refreshes(h: &Harness) -> usize {
    h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("refresh_token")).count()
}

type Task<'a> = Pin<Box<dyn Future<Output = Result<AuthenticationResult, AuthError>> + 'a>>;
/// A call that gives how long it took (ms).
type Timed<'a> = Pin<Box<dyn Future<Output = Result<u64, AuthError>> + 'a>>;
/// A tab: one client of the app over the shared memory platform.
type Tab = std::rc::Rc<msal_wasm::client::PublicClientApplication<msal_wasm::platform::memory::MemoryPlatform>>;
/// A call whose result is only its error, if any.
type Settles<'a> = Pin<Box<dyn Future<Output = Result<(), AuthError>> + 'a>>;

#[test]
fn popup_sign_in_through_the_window_then_the_lock_is_free() {
    let h = harness();
    let started = h.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
    assert!(h.pca.interaction_in_progress(), "the popup holds the interaction lock");
    // A second interactive call while the popup is open is refused, and opens nothing.
    let second = h.pca.open_popup(&request(), PopupAttributes::default()).unwrap_err();
    assert_eq!(second.code(), "interaction_in_progress");
    assert_eq!(h.platform.windows.borrow().len(), 1);
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert!(!h.pca.interaction_in_progress());
    let url = h.platform.windows.borrow()[0].clone();
    assert!(url.contains("code_challenge_method=S256") && url.contains("redirect_uri=https%3A%2F%2Fapp.example%2F"), "{url}");
}

#[test]
fn a_blocked_or_closed_popup_fails_with_msals_code_and_frees_the_lock() {
    let h = harness();
    for (window, code) in [
        (WindowError::Blocked, "popup_window_error"),
        (WindowError::OpenFailed, "popup_window_error"),
        (WindowError::UserCancelled, "user_cancelled"),
        (WindowError::TimedOut, "timed_out"),
    ] {
        h.platform.set_windows(move |_| Err(window));
        let e = match h.pca.open_popup(&request(), PopupAttributes::default()) {
            Ok(started) => block_on(h.pca.complete_popup(started)).unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(e.code(), code, "{window:?}");
        assert!(!e.correlation_id().is_empty());
        assert!(!h.pca.interaction_in_progress(), "{window:?} released the lock");
    }
    assert_eq!(h.token_requests(), 0);
}

#[test]
fn sso_silent_asks_for_a_new_code_once_when_the_token_endpoint_refuses_one_as_msal() {
    let h = harness();
    let refused =
        || HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"AADSTS54005: the code was already redeemed"}"#);
    h.idp.borrow_mut().fail_next = Some(refused());
    let r = block_on(h.pca.sso_silent(&request())).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert_eq!((h.platform.windows.borrow().len(), h.token_requests()), (2, 2), "a second frame, a second code");
    let id_of = |url: &str| {
        msal_wasm::core::url::parse_query(url.split_once('?').unwrap().1).into_iter().find(|(k, _)| k == "client-request-id").unwrap().1
    };
    let ids: Vec<String> = h.platform.windows.borrow().iter().map(|u| id_of(u)).collect();
    assert!(!ids[0].is_empty() && ids[0] == ids[1], "one correlation id for both attempts: {ids:?}");
    // Only once: when every code is refused, the second refusal is the call's error.
    let (idp, answer) = (h.idp.clone(), front_channel(&h.idp));
    h.platform.set_windows(move |url| {
        idp.borrow_mut().fail_next = Some(refused());
        answer(url)
    });
    let e = block_on(h.pca.sso_silent(&request())).unwrap_err();
    assert_eq!(e.code(), "invalid_grant");
    assert_eq!((h.platform.windows.borrow().len(), h.token_requests()), (4, 4));
}

#[test]
fn sso_silent_uses_a_hidden_frame_and_backs_off_when_frames_get_no_answer() {
    let h = harness();
    let r = block_on(h.pca.sso_silent(&request())).unwrap();
    assert_eq!(r.account.account.username, "ada@contoso.com");
    assert!(h.platform.windows.borrow()[0].contains("prompt=none"));
    assert!(!h.pca.interaction_in_progress(), "a hidden frame takes no interaction lock");
    // The provider shows a page instead of answering (third-party cookies blocked).
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    let e = block_on(h.pca.sso_silent(&request())).unwrap_err();
    assert!(e.is_interaction_required());
    assert_eq!(e.sub_error(), "iframe_no_response");
    // The next attempts fail at once, without a frame, for five minutes.
    let frames = h.platform.windows.borrow().len();
    let again = block_on(h.pca.sso_silent(&request())).unwrap_err();
    assert_eq!((again.code(), again.sub_error()), ("interaction_required", "iframe_no_response"));
    assert_eq!(h.platform.windows.borrow().len(), frames, "no frame while backing off");
    // A refusal of msal-wasm's own (msal has no back-off) is logged, so the app can tell it from
    // a frame's.
    let logged =
        h.platform.logs.borrow().iter().any(|(l, m)| *l == msal_wasm::platform::LogLevel::Warning && m.contains("no hidden frame"));
    assert!(logged);
    h.platform.set_now_ms(NOW_MS + 5 * 60 * 1000 + 1);
    h.platform.set_windows(front_channel(&h.idp));
    assert!(block_on(h.pca.sso_silent(&request())).is_ok(), "frames are tried again after the back-off");
    // A popup sign-in also ends the back-off (the provider has a session now).
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    assert!(block_on(h.pca.sso_silent(&request())).is_err());
    h.platform.set_windows(front_channel(&h.idp));
    let started = h.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
    block_on(h.pca.complete_popup(started)).unwrap();
    assert!(block_on(h.pca.sso_silent(&request())).is_ok());
}

#[test]
fn silent_falls_back_to_a_hidden_frame_when_the_refresh_token_is_refused() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"AADSTS50173 revoked"}"#));
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap();
    assert!(!r.from_cache);
    let grants: Vec<String> = h.platform.requests.borrow().iter().filter_map(|r| r.form_field("grant_type")).collect();
    assert_eq!(grants, ["authorization_code", "refresh_token", "authorization_code"], "refused refresh, then the frame's code");
    assert!(h.platform.windows.borrow().iter().any(|w| w.contains("prompt=none")));
    // A policy without the frame gives the refresh token's error instead.
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"revoked"}"#));
    let policy = CacheLookupPolicy::AccessTokenAndRefreshToken;
    let e = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, cache_lookup_policy: policy, ..silent(&home) }))
        .unwrap_err();
    assert!(e.is_invalid_grant());
}

/// As msal (`request.account || active`): an account object without a homeAccountId is still
/// the request's account. It matches no cached account, so the hidden frame asks for that user
/// (its username as the hint); the active account's token is never handed out for it.
#[test]
fn an_account_object_without_a_home_account_id_is_not_replaced_by_the_active_account() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.pca.set_active_account(Some(&msal_wasm::client::AccountRef::new(home))).unwrap();
    let other = msal_wasm::client::AccountRef { username: "bob@contoso.com".into(), ..Default::default() };
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(other),
        ..Default::default()
    }))
    .unwrap();
    assert!(!r.from_cache, "not the active account's cached token");
    let frame = h.platform.windows.borrow().last().cloned().unwrap_or_default();
    assert!(frame.contains("prompt=none") && frame.contains("login_hint=bob%40contoso.com"), "{frame}");
}

/// As msal's account filter: a claims-based field (`sid`) is checked against the ID token
/// only when the account has one cached; an account signed in without storing its ID token
/// matches on the other fields.
#[test]
fn a_sid_filter_matches_an_account_cached_without_its_id_token_as_msal() {
    let h = harness();
    let mut req = request();
    req.options.store.id_token = false;
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let home = block_on(h.pca.complete_popup(started)).unwrap().account.account.home_account_id;
    let filter = msal_wasm::client::AccountFilter { sid: Some("any-session".into()), ..Default::default() };
    let found = h.pca.accounts_matching(&filter);
    assert_eq!(found.len(), 1, "no ID token: the sid is not checked");
    assert_eq!(found[0].account.home_account_id, home);
    assert!(found[0].id_token_claims.is_none());
}

/// As msal (`activeIframeRequest`): silent calls that all need a hidden frame (the refresh
/// token is refused) open one; the others wait for it and then use the refresh token it brought.
#[test]
fn silent_calls_that_need_a_hidden_frame_share_one() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.idp.borrow_mut().issued_rts.clear();
    // The later calls are refused while the first one's frame loads the provider's page.
    h.platform.set_network_delay_ms(50);
    h.platform.set_frame_delay_ms(500);
    let frames_before = h.platform.windows.borrow().len();
    let scopes = ["User.Read", "Mail.Read", "Files.Read"];
    let reqs: Vec<SilentRequest> =
        scopes.iter().map(|s| SilentRequest { scopes: vec![(*s).into()], force_refresh: true, ..silent(&home) }).collect();
    let tasks: Vec<Task> = reqs.iter().map(|r| Box::pin(h.pca.acquire_token_silent(r)) as Task).collect();
    let results = h.platform.run(tasks);
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().map(|r| r.as_ref().err().map(AuthError::code)).collect::<Vec<_>>());
    assert_eq!(h.platform.windows.borrow().len() - frames_before, 1, "one hidden frame for the three calls");
    // A frame that fails: the calls that waited for it fail with their own refusal, opening none.
    h.idp.borrow_mut().issued_rts.clear();
    h.platform.set_windows(|_| Err(WindowError::NoResponse));
    let frames_before = h.platform.windows.borrow().len();
    let tasks: Vec<Task> = reqs.iter().map(|r| Box::pin(h.pca.acquire_token_silent(r)) as Task).collect();
    let codes: Vec<String> = h.platform.run(tasks).into_iter().map(|r| r.unwrap_err().code().to_owned()).collect();
    assert_eq!(h.platform.windows.borrow().len() - frames_before, 1);
    assert_eq!(codes[1..], ["invalid_grant", "invalid_grant"], "{codes:?}");
}

#[test]
fn silent_requests_carry_their_state_and_prompt_as_msal_5() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let with_state = |force_refresh| SilentRequest { force_refresh, state: "app-state".into(), ..silent(&home) };
    // The caller's state comes back, from the cache and from the network.
    assert_eq!(h.pca.acquire_token_silent_cached(&with_state(false)).unwrap().unwrap().state, "app-state");
    assert_eq!(block_on(h.pca.acquire_token_silent(&with_state(true))).unwrap().state, "app-state");
    // The frame fallback sends the request's prompt (none or no_session).
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"revoked"}"#));
    let no_session = SilentRequest { prompt: Some(Prompt::NoSession), ..with_state(true) };
    assert_eq!(block_on(h.pca.acquire_token_silent(&no_session)).unwrap().state, "app-state");
    assert!(h.platform.windows.borrow().last().unwrap().contains("prompt=no_session"));
    // Another prompt in a silent request is sent as none, with a warning (msal 5 no longer
    // fails it with silent_prompt_value_error).
    let other = InteractiveRequest { prompt: Some(Prompt::SelectAccount), ..request() };
    block_on(h.pca.sso_silent(&other)).unwrap();
    assert!(h.platform.windows.borrow().last().unwrap().contains("prompt=none"));
    assert!(h.platform.logs.borrow().iter().any(|(_, l)| l.contains("prompt none or no_session")));
    // The frame fallback sends the request's sid and domain hint, as msal's frame request (a
    // domain hint keeps the account's login_hint claim out).
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"revoked"}"#));
    let hinted = SilentRequest { sid: "sid-of-the-app".into(), domain_hint: "contoso.com".into(), ..with_state(true) };
    block_on(h.pca.acquire_token_silent(&hinted)).unwrap();
    let url = h.platform.windows.borrow().last().unwrap().clone();
    assert!(url.contains("sid=sid-of-the-app") && url.contains("domain_hint=contoso.com"), "{url}");
}

/// Three tabs sharing a localStorage cache, signed in, with the access token expired.
fn three_tabs_expired(
) -> (Harness, Vec<std::rc::Rc<msal_wasm::client::PublicClientApplication<msal_wasm::platform::memory::MemoryPlatform>>>, String) {
    let h = harness_with(shared_config());
    let tabs: Vec<_> = (0..3).map(|_| h.tab(shared_config())).collect();
    let started = tabs[0].open_popup(&request(), PopupAttributes::default()).unwrap();
    let home = block_on(tabs[0].complete_popup(started)).unwrap().account.account.home_account_id;
    h.platform.run::<()>(vec![]); // deliver the sign-in to the other tabs
    for t in &tabs {
        t.reload_cache();
        assert_eq!(t.all_accounts().len(), 1);
    }
    h.platform.set_now_ms(NOW_MS + 3600 * 1000 + 1);
    (h, tabs, home)
}

#[test]
fn three_tabs_renewing_at_once_make_one_token_request_and_get_the_same_token() {
    let (h, tabs, home) = three_tabs_expired();
    // The token request takes a while: the first tab holds the lock, the others wait for it.
    h.platform.set_network_delay_ms(50);
    let req = silent(&home);
    let tasks: Vec<Task> = tabs.iter().map(|t| Box::pin(t.acquire_token_silent(&req)) as Task).collect();
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(refreshes(&h), 1, "one tab renewed, the others were handed its result");
    let tokens: Vec<&str> = results.iter().map(|r| r.access_token.secret()).collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    // The rotated refresh token was never presented twice: the next renewal works everywhere.
    h.platform.set_now_ms(NOW_MS + 2 * 3600 * 1000 + 2);
    let tasks: Vec<Task> = tabs.iter().rev().map(|t| Box::pin(t.acquire_token_silent(&req)) as Task).collect();
    assert!(h.platform.run(tasks).into_iter().all(|r| r.is_ok()));
    assert_eq!(refreshes(&h), 2);
    assert!(h.idp.borrow().used_rts.len() == 2, "each refresh token used once");
}

/// Without Web Locks (Safari before 15.4, Firefox before 96), renewal is not single-flight
/// across tabs, as msal's never is: each tab renews for itself and none waits. A provider that
/// refuses a refresh token presented twice refuses the later tabs', which renew in a hidden
/// frame.
#[test]
fn without_web_locks_each_tab_renews_for_itself_and_none_hangs() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_web_locks(false);
    h.platform.set_network_delay_ms(50);
    let req = silent(&home);
    let tasks: Vec<Task> = tabs.iter().map(|t| Box::pin(t.acquire_token_silent(&req)) as Task).collect();
    let start = h.platform.now_ms();
    let results = h.platform.run(tasks);
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().map(|r| r.as_ref().err().map(AuthError::code)).collect::<Vec<_>>());
    assert_eq!(refreshes(&h), 3, "each tab presented the refresh token");
    let codes = h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("authorization_code")).count();
    assert_eq!(codes, 1 + 2, "the sign-in's code, and a hidden frame's for each refused tab");
    assert!(h.platform.now_ms() - start < 1_000, "nobody waited for a lock");
}

/// The race the renewal mark closes: tab B takes the lock just after tab A let go of it, before
/// A's hand-off message reached B. Without the mark B would present A's already-rotated refresh
/// token; with it, B waits for A's result.
#[test]
fn a_tab_that_takes_the_lock_right_after_another_renewed_waits_for_its_result() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(300);
    let req = silent(&home);
    let b = tabs[1].clone();
    let platform = h.platform.clone();
    let late = async move {
        // Starts once A has renewed (50 ms) and released the lock; A's message is still on its
        // way (300 ms).
        msal_wasm::platform::Platform::sleep(&platform, 60).await;
        b.acquire_token_silent(&req).await
    };
    let req = silent(&home);
    let tasks: Vec<Task> = vec![Box::pin(tabs[0].acquire_token_silent(&req)), Box::pin(late)];
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(refreshes(&h), 1, "B did not renew again");
    assert_eq!(results[0].access_token.secret(), results[1].access_token.secret());
    assert!(results[1].from_cache, "B served A's result");
    // A forceRefresh ignores the mark: it wants a token newer than its own start.
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    let tasks: Vec<Task> = vec![Box::pin(tabs[2].acquire_token_silent(&forced))];
    let r = h.platform.run(tasks).pop().unwrap().unwrap();
    assert!(!r.from_cache);
    assert_eq!(refreshes(&h), 2);
    // So do the policies that skip the cached access token, as msal: RefreshToken and
    // RefreshTokenAndNetwork redeem the refresh token, Skip opens a hidden frame (each once,
    // while the last renewal's mark is still up; its hand-off delivered first, 400 ms).
    let policy = |cache_lookup_policy| SilentRequest { cache_lookup_policy, ..silent(&home) };
    let settle = || {
        let p = h.platform.clone();
        h.platform.run::<()>(vec![Box::pin(async move { msal_wasm::platform::Platform::sleep(&p, 400).await })]);
    };
    for (n, p) in [CacheLookupPolicy::RefreshToken, CacheLookupPolicy::RefreshTokenAndNetwork].into_iter().enumerate() {
        settle();
        let req = policy(p);
        let tasks: Vec<Task> = vec![Box::pin(tabs[n].acquire_token_silent(&req))];
        let r = h.platform.run(tasks).pop().unwrap().unwrap();
        assert!(!r.from_cache, "{p:?} was served another tab's renewal");
        assert_eq!(refreshes(&h), 3 + n, "{p:?} redeemed the refresh token");
    }
    settle();
    // A hidden frame's code is redeemed (the frames' log is each tab's own; requests are shared).
    let codes =
        || h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("authorization_code")).count();
    let before = codes();
    let skip = policy(CacheLookupPolicy::Skip);
    let tasks: Vec<Task> = vec![Box::pin(tabs[0].acquire_token_silent(&skip))];
    let r = h.platform.run(tasks).pop().unwrap().unwrap();
    assert!(!r.from_cache);
    assert_eq!(codes(), before + 1, "Skip opened a hidden frame and redeemed its code");
    assert_eq!(refreshes(&h), 4, "Skip did not redeem the refresh token");
}

/// Tabs of two releases take turns too (a deploy while tabs are open): the renewal lock's name
/// is pinned here as the release before this one takes it. A tab of this release waits for it.
/// When the name changes, take the old one as well for a release.
#[test]
fn a_tab_waits_for_the_renewal_lock_as_the_previous_release_names_it() {
    let (h, tabs, home) = three_tabs_expired();
    let old = h.platform.new_tab();
    let name = format!("msal.client-1.renew.{home}");
    let holder: Timed = Box::pin(async move {
        let held = old.lock(&name, 1_000).await;
        assert!(held.is_some());
        old.sleep(500).await;
        drop(held);
        Ok(0)
    });
    let p = h.platform.clone();
    let tab = tabs[0].clone();
    let req = silent(&home);
    let renewer: Timed = Box::pin(async move {
        p.sleep(10).await;
        tab.acquire_token_silent(&req).await?;
        Ok(p.now_ms())
    });
    let done: Vec<u64> = h.platform.run(vec![holder, renewer]).into_iter().map(Result::unwrap).collect();
    assert!(
        done[1] >= NOW_MS + 3600 * 1000 + 500,
        "renewed while the other release's tab held the lock: {}",
        done[1] - NOW_MS - 3600 * 1000
    );
    assert_eq!(refreshes(&h), 1);
}

/// A claims challenge (CAE) is never served another tab's token: a tab that meets another
/// tab's renewal of the same scopes redeems its refresh token for the claims at once (msal
/// redeems at once), instead of waiting out the other tab's mark (3 s) for a result it cannot use.
#[test]
fn a_claims_request_right_after_another_tabs_renewal_does_not_wait_for_it() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(300);
    let b = tabs[1].clone();
    let platform = h.platform.clone();
    let claims = SilentRequest { claims: r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#.into(), ..silent(&home) };
    let started = h.platform.now_ms();
    let late = async move {
        msal_wasm::platform::Platform::sleep(&platform, 60).await;
        let r = b.acquire_token_silent(&claims).await;
        (r, platform.now_ms())
    };
    let req = silent(&home);
    let a = tabs[0].clone();
    let first = async move { (a.acquire_token_silent(&req).await, 0) };
    type Timed<'a> = Pin<Box<dyn Future<Output = (Result<AuthenticationResult, AuthError>, u64)> + 'a>>;
    let tasks: Vec<Timed> = vec![Box::pin(first), Box::pin(late)];
    let mut results = h.platform.run(tasks);
    let (b_result, b_done) = results.pop().unwrap();
    let b_result = b_result.unwrap();
    assert!(!b_result.from_cache, "the claims request redeemed the refresh token itself");
    assert_eq!(refreshes(&h), 2);
    let waited = b_done - started;
    assert!(waited < 1_000, "B took {waited} ms: it waited for the other tab's mark");
}

/// Skip is the hidden frame only, as msal: a Skip call in a tab that meets another tab's
/// renewal under way opens its frame rather than wait for that renewal's result.
#[test]
fn a_skip_call_opens_its_frame_while_another_tab_renews() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    let codes =
        || h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("authorization_code")).count();
    let before = codes();
    let (plain, skip) = (silent(&home), SilentRequest { cache_lookup_policy: CacheLookupPolicy::Skip, ..silent(&home) });
    let tasks: Vec<Task> = vec![Box::pin(tabs[0].acquire_token_silent(&plain)), Box::pin(tabs[1].acquire_token_silent(&skip))];
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(refreshes(&h), 1, "tab 0 renewed with the refresh token");
    assert_eq!(codes(), before + 1, "tab 1 (Skip) redeemed its frame's code");
    assert!(!results[1].from_cache);
    assert_ne!(results[0].access_token.secret(), results[1].access_token.secret());
}

/// On a loaded machine (or in a background tab) the renewing tab's hand-off can trail its lock
/// by seconds: the waiting tabs still serve its result rather than present the refresh token it
/// has already rotated.
#[test]
fn tabs_wait_for_a_hand_off_that_arrives_two_seconds_late() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(2_000);
    let req = silent(&home);
    let tasks: Vec<Task> = tabs.iter().map(|t| Box::pin(t.acquire_token_silent(&req)) as Task).collect();
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(refreshes(&h), 1, "the late hand-off was waited for");
    assert!(results.iter().all(|r| r.access_token.secret() == results[0].access_token.secret()));
}

/// A renewal that failed hands nothing off: it says so, and the waiting tabs renew at once
/// instead of waiting for a result that will not come.
#[test]
fn tabs_waiting_for_a_renewal_that_failed_renew_at_once() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    h.idp.borrow_mut().fail_next = Some(HttpResponse::new(400, r#"{"error":"invalid_request","error_description":"injected"}"#));
    let req = silent(&home);
    let started = msal_wasm::platform::Platform::now_ms(&h.platform);
    let tasks: Vec<Task> = tabs.iter().map(|t| Box::pin(t.acquire_token_silent(&req)) as Task).collect();
    let results = h.platform.run(tasks);
    let elapsed = msal_wasm::platform::Platform::now_ms(&h.platform) - started;
    assert_eq!(results[0].as_ref().unwrap_err().code(), "invalid_request");
    assert!(results[1].is_ok() && results[2].is_ok());
    assert_eq!(refreshes(&h), 2, "the failed one, then one for the other two tabs");
    assert!(elapsed < 500, "the other tabs did not wait out the hand-off: {elapsed} ms");
}

#[test]
fn without_the_shared_cache_each_tab_renews_for_itself() {
    // sessionStorage: tabs share nothing, so there is nothing to hand off (and no lock): two
    // tabs of one account, each signed in by its own popup, renew at once, each for itself,
    // neither waiting for the other (a lock would make the second wait for a hand-off that
    // never comes).
    let h = harness();
    let tabs: Vec<ListeningTab> = (0..2).map(|_| h.listening_session_tab(config())).collect();
    let homes: Vec<String> = tabs
        .iter()
        .map(|t| {
            let started = t.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
            block_on(t.pca.complete_popup(started)).unwrap().account.account.home_account_id
        })
        .collect();
    assert_eq!(homes[0], homes[1], "one account");
    h.platform.set_now_ms(NOW_MS + 3600 * 1000 + 1);
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(300);
    let before = refreshes(&h);
    let req = silent(&homes[0]);
    let started = msal_wasm::platform::Platform::now_ms(&h.platform);
    let tasks: Vec<Task> = tabs.iter().map(|t| Box::pin(t.pca.acquire_token_silent(&req)) as Task).collect();
    let results = h.platform.run(tasks);
    let elapsed = msal_wasm::platform::Platform::now_ms(&h.platform) - started;
    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|r| !r.from_cache)), "{results:?}");
    assert_eq!(refreshes(&h) - before, 2, "each tab renewed its own");
    assert!(elapsed < 200, "a tab waited for the other: {elapsed} ms");
}

#[test]
fn identical_silent_requests_in_flight_share_one_token_request_and_keep_their_correlation_ids() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_network_delay_ms(50);
    let before = h.token_requests();
    let requests: Vec<SilentRequest> =
        (0..20).map(|i| SilentRequest { force_refresh: true, correlation_id: format!("c-{i}"), ..silent(&home) }).collect();
    let tasks: Vec<Task> = requests.iter().map(|r| Box::pin(h.pca.acquire_token_silent(r)) as Task).collect();
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(h.token_requests(), before + 1, "one token request for 20 identical calls");
    assert!(results.iter().all(|r| r.access_token.secret() == results[0].access_token.secret()));
    let ids: Vec<&str> = results.iter().map(|r| r.correlation_id.as_str()).collect();
    assert_eq!(ids, requests.iter().map(|r| r.correlation_id.as_str()).collect::<Vec<_>>());
    // A different request is not joined to it.
    let other = SilentRequest { force_refresh: true, scopes: vec!["api.read".into()], ..silent(&home) };
    let tasks: Vec<Task> = vec![Box::pin(h.pca.acquire_token_silent(&requests[0])), Box::pin(h.pca.acquire_token_silent(&other))];
    assert!(h.platform.run(tasks).into_iter().all(|r| r.is_ok()));
    assert_eq!(h.token_requests(), before + 3);
}

/// A call with a claims challenge is never joined to an identical one without (msal's flight
/// key has the claims): each makes its token request, and only the challenge's carries them.
#[test]
fn a_claims_call_in_flight_beside_the_same_call_without_claims_is_its_own() {
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    h.platform.set_network_delay_ms(50);
    let before = h.token_requests();
    let plain = SilentRequest { force_refresh: true, ..silent(&home) };
    let challenged =
        SilentRequest { claims: r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#.into(), ..plain.clone() };
    let tasks: Vec<Task> = vec![Box::pin(h.pca.acquire_token_silent(&plain)), Box::pin(h.pca.acquire_token_silent(&challenged))];
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(h.token_requests(), before + 2, "one token request each");
    assert_ne!(results[0].access_token.secret(), results[1].access_token.secret());
    let sent: Vec<Option<String>> =
        h.platform.requests.borrow().iter().filter(|r| r.url.contains("/token")).skip(before).map(|r| r.form_field("claims")).collect();
    assert_eq!(sent.iter().filter(|c| c.as_deref().is_some_and(|c| c.contains("nbf"))).count(), 1, "{sent:?}");
}

/// Two tabs sharing a localStorage cache: tab A signed in by popup (its account's home id), and
/// tab B has read it.
fn two_tabs_signed_in() -> (Harness, Tab, Tab, String) {
    let h = harness_with(shared_config());
    let (a, b) = (h.tab(shared_config()), h.tab(shared_config()));
    let started = a.open_popup(&request(), PopupAttributes::default()).unwrap();
    let home = block_on(a.complete_popup(started)).unwrap().account.account.home_account_id;
    h.platform.run::<()>(vec![]);
    b.reload_cache();
    (h, a, b, home)
}

/// Two quick changes of the active account by another tab (set, then cleared), which this tab
/// reads late: the active account is where it was, but msal's tabs hear both changes, and so
/// do this tab's listeners (it failed in a CPU-throttled e2e run: none was heard).
#[test]
fn two_active_account_changes_read_late_are_two_changes() {
    use msal_wasm::client::AccountRef;
    let (h, a, b, home) = two_tabs_signed_in();
    let mut known = b.account_snapshot();
    a.set_active_account(Some(&AccountRef::new(&home))).unwrap();
    a.set_active_account(None).unwrap();
    h.platform.run::<()>(vec![]);
    // Both storage events are read now, when the storage already shows the second write.
    let key = msal_wasm::core::cache::active_account_key(&shared_config().client_id);
    b.storage_shown(&key);
    assert_eq!(b.account_changes(&mut known).active_changes, 1);
    b.storage_shown(&key);
    let second = b.account_changes(&mut known);
    assert_eq!(second.active_changes, 1, "{second:?}");
    assert!(second.added.is_empty() && second.removed.is_empty(), "{second:?}");
    assert!(b.active_account().is_none());
    assert_eq!(b.account_changes(&mut known).active_changes, 0, "told once");
    // Another key's event is no change of the active account.
    b.storage_shown("msal.3.account.keys");
    assert_eq!(b.account_changes(&mut known).active_changes, 0);
}

/// What a tab tells its listeners when another tab signs in, changes the active account or
/// signs out (msal's ACCOUNT_ADDED, ACTIVE_ACCOUNT_CHANGED, ACCOUNT_REMOVED): the diff is the
/// client's, the facade only emits it.
#[test]
fn a_tab_learns_which_accounts_another_tab_added_removed_or_made_active() {
    use msal_wasm::client::AccountRef;
    let h = harness_with(shared_config());
    let (a, b) = (h.tab(shared_config()), h.tab(shared_config()));
    let mut known = b.account_snapshot();
    let changes = b.account_changes(&mut known);
    assert!(changes.added.is_empty() && changes.removed.is_empty() && changes.active_changes == 0, "{changes:?}");

    let started = a.open_popup(&request(), PopupAttributes::default()).unwrap();
    let home = block_on(a.complete_popup(started)).unwrap().account.account.home_account_id;
    h.platform.run::<()>(vec![]);
    // Whether an entry's storage event can add an account here: not once the tab lists it
    // (a renewal's entries), nor for a key of no account.
    let entries: Vec<String> = msal_wasm::core::cache::KeyValueStore::keys(&h.platform.cache())
        .into_iter()
        .filter(|k| msal_wasm::core::cache::is_entry_key(k))
        .collect();
    b.reload_cache();
    assert!(entries.len() >= 3 && entries.iter().all(|k| b.lists_account_of(k)), "{entries:?}");
    assert!(!b.lists_account_of("msal.3|someone.else|login.microsoftonline.com|t") && !b.lists_account_of("msal.3"));
    let changes = b.account_changes(&mut known);
    assert_eq!(changes.added, [home.as_str()]);
    assert!(changes.removed.is_empty() && changes.active_changes == 0, "{changes:?}");
    // Told once: the snapshot moved with it.
    let again = b.account_changes(&mut known);
    assert!(again.added.is_empty() && again.active_changes == 0, "{again:?}");

    a.set_active_account(Some(&AccountRef::new(&home))).unwrap();
    h.platform.run::<()>(vec![]);
    // The storage shows it, and then its storage event is read: one change, when it is read.
    b.reload_cache();
    assert_eq!(b.account_changes(&mut known).active_changes, 0, "counted with its storage event");
    b.storage_shown(&msal_wasm::core::cache::active_account_key(&shared_config().client_id));
    let changes = b.account_changes(&mut known);
    assert!(changes.added.is_empty() && changes.removed.is_empty() && changes.active_changes == 1, "{changes:?}");

    // This tab's own change of the active account is no news; another tab's sign-out still is.
    b.set_active_account(None).unwrap();
    known.settle_active(b.account_snapshot());
    a.clear_cache(None).unwrap();
    h.platform.run::<()>(vec![]);
    b.reload_cache();
    let changes = b.account_changes(&mut known);
    assert_eq!(changes.removed, [home.as_str()], "{changes:?}");
    assert!(entries.iter().all(|k| !b.lists_account_of(k)), "signed out: its entries would add it again");
    assert!(changes.added.is_empty() && changes.active_changes == 0, "{changes:?}");
}

/// Another client of the same page changes the active account (msal-browser beside this
/// package, or a second client of it): no storage event reaches the page, only msal's
/// ACTIVE_ACCOUNT_CHANGED on its event channel. The tab follows it, one change each time; the
/// same write's storage event (another tab's write comes with both) is not counted again, in
/// either order; this tab's own write, heard back, is no change.
#[test]
fn an_active_account_change_heard_as_msals_event_is_one_change() {
    use msal_wasm::core::cache::KeyValueStore;
    let (h, _a, b, home) = two_tabs_signed_in();
    let mut known = b.account_snapshot();
    b.account_changes(&mut known);
    let key = msal_wasm::core::cache::active_account_key(&shared_config().client_id);
    let store = h.platform.cache();
    // Written by another client of b's page.
    store.set(&key, &format!(r#"{{"homeAccountId":"{home}","localAccountId":"uid-1","tenantId":"{TENANT}"}}"#)).unwrap();
    assert!(b.active_heard());
    assert_eq!(b.active_account().map(|x| x.account.home_account_id), Some(home.clone()));
    assert_eq!(b.account_changes(&mut known).active_changes, 1);
    assert!(!b.active_heard(), "the same event again");
    // Had another tab written it, its storage event comes too: no second change.
    b.storage_shown(&key);
    assert_eq!(b.account_changes(&mut known).active_changes, 0);
    // Cleared, the storage event first, then the event: one change.
    store.remove(&key);
    b.storage_shown(&key);
    assert!(!b.active_heard());
    assert_eq!(b.account_changes(&mut known).active_changes, 1);
    assert!(b.active_account().is_none());
    // This tab's own change, heard back on the channel: none.
    b.set_active_account(Some(&msal_wasm::client::AccountRef::new(&home))).unwrap();
    known.settle_active(b.account_snapshot());
    assert!(!b.active_heard());
    assert_eq!(b.account_changes(&mut known).active_changes, 0);
    // A change on this page (heard, no storage event follows), then, much later, another tab
    // clears the active account and sets it back, read late: its two storage events are two
    // changes (the old event takes neither).
    store.remove(&key);
    assert!(b.active_heard());
    assert_eq!(b.account_changes(&mut known).active_changes, 1);
    h.platform.set_now_ms(msal_wasm::platform::Platform::now_ms(&h.platform) + 60_000);
    b.storage_shown(&key);
    b.storage_shown(&key);
    assert_eq!(b.account_changes(&mut known).active_changes, 2);
}

/// The same race for a forceRefresh: tab B's forced call takes the lock just after tab A let go
/// of it, before A's hand-off reached B. B must renew (it wants a token newer than its start)
/// with the refresh token A's renewal rotated, not with the one A already spent.
#[test]
fn a_forced_refresh_right_after_another_tabs_renewal_presents_the_rotated_refresh_token() {
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(2_000);
    let b = tabs[1].clone();
    let platform = h.platform.clone();
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    let late = async move {
        // One second on, so that A's renewal ended before B's call started.
        msal_wasm::platform::Platform::sleep(&platform, 1_000).await;
        b.acquire_token_silent(&forced).await
    };
    let req = silent(&home);
    let tasks: Vec<Task> = vec![Box::pin(tabs[0].acquire_token_silent(&req)), Box::pin(late)];
    let results: Vec<_> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    let codes = h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("authorization_code")).count();
    assert_eq!(refreshes(&h), 2, "A renewed, then B's forced call renewed once");
    assert_eq!(h.idp.borrow().used_rts.len(), 2, "each refresh token presented once (a replay is refused and not recorded)");
    assert_eq!(codes, 1, "no hidden frame after a refused refresh token: only the sign-in's code was redeemed");
    assert!(!results[1].from_cache);
    assert_ne!(results[0].access_token.secret(), results[1].access_token.secret());
}

/// Two tabs renewing different scopes of one account (as every tab does when a laptop wakes):
/// the second takes the account's lock after the first and renews at once, with the refresh
/// token the first one rotated, instead of waiting out a hand-off meant for other scopes.
#[test]
fn tabs_renewing_other_scopes_of_the_account_do_not_wait_for_each_other() {
    for message_delay_ms in [300, 2_000] {
        let (h, tabs, home) = three_tabs_expired();
        h.platform.set_network_delay_ms(50);
        h.platform.set_message_delay_ms(message_delay_ms);
        let mail = SilentRequest { scopes: vec!["Mail.Read".into()], ..silent(&home) };
        let user = silent(&home);
        let started = msal_wasm::platform::Platform::now_ms(&h.platform);
        let timed = |t: std::rc::Rc<_>, req: SilentRequest, platform: msal_wasm::platform::memory::MemoryPlatform| -> Timed {
            Box::pin(async move {
                let t: std::rc::Rc<msal_wasm::client::PublicClientApplication<_>> = t;
                let r = t.acquire_token_silent(&req).await?;
                assert!(!r.from_cache && r.scopes.iter().any(|s| req.scopes.contains(s)), "{:?}", r.scopes);
                Ok(platform.now_ms() - started)
            })
        };
        let tasks = vec![timed(tabs[0].clone(), user, h.platform.clone()), timed(tabs[1].clone(), mail, h.platform.clone())];
        let elapsed: Vec<u64> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(refreshes(&h), 2, "each tab renewed its own scopes");
        let slowest = elapsed.iter().copied().max().unwrap_or_default();
        assert_eq!(h.idp.borrow().used_rts.len(), 2, "each refresh token presented once (a replay is refused and not recorded)");
        // The second waits for the first's request (50 ms) and, when its storage lags, for the
        // rotated refresh token to show (the message delay); never for the 3 s hand-off.
        let bound = message_delay_ms + 500;
        assert!(slowest < bound, "message delay {message_delay_ms} ms: the tabs took {elapsed:?} ms");
    }
}

/// A tab whose call cannot be served another tab's renewal of the same scopes (its token for a
/// resource, or not cached: `storeInCache`) renews at once after it, instead of waiting out
/// the hand-off (msal's tabs never wait for each other).
#[test]
fn a_renewal_of_the_same_scopes_the_call_cannot_use_is_not_waited_for() {
    // (The first tab's request, then the second's.)
    let for_resource = |home: &str| {
        let mut r = silent(home);
        r.options.resource = Some("https://api.example.com".into());
        r
    };
    let not_cached = |home: &str| {
        let mut r = silent(home);
        r.options.store.access_token = false;
        r
    };
    type Make = fn(&str) -> SilentRequest;
    let variants: [(Make, Make); 2] = [(silent, for_resource), (not_cached, silent)];
    for (first, second) in variants {
        let (h, tabs, home) = three_tabs_expired();
        h.platform.set_network_delay_ms(50);
        h.platform.set_message_delay_ms(300);
        let started = msal_wasm::platform::Platform::now_ms(&h.platform);
        let tasks: Vec<Timed> = [(tabs[0].clone(), first(&home)), (tabs[1].clone(), second(&home))]
            .into_iter()
            .map(|(t, req)| {
                let p = h.platform.clone();
                Box::pin(async move {
                    let r = t.acquire_token_silent(&req).await?;
                    assert!(!r.from_cache);
                    Ok(msal_wasm::platform::Platform::now_ms(&p) - started)
                }) as Timed
            })
            .collect();
        let elapsed: Vec<u64> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(refreshes(&h), 2, "each tab renewed for itself");
        assert!(elapsed.iter().all(|ms| *ms < 1_000), "{elapsed:?} ms");
    }
}

/// Two of three expired tabs renewing `scopes` at once at a provider `provider` sets up: each
/// renews for itself (its result checked by `check`), neither waits for a hand-off, and the
/// refresh token each renewal rotated is still respected.
fn two_tabs_renew_without_a_hand_off(provider: impl Fn(&mut Idp), scopes: &[&str], check: fn(&AuthenticationResult)) {
    let (h, tabs, home) = three_tabs_expired();
    provider(&mut h.idp.borrow_mut());
    h.platform.set_network_delay_ms(50);
    h.platform.set_message_delay_ms(300);
    let started = msal_wasm::platform::Platform::now_ms(&h.platform);
    let tasks: Vec<Timed> = tabs[..2]
        .iter()
        .map(|t| {
            let req = SilentRequest { scopes: scopes.iter().map(|s| (*s).to_owned()).collect(), ..silent(&home) };
            let (t, p) = (t.clone(), h.platform.clone());
            Box::pin(async move {
                check(&t.acquire_token_silent(&req).await?);
                Ok(msal_wasm::platform::Platform::now_ms(&p) - started)
            }) as Timed
        })
        .collect();
    let elapsed: Vec<u64> = h.platform.run(tasks).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(refreshes(&h), 2, "neither response could serve the other tab");
    assert_eq!(h.idp.borrow().used_rts.len(), 2, "each refresh token presented once");
    assert!(elapsed.iter().all(|ms| *ms < 1_000), "{elapsed:?} ms");
}

/// At a B2C-like provider, which answers OpenID scopes alone without an access token: nothing
/// one tab gets can serve the other.
#[test]
fn tabs_renewing_openid_scopes_alone_do_not_wait_for_a_hand_off() {
    two_tabs_renew_without_a_hand_off(
        |idp| idp.b2c = true,
        &["openid"],
        |r| {
            assert_eq!((r.access_token.secret(), r.from_cache), ("", false));
        },
    );
}

/// A renewal whose response leaves out a requested scope (not granted) can serve no other tab.
#[test]
fn tabs_whose_renewal_is_granted_fewer_scopes_do_not_wait_for_a_hand_off() {
    two_tabs_renew_without_a_hand_off(
        |idp| idp.withheld = vec!["Mail.Send".into()],
        &["User.Read", "Mail.Send"],
        |r| {
            assert_eq!((r.scopes.iter().any(|s| s == "Mail.Send"), r.from_cache), (false, false), "{:?}", r.scopes);
        },
    );
}

/// The schedules to play: 300 (`MSAL_SCHEDULES=n`: n of them; `MSAL_SEED=k`: the k-th alone).
fn schedule_seeds() -> Vec<u64> {
    let schedules = std::env::var("MSAL_SCHEDULES").ok().and_then(|n| n.parse().ok()).unwrap_or(300u64);
    let only = std::env::var("MSAL_SEED").ok();
    (1..=schedules).filter(|s| only.as_ref().is_none_or(|k| *k == s.to_string())).collect()
}

/// A small deterministic generator for the schedules below (xorshift64*).
struct Schedule(u64);

impl Schedule {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Renewal across tabs, over many schedules: 2 or 3 tabs signed in with an expired access token
/// (the provider rotating refresh tokens, or not) make 1–3 silent calls each (some
/// forceRefresh, some for other scopes of the account) at random times, with random message and network delays. Whatever the schedule, every call succeeds within the delays it met (a
/// request each, two hand-offs: never a 3 s wait for a hand-off that does not come), no refresh
/// token is presented twice, no hidden frame opens, and a renewal is made only for a
/// forceRefresh (plus the first).
#[test]
fn renewal_schedules_across_tabs_never_present_a_refresh_token_twice() {
    for seed in schedule_seeds() {
        let mut s = Schedule(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (h, tabs, home) = three_tabs_expired();
        // One schedule in four against a provider that does not rotate refresh tokens.
        let reusable = s.below(4) == 0;
        h.idp.borrow_mut().reusable_rts = reusable;
        let network = 5 + s.below(120);
        let mail = s.below(800);
        h.platform.set_network_delay_ms(network);
        h.platform.set_message_delay_ms(mail);
        let mut plan = Vec::new();
        for tab in tabs.iter().take(2 + s.below(2) as usize) {
            for _ in 0..1 + s.below(3) {
                plan.push((tab.clone(), s.below(2_500), s.below(10) < 4, if s.below(3) == 0 { "Mail.Read" } else { "User.Read" }));
            }
        }
        let forced = plan.iter().filter(|(_, _, f, _)| *f).count();
        let scope_sets = 1 + usize::from(plan.iter().any(|p| p.3 == "Mail.Read"));
        let platform = h.platform.clone();
        let tasks: Vec<Timed> = plan
            .iter()
            .map(|(tab, at, force, scope)| {
                let req = SilentRequest { force_refresh: *force, scopes: vec![(*scope).to_owned()], ..silent(&home) };
                let (tab, p) = (tab.clone(), platform.clone());
                let at = *at;
                Box::pin(async move {
                    msal_wasm::platform::Platform::sleep(&p, at).await;
                    let began = msal_wasm::platform::Platform::now_ms(&p);
                    tab.acquire_token_silent(&req).await.map(|_| msal_wasm::platform::Platform::now_ms(&p) - began)
                }) as Timed
            })
            .collect();
        let took: Vec<u64> = h.platform.run(tasks).into_iter().map(|r| r.unwrap_or_else(|e| panic!("seed {seed}: {e:?}"))).collect();
        let codes =
            h.platform.requests.borrow().iter().filter(|r| r.form_field("grant_type").as_deref() == Some("authorization_code")).count();
        let what = format!(
            "seed {seed}: reusable refresh tokens {reusable}, network {network} ms, messages {mail} ms, calls (at ms, forced, scope) {:?}, took {took:?}, {} refreshes",
            plan.iter().map(|(_, a, f, c)| (*a, *f, *c)).collect::<Vec<_>>(),
            refreshes(&h)
        );
        let used = h.idp.borrow().used_rts.clone();
        assert_eq!(used.len(), refreshes(&h), "a refresh token was presented twice: {what}");
        if reusable {
            assert!(used.windows(2).all(|w| w[0] == w[1]), "the sign-in's refresh token served every renewal: {what}");
        }
        assert_eq!(codes, 1, "a hidden frame opened: {what}");
        assert!(refreshes(&h) <= forced + scope_sets, "more renewals than forced calls + 1 per scope set: {what}");
        let bound = (plan.len() as u64 + 1) * network + 2 * mail + 500;
        assert!(took.iter().all(|t| *t <= bound), "a call waited past {bound} ms: {what}");
    }
}

/// Account events across tabs, over many schedules: 2 or 3 tabs that hear each other as browser
/// tabs do (messages and storage events, each with its own random delay) share 3 signed-in
/// accounts; at random times they change the active account, sign accounts out and renew
/// tokens, and one signs a fourth account in. Whatever the schedule, once everything has arrived
/// no account that was signed out is back (a renewal that lands after its sign-out is not kept),
/// every tab lists what the storage holds, and each tab was told each change another tab made
/// once: every active-account write (one `ACTIVE_ACCOUNT_CHANGED` per storage event of it, as
/// msal's tabs), every sign-out of an account it did not sign out itself, the other tab's
/// sign-in, and nothing else.
#[test]
fn account_events_across_tabs_over_many_schedules() {
    explore_account_events(false);
}

/// The same with a `sessionStorage` cache: each tab has its own storage and hears the others'
/// sign-ins and sign-outs through their messages alone (account records, never tokens); each
/// keeps its own active account, as msal's.
#[test]
fn account_events_across_session_storage_tabs_over_many_schedules() {
    explore_account_events(true);
}

fn explore_account_events(session: bool) {
    use msal_wasm::client::AccountRef;
    for seed in schedule_seeds() {
        let mut s = Schedule(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xACC0);
        let (h, tabs): (Harness, Vec<ListeningTab>) = if session {
            let h = harness();
            let tabs = (0..2 + s.below(2)).map(|_| h.listening_session_tab(config())).collect();
            (h, tabs)
        } else {
            let h = harness_with(shared_config());
            let tabs = (0..2 + s.below(2)).map(|_| h.listening_tab(shared_config())).collect();
            (h, tabs)
        };
        let homes: Vec<String> = (0..3)
            .map(|i| {
                h.idp.borrow_mut().uid = Some(format!("uid-{i}"));
                let started = tabs[0].pca.open_popup(&request(), PopupAttributes::default()).unwrap();
                block_on(tabs[0].pca.complete_popup(started)).unwrap().account.account.home_account_id
            })
            .collect();
        settle(&h);
        for t in &tabs {
            t.start_over();
        }
        // Hidden frames get no answer: the scripted front channel signs in whoever signed in
        // last, not the frame's account (a renewal falls back to one when its refresh token was
        // signed out under it, or waited out a hand-off).
        let popup = front_channel(&h.idp);
        h.platform.set_windows(move |url| if url.contains("prompt=none") { Err(WindowError::NoResponse) } else { popup(url) });
        let network = 5 + s.below(100);
        let (mail, storage) = (s.below(600), s.below(600));
        h.platform.set_network_delay_ms(network);
        h.platform.set_message_delay_ms(mail);
        h.platform.set_storage_event_delay_ms(storage);
        // (tab, at ms, operation): 0 sets an account active, 1 clears the active account, 2 signs
        // out account 1 or 2, 3 renews the token of an account the tab lists (maybe one another
        // tab is signing out), 4 signs a fourth account in by popup (the first 4 only).
        let plan: Vec<(usize, u64, u64, usize)> =
            (0..3 + s.below(6)).map(|_| (s.below(tabs.len() as u64) as usize, s.below(2_000), s.below(5), s.below(3) as usize)).collect();
        let signed_out_by: std::cell::RefCell<Vec<(usize, String)>> = Default::default();
        let signed_in_by: std::cell::Cell<Option<usize>> = Default::default();
        // Each tab's last own change of its active account (a sessionStorage tab keeps its own).
        let set_here: std::cell::RefCell<Vec<Option<Option<String>>>> = std::cell::RefCell::new(vec![None; tabs.len()]);
        h.idp.borrow_mut().uid = Some("uid-3".into());
        let tasks: Vec<Pin<Box<dyn Future<Output = ()> + '_>>> = plan
            .iter()
            .map(|&(t, at, op, which)| {
                let (tab, p, homes, signed_out_by, signed_in_by, set_here) =
                    (&tabs[t], h.platform.clone(), &homes, &signed_out_by, &signed_in_by, &set_here);
                Box::pin(async move {
                    msal_wasm::platform::Platform::sleep(&p, at).await;
                    let listed: Vec<String> = tab.pca.all_accounts().into_iter().map(|a| a.account.home_account_id).collect();
                    match op {
                        0 if !listed.is_empty() => {
                            let home = &listed[which % listed.len()];
                            tab.pca.set_active_account(Some(&AccountRef::new(home))).unwrap();
                            tab.active_changed_here();
                            set_here.borrow_mut()[t] = Some(Some(home.clone()));
                        }
                        1 => {
                            tab.pca.set_active_account(None).unwrap();
                            tab.active_changed_here();
                            set_here.borrow_mut()[t] = Some(None);
                        }
                        2 => {
                            let home = &homes[1 + which % 2];
                            if listed.contains(home) {
                                tab.pca.clear_cache(Some(&AccountRef::new(home))).unwrap();
                                tab.changed_here();
                                signed_out_by.borrow_mut().push((t, home.clone()));
                            }
                        }
                        3 if listed.contains(&homes[which]) => {
                            let forced = SilentRequest { force_refresh: true, ..silent(&homes[which]) };
                            let _ = tab.pca.acquire_token_silent(&forced).await;
                        }
                        4 if signed_in_by.get().is_none() => {
                            signed_in_by.set(Some(t));
                            let started = tab.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
                            tab.pca.complete_popup(started).await.unwrap();
                            tab.changed_here();
                        }
                        _ => {}
                    }
                }) as Pin<Box<dyn Future<Output = ()> + '_>>
            })
            .collect();
        h.platform.run(tasks);
        settle(&h);
        let what = format!(
            "seed {seed}: {} tabs, network {network} ms, messages {mail} ms, storage events {storage} ms, plan (tab, at, op, which) {:?}, signed out {:?}, signed in by {:?}",
            tabs.len(),
            plan,
            signed_out_by.borrow(),
            signed_in_by.get()
        );
        // The storage's view, by a tab opened now (with sessionStorage, the first tab's: their
        // accounts must all agree; each keeps the active account it set, while it is listed).
        let fresh = if session { tabs[0].pca.clone() } else { h.tab(shared_config()) };
        let ids = |p: &msal_wasm::client::PublicClientApplication<msal_wasm::platform::memory::MemoryPlatform>| {
            let mut v: Vec<String> = p.all_accounts().into_iter().map(|a| a.account.home_account_id).collect();
            v.sort();
            (v, p.active_account().map(|a| a.account.home_account_id))
        };
        let expected = ids(&fresh);
        for (_, gone) in signed_out_by.borrow().iter() {
            assert!(!expected.0.contains(gone), "signed out, then back: {gone}: {what}");
        }
        for (i, t) in tabs.iter().enumerate() {
            let expected = if session {
                let own = set_here.borrow()[i].clone().flatten().filter(|h| expected.0.contains(h));
                (expected.0.clone(), own)
            } else {
                expected.clone()
            };
            assert_eq!(ids(&t.pca), expected, "tab {i} sees another view than the storage: {what}");
            let heard = t.heard.borrow();
            if session {
                // Told from the messages: at most once for each sign-out of another tab (of
                // this tab's active account).
                let others = plan.iter().filter(|(t, _, op, _)| *t != i && *op == 2).count();
                assert!(heard.active_changes as usize <= others, "tab {i}: told {heard:?}: {what}");
            } else {
                assert_eq!(heard.active_changes, heard.active_events, "tab {i}: told {heard:?}: {what}");
            }
            let new: Vec<String> = match signed_in_by.get() {
                Some(by) if by != i => expected.0.iter().filter(|h| h.starts_with("uid-3.")).cloned().collect(),
                _ => Vec::new(),
            };
            assert_eq!(heard.added, new, "tab {i}: told {heard:?}: {what}");
            let mut removed = heard.removed.clone();
            removed.sort();
            let mut elsewhere: Vec<String> = signed_out_by.borrow().iter().filter(|(by, _)| *by != i).map(|(_, h)| h.clone()).collect();
            let here: Vec<String> = signed_out_by.borrow().iter().filter(|(by, _)| *by == i).map(|(_, h)| h.clone()).collect();
            elsewhere.retain(|h| !here.contains(h));
            elsewhere.sort();
            elsewhere.dedup();
            assert_eq!(removed, elsewhere, "tab {i}: told {heard:?}: {what}");
        }
    }
}

/// With a `sessionStorage` cache each tab keeps its own active account, as msal's (its docs:
/// sessionStorage is not shared between tabs): a console signed in as one user per tab must
/// not call APIs as the user another tab made active. Sign-ins and sign-outs still reach the
/// other tabs (account records only).
#[test]
fn session_storage_tabs_keep_their_own_active_account() {
    use msal_wasm::client::AccountRef;
    let h = harness();
    let (a, b) = (h.listening_session_tab(config()), h.listening_session_tab(config()));
    let sign_in = |tab: &ListeningTab, uid: &str| {
        h.idp.borrow_mut().uid = Some(uid.into());
        let started = tab.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
        let home = block_on(tab.pca.complete_popup(started)).unwrap().account.account.home_account_id;
        tab.pca.set_active_account(Some(&AccountRef::new(&home))).unwrap();
        settle(&h);
        home
    };
    let y = sign_in(&b, "uid-y");
    let x = sign_in(&a, "uid-x");
    assert_eq!(b.pca.active_account().map(|a| a.account.home_account_id), Some(y.clone()), "B's user stays B's");
    assert_eq!(a.pca.active_account().map(|a| a.account.home_account_id), Some(x.clone()));
    assert!(b.pca.account(&x).is_some(), "A's sign-in reached B (its account record)");
    // B's silent call without an account is B's user's, from B's cache: no frame for A's user.
    let windows = h.platform.windows.borrow().len();
    let r = block_on(b.pca.acquire_token_silent(&SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() })).unwrap();
    assert_eq!((r.account.account.home_account_id.as_str(), r.from_cache), (y.as_str(), true));
    assert_eq!(h.platform.windows.borrow().len(), windows);
    // A's sign-out of its user reaches B; B's active account stays.
    a.pca.clear_cache(Some(&AccountRef::new(&x))).unwrap();
    settle(&h);
    assert!(b.pca.account(&x).is_none());
    assert_eq!(b.pca.active_account().map(|a| a.account.home_account_id), Some(y));
}

/// A tab's own sign-in of an account whose record another client id of the origin left is no
/// news for it (no ACCOUNT_ADDED), then or when a later change of the other app arrives.
#[test]
fn a_sign_in_of_an_account_another_client_id_stored_is_not_heard_as_added_later() {
    let h = harness();
    let local = |client: &str| {
        let mut c = shared_config();
        c.client_id = client.into();
        c
    };
    let (y, x) = (h.listening_tab(local("client-y")), h.listening_tab(local("client-1")));
    let sign_in = |tab: &ListeningTab, uid: &str| {
        h.idp.borrow_mut().uid = Some(uid.into());
        let started = tab.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
        let home = block_on(tab.pca.complete_popup(started)).unwrap().account.account.home_account_id;
        settle(&h);
        home
    };
    let u = sign_in(&y, "uid-u");
    sign_in(&x, "uid-u");
    sign_in(&y, "uid-w");
    assert_eq!(x.pca.all_accounts().iter().map(|a| a.account.home_account_id.clone()).collect::<Vec<_>>(), [u]);
    assert_eq!(x.heard.borrow().added, Vec::<String>::new());
}

/// Tabs of an app with a memory cache keep their sign-ins to themselves, as msal's (each page's
/// cache is its own): another tab hears no new account and lists none.
#[test]
fn memory_cache_tabs_do_not_take_in_another_tabs_sign_in() {
    let h = harness();
    let memory = || {
        let mut c = config();
        c.cache_location = CacheLocation::MemoryStorage;
        c
    };
    let (a, b) = (h.listening_session_tab(memory()), h.listening_session_tab(memory()));
    let started = a.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
    let home = block_on(a.pca.complete_popup(started)).unwrap().account.account.home_account_id;
    settle(&h);
    assert!(a.pca.account(&home).is_some());
    assert!(b.pca.all_accounts().is_empty());
    assert!(b.heard.borrow().added.is_empty());
}

/// A generic provider's second sign-in with another `acr` (one account, a second profile)
/// reaches the other sessionStorage tabs as that one account, not as a second one.
#[test]
fn session_storage_tabs_hear_a_generic_providers_second_sign_in_as_the_same_account() {
    let h = harness();
    h.idp.borrow_mut().generic = true;
    let oidc = || config().with_protocol_mode(msal_wasm::core::authority::ProtocolMode::Oidc);
    let (a, b) = (h.listening_session_tab(oidc()), h.listening_session_tab(oidc()));
    for acr in ["1", "2"] {
        h.idp.borrow_mut().acr = Some(acr.into());
        block_on(a.pca.complete_popup(a.pca.open_popup(&request(), PopupAttributes::default()).unwrap())).unwrap();
        settle(&h);
    }
    for tab in [&a, &b] {
        let cached = msal_wasm::core::cache::unified::deserialize(&tab.pca.serialize_cache()).unwrap();
        assert_eq!(cached.accounts().len(), 1, "one account entity");
    }
}

/// A sign-out message signs every account out only when it says so (`homeAccountId: null`): one
/// that lacks the field or types it otherwise (another release's shape) signs nobody out in a
/// `sessionStorage` tab, which holds its own copy of the accounts.
#[test]
fn a_sign_out_message_of_an_unknown_shape_signs_nobody_out() {
    let h = harness();
    let tab = h.listening_session_tab(config());
    h.idp.borrow_mut().uid = Some("uid-z".into());
    let started = tab.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
    let home = block_on(tab.pca.complete_popup(started)).unwrap().account.account.home_account_id;
    let client = config().client_id;
    for odd in [r#""homeAccountId":7,"#, r#""homeAccountId":{"id":"x"},"#, ""] {
        let message = format!(r#"{{"t":"signout",{odd}"clientId":"{client}","page":"another-page"}}"#);
        assert!(!tab.pca.apply_announcement(&message), "{message}");
        assert!(tab.pca.account(&home).is_some(), "{message} signed the account out");
    }
    let all = format!(r#"{{"t":"signout","homeAccountId":null,"clientId":"{client}","page":"another-page"}}"#);
    assert!(tab.pca.apply_announcement(&all));
    assert!(tab.pca.account(&home).is_none(), "null means every account");
}

/// Lets every message and storage event on its way arrive.
fn settle(h: &Harness) {
    let p = h.platform.clone();
    h.platform.run::<()>(vec![Box::pin(async move { msal_wasm::platform::Platform::sleep(&p, 5_000).await })]);
}

/// A renewal that lands after the user signed its account out (here, while it was on its way)
/// is returned but not stored, as msal: the account stays signed out.
#[test]
fn a_renewal_that_lands_after_its_account_was_signed_out_is_not_stored() {
    use msal_wasm::client::AccountRef;
    let (h, tabs, home) = three_tabs_expired();
    h.platform.set_network_delay_ms(100);
    let platform = h.platform.clone();
    let (tab, who) = (tabs[0].clone(), home.clone());
    let sign_out = async move {
        msal_wasm::platform::Platform::sleep(&platform, 50).await;
        tab.clear_cache(Some(&AccountRef::new(&who))).map(|_| None)
    };
    let req = silent(&home);
    let renewal = async { tabs[0].acquire_token_silent(&req).await.map(Some) };
    type Out<'a> = Pin<Box<dyn Future<Output = Result<Option<AuthenticationResult>, AuthError>> + 'a>>;
    let out = h.platform.run(vec![Box::pin(renewal) as Out, Box::pin(sign_out)]);
    let renewed = out[0].as_ref().unwrap().as_ref().unwrap();
    assert!(!renewed.from_cache && renewed.account.account.home_account_id == home);
    assert!(out[1].is_ok());
    assert_eq!(refreshes(&h), 1);
    assert!(tabs[0].all_accounts().is_empty() && tabs[0].account(&home).is_none());
    let stored: Vec<String> = msal_wasm::core::cache::KeyValueStore::keys(&h.platform.cache());
    assert!(stored.iter().all(|k| !k.contains(home.as_str())), "{stored:?}");
    assert!(h.platform.logs.borrow().iter().any(|(_, l)| l.contains("its tokens are not stored")));
}

/// A hidden frame that lands after its account was signed out is not stored either: the
/// refresh token was refused, the frame went to the provider, and the user signed out while it
/// was there (stored, the account came back in this tab, and in sessionStorage mode in the
/// others, which take a frame's account as a sign-in). A renewal that finds its account gone
/// when its refresh token fails opens no frame at all.
#[test]
fn a_frame_that_lands_after_its_account_was_signed_out_is_not_stored() {
    use msal_wasm::client::{AccountRef, PublicClientApplication};
    use msal_wasm::platform::memory::MemoryPlatform;
    type Out<'a> = Pin<Box<dyn Future<Output = Result<Option<AuthenticationResult>, AuthError>> + 'a>>;
    type Tabs = Vec<std::rc::Rc<PublicClientApplication<MemoryPlatform>>>;
    // Three tabs whose token expired and whose refresh token the provider refuses: tab 0 renews,
    // and the user signs out there 50 ms later (`pace` sets the provider's).
    fn renewal_during_sign_out(pace: impl Fn(&Harness)) -> (Harness, Tabs, String, Result<AuthenticationResult, AuthError>) {
        let (h, tabs, home) = three_tabs_expired();
        h.idp.borrow_mut().fail_next =
            Some(HttpResponse::new(400, r#"{"error":"invalid_grant","error_description":"AADSTS50173 revoked"}"#));
        pace(&h);
        let platform = h.platform.clone();
        let (tab, who) = (tabs[0].clone(), home.clone());
        let sign_out = async move {
            Platform::sleep(&platform, 50).await;
            tab.clear_cache(Some(&AccountRef::new(&who))).map(|_| None)
        };
        let req = silent(&home);
        let renewal = async { tabs[0].acquire_token_silent(&req).await.map(Some) };
        let mut out = h.platform.run(vec![Box::pin(renewal) as Out, Box::pin(sign_out)]);
        assert!(out[1].is_ok());
        let renewed = out.swap_remove(0).map(|r| r.expect("a result"));
        (h, tabs, home, renewed)
    }
    let grants = |h: &Harness| -> Vec<String> { h.platform.requests.borrow().iter().filter_map(|r| r.form_field("grant_type")).collect() };

    // Signed out while the frame is at the provider.
    let (h, tabs, home, framed) = renewal_during_sign_out(|h| h.platform.set_frame_delay_ms(200));
    let framed = framed.unwrap();
    assert!(!framed.from_cache && framed.account.account.home_account_id == home);
    assert_eq!(grants(&h), ["authorization_code", "refresh_token", "authorization_code"], "the refused refresh, then the frame's code");
    settle(&h);
    for t in &tabs {
        t.reload_cache();
        assert!(t.all_accounts().is_empty() && t.account(&home).is_none());
    }
    let stored: Vec<String> = msal_wasm::core::cache::KeyValueStore::keys(&h.platform.cache());
    assert!(stored.iter().all(|k| !k.contains(home.as_str())), "{stored:?}");
    assert!(h.platform.logs.borrow().iter().any(|(_, l)| l.contains("its tokens are not stored")));

    // Signed out while the refresh token was on its way, and refused: no frame.
    let (h, tabs, _, refused) = renewal_during_sign_out(|h| h.platform.set_network_delay_ms(100));
    assert!(refused.as_ref().is_err_and(AuthError::is_invalid_grant), "{:?}", refused.as_ref().map(|_| ()));
    assert_eq!(grants(&h), ["authorization_code", "refresh_token"]);
    assert!(tabs[0].all_accounts().is_empty());
}

/// Rotations stay in order when the clock steps back between two of them (NTP correcting a
/// laptop's clock after sleep): each tab then keeps the newest refresh token, not the one with
/// the later wall-clock stamp, and never presents a spent one (a provider that detects reuse
/// ends the session in every tab).
#[test]
fn a_clock_that_steps_back_does_not_make_a_tab_present_a_spent_refresh_token() {
    let (h, tabs, home) = three_tabs_expired();
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    block_on(tabs[1].acquire_token_silent(&forced)).unwrap();
    settle(&h);
    // Two minutes back: the rotated token's stamp is then more than a minute ahead of every
    // tab's clock, and its snapshot is still taken (not refused as dated in the future).
    let now = Platform::now_ms(&h.platform);
    h.platform.set_now_ms(now - 120_000);
    block_on(tabs[0].acquire_token_silent(&forced)).unwrap();
    settle(&h);
    let again = block_on(tabs[1].acquire_token_silent(&forced));
    assert!(again.is_ok(), "{:?}", again.err());
    let grants: Vec<String> = h.platform.requests.borrow().iter().filter_map(|r| r.form_field("grant_type")).collect();
    assert_eq!(grants, ["authorization_code", "refresh_token", "refresh_token", "refresh_token"]);
    assert!(!h.platform.logs.borrow().iter().any(|(_, l)| l.contains("dated in the future")));
}

/// Interactions in one tab, over many schedules: popup sign-ins, popup sign-outs, hidden frames
/// (`ssoSilent`), silent renewals and `clearCache` start at random times, and each window
/// answers, is closed by the user, is blocked, times out or gets no answer. Whatever the
/// schedule, every call settles with msal's codes, and afterwards the tab's interaction lock is
/// free: a popup sign-in works.
#[test]
fn interactions_in_one_tab_over_many_schedules() {
    use msal_wasm::client::{AccountRef, LogoutRequest};
    use std::cell::Cell;
    for seed in schedule_seeds() {
        let mut s = Schedule(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x1A7E);
        let h = harness();
        let started = h.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
        let home = block_on(h.pca.complete_popup(started)).unwrap().account.account.home_account_id;
        let outcomes = std::rc::Rc::new(Cell::new(s.below(u64::MAX)));
        let (answer, drawn) = (front_channel(&h.idp), outcomes.clone());
        h.platform.set_windows(move |url| {
            let mut r = Schedule(drawn.get());
            let pick = r.below(8);
            drawn.set(r.0);
            match pick {
                0 => Err(WindowError::UserCancelled),
                1 => Err(WindowError::Blocked),
                2 => Err(WindowError::TimedOut),
                3 => Err(WindowError::NoResponse),
                _ => answer(url),
            }
        });
        h.platform.set_network_delay_ms(s.below(150));
        h.platform.set_frame_delay_ms(s.below(300));
        // (at ms, operation): 0 popup sign-in, 1 popup sign-out, 2 ssoSilent, 3 forced silent
        // renewal, 4 clearCache.
        let plan: Vec<(u64, u64)> = (0..2 + s.below(6)).map(|_| (s.below(1_500), s.below(5))).collect();
        let pca = &h.pca;
        let tasks: Vec<Settles> = plan
            .iter()
            .map(|&(at, op)| {
                let (p, home) = (h.platform.clone(), home.clone());
                Box::pin(async move {
                    msal_wasm::platform::Platform::sleep(&p, at).await;
                    match op {
                        0 => pca.complete_popup(pca.open_popup(&request(), PopupAttributes::default())?).await.map(|_| ()),
                        1 => {
                            let req = LogoutRequest { account: Some(AccountRef::new(&home)), ..Default::default() };
                            pca.complete_logout_popup(pca.open_logout_popup(&req, PopupAttributes::default())?).await
                        }
                        2 => pca.sso_silent(&request()).await.map(|_| ()),
                        3 => pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) }).await.map(|_| ()),
                        _ => pca.clear_cache(None),
                    }
                }) as Settles
            })
            .collect();
        let out = h.platform.run(tasks);
        let what = format!(
            "seed {seed}: plan (at ms, op) {plan:?}, outcomes {:?}",
            out.iter().map(|r| r.as_ref().map_err(AuthError::code)).collect::<Vec<_>>()
        );
        let known = [
            "interaction_in_progress",
            "user_cancelled",
            "popup_window_error",
            "timed_out",
            "monitor_window_timeout",
            "login_required",
            "interaction_required",
            "no_account_error",
            "no_tokens_found",
            "iframe_no_response",
        ];
        for r in &out {
            if let Err(e) = r {
                assert!(known.contains(&e.code()), "{}: {what}", e.code());
            }
        }
        assert!(!h.pca.interaction_in_progress(), "the interaction lock is still held: {what}");
        h.platform.set_windows(front_channel(&h.idp));
        let started = h.pca.open_popup(&request(), PopupAttributes::default()).unwrap_or_else(|e| panic!("{e:?}: {what}"));
        h.platform.block_on(h.pca.complete_popup(started)).unwrap_or_else(|e| panic!("{e:?}: {what}"));
    }
}

/// Two clients of one app in one page (micro-frontends, each with its own instance) and a
/// sessionStorage cache: the page's storage is both clients', so the second serves the first
/// one's tokens (msal reads the storage on every call) and renews with the refresh token the
/// first one rotated; another tab, whose sessionStorage is its own, still gets only the account.
#[test]
fn two_clients_of_one_page_share_its_session_storage() {
    let h = harness();
    let page = h.platform.new_session_tab();
    let a = h.listening_tab_on(page.clone(), config());
    let b = h.listening_tab_on(page.new_client_in_page(), config());
    let elsewhere = h.listening_session_tab(config());
    let started = a.pca.open_popup(&request(), PopupAttributes::default()).unwrap();
    let signed_in = block_on(a.pca.complete_popup(started)).unwrap();
    let home = signed_in.account.account.home_account_id.clone();
    settle(&h);
    assert_eq!(b.heard.borrow().added, std::slice::from_ref(&home), "the second client's ACCOUNT_ADDED");
    let before = h.token_requests();
    let served = block_on(b.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert!(served.from_cache);
    assert_eq!(served.access_token.secret(), signed_in.access_token.secret());
    assert_eq!(h.token_requests(), before, "no request, no frame");
    let forced = SilentRequest { force_refresh: true, ..silent(&home) };
    let renewed = block_on(a.pca.acquire_token_silent(&forced)).unwrap();
    settle(&h);
    let served = block_on(b.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert_eq!((served.from_cache, served.access_token.secret()), (true, renewed.access_token.secret()));
    block_on(b.pca.acquire_token_silent(&forced)).unwrap();
    assert_eq!(refreshes(&h), 2);
    assert_eq!(h.idp.borrow().used_rts.len(), 2, "each refresh token presented once (a replay is refused and not recorded)");
    // Another tab lists the account (msal-wasm's sessionStorage tabs share the sign-in) but
    // holds none of its tokens.
    assert_eq!(elsewhere.pca.all_accounts().len(), 1);
    let cached_only = SilentRequest { cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken, ..silent(&home) };
    let requests = h.token_requests();
    assert!(block_on(elsewhere.pca.acquire_token_silent(&cached_only)).is_err());
    assert_eq!(h.token_requests(), requests, "no refresh token there to send");
}

/// Two clients of one app on the page a redirect returns to (micro-frontends, or an app that
/// builds a client per render): the package kept the response when it was evaluated (as the
/// redirect bridge does), the first client takes it from the address; the second must not
/// take that copy and redeem the same code again (as msal 5, whose second instance finds no
/// response and resolves null).
#[test]
fn a_second_client_on_the_return_page_does_not_redeem_the_code_again() {
    use msal_wasm::client::RedirectStart;
    use msal_wasm::core::pkce::InteractionType;
    let h = harness();
    let page = h.platform.new_session_tab();
    let a = h.listening_tab_on(page.clone(), config());
    let b = h.listening_tab_on(page.new_client_in_page(), config());
    let pending = a.pca.begin_interaction(&request(), InteractionType::Redirect, "https://app.example/").unwrap();
    let state = msal_wasm::core::url::parse_query(pending.url.split_once('?').unwrap().1)
        .into_iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v)
        .unwrap();
    let response = format!("#code=the-code&state={}", msal_wasm::core::url::encode(&state));
    page.set_page_url(format!("https://app.example/{response}"));
    // What the package does when it is evaluated on that page.
    a.pca.stash_redirect_response(&response).unwrap();
    let first = a.pca.begin_handle_redirect(None, true).unwrap();
    let RedirectStart::Redeem { clean_url, .. } = first else { panic!("the first client redeems: {first:?}") };
    page.set_page_url(clean_url.unwrap());
    let second = b.pca.begin_handle_redirect(None, true).unwrap();
    assert!(!matches!(second, RedirectStart::Redeem { .. }), "the second client redeems nothing: {second:?}");
}
