//! msal-node's `system` options on the native clients, against the local provider: the app's
//! network client carries every request, and the app's logger hears what the client did, at
//! its level, in msal-node's line format, without a secret.

mod support;

use msal_native::system::BoxFuture;
use msal_native::*;
use msal_wasm::client::{Config, DeviceCodeRequest};
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::error::{AuthError, ErrorKind};
use std::sync::{Arc, Mutex};
use support::*;

/// The app's network client: notes each request (method and path) and sends it through the
/// crate's reqwest client, or refuses every request.
struct Recording {
    inner: Option<http::Http>,
    seen: Mutex<Vec<String>>,
}

impl Recording {
    fn new(send: bool) -> Arc<Recording> {
        let inner = send.then(|| http::Http::new(std::time::Duration::from_secs(10)).unwrap());
        Arc::new(Recording { inner, seen: Mutex::new(Vec::new()) })
    }
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl NetworkClient for Recording {
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, Result<HttpResponse, AuthError>> {
        let path = request.url.split_once("://").map_or("", |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
        self.seen.lock().unwrap().push(format!("{:?} /{}", request.method, path.split('?').next().unwrap_or_default()));
        Box::pin(async move {
            match &self.inner {
                Some(h) => h.send(request).await,
                None => Err(AuthError::new(ErrorKind::Network, "network_error", "the app's network client refused the request")),
            }
        })
    }
}

type Lines = Arc<Mutex<Vec<(LogLevel, String)>>>;

fn logger(level: LogLevel) -> (Logger, Lines) {
    let lines: Lines = Arc::default();
    let sink = lines.clone();
    let logger = Logger::new(level, move |level, line, pii| {
        assert!(!pii, "this crate's lines hold no personal data");
        sink.lock().unwrap().push((level, line.to_owned()));
    });
    (logger, lines)
}

fn daemon(system: SystemOptions) -> ConfidentialClientApplication {
    let mut config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    config.system = system;
    ConfidentialClientApplication::new(config, None).unwrap()
}

fn request() -> ClientCredentialRequest {
    ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() }
}

#[tokio::test]
async fn a_confidential_clients_requests_go_through_the_apps_network_client_and_its_logger_hears_them() {
    let net = Recording::new(true);
    let (log, lines) = logger(LogLevel::Trace);
    let app = daemon(SystemOptions { network_client: Some(net.clone()), logger: Some(log) });
    let first = app.acquire_token_by_client_credential(&request()).await.unwrap();
    let second = app.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(!first.from_cache && second.from_cache);
    let seen = net.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("Get /") && seen[0].ends_with("/.well-known/openid-configuration"), "{seen:?}");
    assert!(seen[1].starts_with("Post /") && seen[1].ends_with("/token"), "{seen:?}");
    let lines = lines.lock().unwrap().clone();
    let has = |level: LogLevel, cid: &str, text: &str| {
        lines.iter().any(|(l, line)| *l == level && line.starts_with(&format!("[{cid}] : msal-native@")) && line.contains(text))
    };
    assert!(has(LogLevel::Verbose, "", "fetching the discovery document of"), "{lines:?}");
    assert!(has(LogLevel::Info, &first.correlation_id, "Info - requesting a token for the app"), "{lines:?}");
    assert!(has(LogLevel::Verbose, &second.correlation_id, "Verbose - token served from the cache"), "{lines:?}");
    for (_, line) in &lines {
        assert!(!line.contains(DAEMON_SECRET) && !line.contains(first.access_token.secret()), "{line}");
    }

    // At Warning, the Info and Verbose lines are not heard.
    let (quiet, heard) = logger(LogLevel::Warning);
    let app = daemon(SystemOptions { network_client: None, logger: Some(quiet) });
    app.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(heard.lock().unwrap().is_empty(), "{:?}", heard.lock().unwrap());

    // The app's client refuses: the flow fails with its typed error, logged as an error.
    let refusing = Recording::new(false);
    let (log, lines) = logger(LogLevel::Error);
    let app = daemon(SystemOptions { network_client: Some(refusing.clone()), logger: Some(log) });
    let e = app.acquire_token_by_client_credential(&request()).await.unwrap_err();
    // (msal's code for endpoints that could not be fetched.)
    assert_eq!(e.code(), "endpoints_resolution_error");
    assert_eq!(refusing.seen().len(), 1, "nothing is sent around the app's client");
    let lines = lines.lock().unwrap().clone();
    let failed = "Error - the authority's discovery document failed: endpoints_resolution_error";
    assert!(lines.iter().any(|(l, line)| *l == LogLevel::Error && line.contains(failed)), "{lines:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_public_clients_shared_flows_log_and_send_through_the_apps_options() {
    let net = Recording::new(true);
    let (log, lines) = logger(LogLevel::Verbose);
    let system = SystemOptions { network_client: Some(net.clone()), logger: Some(log) };
    let app =
        PublicClientApplication::with_system(Config::new("msal-wasm-test-cli").with_authority(authority()), None, system).await.unwrap();
    // A device code sign-in the user gives up on at once: its request went through the app's
    // client.
    let req = DeviceCodeRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let e = app.acquire_token_by_device_code(&req, |_| {}, || true).await.unwrap_err();
    assert_eq!(e.code(), "device_code_polling_cancelled");
    let seen = net.seen();
    assert!(seen.iter().any(|s| s.starts_with("Post /") && s.ends_with("/devicecode")), "{seen:?}");
    // The client's own lines (msal_wasm::client, shared with the browser) reach the logger.
    let lines = lines.lock().unwrap().clone();
    assert!(lines.iter().any(|(l, line)| *l == LogLevel::Verbose && line.contains(": Verbose - initialize:")), "{lines:?}");
    assert!(lines.iter().all(|(l, _)| *l <= LogLevel::Verbose), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_apps_user_flows_send_through_the_apps_network_client_and_its_account_apis_need_no_network() {
    let net = Recording::new(true);
    let (log, lines) = logger(LogLevel::Verbose);
    let mut config =
        ConfidentialClientConfig::new("msal-wasm-test-web", authority(), Credential::Secret("web-secret-for-tests-only".into()));
    config.system = SystemOptions { network_client: Some(net.clone()), logger: Some(log) };
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    let req = AuthCodeUrlRequest { scopes: vec!["User.Read".into()], redirect_uri: format!("{}/", idp_origin()), ..Default::default() };
    let flow = app.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in_at_provider(&flow.url, "system-user").await;
    let body = format!("code={}&state={}", msal_wasm::core::url::encode(&code), msal_wasm::core::url::encode(&state));
    let r = app.acquire_token_by_code(&flow.session, &body).await.unwrap();
    // The code's redemption (the shared client's flow) went through the app's client.
    let posts: Vec<String> = net.seen().into_iter().filter(|s| s.starts_with("Post /") && s.ends_with("/token")).collect();
    assert_eq!(posts.len(), 1, "{:?}", net.seen());
    assert!(!lines.lock().unwrap().iter().any(|(_, l)| l.contains(&code) || l.contains(r.access_token.secret())));
    // The account APIs read and write the cache only: nothing more is sent.
    let before = net.seen().len();
    let home = r.account.account.home_account_id.clone();
    assert_eq!(app.get_account_by_home_id(&home).await.unwrap().unwrap().account.username, "system-user");
    assert!(app.get_account_by_home_id("").await.unwrap().is_none());
    assert_eq!(net.seen().len(), before, "{:?}", net.seen());
    // msal-node's getAllAccounts and getAccountByLocalId over its in-memory cache: every
    // user's account, a second user's too.
    let flow = app.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in_at_provider(&flow.url, "system-user-2").await;
    let body = format!("code={}&state={}", msal_wasm::core::url::encode(&code), msal_wasm::core::url::encode(&state));
    let second = app.acquire_token_by_code(&flow.session, &body).await.unwrap().account.account;
    let before = net.seen().len();
    let mut users: Vec<String> = app.get_all_accounts().await.unwrap().into_iter().map(|a| a.account.username).collect();
    users.sort();
    assert_eq!(users, ["system-user", "system-user-2"]);
    let by_local = app.get_account_by_local_id(&second.local_account_id).await.unwrap().expect("the second user");
    assert_eq!(by_local.account.home_account_id, second.home_account_id);
    assert!(by_local.id_token_claims.is_some(), "with the user's ID token");
    assert!(app.get_account_by_local_id("nobody").await.unwrap().is_none());
    app.remove_account(&msal_wasm::client::AccountRef::new(home.clone())).await.unwrap();
    assert!(app.get_account_by_home_id(&home).await.unwrap().is_none());
    let left: Vec<String> = app.get_all_accounts().await.unwrap().into_iter().map(|a| a.account.username).collect();
    assert_eq!(left, ["system-user-2"]);
    assert_eq!(net.seen().len(), before, "{:?}", net.seen());
}

/// The app's network client with a token endpoint that answers as B2C does to OpenID scopes
/// alone: an ID token, no access token.
struct NoAccessToken(http::Http);

impl NetworkClient for NoAccessToken {
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, Result<HttpResponse, AuthError>> {
        Box::pin(async move {
            if request.url.split('?').next().is_some_and(|u| u.ends_with("/token")) {
                return Ok(HttpResponse::new(200, r#"{"token_type":"Bearer","scope":"openid","id_token_expires_in":3600}"#));
            }
            self.0.send(request).await
        })
    }
}

#[tokio::test]
async fn an_app_token_response_without_an_access_token_fails_and_nothing_is_cached() {
    let net = Arc::new(NoAccessToken(http::Http::new(std::time::Duration::from_secs(10)).unwrap()));
    let app = daemon(SystemOptions { network_client: Some(net), logger: None });
    for _ in 0..2 {
        let e = app.acquire_token_by_client_credential(&request()).await.unwrap_err();
        assert_eq!(e.code(), "failed_to_parse_response");
    }
}
