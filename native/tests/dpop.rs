//! DPoP (RFC 9449) in the native clients against the local provider (oidc-provider with DPoP
//! on): a daemon's client-credentials token bound to its key, cached apart from Bearer tokens,
//! with the provider's nonce challenge answered; a CLI's device code sign-in bound to a key from
//! a PEM file, renewed with the same key, and accepted by the provider's userinfo endpoint (the
//! API) only with a proof.

mod support;

use msal_native::*;
use msal_wasm::client::{AccountRef, AuthScheme, Config, DeviceCodeRequest, SilentRequest};
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::json::Json;
use std::sync::Arc;
use support::*;

const CLI_CLIENT_ID: &str = "msal-wasm-test-cli";
const APP_SCOPE: &str = "api://msal-wasm-test-api/.default";
const KEY_PEM: &str = include_str!("fixtures/dpop-p256.pem");

fn header_jwk(proof: &str) -> msal_wasm::core::json::Json {
    let header = msal_wasm::core::base64::decode(proof.split('.').next().unwrap()).unwrap();
    let header = msal_wasm::core::json::Json::parse(std::str::from_utf8(&header).unwrap()).unwrap();
    header.get("jwk").unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_token_bound_to_the_apps_key_apart_from_bearer_tokens() {
    reset().await;
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    let scheme = AuthScheme::dpop("POST", "https://api.example/orders").unwrap();
    let req = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], authentication_scheme: scheme.clone(), ..Default::default() };
    let first = app.acquire_token_by_client_credential(&req).await.unwrap();
    assert_eq!(first.token_type, "DPoP");
    assert!(!first.from_cache);
    let proof = first.dpop_proof.clone().unwrap();
    let key = app.dpop_key().await.unwrap();
    assert_eq!(header_jwk(&proof).to_json(), key.public_jwk().to_json().to_json());
    // From the cache, with a fresh proof.
    let again = app.acquire_token_by_client_credential(&req).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.access_token.secret(), first.access_token.secret());
    assert_ne!(again.dpop_proof, first.dpop_proof);
    assert_eq!(token_requests().await, 1);
    // A Bearer request never gets the bound token (nor the reverse).
    let bearer = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() };
    let b = app.acquire_token_by_client_credential(&bearer).await.unwrap();
    assert_eq!(b.token_type, "Bearer");
    assert_ne!(b.access_token.secret(), first.access_token.secret());
    assert!(b.dpop_proof.is_none());
    assert!(app.acquire_token_by_client_credential(&req).await.unwrap().from_cache);
    // The provider wants nonces now. A client that has none yet is challenged once and retries
    // with the nonce; then it sends the provider's latest nonce from the start.
    configure(r#"{"dpopRequireNonce":true}"#).await;
    reset().await;
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    let other = ConfidentialClientApplication::new(config, None).unwrap();
    let fresh = other.acquire_token_by_client_credential(&req).await;
    let challenged = token_requests().await;
    let next = other.acquire_token_by_client_credential(&ClientCredentialRequest { skip_cache: true, ..req.clone() }).await;
    configure(r#"{"dpopRequireNonce":false}"#).await;
    assert_eq!(fresh.unwrap().token_type, "DPoP");
    assert_eq!(challenged, 2, "use_dpop_nonce, then the retry with the nonce");
    assert_eq!(next.unwrap().token_type, "DPoP");
    assert_eq!(token_requests().await, 3, "the next request carries the nonce at once");
    // A request whose resource is not https (nor loopback) is refused before any network.
    assert_eq!(AuthScheme::dpop("GET", "http://api.example/").unwrap_err().code(), "invalid_dpop_htu");
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_sign_in_keeps_the_apps_own_key() {
    let app = PublicClientApplication::new(Config::new(CLI_CLIENT_ID).with_authority(authority()), None).await.unwrap();
    let key = DpopKey::from_pem(KEY_PEM).unwrap();
    let jkt = key.thumbprint().to_owned();
    app.use_dpop_key(key);
    let scheme = AuthScheme::dpop("GET", &format!("{}/oidc/userinfo", authority())).unwrap();
    let req = DeviceCodeRequest { scopes: vec!["User.Read".into()], authentication_scheme: scheme, ..Default::default() };
    // The user gives up on the first sign-in.
    let e = app.acquire_token_by_device_code(&req, |_| {}, || true).await.unwrap_err();
    assert_eq!(e.code(), "device_code_polling_cancelled");
    let r = app
        .acquire_token_by_device_code(&req, |code| approve_device_code_later(code.user_code.clone(), "dpop-cli-again"), || false)
        .await
        .expect("the app's key is still there");
    let jwk = header_jwk(&r.dpop_proof.unwrap());
    let thumb = msal_wasm::core::dpop::PublicJwk::Ec { x: jwk.string_or_empty("x"), y: jwk.string_or_empty("y") }.thumbprint();
    assert_eq!(thumb, jkt);
}

#[tokio::test(flavor = "current_thread")]
async fn a_cli_signs_in_with_its_pem_key_renews_with_it_and_calls_the_api_with_proofs() {
    reset().await;
    let app = PublicClientApplication::new(Config::new(CLI_CLIENT_ID).with_authority(authority()), None).await.unwrap();
    let key = DpopKey::from_pem(KEY_PEM).unwrap();
    let jkt = key.thumbprint().to_owned();
    app.use_dpop_key(key);
    let userinfo = format!("{}/oidc/userinfo", authority());
    let scheme = AuthScheme::dpop("GET", &userinfo).unwrap();
    let req = DeviceCodeRequest { scopes: vec!["User.Read".into()], authentication_scheme: scheme.clone(), ..Default::default() };
    let r = app
        .acquire_token_by_device_code(&req, |code| approve_device_code_later(code.user_code.clone(), "dpop-cli"), || false)
        .await
        .unwrap();
    assert_eq!(r.token_type, "DPoP");
    let proof = r.dpop_proof.clone().unwrap();
    let jwk = header_jwk(&proof);
    let thumb = msal_wasm::core::dpop::PublicJwk::Ec { x: jwk.string_or_empty("x"), y: jwk.string_or_empty("y") }.thumbprint();
    assert_eq!(thumb, jkt, "signed with the PEM's key");

    // The API (userinfo): with the proof, yes; the token alone, no.
    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let call = |auth: String, proof: Option<String>| {
        let mut get = HttpRequest::get(userinfo.clone());
        get.headers.push(("authorization".into(), auth));
        if let Some(p) = proof {
            get.headers.push(("dpop".into(), p));
        }
        let http = http.clone();
        async move { http.send(&get).await.unwrap().status }
    };
    assert_eq!(call(format!("DPoP {}", r.access_token.secret()), Some(proof)).await, 200);
    assert_eq!(call(format!("Bearer {}", r.access_token.secret()), None).await, 401);

    // Silent: the cached token with a fresh proof; then a renewal bound to the same key.
    let account = AccountRef::new(r.account.account.home_account_id.clone());
    let silent =
        SilentRequest { scopes: vec!["User.Read".into()], account: Some(account), authentication_scheme: scheme, ..Default::default() };
    let hit = app.acquire_token_silent(&silent).await.unwrap();
    assert!(hit.from_cache);
    reset().await;
    let renewed = app.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent.clone() }).await.unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(token_requests().await, 1);
    assert_ne!(renewed.access_token.secret(), r.access_token.secret());
    let proof = app.generate_dpop_proof(renewed.access_token.secret(), "GET", &userinfo, None).await.unwrap();
    assert_eq!(call(format!("DPoP {}", renewed.access_token.secret()), Some(proof)).await, 200);
    // A 429 throttles this DPoP request (msal's thumbprint: scheme and resource request), not
    // the same account and scopes for another resource.
    post_json("/__test/fail-next", r#"{"status":429,"headers":{"retry-after":"60"},"body":{"error":"temporarily_unavailable"}}"#).await;
    let forced = SilentRequest { force_refresh: true, ..silent.clone() };
    assert_eq!(app.acquire_token_silent(&forced).await.unwrap_err().status(), Some(429));
    reset().await;
    assert_eq!(app.acquire_token_silent(&forced).await.unwrap_err().code(), "temporarily_unavailable");
    assert_eq!(token_requests().await, 0, "throttled: nothing sent");
    let elsewhere = AuthScheme::dpop("GET", &format!("{}/oidc/me", authority())).unwrap();
    let other = SilentRequest { force_refresh: true, authentication_scheme: elsewhere, ..silent.clone() };
    assert_eq!(app.acquire_token_silent(&other).await.unwrap().token_type, "DPoP");
    assert_eq!(token_requests().await, 1);
    // A server that spells the type in lower case: the result's is msal's "DPoP".
    post_json(
        "/__test/fail-next",
        r#"{"status":200,"body":{"token_type":"dpop","access_token":"at-lower","expires_in":3600,"scope":"User.Read"}}"#,
    )
    .await;
    let lower = app.acquire_token_silent(&SilentRequest { force_refresh: true, ..other.clone() }).await.unwrap();
    assert_eq!((lower.access_token.secret(), lower.token_type.as_str()), ("at-lower", "DPoP"));
    // A Bearer silent request: the refresh token is bound to the key, so the user must sign in.
    let bearer = SilentRequest { authentication_scheme: AuthScheme::Bearer, ..silent };
    assert_eq!(app.acquire_token_silent(&bearer).await.unwrap_err().code(), "no_tokens_found");
}

#[test]
fn keys_from_pem_and_generated_sign_verifiable_proofs() {
    let key = DpopKey::from_pem(KEY_PEM).unwrap();
    assert_eq!(DpopKey::from_pem(KEY_PEM).unwrap().thumbprint(), key.thumbprint(), "the same key every run");
    assert_ne!(DpopKey::generate().unwrap().thumbprint(), DpopKey::generate().unwrap().thumbprint());
    let proof = key.proof("get", "https://api.example/x?y=1", Some("n"), Some("token")).unwrap();
    let mut parts = proof.split('.');
    let (h, c, s) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let sig = msal_wasm::core::base64::decode(s).unwrap();
    let jwk = header_jwk(&proof);
    let x = msal_wasm::core::base64::decode(jwk.str_field("x").unwrap()).unwrap();
    let y = msal_wasm::core::base64::decode(jwk.str_field("y").unwrap()).unwrap();
    let point = [&[4u8][..], &x, &y].concat();
    let verifier = ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point);
    verifier.verify(format!("{h}.{c}").as_bytes(), &sig).expect("the proof verifies with the header's key");
    assert_eq!(DpopKey::from_pem("nothing").unwrap_err().code(), "invalid_configuration");
    assert_eq!(key.proof("GE T", "https://a/", None, None).unwrap_err().code(), "invalid_dpop_htm");
    // `htu` is the URL as reqwest sends it (the url crate's form); what that crate refuses is
    // msal's url_parse_error.
    let htu = |url: &str| {
        let proof = key.proof("GET", url, None, None).map_err(|e| e.code().to_owned())?;
        let claims = msal_wasm::core::base64::decode(proof.split('.').nth(1).unwrap()).unwrap();
        Ok::<_, String>(Json::parse(std::str::from_utf8(&claims).unwrap()).unwrap().str_field("htu").unwrap().to_owned())
    };
    let sent = |url: &str| {
        let mut u = reqwest::Url::parse(url).unwrap();
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    };
    for url in ["https://API.example:0443/a/../b c/x^y|z?q=1#f", "https://0x7f.1/x", "http://[0:0::1]:8080/x"] {
        assert_eq!(htu(url), Ok(sent(url)), "{url}");
    }
    for url in ["https://api.example:70000/x", "https://999.1.1.1/x", "https://[a]/x"] {
        assert_eq!(htu(url), Err("url_parse_error".into()), "{url}");
    }
    let _ = Arc::new(key);
}

/// msal's `pop`: what the provider's PoP resource says of `Authorization: PoP <request>`: its
/// status, and the signed request's `nonce` and `client_claims` (its JSON answer).
async fn pop_resource(signed: &str) -> (u16, Json) {
    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut get = HttpRequest::get(format!("{}/__test/pop-resource", idp_origin()));
    get.headers.push(("authorization".into(), format!("PoP {signed}")));
    let r = http.send(&get).await.unwrap();
    (r.status, Json::parse(&r.body).unwrap_or(Json::Null))
}

/// The signed request's nonce and client claims, as the resource read them.
fn nonce_and_claims(answer: &Json) -> (String, Option<String>) {
    (answer.string_or_empty("nonce"), answer.str_field("clientClaims").map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_pop_for_a_daemon_with_its_rsa_key() {
    reset().await;
    let key = Arc::new(PopKey::from_pem(&daemon_pem()).unwrap());
    let mut config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    config.pop_key = Some(key.clone());
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    let resource = format!("{}/__test/pop-resource", idp_origin());
    let scheme = AuthScheme::Pop {
        method: "GET".into(),
        uri: resource.clone(),
        shr_claims: r#"{"daemon":true}"#.into(),
        shr_nonce: "n-daemon".into(),
        shr_typ: String::new(),
    };
    let req = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], authentication_scheme: scheme.clone(), ..Default::default() };
    let first = app.acquire_token_by_client_credential(&req).await.unwrap();
    assert_eq!(first.token_type, "pop");
    let (status, answer) = pop_resource(first.access_token.secret()).await;
    assert_eq!(status, 200, "{}", answer.to_json());
    assert_eq!(nonce_and_claims(&answer), ("n-daemon".to_owned(), Some(r#"{"daemon":true}"#.to_owned())));
    // From the cache, signed again (the same nonce and second: the same signed request).
    let again = app.acquire_token_by_client_credential(&req).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(pop_resource(again.access_token.secret()).await.0, 200);
    // Without the app's nonce, msal's: a new GUID for each signed request (a new request each
    // call).
    let own = AuthScheme::Pop {
        method: "GET".into(),
        uri: resource.clone(),
        shr_claims: String::new(),
        shr_nonce: String::new(),
        shr_typ: String::new(),
    };
    let nonces: Vec<String> = {
        let req = ClientCredentialRequest { authentication_scheme: own, ..req.clone() };
        let mut v = Vec::new();
        for _ in 0..2 {
            let t = app.acquire_token_by_client_credential(&req).await.unwrap();
            let (status, answer) = pop_resource(t.access_token.secret()).await;
            assert_eq!(status, 200);
            assert_eq!(answer.str_field("clientClaims"), None);
            v.push(answer.string_or_empty("nonce"));
        }
        v
    };
    assert!(nonces[0].len() == 36 && nonces[0] != nonces[1], "{nonces:?}");
    assert_eq!(token_requests().await, 1);
    // Without a key: a clear configuration error.
    let bare = ConfidentialClientApplication::new(
        ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into())),
        None,
    )
    .unwrap();
    assert_eq!(bare.acquire_token_by_client_credential(&req).await.unwrap_err().code(), "invalid_configuration");
}

#[tokio::test(flavor = "current_thread")]
async fn msal_pop_for_a_cli_user_with_its_rsa_key() {
    reset().await;
    let app = PublicClientApplication::new(Config::new(CLI_CLIENT_ID).with_authority(authority()), None).await.unwrap();
    app.use_pop_key(PopKey::from_pem(&daemon_pem()).unwrap());
    let resource = format!("{}/__test/pop-resource", idp_origin());
    let scheme = AuthScheme::Pop {
        method: "GET".into(),
        uri: resource,
        shr_claims: r#"{"cli":1}"#.into(),
        shr_nonce: "n-cli".into(),
        shr_typ: String::new(),
    };
    let req = DeviceCodeRequest { scopes: vec!["User.Read".into()], authentication_scheme: scheme.clone(), ..Default::default() };
    let r = app
        .acquire_token_by_device_code(&req, |code| approve_device_code_later(code.user_code.clone(), "pop-cli"), || false)
        .await
        .unwrap();
    assert_eq!(r.token_type, "pop");
    let (status, answer) = pop_resource(r.access_token.secret()).await;
    assert_eq!(status, 200);
    assert_eq!(nonce_and_claims(&answer), ("n-cli".to_owned(), Some(r#"{"cli":1}"#.to_owned())));
    let account = AccountRef::new(r.account.account.home_account_id.clone());
    let silent =
        SilentRequest { scopes: vec!["User.Read".into()], account: Some(account), authentication_scheme: scheme, ..Default::default() };
    let hit = app.acquire_token_silent(&silent).await.unwrap();
    assert!(hit.from_cache);
    assert_eq!(pop_resource(hit.access_token.secret()).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_apps_user_tokens_bound_to_the_apps_dpop_key() {
    use msal_wasm::core::url::{encode, parse_query};
    reset().await;
    let config = ConfidentialClientConfig::new("msal-wasm-test-web", authority(), Credential::Secret("web-secret-for-tests-only".into()));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    let userinfo = format!("{}/oidc/userinfo", authority());
    let scheme = AuthScheme::dpop("GET", &userinfo).unwrap();
    let req = AuthCodeUrlRequest {
        scopes: vec!["User.Read".into()],
        redirect_uri: format!("{}/", idp_origin()),
        authentication_scheme: scheme.clone(),
        ..Default::default()
    };
    let flow = app.get_auth_code_url(&req).await.unwrap();
    let query = parse_query(flow.url.split_once('?').unwrap().1);
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(get("dpop_jkt"), app.dpop_key().await.unwrap().thumbprint(), "the authorize request names the app's key");
    let (code, state) = sign_in_at_provider(&flow.url, "dpop-web-user").await;
    let r = app.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    assert_eq!(r.token_type, "DPoP");
    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut call = HttpRequest::get(userinfo.clone());
    call.headers.push(("authorization".into(), format!("DPoP {}", r.access_token.secret())));
    call.headers.push(("dpop".into(), r.dpop_proof.clone().unwrap()));
    assert_eq!(http.send(&call).await.unwrap().status, 200);
    // Silent (the user's cache is kept in memory here): the same token with a fresh proof.
    let account = AccountRef::new(r.account.account.home_account_id.clone());
    let silent =
        SilentRequest { scopes: vec!["User.Read".into()], account: Some(account), authentication_scheme: scheme, ..Default::default() };
    let hit = app.acquire_token_silent(&silent).await.unwrap();
    assert_eq!(hit.access_token.secret(), r.access_token.secret());
    assert!(hit.dpop_proof.is_some() && hit.dpop_proof != r.dpop_proof);
}
