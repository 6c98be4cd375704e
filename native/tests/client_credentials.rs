//! Daemons against the local provider (Entra mode): client credentials with a secret, with a
//! certificate (a signed client assertion the provider verifies), and with the caller's own
//! assertion; the app-token cache; typed failures.

mod support;

use msal_native::*;
use std::sync::Arc;
use support::*;

fn request() -> ClientCredentialRequest {
    ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() }
}

fn secret_app() -> ConfidentialClientApplication {
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    ConfidentialClientApplication::new(config, None).unwrap()
}

#[tokio::test]
async fn a_secret_gets_an_app_token_once_and_100_calls_are_served_from_the_cache() {
    let app = secret_app();
    reset().await;
    let first = app.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(!first.from_cache);
    assert!(first.access_token.secret().len() > 20);
    assert_eq!(first.scopes, vec![APP_SCOPE.to_owned()]);
    let mut served = 0;
    for _ in 0..100 {
        let t = app.acquire_token_by_client_credential(&request()).await.unwrap();
        assert_eq!(t.access_token.secret(), first.access_token.secret());
        served += usize::from(t.from_cache);
    }
    assert_eq!(served, 100);
    let requests = token_requests().await;
    println!("client credentials: {requests} token request(s) for 101 calls within the token lifetime");
    assert_eq!(requests, 1);
    // skip_cache goes to the network; OpenID Connect scopes are left out of the request, as
    // msal-node's.
    let oidc = vec![APP_SCOPE.into(), "openid".into(), "profile".into(), "offline_access".into()];
    let fresh =
        app.acquire_token_by_client_credential(&ClientCredentialRequest { skip_cache: true, scopes: oidc, ..request() }).await.unwrap();
    assert!(!fresh.from_cache);
    assert_eq!(fresh.scopes, vec![APP_SCOPE.to_owned()]);
    assert_eq!(token_requests().await, 2);
    // Debug output never shows the token.
    assert!(!format!("{fresh:?}").contains(fresh.access_token.secret()));
}

/// msal-node's `system.protocolMode: OIDC` and `auth.authorityMetadata`: a daemon of any
/// OpenID Connect provider finds its document at `<authority>/.well-known/openid-configuration`
/// (Entra's path, `/v2.0/...`, is not there), or takes it from the configuration and fetches
/// none.
#[tokio::test]
async fn a_daemon_of_a_generic_openid_provider_with_oidc_mode_or_its_document() {
    let oidc = std::env::var("MSAL_TEST_OIDC_AUTHORITY").expect("scripts/with-idp.mjs sets it");
    let config = || ConfidentialClientConfig::new(DAEMON_CLIENT_ID, oidc.clone(), Credential::Secret(DAEMON_SECRET.into()));
    let aad = ConfidentialClientApplication::new(config(), None).unwrap();
    assert_eq!(aad.acquire_token_by_client_credential(&request()).await.unwrap_err().code(), "endpoints_resolution_error");
    let mut generic = config();
    generic.protocol_mode = ProtocolMode::Oidc;
    let app = ConfidentialClientApplication::new(generic, None).unwrap();
    assert!(!app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    // The document given: no discovery request.
    let document = msal_native::http::Http::new(std::time::Duration::from_secs(10))
        .unwrap()
        .send(&msal_wasm::core::http::HttpRequest::get(format!("{oidc}/.well-known/openid-configuration")))
        .await
        .unwrap()
        .body;
    /// Sends through reqwest and records each URL.
    struct Recording(msal_native::http::Http, Arc<std::sync::Mutex<Vec<String>>>);
    impl NetworkClient for Recording {
        fn send<'a>(
            &'a self,
            request: &'a msal_wasm::core::http::HttpRequest,
        ) -> msal_native::system::BoxFuture<'a, Result<msal_wasm::core::http::HttpResponse, msal_wasm::AuthError>> {
            self.1.lock().unwrap().push(request.url.clone());
            Box::pin(self.0.send(request))
        }
    }
    let urls = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut given = config();
    given.protocol_mode = ProtocolMode::Oidc;
    given.authority_metadata = Some(document);
    given.system.network_client =
        Some(Arc::new(Recording(msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap(), urls.clone())));
    let app = ConfidentialClientApplication::new(given, None).unwrap();
    assert!(!app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    let urls = urls.lock().unwrap().clone();
    assert!(urls.len() == 1 && urls[0].contains("/token?"), "the token request alone: {urls:?}");
}

#[tokio::test]
async fn a_request_may_name_another_tenant_on_the_same_host_whose_token_is_cached_apart() {
    let app = secret_app();
    reset().await;
    let home = app.acquire_token_by_client_credential(&request()).await.unwrap();
    let guest = ClientCredentialRequest { authority: Some(format!("{}/{GUEST_TENANT_ID}", idp_origin())), ..request() };
    let t = app.acquire_token_by_client_credential(&guest).await.unwrap();
    assert!(!t.from_cache);
    // Issued by the guest tenant's token endpoint (the provider's log names where each went).
    let log = counters().await.get("log").and_then(|l| l.as_array()).unwrap().to_vec();
    let prefixes: Vec<String> = log.iter().filter(|e| e.str_field("route") == Some("token")).map(|e| e.string_or_empty("prefix")).collect();
    assert_eq!(prefixes.len(), 2);
    assert!(!prefixes[0].contains(GUEST_TENANT_ID) && prefixes[1].ends_with(GUEST_TENANT_ID), "{prefixes:?}");
    // Each tenant's token from its own partition, here and in a process that read the cache.
    let text = app.serialize();
    let b = secret_app();
    b.deserialize(&text).unwrap();
    for client in [&app, &b] {
        let again = client.acquire_token_by_client_credential(&guest).await.unwrap();
        assert!(again.from_cache);
        assert_eq!(again.access_token.secret(), t.access_token.secret());
        assert_eq!(client.acquire_token_by_client_credential(&request()).await.unwrap().access_token.secret(), home.access_token.secret());
    }
    assert_eq!(token_requests().await, 2);
    // A tenant spelled in capitals is the same tenant (msal-node lower-cases authorities): the
    // cached token, with no request (its discovery would not even be found here).
    let loud = upper_tenant(&authority());
    let c = ConfidentialClientApplication::new(
        ConfidentialClientConfig::new(DAEMON_CLIENT_ID, loud, Credential::Secret(DAEMON_SECRET.into())),
        None,
    )
    .unwrap();
    c.deserialize(&text).unwrap();
    assert_eq!(c.acquire_token_by_client_credential(&request()).await.unwrap().access_token.secret(), home.access_token.secret());
    assert_eq!(token_requests().await, 2);
    // Another host: refused before any request.
    let evil = ClientCredentialRequest { authority: Some("https://login.evil.example/tenant".into()), ..request() };
    assert_eq!(app.acquire_token_by_client_credential(&evil).await.unwrap_err().code(), "untrusted_authority");
    assert_eq!(token_requests().await, 2);
}

#[tokio::test]
async fn an_azure_region_that_is_no_host_label_is_refused_and_disabling_one_goes_global() {
    // (Where a region sends the request: confidential.rs's unit test, with a resolver of its own.)
    let app = secret_app();
    reset().await;
    let bad = ClientCredentialRequest { azure_region: Some("westus2.evil.example".into()), ..request() };
    assert_eq!(app.acquire_token_by_client_credential(&bad).await.unwrap_err().code(), "url_parse_error");
    assert_eq!(token_requests().await, 0);
    let global = ClientCredentialRequest { azure_region: Some(msal_native::region::DISABLE_FORCED.into()), ..request() };
    assert!(!app.acquire_token_by_client_credential(&global).await.unwrap().from_cache);
    assert_eq!(token_requests().await, 1);
}

/// `authority` with its tenant segment in capitals.
fn upper_tenant(authority: &str) -> String {
    let (base, tenant) = authority.trim_end_matches('/').rsplit_once('/').unwrap();
    format!("{base}/{}", tenant.to_ascii_uppercase())
}

/// The `claims` of the provider's last token request (`None`: the request had none).
async fn last_claims() -> Option<msal_wasm::core::json::Json> {
    let counters = counters().await;
    let log = counters.get("log").and_then(|l| l.as_array()).unwrap().to_vec();
    let last = log.iter().rev().find(|e| e.str_field("route") == Some("token")).unwrap();
    last.str_field("claims").map(|c| msal_wasm::core::json::Json::parse(c).unwrap())
}

#[tokio::test]
async fn client_capabilities_go_in_every_requests_claims_and_a_claims_challenge_skips_the_cache() {
    // As msal-node: no claims without capabilities or a challenge.
    let plain = secret_app();
    reset().await;
    plain.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(last_claims().await.is_none());
    let mut config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    config.client_capabilities = vec!["cp1".into()];
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    reset().await;
    let first = app.acquire_token_by_client_credential(&request()).await.unwrap();
    let sent = last_claims().await.expect("claims with the capabilities");
    assert_eq!(sent.get("access_token").and_then(|a| a.get("xms_cc")).map(|x| x.to_json()).as_deref(), Some(r#"{"values":["cp1"]}"#));
    assert!(sent.get("id_token").and_then(|i| i.get("signin_state")).is_some(), "msal's optional ID token claims: {}", sent.to_json());
    assert!(app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    // A resource's challenge (CAE): the network, with the challenge and the capabilities.
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let renewed = app.acquire_token_by_client_credential(&ClientCredentialRequest { claims: challenge.into(), ..request() }).await.unwrap();
    assert!(!renewed.from_cache);
    assert_ne!(renewed.access_token.secret(), first.access_token.secret());
    assert_eq!(token_requests().await, 2);
    let sent = last_claims().await.unwrap();
    let at = sent.get("access_token").unwrap();
    assert_eq!(at.get("nbf").and_then(|n| n.str_field("value")), Some("1700000000"));
    assert!(at.get("xms_cc").is_some(), "{}", sent.to_json());
    let e = app.acquire_token_by_client_credential(&ClientCredentialRequest { claims: "[1]".into(), ..request() }).await.unwrap_err();
    assert_eq!(e.code(), "invalid_claims");
    assert_eq!(token_requests().await, 2);
}

#[tokio::test]
async fn a_certificate_signs_an_assertion_the_provider_verifies() {
    for alg in [SigningAlgorithm::Rs256, SigningAlgorithm::Ps256] {
        let cert = Certificate::from_pem(&daemon_pem(), alg).unwrap();
        assert_eq!(cert.thumbprint_sha256().len(), 43);
        let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(cert)));
        let app = ConfidentialClientApplication::new(config, None).unwrap();
        let t = app.acquire_token_by_client_credential(&request()).await.unwrap();
        assert!(!t.from_cache);
    }
    // The key in OpenSSL's traditional PKCS#1 form (BEGIN RSA PRIVATE KEY), converted by Node.
    let pkcs1 = std::process::Command::new("node")
        .args(["-e", "const c=require('crypto');const p=require('fs').readFileSync(process.argv[1],'utf8');process.stdout.write(c.createPrivateKey(p).export({type:'pkcs1',format:'pem'}))"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/idp/.cert/localhost.pem"))
        .output()
        .unwrap();
    let key = String::from_utf8(pkcs1.stdout).unwrap();
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{key}");
    let pem = daemon_pem();
    let end = "-----END CERTIFICATE-----";
    let cert_only = &pem[pem.find("-----BEGIN CERTIFICATE-----").unwrap()..pem.rfind(end).unwrap() + end.len()];
    let pkcs1_pem = format!("{cert_only}\n{key}");
    assert!(!pkcs1_pem.contains("BEGIN PRIVATE KEY"), "no PKCS#8 key left");
    let cert = Certificate::from_pem(&pkcs1_pem, SigningAlgorithm::Ps256).unwrap();
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(cert)));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    assert!(!app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    assert!(PopKey::from_pem(&key).is_ok());
    // With the chain in x5c (msal-node's clientCertificate.x5c, for subject name and issuer
    // authentication): each CERTIFICATE block of the PEM, in order, as base64 DER.
    let pem = daemon_pem();
    let body = |block: &str| block.split("-----").nth(2).unwrap().chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let leaf = body(&pem[pem.find("-----BEGIN CERTIFICATE-----").unwrap()..]);
    let issuer_pem = "-----BEGIN CERTIFICATE-----\nTUlJQ2lzc3Vlcg==\n-----END CERTIFICATE-----\n";
    let cert = Certificate::from_pem(&format!("{pem}\n{issuer_pem}"), SigningAlgorithm::Rs256).unwrap();
    let plain = cert.assertion("c", "https://t/token", now(), "j").unwrap();
    let cert = cert.with_x5c();
    let signed = cert.assertion("c", "https://t/token", now(), "j").unwrap();
    let header = |jwt: &str| {
        let part = jwt.split('.').next().unwrap();
        msal_wasm::core::json::Json::parse(std::str::from_utf8(&msal_wasm::core::base64::decode(part).unwrap()).unwrap()).unwrap()
    };
    assert!(header(&plain).get("x5c").is_none(), "no x5c unless asked");
    let x5c: Vec<String> = header(&signed).get("x5c").unwrap().as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(x5c, [leaf.clone(), "TUlJQ2lzc3Vlcg==".to_owned()]);
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(cert)));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    assert!(!app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    // The key's certificate wherever it is in the PEM (an issuer first): it is the one named
    // and the first of x5c.
    let cert = Certificate::from_pem(&format!("{issuer_pem}\n{pem}"), SigningAlgorithm::Rs256).unwrap().with_x5c();
    let x5c = header(&cert.assertion("c", "https://t/token", now(), "j").unwrap()).get("x5c").unwrap().to_json();
    assert_eq!(x5c, format!(r#"["{leaf}","TUlJQ2lzc3Vlcg=="]"#));
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(cert)));
    assert!(
        !ConfidentialClientApplication::new(config, None).unwrap().acquire_token_by_client_credential(&request()).await.unwrap().from_cache
    );
    // AD FS reads the SHA-1 thumbprint (x5t), as msal-node sends it for a `thumbprint`.
    let cert = Certificate::from_pem(&pem, SigningAlgorithm::Rs256).unwrap().with_sha1_thumbprint();
    let h = header(&cert.assertion("c", "https://t/token", now(), "j").unwrap());
    let der = msal_wasm::core::base64::decode(&leaf).unwrap();
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    assert_eq!(h.str_field("x5t"), Some(msal_wasm::core::base64::encode_url(sha1.as_ref()).as_str()));
    assert!(h.get("x5t#S256").is_none());
    // The key alone and the certificate's thumbprint in hex, as msal-node's
    // `clientCertificate: { privateKey, thumbprintSha256 }` (the portal shows it upper-case).
    let key_end = "-----END PRIVATE KEY-----";
    let key_only = &pem[pem.find("-----BEGIN PRIVATE KEY-----").unwrap()..pem.find(key_end).unwrap() + key_end.len()];
    assert!(!key_only.contains("CERTIFICATE"));
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02X}")).collect::<String>();
    let by_key =
        Certificate::from_key(key_only, Thumbprint::Sha256(hex(&msal_wasm::core::sha256::sha256(&der))), SigningAlgorithm::Rs256).unwrap();
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(by_key.with_x5c())));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    assert!(!app.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    // `thumbprint` (SHA-1, with colons): sent as x5t; no certificate, so no x5c.
    let colons = hex(sha1.as_ref()).as_bytes().chunks(2).map(|p| std::str::from_utf8(p).unwrap()).collect::<Vec<_>>().join(":");
    let by_sha1 = Certificate::from_key(key_only, Thumbprint::Sha1(colons), SigningAlgorithm::Rs256).unwrap().with_x5c();
    let h = header(&by_sha1.assertion("c", "https://t/token", now(), "j").unwrap());
    assert_eq!(h.str_field("x5t"), Some(msal_wasm::core::base64::encode_url(sha1.as_ref()).as_str()));
    assert!(h.get("x5t#S256").is_none() && h.get("x5c").is_none());
    // The provider finds the certificate by that thumbprint, as Entra: accepted.
    let by_sha1 = Arc::new(by_sha1);
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(by_sha1.clone()));
    assert!(
        !ConfidentialClientApplication::new(config, None).unwrap().acquire_token_by_client_credential(&request()).await.unwrap().from_cache
    );
    // A thumbprint of another certificate (the portal's value of a renewed one, beside the
    // old key): the key signs, and the provider refuses it as Entra does (AADSTS700027).
    let other_thumbprint = hex(&msal_wasm::core::sha256::sha256(b"another certificate"));
    let wrong = Certificate::from_key(key_only, Thumbprint::Sha256(other_thumbprint), SigningAlgorithm::Rs256).unwrap();
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(wrong)));
    let e = ConfidentialClientApplication::new(config, None).unwrap().acquire_token_by_client_credential(&request()).await.unwrap_err();
    assert_eq!(e.code(), "invalid_client", "{e}");
    // Signed by the registered certificate, named by its thumbprint, but for another audience
    // (the issuer: oidc-provider takes it, Entra does not) or with another subject: refused.
    let pkcs8 = msal_wasm::core::base64::decode(&key_only.lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap();
    let key = Arc::new(ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).unwrap());
    let s256 = msal_wasm::core::base64::encode_url(&msal_wasm::core::sha256::sha256(&der));
    for (sub, issuer_as_aud, refused) in [(DAEMON_CERT_CLIENT_ID, true, "invalid_client"), ("someone-else", false, "invalid_request")] {
        let (key, s256) = (key.clone(), s256.clone());
        let make: AssertionCallback = Arc::new(move |ctx: AssertionContext| {
            let aud = if issuer_as_aud { ctx.token_endpoint.replace("/oauth2/v2.0/token", "/v2.0") } else { ctx.token_endpoint.clone() };
            let claims = msal_wasm::core::json::Json::object()
                .with("aud", aud.as_str())
                .with("iss", ctx.client_id.as_str())
                .with("sub", sub)
                .with("jti", format!("jti-{sub}-{}", now()).as_str())
                .with("nbf", now())
                .with("iat", now())
                .with("exp", now() + 600)
                .to_json();
            let header = format!(r#"{{"alg":"RS256","typ":"JWT","x5t#S256":"{s256}"}}"#);
            let b64 = |t: &str| msal_wasm::core::base64::encode_url(t.as_bytes());
            let input = format!("{}.{}", b64(&header), b64(&claims));
            let mut signature = vec![0u8; key.public().modulus_len()];
            key.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), input.as_bytes(), &mut signature).unwrap();
            let jwt = format!("{input}.{}", msal_wasm::core::base64::encode_url(&signature));
            Box::pin(async move { Ok(jwt) })
        });
        let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Assertion(make));
        let e = ConfidentialClientApplication::new(config, None).unwrap().acquire_token_by_client_credential(&request()).await.unwrap_err();
        assert_eq!(e.code(), refused, "{sub}: {e}");
    }
    for bad in [Thumbprint::Sha256(hex(sha1.as_ref())), Thumbprint::Sha1("not hex at all, forty characters long....".into())] {
        assert_eq!(Certificate::from_key(key_only, bad, SigningAlgorithm::Rs256).unwrap_err().code(), "invalid_configuration");
    }
    // A key that belongs to none of the certificates (a renewed certificate beside the old key):
    // refused at once, not by the provider later.
    let other = std::process::Command::new("node")
        .args(["-e", "process.stdout.write(require('crypto').generateKeyPairSync('rsa',{modulusLength:2048}).privateKey.export({type:'pkcs8',format:'pem'}))"])
        .output()
        .unwrap();
    let other_key = String::from_utf8(other.stdout).unwrap();
    let e = Certificate::from_pem(&format!("{cert_only}\n{other_key}"), SigningAlgorithm::Rs256).unwrap_err();
    assert_eq!(e.code(), "invalid_configuration");
    // The caller's own assertion callback, here signing with the same certificate.
    let cert = Arc::new(Certificate::from_pem(&daemon_pem(), SigningAlgorithm::Rs256).unwrap());
    let callback: credential::AssertionCallback = Arc::new(move |ctx: AssertionContext| {
        let cert = cert.clone();
        Box::pin(async move { cert.assertion(&ctx.client_id, &ctx.token_endpoint, now(), "jti-from-callback") })
    });
    let config = ConfidentialClientConfig::new(DAEMON_CERT_CLIENT_ID, authority(), Credential::Assertion(callback));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    assert!(app.acquire_token_by_client_credential(&request()).await.is_ok());
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn failures_are_typed_and_carry_no_secret() {
    // A wrong secret: the provider's invalid_client, as a server error.
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret("wrong-secret".into()));
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    let e = app.acquire_token_by_client_credential(&request()).await.unwrap_err();
    assert_eq!(e.code(), "invalid_client");
    assert!(!format!("{e:?} {e}").contains("wrong-secret"));
    // A certificate the client is not registered with: refused too.
    let config = ConfidentialClientConfig::new(
        DAEMON_CLIENT_ID,
        authority(),
        Credential::Certificate(Arc::new(Certificate::from_pem(&daemon_pem(), SigningAlgorithm::Rs256).unwrap())),
    );
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    assert_eq!(app.acquire_token_by_client_credential(&request()).await.unwrap_err().code(), "invalid_client");
    // No scope; OpenID Connect scopes alone are none (msal-node leaves them out).
    let e = secret_app().acquire_token_by_client_credential(&ClientCredentialRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), "empty_input_scopes_error");
    let oidc_only = ClientCredentialRequest { scopes: vec!["openid".into(), "offline_access".into()], ..Default::default() };
    assert_eq!(secret_app().acquire_token_by_client_credential(&oidc_only).await.unwrap_err().code(), "empty_input_scopes_error");
    // A multi-tenant alias names no tenant for an app token: refused before any request.
    reset().await;
    let common = authority().replacen(&format!("/{}", authority().rsplit('/').find(|s| !s.is_empty()).unwrap()), "/common", 1);
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, common.clone(), Credential::Secret(DAEMON_SECRET.into()));
    let e = ConfidentialClientApplication::new(config, None).unwrap().acquire_token_by_client_credential(&request()).await.unwrap_err();
    assert_eq!(e.code(), "missing_tenant_id_error", "{common}");
    assert_eq!(token_requests().await, 0);
    // A PEM without a key.
    assert_eq!(
        Certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", SigningAlgorithm::Rs256).unwrap_err().code(),
        "invalid_configuration"
    );
}

#[tokio::test]
async fn serialize_then_deserialize_into_a_new_app_serves_its_tokens_from_the_cache() {
    // msal-node's getTokenCache().serialize() / deserialize(), without a plugin of the app's own.
    let a = secret_app();
    reset().await;
    let first = a.acquire_token_by_client_credential(&request()).await.unwrap();
    let text = a.serialize();
    assert!(text.contains(first.access_token.secret()), "the whole cache, the app's token in it");
    let b = secret_app();
    b.deserialize(&text).unwrap();
    let again = b.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.access_token.secret(), first.access_token.secret());
    assert_eq!(token_requests().await, 1, "no second token request");
    assert_eq!(b.serialize(), text, "and the same cache out");
    // Another SDK's section in the document stays (msal-node keeps what it read), and an empty
    // document (a file not written yet, read as "") changes nothing.
    let shared = text.trim_end().strip_suffix('}').unwrap().to_owned() + r#","OtherSdkSection":{"k":"v"}}"#;
    let c = secret_app();
    c.deserialize(&shared).unwrap();
    assert!(c.serialize().contains(r#""OtherSdkSection":{"k":"v"}"#), "{}", c.serialize());
    c.deserialize("").unwrap();
    assert!(c.acquire_token_by_client_credential(&request()).await.unwrap().from_cache, "the cache is still there");
    assert!(c.serialize().contains("OtherSdkSection"));
}

#[tokio::test]
async fn a_token_due_for_refresh_is_renewed_and_served_while_valid_when_the_renewal_fails() {
    let a = secret_app();
    reset().await;
    let first = a.acquire_token_by_client_credential(&request()).await.unwrap();
    let due = refresh_due_in(&a.serialize());
    // The provider fails (a 500, which is not retried, as msal-node; then a 400): the cached
    // token, valid for an hour more, is served.
    for failure in [r#"{"status":500,"body":{"error":"temporarily_unavailable"}}"#, r#"{"status":400}"#] {
        let b = secret_app();
        b.deserialize(&due).unwrap();
        reset().await;
        post_json("/__test/fail-next", failure).await;
        let served = b.acquire_token_by_client_credential(&request()).await.unwrap();
        assert!(served.from_cache);
        assert_eq!(served.access_token.secret(), first.access_token.secret());
        assert_eq!(token_requests().await, 1, "a renewal was tried, once");
    }
    // The provider answers: the renewed token.
    let b = secret_app();
    b.deserialize(&due).unwrap();
    reset().await;
    let renewed = b.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(!renewed.from_cache);
    assert_ne!(renewed.access_token.secret(), first.access_token.secret());
    assert_eq!(token_requests().await, 1);
}

/// As msal-node (its ThrottlingUtils): after a 429 with Retry-After, the same app-token request
/// fails locally, with the server's error, until the wait is over; another request still goes.
#[tokio::test]
async fn a_429_holds_the_same_request_back_for_its_retry_after() {
    let app = secret_app();
    reset().await;
    let busy =
        r#"{"status":429,"headers":{"Retry-After":"30"},"body":{"error":"temporarily_unavailable","error_description":"slow down"}}"#;
    post_json("/__test/fail-next", busy).await;
    let fresh = ClientCredentialRequest { skip_cache: true, ..request() };
    let e = app.acquire_token_by_client_credential(&fresh).await.unwrap_err();
    assert_eq!(e.code(), "temporarily_unavailable");
    let sent = token_requests().await;
    for _ in 0..5 {
        let again = app.acquire_token_by_client_credential(&fresh).await.unwrap_err();
        assert_eq!(again.code(), "temporarily_unavailable");
    }
    assert_eq!(token_requests().await, sent, "held back locally, no request");
    // Other scopes are another request.
    let other = ClientCredentialRequest { scopes: vec![format!("{APP_SCOPE}x")], skip_cache: true, ..request() };
    let _ = app.acquire_token_by_client_credential(&other).await;
    assert_eq!(token_requests().await, sent + 1);
}

/// A burst of calls for a token nobody has yet (a service's cold start, or its token's expiry)
/// makes one token request: the calls take turns, and the ones that waited find its token.
/// `n` calls for the app's token, spawned at once; their outcomes in order.
async fn at_once(app: &Arc<ConfidentialClientApplication>, n: usize) -> Vec<Result<AppToken, msal_wasm::error::AuthError>> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.acquire_token_by_client_credential(&request()).await })
        })
        .collect();
    let mut served = Vec::new();
    for call in calls {
        served.push(call.await.unwrap());
    }
    served
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_calls_for_one_app_token_makes_one_request() {
    let app = Arc::new(secret_app());
    reset().await;
    let served: Vec<_> = at_once(&app, 20).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(token_requests().await, 1);
    assert_eq!(served.iter().filter(|t| !t.from_cache).count(), 1);
    assert!(served.iter().all(|t| t.access_token.secret() == served[0].access_token.secret()));
}

/// A cached token due for its refresh (`refresh_in`) while the token endpoint hangs: one call
/// renews it (and serves the cached token when the renewal times out); the calls meanwhile are
/// served the cached token at once, not queued behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_for_a_token_due_for_its_refresh_are_served_while_one_renews_it() {
    let a = secret_app();
    reset().await;
    let first = a.acquire_token_by_client_credential(&request()).await.unwrap();
    let mut config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    config.network_timeout = std::time::Duration::from_secs(1);
    let b = Arc::new(ConfidentialClientApplication::new(config, None).unwrap());
    b.deserialize(&refresh_due_in(&a.serialize())).unwrap();
    configure(r#"{"stall":["token"]}"#).await;
    // Each call timed on its own: the one that renews waits out the stalled endpoint (the 1 s
    // network timeout); the others do not wait for it.
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let app = b.clone();
            tokio::spawn(async move {
                let start = std::time::Instant::now();
                let served = app.acquire_token_by_client_credential(&request()).await;
                (start.elapsed(), served)
            })
        })
        .collect();
    let mut served = Vec::new();
    for call in calls {
        served.push(call.await.unwrap());
    }
    configure(r#"{"stall":[]}"#).await;
    assert!(served.iter().all(|(_, t)| t.as_ref().is_ok_and(|t| t.from_cache && t.access_token.secret() == first.access_token.secret())));
    let took: Vec<_> = served.iter().map(|(took, _)| took.as_millis()).collect();
    assert_eq!(took.iter().filter(|ms| **ms >= 900).count(), 1, "one call renewed (and waited): {took:?}");
    assert_eq!(took.iter().filter(|ms| **ms < 600).count(), 4, "the others were served at once: {took:?}");
}
