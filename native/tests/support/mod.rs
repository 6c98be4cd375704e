//! For the tests of msal-native: the local provider started by scripts/with-idp.mjs (its
//! address in the environment), its request counters, and a real redis-server of our own.
#![allow(dead_code)]

use msal_native::http::Http;
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::json::Json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("run these tests through scripts/with-idp.mjs ({name} is not set)"))
}

/// The provider's Entra-mode authority.
pub fn authority() -> String {
    env("MSAL_TEST_ENTRA_AUTHORITY")
}

/// The provider's origin.
pub fn idp_origin() -> String {
    env("MSAL_TEST_IDP_ORIGIN")
}

/// The key and certificate the provider registered for the certificate daemon.
pub fn daemon_pem() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/idp/.cert/localhost.pem");
    std::fs::read_to_string(path).expect("the provider writes tests/idp/.cert/localhost.pem when it starts")
}

pub const DAEMON_CLIENT_ID: &str = "msal-wasm-test-daemon";
pub const DAEMON_SECRET: &str = "daemon-secret-for-tests-only";
pub const DAEMON_CERT_CLIENT_ID: &str = "msal-wasm-test-daemon-cert";
pub const APP_SCOPE: &str = "api://msal-wasm-test-api/.default";
/// The provider's second Entra tenant (tests/idp/server.mjs `GUEST_TENANT_ID`).
pub const GUEST_TENANT_ID: &str = "3c9a7d51-6b2e-4f80-a1d4-0f5e2b7c9e31";

async fn test_call(method_post: bool, path: &str, body: &str) -> Json {
    let http = Http::new(Duration::from_secs(10)).unwrap();
    let mut req = HttpRequest::get(format!("{}{path}", idp_origin()));
    if method_post {
        req.method = msal_wasm::core::http::Method::Post;
        req.headers.push(("content-type".into(), "application/json".into()));
        req.body = body.to_owned();
    }
    let resp = http.send(&req).await.unwrap();
    // A test endpoint that fails, or answers what is not JSON, fails the test (read as nothing,
    // a count of requests would be 0 whatever the library sent).
    assert_eq!(resp.status, 200, "{path}: {}", resp.body);
    Json::parse(&resp.body).unwrap_or_else(|e| panic!("{path}: not JSON ({e:?}): {}", resp.body))
}

/// POSTs `body` (JSON) to a test endpoint of the provider; its JSON answer.
pub async fn post_json(path: &str, body: &str) -> Json {
    test_call(true, path, body).await
}

/// The provider's token-request count since the last [`reset`].
pub async fn token_requests() -> u64 {
    test_call(false, "/__test/counters", "").await.get("token").and_then(Json::as_u64).expect("the provider's token count")
}

/// The provider's counters since the last [`reset`] (with its log of requests).
pub async fn counters() -> Json {
    test_call(false, "/__test/counters", "").await
}

/// Zeroes the provider's counters.
pub async fn reset() {
    test_call(true, "/__test/reset", "{}").await;
}

/// Sets provider switches (`/__test/config`).
pub async fn configure(patch: &str) {
    test_call(true, "/__test/config", patch).await;
}

/// A redis-server of our own on a free port, without persistence; stopped when dropped.
pub struct Redis {
    child: Child,
    pub url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_redis() -> Redis {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is installed by scripts/setup.sh (Debian package redis-server)");
    let redis = Redis { child, url: format!("redis://127.0.0.1:{port}/") };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return redis;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("redis-server did not start on port {port}");
}

/// The user signs in at the provider for the authorize `url` of the web client: a code for its
/// scopes, PKCE challenge and nonce, and the URL's state.
pub async fn sign_in_at_provider(url: &str, login: &str) -> (String, String) {
    use msal_wasm::core::url::parse_query;
    let query = parse_query(url.split_once('?').map(|(_, q)| q).unwrap_or_default());
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    // The tenant whose token endpoint redeems the code: the guest one when the URL is its.
    let guest = url.split('/').nth(3) == Some(GUEST_TENANT_ID);
    let body = Json::object()
        .with("mode", "entra")
        .with("tenant", if guest { Json::from(GUEST_TENANT_ID) } else { Json::Null })
        .with("client_id", get("client_id"))
        .with("login", login)
        .with("redirect_uri", get("redirect_uri"))
        .with("code_challenge", get("code_challenge"))
        .with("nonce", get("nonce"))
        .with("scope", get("scope"))
        .to_json();
    let code = post_json("/__test/code", &body).await.string_or_empty("code");
    assert!(!code.is_empty());
    (code, get("state"))
}

/// The user approves a device code on the verification page, a moment after it is shown.
pub fn approve_device_code_later(user_code: String, login: &'static str) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        post_json("/__test/device", &format!(r#"{{"user_code":"{user_code}","login":"{login}"}}"#)).await;
    });
}

/// `text` (a serialized cache) with every access token's `refresh_on` moved into the past.
pub fn refresh_due_in(text: &str) -> String {
    let mut j = Json::parse(text).unwrap();
    let Some(Json::Obj(mut tokens)) = j.remove("AccessToken") else { panic!("no AccessToken section") };
    assert!(!tokens.is_empty());
    for (_, t) in tokens.iter_mut() {
        t.set(
            "refresh_on",
            Json::from((std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 60).to_string()),
        );
    }
    j.set("AccessToken", Json::Obj(tokens));
    j.to_json()
}

/// An empty directory of this test process's own under the system's temp dir.
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("msal-native-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
