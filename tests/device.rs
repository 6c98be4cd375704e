//! The device code flow over the memory platform's virtual time: the poll interval, `slow_down`,
//! an expired code, a malformed answer.

mod scripted;

use msal_wasm::client::{DeviceCodeRequest, PublicClientApplication};
use msal_wasm::core::http::HttpResponse;
use msal_wasm::platform::memory::MemoryPlatform;
use scripted::*;
use std::cell::RefCell;
use std::rc::Rc;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A provider whose token endpoint answers the polls with `polls` in turn (then a token).
fn device_platform(polls: Vec<&'static str>, expires_in: u64) -> (MemoryPlatform, Rc<RefCell<Vec<u64>>>) {
    let idp = Rc::new(RefCell::new(Idp::default()));
    let polls = Rc::new(RefCell::new(polls));
    let times = Rc::new(RefCell::new(Vec::new()));
    let t = times.clone();
    let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
    let p = platform.clone();
    platform.set_handler(move |req| {
        if req.url.contains("/devicecode") {
            return Ok(HttpResponse::new(
                200,
                format!(r#"{{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":{expires_in},"interval":2,"message":"go"}}"#),
            ));
        }
        t.borrow_mut().push(msal_wasm::platform::Platform::now_ms(&p));
        let next = polls.borrow_mut().pop();
        match next {
            Some(e) => Ok(HttpResponse::new(400, format!(r#"{{"error":"{e}"}}"#))),
            None => Ok(token_response(&mut idp.borrow_mut(), true)),
        }
    });
    (platform, times)
}

fn request() -> DeviceCodeRequest {
    DeviceCodeRequest { scopes: vec!["User.Read".into()], ..Default::default() }
}

#[test]
fn polls_at_the_interval_and_slows_down_when_asked() {
    // Answers in reverse order of the pops: pending, slow_down, pending, then the token.
    let (platform, times) = device_platform(vec!["authorization_pending", "slow_down", "authorization_pending"], 900);
    let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    let shown = RefCell::new(String::new());
    let r =
        platform.block_on(pca.acquire_token_by_device_code(&request(), |i| *shown.borrow_mut() = i.user_code.clone(), || false)).unwrap();
    assert_eq!(*shown.borrow(), "ABCD-EFGH");
    assert_eq!(r.account.account.username, "ada@contoso.com");
    let gaps: Vec<u64> = times.borrow().iter().map(|t| t - NOW_MS).collect();
    assert_eq!(gaps, [2_000, 4_000, 11_000, 18_000], "2 s apart, 7 s after slow_down");
}

#[test]
fn an_expired_code_or_a_refusal_ends_the_wait_with_a_typed_error() {
    let (platform, times) = device_platform(vec!["authorization_pending"; 100], 9);
    let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    let e = platform.block_on(pca.acquire_token_by_device_code(&request(), |_| {}, || false)).unwrap_err();
    assert_eq!(e.code(), "device_code_expired");
    let polls: Vec<u64> = times.borrow().iter().map(|t| t - NOW_MS).collect();
    assert_eq!(polls, [2_000, 4_000, 6_000, 8_000], "every 2 s, never after the code's 9 s");
    // The request's own timeout comes first.
    let (platform, _) = device_platform(vec!["authorization_pending"; 100], 900);
    let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    let req = DeviceCodeRequest { timeout_secs: 5, ..request() };
    assert_eq!(platform.block_on(pca.acquire_token_by_device_code(&req, |_| {}, || false)).unwrap_err().code(), "user_timeout_reached");
    // Cancelled while waiting: seen before the next poll.
    let (platform, times) = device_platform(vec!["authorization_pending"; 100], 900);
    let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    let t = times.clone();
    let e = platform.block_on(pca.acquire_token_by_device_code(&request(), |_| {}, move || t.borrow().len() >= 2)).unwrap_err();
    assert_eq!(e.code(), "device_code_polling_cancelled");
    assert_eq!(times.borrow().len(), 2);
    let (platform, _) = device_platform(vec!["access_denied"], 900);
    let pca = PublicClientApplication::new(config(), platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    assert_eq!(platform.block_on(pca.acquire_token_by_device_code(&request(), |_| {}, || false)).unwrap_err().code(), "access_denied");
    // A malformed device authorization answer.
    platform.set_handler(|_| Ok(HttpResponse::new(200, r#"{"user_code":1}"#)));
    let e = platform.block_on(pca.acquire_token_by_device_code(&request(), |_| {}, || false)).unwrap_err();
    assert_eq!(e.code(), "failed_to_parse_response");
}

/// The device code sign-in of `req` under `config` against a provider whose token endpoint
/// answers in [`GUEST_TENANT`]: the result's tenant and what was sent (URL and body) to the
/// device authorization and token endpoints.
fn device_sign_in(config: msal_wasm::client::Config, req: &DeviceCodeRequest) -> (String, Vec<(String, String)>) {
    let sent = Rc::new(RefCell::new(Vec::<(String, String)>::new()));
    let s = sent.clone();
    let idp = Rc::new(RefCell::new(Idp::default()));
    let platform = MemoryPlatform::new(NOW_MS, |_| Ok(HttpResponse::new(500, "")));
    platform.set_handler(move |req| {
        if req.url.contains("openid-configuration") {
            return handle(&idp, req);
        }
        s.borrow_mut().push((req.url.clone(), req.body.clone()));
        if req.url.contains("/devicecode") {
            return Ok(HttpResponse::new(
                200,
                r#"{"device_code":"dc","user_code":"U","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":1}"#,
            ));
        }
        Ok(token_response_in(&mut idp.borrow_mut(), true, GUEST_TENANT))
    });
    let pca = PublicClientApplication::new(config, platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    let r = platform.block_on(pca.acquire_token_by_device_code(req, |_| {}, || false)).unwrap();
    let sent = sent.borrow().clone();
    (r.tenant_id, sent)
}

#[test]
fn a_device_code_request_carries_its_claims_capabilities_authority_and_extra_parameters() {
    // As msal-node's DeviceCodeClient: the merged claims (the app's challenge and its client
    // capabilities) go to the device authorization request and to every poll; the extra query
    // parameters to both URLs; a request's authority is the one signed in to.
    let mut with_caps = config();
    with_caps.client_capabilities = vec!["cp1".into()];
    let req = DeviceCodeRequest {
        claims: r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#.into(),
        authority: Some(format!("https://login.microsoftonline.com/{GUEST_TENANT}")),
        extra_query_parameters: vec![("dc".into(), "ESTS-PUB-X".into())],
        ..request()
    };
    let (tenant, sent) = device_sign_in(with_caps, &req);
    assert_eq!(tenant, GUEST_TENANT);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].1.contains("dc=ESTS-PUB-X"), "in the device authorization body too, as msal-node: {}", sent[0].1);
    for (url, body) in &sent {
        assert!(url.contains(&format!("/{GUEST_TENANT}/oauth2/v2.0/")), "{url}");
        assert!(url.contains("dc=ESTS-PUB-X"), "{url}");
        let claims = body.split('&').find_map(|p| p.strip_prefix("claims=")).unwrap_or_else(|| panic!("no claims in {body}"));
        let claims = msal_wasm::core::url::decode(claims);
        assert!(claims.contains(r#""xms_cc":{"values":["cp1"]}"#) && claims.contains(r#""value":"c1""#), "{claims}");
    }
    // Without a challenge or capabilities, no claims parameter at all (as msal-node).
    let (_, sent) = device_sign_in(config(), &request());
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|(url, body)| url.contains(TENANT) && !body.contains("claims=")), "{sent:?}");
}

#[test]
fn a_refresh_token_from_elsewhere_is_redeemed_with_the_apps_client_capabilities() {
    // As every refresh of msal-common's RefreshTokenClient: `xms_cc` rides along, so the
    // migrated sign-in's tokens are CAE tokens too.
    let idp = Rc::new(RefCell::new(Idp::default()));
    idp.borrow_mut().issued_rts.push("rt-migrated".into());
    let bodies = Rc::new(RefCell::new(Vec::new()));
    let (i, b) = (idp.clone(), bodies.clone());
    let platform = MemoryPlatform::new(NOW_MS, move |req| {
        b.borrow_mut().push(req.body.clone());
        handle(&i, req)
    });
    let mut with_caps = config();
    with_caps.client_capabilities = vec!["cp1".into()];
    let pca = PublicClientApplication::new(with_caps, platform.clone()).unwrap();
    platform.block_on(pca.initialize()).unwrap();
    platform.block_on(pca.acquire_token_by_refresh_token("rt-migrated", &["User.Read".into()], "")).unwrap();
    let body = bodies.borrow().last().cloned().unwrap();
    let claims = body.split('&').find_map(|p| p.strip_prefix("claims=")).unwrap_or_else(|| panic!("no claims in {body}"));
    assert!(msal_wasm::core::url::decode(claims).contains(r#""xms_cc":{"values":["cp1"]}"#), "{claims}");
}
