//! Every public type that can hold a secret is formatted with `{:?}` (and `{:#?}`), and no
//! known secret may appear in the output (STYLE.md, "Secrets out of logs").

use msal_wasm::client::{Config, InteractiveRequest, LogoutRequest, PublicClientApplication, SilentRequest};
use msal_wasm::core::authorize::AuthorizeResponse;
use msal_wasm::core::base64;
use msal_wasm::core::cache::unified;
use msal_wasm::core::cache::{Credential, KeyValueStore, MemoryStore, SaveRequest, TokenCache};
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::core::id_token::IdTokenClaims;
use msal_wasm::core::json::Json;
use msal_wasm::core::pkce::{InteractionType, RequestState};
use msal_wasm::core::scopes::ScopeSet;
use msal_wasm::core::token::{ClientCredential, DeviceCodeInfo, Grant, TokenRequest, TokenResponse};
use msal_wasm::core::url::{encode, parse_query};
use msal_wasm::platform::memory::{block_on, MemoryPlatform};
use msal_wasm::secret::{AccessToken, Assertion, AuthCode, ClientSecret, DeviceCode, IdToken, Nonce, PkceVerifier, RefreshToken, State};
use std::cell::RefCell;
use std::fmt::Debug;
use std::rc::Rc;

/// Secret values used below. Each must never show up in debug output.
const AT: &str = "SECRET-AT-123";
const RT: &str = "SECRET-RT-456";
const CODE: &str = "SECRET-CODE-789";
const VERIFIER: &str = "SECRET-VERIFIER-abcdefghijklmnopqrstuvwxyz0123456789";
const STATE: &str = "SECRET-STATE-42";
const NONCE: &str = "SECRET-NONCE-43";
const CLIENT_SECRET: &str = "SECRET-CLIENT-44";
const ASSERTION: &str = "SECRET-ASSERTION-45";
const DEVICE_CODE: &str = "SECRET-DEVICE-46";
/// The ID token is a JWT whose signature part is the marker.
const IDT_SIG: &str = "SECRET-IDTSIG-47";

const ALL: [&str; 10] = [AT, RT, CODE, VERIFIER, STATE, NONCE, CLIENT_SECRET, ASSERTION, DEVICE_CODE, IDT_SIG];

fn id_token(nonce: &str) -> String {
    let claims =
        format!(r#"{{"sub":"sub-1","oid":"uid-1","tid":"tid-1","preferred_username":"ada@contoso.com","name":"Ada","nonce":"{nonce}"}}"#);
    format!("eyJhbGciOiJub25lIn0.{}.{IDT_SIG}", base64::encode_url(claims.as_bytes()))
}

fn client_info() -> String {
    base64::encode_url(br#"{"uid":"uid-1","utid":"tid-1"}"#)
}

fn token_body(nonce: &str) -> String {
    format!(
        r#"{{"token_type":"Bearer","scope":"User.Read openid profile","expires_in":3600,"access_token":"{AT}","refresh_token":"{RT}","id_token":"{}","client_info":"{}","foci":"1"}}"#,
        id_token(nonce),
        client_info()
    )
}

/// Fails if any secret appears in `{:?}` or `{:#?}` of `value`.
fn assert_redacted<T: Debug + ?Sized>(what: &str, value: &T) -> String {
    let plain = format!("{value:?}");
    let pretty = format!("{value:#?}");
    for out in [&plain, &pretty] {
        for secret in ALL {
            assert!(!out.contains(secret), "{what}: debug output contains {secret}: {out}");
        }
        // The JWT payload is PII and carries the nonce: no part of the raw ID token either.
        assert!(!out.contains("eyJhbGciOiJub25lIn0."), "{what}: debug output contains the raw ID token: {out}");
    }
    plain
}

#[test]
fn secret_newtypes() {
    assert_eq!(assert_redacted("AccessToken", &AccessToken::new(AT)), "AccessToken([redacted])");
    assert_eq!(assert_redacted("RefreshToken", &RefreshToken::new(RT)), "RefreshToken([redacted])");
    assert_eq!(assert_redacted("IdToken", &IdToken::new(id_token(NONCE))), "IdToken([redacted])");
    assert_eq!(assert_redacted("AuthCode", &AuthCode::new(CODE)), "AuthCode([redacted])");
    assert_eq!(assert_redacted("State", &State::new(STATE)), "State([redacted])");
    assert_eq!(assert_redacted("Nonce", &Nonce::new(NONCE)), "Nonce([redacted])");
    assert_eq!(assert_redacted("ClientSecret", &ClientSecret::new(CLIENT_SECRET)), "ClientSecret([redacted])");
    assert_eq!(assert_redacted("Assertion", &Assertion::new(ASSERTION)), "Assertion([redacted])");
    assert_eq!(assert_redacted("DeviceCode", &DeviceCode::new(DEVICE_CODE)), "DeviceCode([redacted])");
    assert_eq!(assert_redacted("PkceVerifier", &PkceVerifier::new(VERIFIER)), "PkceVerifier([redacted])");
    assert_redacted("Option<RefreshToken>", &Some(RefreshToken::new(RT)));
    assert_redacted("ClientCredential::Secret", &ClientCredential::Secret(ClientSecret::new(CLIENT_SECRET)));
    assert_redacted("ClientCredential::Assertion", &ClientCredential::Assertion(Assertion::new(ASSERTION)));
}

#[test]
fn token_requests_and_http_data() {
    let scopes = ScopeSet::parse("User.Read openid");
    let code = AuthCode::new(CODE);
    let verifier = PkceVerifier::new(VERIFIER);
    let rt = RefreshToken::new(RT);
    let dc = DeviceCode::new(DEVICE_CODE);
    let user = Assertion::new(ASSERTION);
    let secret = ClientCredential::Secret(ClientSecret::new(CLIENT_SECRET));
    let assertion = ClientCredential::Assertion(Assertion::new(ASSERTION));
    let grants: Vec<(Grant<'_>, &ClientCredential)> = vec![
        (Grant::AuthorizationCode { code: &code, verifier: Some(&verifier), redirect_uri: "https://app/" }, &secret),
        (Grant::RefreshToken { refresh_token: &rt, redirect_uri: "https://app/" }, &assertion),
        (Grant::DeviceCode { device_code: &dc }, &ClientCredential::None),
        (Grant::ClientCredentials, &secret),
        (Grant::OnBehalfOf { assertion: &user }, &assertion),
    ];
    let extra = [("attribute_tokens".to_owned(), ASSERTION.to_owned())];
    for (grant, credential) in grants {
        let req = TokenRequest {
            endpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
            client_id: "client-1",
            scopes: &scopes,
            correlation_id: "corr-1",
            grant,
            credential,
            client_info: true,
            claims: "",
            anchor: "Oid:uid-1@tid-1",
            // Attribute tokens are assertions: Debug names the parameter only.
            extra_body: &extra,
            app: msal_wasm::core::authorize::AppTelemetry::NONE,
        };
        let shown = assert_redacted("TokenRequest", &req);
        assert!(shown.contains("attribute_tokens"), "{shown}");
        let http = req.build();
        // The body really holds a secret, which Debug must not show.
        assert!(ALL.iter().any(|s| http.body.contains(s)), "the body should carry a secret");
        assert_redacted("HttpRequest", &http);
    }
    // A GET whose URL carries secrets in the query.
    let get = HttpRequest::get(format!("https://app.example/cb?code={CODE}&state={STATE}"));
    assert_redacted("HttpRequest (GET)", &get);
    let resp = HttpResponse { status: 200, headers: vec![("x-secret".into(), AT.into())], body: token_body(NONCE) };
    assert_redacted("HttpResponse", &resp);
}

#[test]
fn parsed_responses() {
    let resp = HttpResponse::new(200, token_body(NONCE));
    let t = TokenResponse::parse(&resp, 1_700_000_000).unwrap();
    assert_eq!(t.access_token.secret(), AT);
    assert_redacted("TokenResponse", &t);

    let dci = DeviceCodeInfo::parse(&HttpResponse::new(
        200,
        format!(r#"{{"user_code":"ABCD","device_code":"{DEVICE_CODE}","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"m"}}"#),
    ))
    .unwrap();
    assert_redacted("DeviceCodeInfo", &dci);

    let ar = AuthorizeResponse::parse(&format!("#code={CODE}&state={STATE}&client_info={}", client_info())).unwrap();
    assert_redacted("AuthorizeResponse", &ar);

    let claims = IdTokenClaims::decode(&id_token(NONCE)).unwrap();
    assert_redacted("IdTokenClaims", &claims);

    let rs = RequestState { id: "lib-id".into(), interaction_type: InteractionType::Popup, user_state: STATE.into() };
    assert_redacted("RequestState", &rs);
    assert_redacted("RequestState (parsed)", &RequestState::parse(&rs.encode()).unwrap());
}

#[test]
fn errors() {
    // A server error whose fields echo secrets must not print them (message aside, which is
    // the server's description and never a token).
    let e = TokenResponse::parse(
        &HttpResponse::new(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS70008: expired","error_codes":[70008],"trace_id":"t","correlation_id":"c","claims":"{}","suberror":"bad_token"}"#,
        ),
        0,
    )
    .unwrap_err();
    assert_redacted("AuthError (server)", &e);
    // A parse failure of a body full of tokens.
    let e = TokenResponse::parse(
        &HttpResponse::new(200, format!(r#"{{"access_token":"{AT}","expires_in":3600,"refresh_token":"{RT}","id_token":7}}"#)),
        0,
    )
    .unwrap_err();
    assert_redacted("AuthError (parse)", &e);
    let e = TokenResponse::parse(&HttpResponse::new(502, format!("<html>{AT}</html>")), 0).unwrap_err();
    assert_redacted("AuthError (non-JSON)", &e);
    assert!(!e.to_string().contains(AT));
    // An authorize error response.
    let e = AuthorizeResponse::parse(&format!("#error=login_required&state={STATE}&code={CODE}"))
        .unwrap()
        .into_code(&State::new(STATE))
        .unwrap_err();
    assert_redacted("AuthError (authorize)", &e);
    let e = AuthorizeResponse::parse(&format!("#code={CODE}&state={STATE}")).unwrap().into_code(&State::new("other")).unwrap_err();
    assert_redacted("AuthError (state mismatch)", &e);
    assert!(!e.to_string().contains(STATE));
}

#[test]
fn cache_entities_and_caches() {
    let resp = TokenResponse::parse(&HttpResponse::new(200, token_body(NONCE)), 1_700_000_000).unwrap();
    let claims = IdTokenClaims::decode(&id_token(NONCE)).unwrap();
    let account =
        msal_wasm::core::account::Account::from_response(&client_info(), Some(&claims), "login.microsoftonline.com", "MSSTS", 0).unwrap();
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), "client-1");
    let requested = ScopeSet::parse("User.Read");
    let save = SaveRequest {
        response: &resp,
        account: &account,
        realm: "tid-1",
        at_realm: None,
        requested: &requested,
        key_id: "",
        resource: "",
        // (Attribute tokens are assertions.)
        attribute_tokens: ASSERTION,
        environments: &[],
        store: Default::default(),
        kmsi: false,
        now_ms: resp.cached_at * 1000,
    };
    assert_redacted("SaveRequest", &save);
    cache.save(&save).unwrap();
    assert!(store.keys().iter().any(|k| store.get(k).is_some_and(|v| v.contains(AT))), "the store really holds the token");
    assert_redacted("MemoryStore", &*store);
    assert_redacted("TokenCache", &cache);
    let envs = ["login.microsoftonline.com".to_owned()];
    let query = msal_wasm::core::cache::AtQuery {
        home_account_id: "uid-1.tid-1",
        environments: &envs,
        client_id: "client-1",
        realm: "tid-1",
        scopes: &requested,
        token_type: "Bearer",
        key_id: None,
        attribute_tokens: ASSERTION,
    };
    assert!(format!("{query:?}").contains("attribute_tokens: \"[redacted]\""), "{query:?}");
    assert_redacted("AtQuery", &query);
    let thumbprint = msal_wasm::core::throttle::Thumbprint {
        client_id: "client-1",
        authority: "https://login.microsoftonline.com/tid-1/",
        scopes: &["User.Read"],
        home_account_id: "uid-1.tid-1",
        claims: "",
        authentication_scheme: "Bearer",
        resource_request_method: "",
        resource_request_uri: "",
        shr_claims: "",
        resource: "",
        attribute_tokens: ASSERTION,
    };
    assert_redacted("Thumbprint", &thumbprint);
    let creds: Vec<Credential> = cache.credentials().cloned().collect();
    assert_eq!(creds.len(), 3);
    for c in &creds {
        assert_redacted("Credential", c);
    }
    let from_json =
        Credential::from_json(&Json::parse(&store.get(&msal_wasm::core::cache::credential_key(&creds[1])).unwrap()).unwrap()).unwrap();
    assert_redacted("Credential (loaded)", &from_json);

    let mut u = unified::UnifiedCache::new();
    for c in &creds {
        u.add_credential(c);
    }
    assert!(u.serialize().contains(AT));
    assert_redacted("UnifiedCache", &u);
    assert_redacted("unified credentials", &u.credentials());
}

#[test]
fn proof_claims_and_the_popup_relay() {
    let claims = msal_wasm::core::dpop::ProofClaims {
        htm: "GET",
        htu: "https://api.example/x",
        iat: 1,
        jti: "jti-1",
        nonce: Some("server-nonce"),
        access_token: Some(AT),
    };
    assert!(format!("{claims:?}").contains("access_token: Some(\"[redacted]\")"), "{claims:?}");
    assert_redacted("ProofClaims", &claims);
    let request = format!(r#"{{"id":"1","method":"GET","url":"https://login.example/authorize?state={STATE}&nonce={NONCE}"}}"#);
    assert_redacted("Relay", &msal_wasm::platform::Relay { version: 2, request: &request });
}

#[test]
fn client_flow_types() {
    const METADATA: &str = r#"{"authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize","token_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token","end_session_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout","issuer":"https://login.microsoftonline.com/{tenant}/v2.0"}"#;
    let nonce = Rc::new(RefCell::new(String::new()));
    let n = nonce.clone();
    let platform = MemoryPlatform::new(1_700_000_000_000, move |req: &HttpRequest| {
        assert!(req.body.contains(&encode(CODE)), "the code is exchanged");
        Ok(HttpResponse::new(200, token_body(&n.borrow())))
    });
    let config = Config::new("client-1")
        .with_authority("https://login.microsoftonline.com/tid-1")
        .with_redirect_uri("https://app.example/")
        .with_authority_metadata(METADATA);
    assert_redacted("Config", &config);
    let pca = PublicClientApplication::new(config, platform.clone()).unwrap();
    block_on(pca.initialize()).unwrap();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], state: STATE.into(), ..Default::default() };
    assert_redacted("InteractiveRequest", &InteractiveRequest { nonce: NONCE.into(), ..req.clone() });
    // msal's attributeTokens are assertions of external attribute authorities.
    let options = msal_wasm::client::TokenOptions { attribute_tokens: vec![ASSERTION.into()], ..Default::default() };
    assert_redacted(
        "SilentRequest",
        &SilentRequest { scopes: vec!["User.Read".into()], state: STATE.into(), options, ..Default::default() },
    );
    let by_code = msal_wasm::client::ByCodeRequest {
        code: AuthCode::new(CODE),
        code_verifier: Some(PkceVerifier::new(VERIFIER)),
        state: STATE.into(),
        ..Default::default()
    };
    assert_redacted("ByCodeRequest", &by_code);
    let id_token_hint = id_token(NONCE);
    assert_redacted("LogoutRequest", &LogoutRequest { id_token_hint, state: STATE.into(), ..Default::default() });
    let pending = pca.begin_interaction(&req, InteractionType::Popup, "https://app.example/start").unwrap();
    assert_redacted("PendingAuth", &pending);
    let query = parse_query(pending.url.split_once('?').unwrap().1);
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    *nonce.borrow_mut() = get("nonce");
    // The library's own state and nonce are secrets too.
    let lib_state = get("state");
    let lib_nonce = get("nonce");
    let check_lib = |what: &str, out: &str| {
        assert!(!out.contains(&lib_state), "{what}: {out}");
        assert!(!out.contains(&lib_nonce), "{what}: {out}");
    };
    check_lib("PendingAuth", &format!("{pending:?}"));
    let response = format!("#code={CODE}&state={}&client_info={}", encode(&lib_state), client_info());
    let result = block_on(pca.finish_interaction(pending, &response)).unwrap();
    assert_eq!(result.access_token.secret(), AT);
    check_lib("AuthenticationResult", &assert_redacted("AuthenticationResult", &result));
    assert_redacted("AccountInfo", &result.account);
    for a in pca.all_accounts() {
        assert_redacted("AccountInfo (cache)", &a);
    }
    check_lib("PublicClientApplication", &assert_redacted("PublicClientApplication", &pca));
    // A redirect's response in the page address, as `begin_handle_redirect` hands it over.
    let pending = pca.begin_interaction(&req, InteractionType::Redirect, "https://app.example/start").unwrap();
    let query = parse_query(pending.url.split_once('?').unwrap().1);
    let redirect_state = query.iter().find(|(n, _)| n == "state").map(|(_, v)| v.clone()).unwrap();
    drop(pending);
    platform.set_page_url(format!("https://app.example/#code={CODE}&state={}&client_info={}", encode(&redirect_state), client_info()));
    let start = pca.begin_handle_redirect(None, false).unwrap();
    assert!(matches!(start, msal_wasm::client::RedirectStart::Redeem { .. }), "the response is this client's");
    let out = assert_redacted("RedirectStart", &start);
    assert!(!out.contains(&redirect_state) && !out.contains(&encode(&redirect_state)), "RedirectStart: {out}");
    let msal_wasm::client::RedirectStart::Redeem { response, .. } = start else { unreachable!() };
    *nonce.borrow_mut() = query.iter().find(|(n, _)| n == "nonce").map(|(_, v)| v.clone()).unwrap();
    assert!(block_on(pca.handle_redirect(Some(&response))).unwrap().is_some(), "the response redeems");
    // A sign-out's start: its URL and the values it sent carry the library state (with the
    // app's) and the hints.
    let bye = LogoutRequest { state: STATE.into(), logout_hint: "hint-SECRET-STATE-42".into(), ..Default::default() };
    let started = pca.begin_logout(&bye, InteractionType::Redirect).unwrap();
    assert!(started.url.as_deref().is_some_and(|u| u.contains("logout_hint=")), "the URL carries the hint");
    let out = assert_redacted("LogoutStarted", &started);
    assert!(!started.sent.state.is_empty() && !out.contains(&started.sent.state), "LogoutStarted: {out}");
    assert_redacted("MemoryPlatform", &platform);
    for r in platform.requests.borrow().iter() {
        assert_redacted("HttpRequest (sent)", r);
    }
}

/// A guard for types added later: no struct in `src/` or `native/src/` derives `Debug` while
/// holding a field whose name says secret as a plain string (a typed secret, as
/// `msal_wasm::secret`'s, prints `[redacted]` itself). The fields listed are checked above, or
/// are not secrets although their names say so.
#[test]
fn no_struct_derives_debug_over_a_secret_named_string() {
    const NAMES: [&str; 11] =
        ["state", "nonce", "secret", "token", "tokens", "assertion", "code", "verifier", "password", "proof", "private_key"];
    const PLAIN: [&str; 6] = ["String", "Option<String>", "Vec<u8>", "&'a str", "Option<&'a str>", "&'a [(String, String)]"];
    // (struct, field): not secrets (a token's type, a response's status code, a device code's
    // user-facing code) or kept out of `Debug` another way.
    const NOT_SECRETS: [(&str, &str); 4] = [
        ("AssertionContext", "token_endpoint"),
        ("AuthorityMetadata", "token_endpoint"),
        ("DeviceCodeInfo", "user_code"),
        ("AtQuery", "token_type"),
    ];
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root).join("src"), std::path::PathBuf::from(root).join("native/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 40, "the sources were found ({} files)", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut derives_debug = false;
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with("#[derive(") {
                derives_debug = t.contains("Debug");
                continue;
            }
            if let Some(rest) =
                t.strip_prefix("pub struct ").or_else(|| t.strip_prefix("struct ")).or_else(|| t.strip_prefix("pub(crate) struct "))
            {
                current = derives_debug.then(|| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("").to_owned());
                derives_debug = false;
                continue;
            }
            if !t.starts_with("#[") && !t.starts_with("///") && !t.is_empty() {
                derives_debug &= t.starts_with("#[");
            }
            if t == "}" {
                current = None;
                continue;
            }
            let Some(name) = &current else { continue };
            let Some((field, ty)) = t.trim_start_matches("pub ").trim_start_matches("pub(crate) ").split_once(": ") else { continue };
            let ty = ty.trim_end_matches(',');
            let secret_named =
                NAMES.iter().any(|n| field == *n || field.ends_with(&format!("_{n}")) || field.starts_with(&format!("{n}_")));
            if secret_named && PLAIN.contains(&ty) && !NOT_SECRETS.contains(&(name.as_str(), field)) {
                found.push(format!("{}: {name}.{field}: {ty}", file.strip_prefix(root).unwrap().display()));
            }
        }
    }
    assert!(found.is_empty(), "derive(Debug) over a secret-named string:\n{}", found.join("\n"));
}
