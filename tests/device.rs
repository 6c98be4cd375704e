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
