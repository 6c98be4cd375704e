use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const TOKEN_ENDPOINT: &str = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token";
const NOW: u64 = 1_700_000_000;
const FORM: &str = "application/x-www-form-urlencoded;charset=utf-8";

fn request<'a>(scopes: &'a ScopeSet, grant: Grant<'a>, credential: &'a ClientCredential) -> TokenRequest<'a> {
    TokenRequest {
        endpoint: TOKEN_ENDPOINT,
        client_id: "client-1",
        scopes,
        correlation_id: "corr-1",
        grant,
        credential,
        client_info: true,
        claims: "",
        anchor: "",
        extra_body: &[],
        app: AppTelemetry::NONE,
    }
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn keys(form: &[(String, String)]) -> Vec<&str> {
    form.iter().map(|(k, _)| k.as_str()).collect()
}

fn assert_common(req: &HttpRequest) {
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{TOKEN_ENDPOINT}?client-request-id=corr-1"));
    assert_eq!(header(req, "Content-Type"), Some(FORM));
    let form = req.form();
    assert_eq!(field(&form, "client_id"), Some("client-1"));
    assert_eq!(field(&form, "x-client-SKU"), Some(SKU));
    assert_eq!(field(&form, "x-client-VER"), Some(VERSION));
    assert_eq!(field(&form, "x-ms-lib-capability"), Some("retry-after, h429"));
    // Every field once.
    for k in keys(&form) {
        assert_eq!(form.iter().filter(|(x, _)| x == k).count(), 1, "{k} repeated");
    }
    // The correlation id is in the query, not the body.
    assert_eq!(field(&form, "client-request-id"), None);
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

#[test]
fn the_apps_name_and_version_are_sent_after_the_library_info() {
    // msal's addApplicationTelemetry, between addLibraryInfo and addThrottling, in every grant.
    let scopes = ScopeSet::parse("User.Read");
    let rt = RefreshToken::new("rt");
    let grant = Grant::RefreshToken { refresh_token: &rt, redirect_uri: "" };
    let app = AppTelemetry { name: "Contoso Portal".into(), version: "2.1.0".into() };
    let req = TokenRequest { app: &app, ..request(&scopes, grant, &ClientCredential::None) }.build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "x-app-name"), Some("Contoso Portal"));
    assert_eq!(field(&form, "x-app-ver"), Some("2.1.0"));
    let k = keys(&form);
    let at = k.iter().position(|x| *x == "x-client-VER").unwrap();
    assert_eq!(k[at + 1..at + 4], ["x-app-name", "x-app-ver", "x-ms-lib-capability"]);
    let none = request(&scopes, Grant::ClientCredentials, &ClientCredential::None).build();
    assert!(!none.body.contains("x-app-"), "none set, none sent");
}

#[test]
fn authorization_code_request() {
    let scopes = ScopeSet::parse("User.Read openid profile offline_access");
    let code = AuthCode::new("0.AAA-code");
    let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    let cred = ClientCredential::None;
    let grant = Grant::AuthorizationCode { code: &code, verifier: Some(&verifier), redirect_uri: "https://app.example/cb" };
    let req = request(&scopes, grant, &cred).build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&form, "code"), Some("0.AAA-code"));
    assert_eq!(field(&form, "code_verifier"), Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    assert_eq!(field(&form, "redirect_uri"), Some("https://app.example/cb"));
    assert_eq!(field(&form, "scope"), Some("User.Read openid profile offline_access"));
    assert_eq!(field(&form, "client_info"), Some("1"));
    assert_eq!(field(&form, "client_secret"), None);
    assert_eq!(field(&form, "client_assertion"), None);
    assert_eq!(field(&form, "claims"), None);
    assert_eq!(header(&req, "X-AnchorMailbox"), None);
    assert_eq!(req.headers.len(), 1);
    // Body is percent-encoded like encodeURIComponent.
    assert!(req.body.contains("redirect_uri=https%3A%2F%2Fapp.example%2Fcb"), "{}", req.body);
    assert!(req.body.contains("scope=User.Read%20openid%20profile%20offline_access"), "{}", req.body);
    assert!(req.body.contains("x-ms-lib-capability=retry-after%2C%20h429"), "{}", req.body);
    // msal's order: client_id first, grant fields, then library info.
    let k = keys(&form);
    let pos = |x: &str| k.iter().position(|y| *y == x).unwrap();
    assert_eq!(pos("client_id"), 0);
    assert!(pos("code") < pos("code_verifier"));
    assert!(pos("code_verifier") < pos("grant_type"));
    assert!(pos("grant_type") < pos("client_info"));
    assert!(pos("client_info") < pos("x-client-SKU"));
}

#[test]
fn authorization_code_without_verifier_or_client_info() {
    let scopes = ScopeSet::parse("openid");
    let code = AuthCode::new("c");
    let cred = ClientCredential::Secret(ClientSecret::new("s3cret"));
    let mut r = request(&scopes, Grant::AuthorizationCode { code: &code, verifier: None, redirect_uri: "https://a/" }, &cred);
    r.client_info = false;
    let req = r.build();
    let form = req.form();
    assert_eq!(field(&form, "code_verifier"), None);
    assert_eq!(field(&form, "client_info"), None);
    assert_eq!(field(&form, "client_secret"), Some("s3cret"));
}

#[test]
fn correlation_id_is_encoded_and_appended_to_an_existing_query() {
    let scopes = ScopeSet::parse("openid");
    let cred = ClientCredential::None;
    let mut r = request(&scopes, Grant::ClientCredentials, &cred);
    r.endpoint = "https://idp.example/token?p=b2c_1_x";
    r.correlation_id = "a b&c";
    assert_eq!(r.build().url, "https://idp.example/token?p=b2c_1_x&client-request-id=a%20b%26c");
}

#[test]
fn refresh_token_request_with_anchor_in_the_body() {
    let scopes = ScopeSet::parse("Mail.Read openid profile offline_access");
    let rt = RefreshToken::new("rt-value");
    let cred = ClientCredential::None;
    let mut r = request(&scopes, Grant::RefreshToken { refresh_token: &rt, redirect_uri: "https://app.example/cb" }, &cred);
    r.anchor = "Oid:uid-1@utid-1";
    let req = r.build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "refresh_token"), Some("rt-value"));
    assert_eq!(field(&form, "redirect_uri"), Some("https://app.example/cb"));
    assert_eq!(field(&form, "scope"), Some("Mail.Read openid profile offline_access"));
    assert_eq!(field(&form, "client_info"), Some("1"));
    assert_eq!(field(&form, "code"), None);
    // A body field, as msal-browser sends it: a header would cost a CORS preflight.
    assert_eq!(field(&form, "X-AnchorMailbox"), Some("Oid:uid-1@utid-1"));
    assert_eq!(header(&req, "X-AnchorMailbox"), None);
    // Without a redirect URI (msal's refresh when the request names none), none is sent.
    let mut r = request(&scopes, Grant::RefreshToken { refresh_token: &rt, redirect_uri: "" }, &cred);
    r.anchor = "Oid:uid-1@utid-1";
    assert_eq!(field(&r.build().form(), "redirect_uri"), None);
}

#[test]
fn device_code_request() {
    let scopes = ScopeSet::parse("User.Read offline_access openid profile");
    let dc = DeviceCode::new("dc-value");
    let cred = ClientCredential::None;
    let req = request(&scopes, Grant::DeviceCode { device_code: &dc }, &cred).build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "grant_type"), Some("urn:ietf:params:oauth:grant-type:device_code"));
    assert_eq!(field(&form, "device_code"), Some("dc-value"));
    assert_eq!(field(&form, "scope"), Some("User.Read offline_access openid profile"));
    assert_eq!(field(&form, "redirect_uri"), None);
}

#[test]
fn client_credentials_with_secret() {
    let scopes = ScopeSet::parse("https://graph.microsoft.com/.default");
    let cred = ClientCredential::Secret(ClientSecret::new("my~secret&="));
    let mut r = request(&scopes, Grant::ClientCredentials, &cred);
    r.client_info = false;
    let req = r.build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "grant_type"), Some("client_credentials"));
    assert_eq!(field(&form, "scope"), Some("https://graph.microsoft.com/.default"));
    assert_eq!(field(&form, "client_secret"), Some("my~secret&="));
    assert_eq!(field(&form, "client_assertion_type"), None);
    assert_eq!(field(&form, "client_info"), None);
    assert!(req.body.contains("client_secret=my~secret%26%3D"), "encoding");
}

#[test]
fn client_credentials_with_assertion() {
    let scopes = ScopeSet::parse("api://x/.default");
    let cred = ClientCredential::Assertion(Assertion::new("eyJ.client.assertion"));
    let req = request(&scopes, Grant::ClientCredentials, &cred).build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "client_assertion_type"), Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
    assert_eq!(field(&form, "client_assertion"), Some("eyJ.client.assertion"));
    assert_eq!(field(&form, "client_secret"), None);
}

#[test]
fn on_behalf_of_request() {
    let scopes = ScopeSet::parse("https://graph.microsoft.com/User.Read");
    let user = Assertion::new("eyJ.user.token");
    let cred = ClientCredential::Secret(ClientSecret::new("s"));
    let req = request(&scopes, Grant::OnBehalfOf { assertion: &user }, &cred).build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "grant_type"), Some("urn:ietf:params:oauth:grant-type:jwt-bearer"));
    assert_eq!(field(&form, "requested_token_use"), Some("on_behalf_of"));
    assert_eq!(field(&form, "assertion"), Some("eyJ.user.token"));
    assert_eq!(field(&form, "client_secret"), Some("s"));
    assert_eq!(field(&form, "scope"), Some("https://graph.microsoft.com/User.Read"));
}

#[test]
fn claims_are_sent() {
    let scopes = ScopeSet::parse("openid");
    let cred = ClientCredential::None;
    let mut r = request(&scopes, Grant::ClientCredentials, &cred);
    r.claims = r#"{"access_token":{"xms_cc":{"values":["CP1"]}}}"#;
    let form = r.build().form();
    assert_eq!(field(&form, "claims"), Some(r#"{"access_token":{"xms_cc":{"values":["CP1"]}}}"#));
}

#[test]
fn extra_body_parameters_never_override() {
    let scopes = ScopeSet::parse("openid");
    let rt = RefreshToken::new("real-rt");
    let cred = ClientCredential::Secret(ClientSecret::new("real-secret"));
    let extra: Vec<(String, String)> = vec![
        ("client_id".into(), "evil".into()),
        ("grant_type".into(), "password".into()),
        ("refresh_token".into(), "evil-rt".into()),
        ("client_secret".into(), "evil-secret".into()),
        ("x-ms-lib-capability".into(), "none".into()),
        ("scope".into(), "evil".into()),
        ("custom".into(), "1".into()),
    ];
    let mut r = request(&scopes, Grant::RefreshToken { refresh_token: &rt, redirect_uri: "https://a/" }, &cred);
    r.extra_body = &extra;
    let req = r.build();
    assert_common(&req);
    let form = req.form();
    assert_eq!(field(&form, "client_id"), Some("client-1"));
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "refresh_token"), Some("real-rt"));
    assert_eq!(field(&form, "client_secret"), Some("real-secret"));
    assert_eq!(field(&form, "scope"), Some("openid"));
    assert_eq!(form.last(), Some(&("custom".to_owned(), "1".to_owned())));
}

#[test]
fn client_assertion_claims_follow_rfc_7523() {
    let text = client_assertion_claims("client-1", TOKEN_ENDPOINT, NOW, "jti-1");
    let j = Json::parse(&text).unwrap();
    assert_eq!(j.str_field("aud"), Some(TOKEN_ENDPOINT));
    assert_eq!(j.str_field("iss"), Some("client-1"));
    assert_eq!(j.str_field("sub"), Some("client-1"));
    assert_eq!(j.str_field("jti"), Some("jti-1"));
    assert_eq!(j.get("nbf").and_then(Json::as_u64), Some(NOW));
    assert_eq!(j.get("iat").and_then(Json::as_u64), Some(NOW));
    assert_eq!(j.get("exp").and_then(Json::as_u64), Some(NOW + 600));
    // Numbers, not strings.
    assert!(matches!(j.get("exp"), Some(Json::Num(_))));
}

#[test]
fn device_authorization_request_shape() {
    let scopes = ScopeSet::parse("User.Read openid");
    let req = device_authorization_request(
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
        "client-1",
        &scopes,
        "",
        &[],
        "corr-1",
    );
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode?client-request-id=corr-1");
    assert_eq!(header(&req, "Content-Type"), Some(FORM));
    assert_eq!(req.form(), vec![("client_id".to_owned(), "client-1".to_owned()), ("scope".to_owned(), "User.Read openid".to_owned())]);
}

#[test]
fn request_debug_hides_secrets() {
    let scopes = ScopeSet::parse("openid");
    let code = AuthCode::new("SECRET-CODE");
    let verifier = PkceVerifier::new("SECRET-VERIFIER");
    let cred = ClientCredential::Secret(ClientSecret::new("SECRET-CLIENT"));
    let r = request(&scopes, Grant::AuthorizationCode { code: &code, verifier: Some(&verifier), redirect_uri: "https://a/" }, &cred);
    let built = r.build();
    for d in [format!("{r:?}"), format!("{built:?}"), format!("{cred:?}")] {
        for s in ["SECRET-CODE", "SECRET-VERIFIER", "SECRET-CLIENT"] {
            assert!(!d.contains(s), "{s} in {d}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Token responses
// ---------------------------------------------------------------------------------------------

fn ok(body: &str) -> HttpResponse {
    HttpResponse::new(200, body)
}

#[test]
fn full_token_response() {
    let body = r#"{"token_type":"Bearer","scope":"User.Read openid profile","expires_in":3599,"ext_expires_in":7199,
        "refresh_in":1800,"access_token":"at-1","refresh_token":"rt-1","refresh_token_expires_in":86400,
        "id_token":"h.p.s","client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ","foci":"1","unknown":{"x":[1]}}"#;
    let t = TokenResponse::parse(&ok(body), NOW).unwrap();
    assert_eq!(t.access_token.secret(), "at-1");
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(t.expires_on, NOW + 3599);
    // As msal: the extended lifetime is added to the expiry.
    assert_eq!(t.extended_expires_on, NOW + 3599 + 7199);
    assert_eq!(t.refresh_on, Some(NOW + 1800));
    assert_eq!(t.refresh_token.as_ref().map(RefreshToken::secret), Some("rt-1"));
    assert_eq!(t.refresh_token_expires_on, Some(NOW + 86400));
    assert_eq!(t.id_token.as_ref().map(IdToken::secret), Some("h.p.s"));
    assert_eq!(t.scope.as_deref(), Some("User.Read openid profile"));
    assert_eq!(t.client_info, "eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ");
    assert_eq!(t.family_id, "1");
    assert_eq!(t.cached_at, NOW);
}

/// B2C answers a request for OpenID scopes alone with an ID token and no access token; msal
/// returns that (an empty `accessToken`). Any other response without one is malformed.
#[test]
fn no_access_token_only_for_openid_scopes_alone() {
    let b2c =
        r#"{"id_token":"h.p.s","token_type":"Bearer","id_token_expires_in":3600,"scope":"openid offline_access","refresh_token":"rt"}"#;
    let t = TokenResponse::parse(&ok(b2c), NOW).unwrap();
    assert_eq!(t.access_token.secret(), "");
    assert_eq!(t.id_token.as_ref().map(IdToken::secret), Some("h.p.s"));
    for body in [
        r#"{"id_token":"h.p.s","scope":"openid api://x/read"}"#,
        r#"{"id_token":"h.p.s","scope":" "}"#,
        r#"{"id_token":"h.p.s"}"#,
        r#"{"id_token":"h.p.s","access_token":"","scope":"User.Read"}"#,
    ] {
        let e = TokenResponse::parse(&ok(body), NOW).unwrap_err();
        assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE, "{body}");
    }
}

#[test]
fn numbers_may_be_strings() {
    let t =
        TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":"3600","ext_expires_in":" 7200 ","refresh_in":"60"}"#), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 3600);
    assert_eq!(t.extended_expires_on, NOW + 3600 + 7200);
    assert_eq!(t.refresh_on, Some(NOW + 60));
}

/// As msal: a `refresh_in` of 0 or below asks for no proactive refresh (0 would make every
/// silent call start one).
#[test]
fn refresh_in_of_zero_or_below_is_none() {
    for v in ["0", "-5", "\"0\"", "\"-1\""] {
        let t = TokenResponse::parse(&ok(&format!(r#"{{"access_token":"a","expires_in":3600,"refresh_in":{v}}}"#)), NOW).unwrap();
        assert_eq!(t.refresh_on, None, "{v}");
    }
}

#[test]
fn missing_expires_in_uses_expires_on_then_600() {
    let t = TokenResponse::parse(&ok(&format!(r#"{{"access_token":"a","expires_on":{}}}"#, NOW + 1234)), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 1234);
    let t = TokenResponse::parse(&ok(&format!(r#"{{"access_token":"a","expires_on":"{}"}}"#, NOW + 99)), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 99);
    // An expires_on in the past gives an already-expired token, not an underflow.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_on":5}"#), NOW).unwrap();
    assert_eq!(t.expires_on, NOW);
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a"}"#), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 600);
    // Without ext_expires_in the extended expiry is the expiry.
    assert_eq!(t.extended_expires_on, NOW + 600);
    assert_eq!(t.refresh_on, None);
    // null counts as absent.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":null,"refresh_in":null}"#), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 600);
    assert_eq!(t.refresh_on, None);
}

#[test]
fn expires_in_wins_over_expires_on() {
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":10,"expires_on":1}"#), NOW).unwrap();
    assert_eq!(t.expires_on, NOW + 10);
}

#[test]
fn defaults_for_optional_fields() {
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":1}"#), NOW).unwrap();
    assert_eq!(t.token_type, "Bearer");
    assert!(t.refresh_token.is_none());
    assert!(t.id_token.is_none());
    assert!(t.scope.is_none());
    assert_eq!(t.client_info, "");
    assert_eq!(t.family_id, "");
    assert_eq!(t.refresh_token_expires_on, None);
    // Empty strings count as absent.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","token_type":"","refresh_token":"","id_token":""}"#), NOW).unwrap();
    assert_eq!(t.token_type, "Bearer");
    assert!(t.refresh_token.is_none());
    assert!(t.id_token.is_none());
    // Other token types are kept.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","token_type":"pop"}"#), NOW).unwrap();
    assert_eq!(t.token_type, "pop");
}

#[test]
fn foci_as_a_number() {
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","foci":1}"#), NOW).unwrap();
    assert_eq!(t.family_id, "1");
}

/// Lifetimes as msal reads them (`parseInt` for a string, a number as is, `|| 0` for what is
/// none): an odd one costs the access token its lifetime, never the response (a redeemed code's
/// tokens, a rotated refresh token).
#[test]
fn odd_lifetimes_cost_the_access_token_its_lifetime_never_the_response() {
    let parse = |b: &str| TokenResponse::parse(&ok(b), NOW).unwrap();
    let t = parse(r#"{"access_token":"a","expires_in":"3600s","ext_expires_in":"","refresh_in":"","refresh_token":"rt"}"#);
    assert_eq!((t.expires_on, t.extended_expires_on, t.refresh_on), (NOW + 3600, NOW + 3600, None));
    assert!(t.refresh_token.is_some());
    let expiry = |v: &str| parse(&format!(r#"{{"access_token":"a","expires_in":{v}}}"#)).expires_on;
    for (v, seconds) in [
        (r#""soon""#, 0),
        ("true", 0),
        ("{}", 0),
        ("[]", 0),
        (r#""12.""#, 12),
        (r#""1.5e3""#, 1),
        // (A number in exponent form, which no token service writes: its digits before the
        // point, where msal reads 1500.)
        ("1.5e3", 1),
        ("3600.9", 3600),
        (r#"" +42 ""#, 42),
        (r#""-5""#, 0),
        ("-5", 0),
        (r#""0x10""#, 0),
    ] {
        assert_eq!(expiry(v), NOW + seconds, "{v}");
    }
    assert_eq!(expiry(r#""99999999999999999999999""#), u64::MAX);
    let t = parse(r#"{"access_token":"a","refresh_in":"x","refresh_token_expires_in":false,"expires_on":"x"}"#);
    assert_eq!((t.refresh_on, t.refresh_token_expires_on), (None, None));
}

#[test]
fn wrong_types_are_failed_to_parse_response() {
    let bodies = [
        r#"{}"#,
        r#"{"access_token":""}"#,
        r#"{"access_token":5}"#,
        r#"{"access_token":null}"#,
        r#"{"access_token":["a"]}"#,
        r#"{"access_token":"a","refresh_token":{}}"#,
        r#"{"access_token":"a","id_token":1}"#,
        r#"{"access_token":"a","scope":["openid"]}"#,
        r#"{"access_token":"a","token_type":1}"#,
        r#"{"access_token":"a","client_info":true}"#,
    ];
    for b in bodies {
        let e = TokenResponse::parse(&ok(b), NOW).unwrap_err();
        assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE, "{b}");
        assert_eq!(e.kind(), ErrorKind::Network, "{b}");
        assert!(e.status().is_none(), "{b}");
    }
}

#[test]
fn non_json_success_is_failed_to_parse_response() {
    for b in ["", "<html>oops</html>", "[1]", "\"str\"", "null", "{\"access_token\":\"a\"", "{} {}"] {
        let e = TokenResponse::parse(&ok(b), NOW).unwrap_err();
        assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE, "{b:?}");
    }
}

/// msal's fetch client: a body that is not JSON (a proxy's HTML error page) is a
/// `BrowserAuthError` `failed_to_parse_response`, whatever the status.
#[test]
fn non_json_error_is_failed_to_parse_response_with_status() {
    for status in [500u16, 502, 503, 404, 400] {
        let e = TokenResponse::parse(&HttpResponse::new(status, "<html>Bad Gateway</html>"), NOW).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{status}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE);
        assert!(!e.message().contains("Bad Gateway"), "the body must not leak into the message");
    }
    let e = TokenResponse::parse(&HttpResponse::new(500, ""), NOW).unwrap_err();
    assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE);
}

#[test]
fn oversized_body_is_rejected() {
    let body = format!(r#"{{"access_token":"{}"}}"#, "a".repeat(MAX_BODY_LEN));
    let e = TokenResponse::parse(&ok(&body), NOW).unwrap_err();
    assert_eq!(e.code(), codes::FAILED_TO_PARSE_RESPONSE);
}

#[test]
fn token_response_debug_is_redacted() {
    let body = r#"{"access_token":"SECRET-AT","refresh_token":"SECRET-RT","id_token":"SECRET-IDT","client_info":"SECRET-CI"}"#;
    let t = TokenResponse::parse(&ok(body), NOW).unwrap();
    let d = format!("{t:?}");
    for s in ["SECRET-AT", "SECRET-RT", "SECRET-IDT"] {
        assert!(!d.contains(s), "{s} in {d}");
    }
}

// ---------------------------------------------------------------------------------------------
// Server errors (spec §7.1 / §7.2)
// ---------------------------------------------------------------------------------------------

fn err(status: u16, body: &str) -> AuthError {
    TokenResponse::parse(&HttpResponse::new(status, body), NOW).unwrap_err()
}

#[test]
fn rule_a_interaction_required_codes() {
    for code in ["interaction_required", "consent_required", "login_required", "bad_token", "ui_not_allowed", "interrupted_user"] {
        let e = err(400, &format!(r#"{{"error":"{code}","error_description":"AADSTS1: x"}}"#));
        assert_eq!(e.kind(), ErrorKind::InteractionRequired, "{code}");
        assert_eq!(e.code(), code);
        assert_eq!(e.status(), Some(400));
    }
}

#[test]
fn rule_b_description_contains() {
    for code in ["interaction_required", "consent_required", "login_required", "bad_token", "ui_not_allowed", "interrupted_user"] {
        let e = err(400, &format!(r#"{{"error":"invalid_grant","error_description":"AADSTS65001: blah {code} blah"}}"#));
        assert_eq!(e.kind(), ErrorKind::InteractionRequired, "{code}");
        assert_eq!(e.code(), "invalid_grant");
    }
}

#[test]
fn rule_c_suberrors() {
    for sub in [
        "message_only",
        "additional_action",
        "basic_action",
        "user_password_expired",
        "consent_required",
        "bad_token",
        "ui_not_allowed",
        "interrupted_user",
    ] {
        let e = err(400, &format!(r#"{{"error":"invalid_grant","error_description":"AADSTS50076: MFA","suberror":"{sub}"}}"#));
        assert_eq!(e.kind(), ErrorKind::InteractionRequired, "{sub}");
        assert_eq!(e.sub_error(), sub);
        assert_eq!(e.code(), "invalid_grant");
    }
}

#[test]
fn plain_invalid_grant_is_a_server_error() {
    let e = err(400, r#"{"error":"invalid_grant","error_description":"AADSTS70008: The refresh token has expired."}"#);
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.code(), "invalid_grant");
    assert!(!e.is_interaction_required());
    // Unknown suberrors don't change that.
    let e = err(400, r#"{"error":"invalid_grant","suberror":"client_mismatch"}"#);
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.sub_error(), "client_mismatch");
    // Matching is case-sensitive, like msal.
    assert_eq!(err(400, r#"{"error":"Login_Required"}"#).kind(), ErrorKind::Server);
}

#[test]
fn server_error_carries_every_diagnostic() {
    let body = r#"{"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired.",
        "error_codes":[50173,70000],"timestamp":"2024-10-01 12:00:00Z","trace_id":"trace-1",
        "correlation_id":"corr-srv","claims":"{\"access_token\":{\"capolids\":{\"essential\":true}}}",
        "suberror":"bad_token"}"#;
    let e = err(400, body);
    assert_eq!(e.kind(), ErrorKind::InteractionRequired);
    assert_eq!(e.error_no(), "50173");
    assert_eq!(e.trace_id(), "trace-1");
    assert_eq!(e.correlation_id(), "corr-srv");
    assert_eq!(e.timestamp(), "2024-10-01 12:00:00Z");
    assert_eq!(e.claims(), r#"{"access_token":{"capolids":{"essential":true}}}"#);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.message(), "AADSTS50173: The provided grant has expired.");
}

#[test]
fn error_codes_as_strings_or_missing() {
    assert_eq!(err(400, r#"{"error":"x","error_codes":["7000215"]}"#).error_no(), "7000215");
    assert_eq!(err(400, r#"{"error":"x","error_codes":[]}"#).error_no(), "");
    assert_eq!(err(400, r#"{"error":"x","error_codes":7}"#).error_no(), "");
    assert_eq!(err(400, r#"{"error":"x"}"#).error_no(), "");
}

#[test]
fn error_in_a_200_response() {
    let e = err(200, r#"{"error":"login_required"}"#);
    assert_eq!(e.kind(), ErrorKind::InteractionRequired);
    assert_eq!(e.status(), Some(200));
}

#[test]
fn a_success_whose_error_fields_are_null_or_empty_is_a_success() {
    // msal reads `error`, `error_description` and `suberror` as JavaScript truth values.
    for error in [
        r#""error":null"#,
        r#""error":"""#,
        r#""error":null,"error_description":"","suberror":null"#,
        r#""error":0"#,
        r#""error":-0.0e7"#,
        r#""error":false"#,
    ] {
        let body = format!(r#"{{"access_token":"a","expires_in":3600,{error}}}"#);
        assert!(TokenResponse::parse(&ok(&body), NOW).is_ok(), "{body}");
        assert!(TokenResponse::external(&Json::parse(&body).unwrap(), NOW).is_ok(), "{body}");
    }
    // A description or a sub-error alone is a failure, as msal's.
    for error in [r#""error_description":"AADSTS1: x""#, r#""suberror":"bad_token""#, r#""error":0.5"#, r#""error":{}"#] {
        let body = format!(r#"{{"access_token":"a","expires_in":3600,{error}}}"#);
        assert!(TokenResponse::parse(&ok(&body), NOW).is_err(), "{body}");
    }
}

#[test]
fn json_error_body_without_error_field() {
    let e = err(503, r#"{"message":"busy"}"#);
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.code(), "http_503");
    assert_eq!(e.status(), Some(503));
    // A non-string error field is treated the same way.
    let e = err(400, r#"{"error":42}"#);
    assert_eq!(e.code(), "http_400");
}

#[test]
fn huge_error_fields_are_truncated() {
    let body = format!(
        r#"{{"error":"{}","error_description":"{}","suberror":"{}"}}"#,
        "e".repeat(10_000),
        "d".repeat(100_000),
        "s".repeat(10_000)
    );
    let e = err(400, &body);
    assert_eq!(e.code().chars().count(), 128);
    assert_eq!(e.message().chars().count(), 2048);
    assert_eq!(e.sub_error().chars().count(), 128);
    // Multi-byte characters are cut on a character boundary.
    let e = classify_server_error(&"é".repeat(500), &"😀".repeat(5000), "", 0);
    assert_eq!(e.code().chars().count(), 128);
    assert_eq!(e.message().chars().count(), 2048);
    assert_eq!(e.status(), None);
}

#[test]
fn classify_directly() {
    assert_eq!(classify_server_error("", "", "", 0).code(), "server_error");
    assert_eq!(classify_server_error("", "", "basic_action", 0).kind(), ErrorKind::InteractionRequired);
    assert_eq!(classify_server_error("temporarily_unavailable", "", "", 503).status(), Some(503));
}

#[test]
fn error_debug_names_the_code_and_kind() {
    let e = err(400, r#"{"error":"invalid_grant","error_description":"d","trace_id":"t","claims":"c"}"#);
    let d = format!("{e:?}");
    assert!(d.contains("invalid_grant"));
    assert!(d.contains("ServerError") || d.contains("Server"));
}

// ---------------------------------------------------------------------------------------------
// Device code
// ---------------------------------------------------------------------------------------------

#[test]
fn device_authorization_response() {
    let body = r#"{"user_code":"ABCD-EFGH","device_code":"dc-secret","verification_uri":"https://microsoft.com/devicelogin",
        "expires_in":"900","interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."}"#;
    let i = DeviceCodeInfo::parse(&ok(body)).unwrap();
    assert_eq!(i.user_code, "ABCD-EFGH");
    assert_eq!(i.device_code.secret(), "dc-secret");
    assert_eq!(i.verification_uri, "https://microsoft.com/devicelogin");
    assert_eq!(i.expires_in, 900);
    assert_eq!(i.interval, 5);
    assert!(i.message.contains("ABCD-EFGH"));
    assert!(!format!("{i:?}").contains("dc-secret"));
}

#[test]
fn device_authorization_defaults_and_aliases() {
    // Older endpoints say verification_url; interval and expiry default; interval is clamped.
    let i = DeviceCodeInfo::parse(&ok(r#"{"user_code":"u","device_code":"d","verification_url":"https://v"}"#)).unwrap();
    assert_eq!(i.verification_uri, "https://v");
    assert_eq!(i.expires_in, 900);
    assert_eq!(i.interval, 5);
    assert_eq!(i.message, "");
    let i = DeviceCodeInfo::parse(&ok(r#"{"user_code":"u","device_code":"d","verification_uri":"https://v","interval":0}"#)).unwrap();
    assert_eq!(i.interval, 1);
    let i = DeviceCodeInfo::parse(&ok(r#"{"user_code":"u","device_code":"d","verification_uri":"https://v","interval":100000}"#)).unwrap();
    assert_eq!(i.interval, 60);
}

#[test]
fn device_authorization_failures() {
    for b in [
        r#"{"device_code":"d","verification_uri":"v"}"#,
        r#"{"user_code":"u","verification_uri":"v"}"#,
        r#"{"user_code":"u","device_code":"d"}"#,
        r#"{"user_code":1,"device_code":"d","verification_uri":"v"}"#,
        "not json",
    ] {
        assert_eq!(DeviceCodeInfo::parse(&ok(b)).unwrap_err().code(), codes::FAILED_TO_PARSE_RESPONSE, "{b}");
    }
    let e = DeviceCodeInfo::parse(&HttpResponse::new(400, r#"{"error":"invalid_scope","error_codes":[70011]}"#)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.code(), "invalid_scope");
    assert_eq!(e.error_no(), "70011");
}

#[test]
fn device_poll_semantics() {
    let pending = device_poll(&HttpResponse::new(400, r#"{"error":"authorization_pending","error_codes":[70016]}"#), NOW).unwrap();
    assert!(matches!(pending, DevicePoll::Pending));
    let slow = device_poll(&HttpResponse::new(400, r#"{"error":"slow_down"}"#), NOW).unwrap();
    assert!(matches!(slow, DevicePoll::SlowDown));
    let expired = device_poll(&HttpResponse::new(400, r#"{"error":"expired_token","error_codes":[70020]}"#), NOW).unwrap_err();
    assert_eq!(expired.code(), "expired_token");
    assert_eq!(expired.kind(), ErrorKind::Server);
    assert_eq!(expired.error_no(), "70020");
    let denied = device_poll(&HttpResponse::new(400, r#"{"error":"access_denied"}"#), NOW).unwrap_err();
    assert_eq!(denied.code(), "access_denied");
    let other = device_poll(&HttpResponse::new(400, r#"{"error":"invalid_grant","suberror":"consent_required"}"#), NOW).unwrap_err();
    assert_eq!(other.kind(), ErrorKind::InteractionRequired);
    match device_poll(&ok(r#"{"access_token":"at","expires_in":60,"refresh_token":"rt"}"#), NOW).unwrap() {
        DevicePoll::Token(t) => {
            assert_eq!(t.access_token.secret(), "at");
            assert_eq!(t.expires_on, NOW + 60);
            assert_eq!(t.refresh_token.as_ref().map(RefreshToken::secret), Some("rt"));
        }
        other => panic!("expected a token, got {other:?}"),
    }
    // Malformed success is still a parse failure.
    assert_eq!(device_poll(&ok(r#"{"access_token":1}"#), NOW).unwrap_err().code(), codes::FAILED_TO_PARSE_RESPONSE);
    assert_eq!(device_poll(&HttpResponse::new(502, "gateway"), NOW).unwrap_err().status(), Some(502));
}

// ---------------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------------

#[test]
fn hostile_bodies_never_panic() {
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"access_token\"",
        "\"a\"",
        "\"expires_in\"",
        "\"error\"",
        "\"error_codes\"",
        "1",
        "-1",
        "1e999",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "null",
        "true",
        "\"foci\"",
        "\"18446744073709551616\"",
        " ",
    ];
    for _ in 0..3000 {
        let n = (next() % 24) as usize;
        let body: String = (0..n).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
        for status in [200u16, 400, 500] {
            let r = HttpResponse::new(status, body.clone());
            let _ = TokenResponse::parse(&r, NOW);
            let _ = TokenResponse::parse(&r, u64::MAX);
            let _ = DeviceCodeInfo::parse(&r);
            let _ = device_poll(&r, NOW);
        }
    }
    // Saturation at the end of time.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":"18446744073709551615","refresh_in":5}"#), u64::MAX - 1).unwrap();
    assert_eq!(t.expires_on, u64::MAX);
    assert_eq!(t.refresh_on, Some(u64::MAX));
}

#[test]
fn the_servers_request_id_is_kept() {
    let body = r#"{"access_token":"at","token_type":"Bearer","expires_in":3600}"#;
    let mut resp = HttpResponse::new(200, body);
    assert_eq!(TokenResponse::parse(&resp, NOW).unwrap().request_id, "");
    resp.headers.push(("x-ms-request-id".into(), "7a62ba9c-0e88-40ce-aec3-a7b217f2e700".into()));
    assert_eq!(TokenResponse::parse(&resp, NOW).unwrap().request_id, "7a62ba9c-0e88-40ce-aec3-a7b217f2e700");
}

#[test]
fn lifetimes_are_read_as_msal_reads_them() {
    // A number as is, a string by parseInt: the fraction is cut off; a negative lifetime is over.
    for (body, expires) in [
        (r#"{"access_token":"a","expires_in":3600.5}"#, NOW + 3600),
        (r#"{"access_token":"a","expires_in":"3599.0"}"#, NOW + 3599),
        (r#"{"access_token":"a","expires_in":-5}"#, NOW),
        (r#"{"access_token":"a","expires_in":"-0.5"}"#, NOW),
    ] {
        let t = TokenResponse::parse(&ok(body), NOW).unwrap();
        assert_eq!(t.expires_on, expires, "{body}");
    }
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":60,"ext_expires_in":7.9,"refresh_in":30.5}"#), NOW).unwrap();
    assert_eq!((t.extended_expires_on, t.refresh_on), (NOW + 67, Some(NOW + 30)));
    // A refresh_in of 0 or below asks for no proactive refresh, fractional or not.
    let t = TokenResponse::parse(&ok(r#"{"access_token":"a","expires_in":60,"refresh_in":-0.5}"#), NOW).unwrap();
    assert_eq!(t.refresh_on, None);
}

#[test]
fn an_external_response_with_a_fractional_lifetime_keeps_its_access_token() {
    // msal's loadExternalTokens takes any JavaScript number (a lifetime computed by a test or
    // a server in floating point).
    let r =
        TokenResponse::external(&Json::parse(r#"{"access_token":"a","expires_in":3598.62,"token_type":"Bearer"}"#).unwrap(), NOW).unwrap();
    assert_eq!((r.access_token.secret(), r.expires_on), ("a", NOW + 3598));
    let none = TokenResponse::external(&Json::parse(r#"{"access_token":"a","expires_in":0.5,"id_token":"x"}"#).unwrap(), NOW).unwrap();
    assert_eq!(none.access_token.secret(), "");
}
