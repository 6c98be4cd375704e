//! Browser tests (wasm32, headless Chromium via webdriver.json): the storage, crypto and
//! fetch layers of the browser platform, against the real browser APIs.
#![cfg(target_arch = "wasm32")]

use msal_wasm::client::CacheLocation;
use msal_wasm::core::cache::KeyValueStore;
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::{base64, pkce, sha256::sha256};
use msal_wasm::platform::browser::{BrowserPlatform, WebStore};
use msal_wasm::platform::Platform;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn session_storage_round_trip_and_keys() {
    let (store, fell_back) = WebStore::open(CacheLocation::SessionStorage);
    assert!(!fell_back, "sessionStorage should be available in Chromium");
    assert!(matches!(store, WebStore::Web(_)));
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
    let (store, fell_back) = WebStore::open(CacheLocation::MemoryStorage);
    assert!(!fell_back);
    store.set("k", "v").unwrap();
    assert_eq!(store.get("k").as_deref(), Some("v"));
    let web = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    assert_eq!(web.get_item("k").unwrap(), None);
}

#[test]
fn local_storage_quota_exceeded_is_an_error_not_a_panic() {
    let (store, _) = WebStore::open(CacheLocation::LocalStorage);
    // ~10 MB in one value is over every browser's localStorage quota.
    let huge = "x".repeat(12 * 1024 * 1024);
    let err = store.set("msal.test.huge", &huge).unwrap_err();
    assert_eq!(err.code(), "storage_unavailable");
    assert_eq!(store.get("msal.test.huge"), None);
}

#[test]
fn get_random_values_fills_and_differs() {
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage);
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
    let mut copy = data.to_vec();
    let promise = subtle.digest_with_str_and_u8_array("SHA-256", &mut copy).unwrap();
    let buf = JsFuture::from(promise).await.unwrap();
    js_sys::Uint8Array::new(&buf.dyn_into::<js_sys::ArrayBuffer>().unwrap()).to_vec()
}

#[test]
async fn sha256_and_pkce_match_crypto_subtle() {
    for len in [0usize, 1, 55, 56, 63, 64, 65, 1000, 100_000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        assert_eq!(sha256(&data).to_vec(), subtle_sha256(&data).await, "length {len}");
    }
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage);
    let mut entropy = [0u8; 32];
    p.fill_random(&mut entropy).unwrap();
    let verifier = pkce::verifier_from_entropy(&entropy).unwrap();
    let expected = base64::encode_url(&subtle_sha256(verifier.secret().as_bytes()).await);
    assert_eq!(pkce::challenge(&verifier), expected);
}

#[test]
async fn fetch_failure_maps_to_get_request_failed() {
    let p = BrowserPlatform::new(CacheLocation::MemoryStorage);
    // Port 9 on loopback: nothing listens there, the request fails at once.
    let err = p.send(HttpRequest::get("http://127.0.0.1:9/none")).await.unwrap_err();
    assert_eq!(err.code(), "get_request_failed");
    assert_eq!(err.kind().class_name(), "BrowserAuthError");
}
