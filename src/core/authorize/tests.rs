use super::*;
use crate::core::url::parse_query;
use crate::secret::State;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const ENDPOINT: &str = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize";

/// Owns everything `AuthorizeParams` borrows, so each test changes only what it is about.
struct Fixture {
    scopes: ScopeSet,
    hints: HintSource,
    caps: Vec<String>,
    extra: Vec<(String, String)>,
    claims: String,
    domain_hint: String,
    prompt: Option<Prompt>,
    client_info: bool,
    response_mode: &'static str,
    app: AppTelemetry,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            scopes: ScopeSet::parse("User.Read openid profile offline_access"),
            hints: HintSource::default(),
            caps: Vec::new(),
            extra: Vec::new(),
            claims: String::new(),
            domain_hint: String::new(),
            prompt: None,
            client_info: true,
            response_mode: "fragment",
            app: AppTelemetry::default(),
        }
    }

    fn params(&self) -> AuthorizeParams<'_> {
        AuthorizeParams {
            endpoint: ENDPOINT,
            client_id: "client-1",
            scopes: &self.scopes,
            redirect_uri: "https://app.example/redirect",
            correlation_id: "corr-1",
            response_mode: self.response_mode,
            client_info: self.client_info,
            prompt: self.prompt.clone(),
            domain_hint: &self.domain_hint,
            hints: &self.hints,
            nonce: "nonce-1",
            state: "state-1|user state",
            claims: &self.claims,
            client_capabilities: &self.caps,
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            extra: &self.extra,
            app: &self.app,
        }
    }

    fn url(&self) -> String {
        authorize_url(&self.params()).expect("authorize url")
    }

    fn query(&self) -> Vec<(String, String)> {
        query_of(&self.url())
    }
}

fn query_of(url: &str) -> Vec<(String, String)> {
    let (_, q) = url.split_once('?').expect("a query string");
    parse_query(q)
}

fn get<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn count(q: &[(String, String)], key: &str) -> usize {
    q.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).count()
}

// ---------------------------------------------------------------------------------------------
// Authorize URL
// ---------------------------------------------------------------------------------------------

#[test]
fn url_has_every_parameter_of_spec_4_1() {
    let mut f = Fixture::new();
    f.prompt = Some(Prompt::Login);
    f.domain_hint = "contoso.com".into();
    let url = f.url();
    assert!(url.starts_with(&format!("{ENDPOINT}?client_id=client-1&")), "{url}");
    let q = f.query();
    assert_eq!(get(&q, "client_id"), Some("client-1"));
    assert_eq!(get(&q, "scope"), Some("User.Read openid profile offline_access"));
    assert_eq!(get(&q, "redirect_uri"), Some("https://app.example/redirect"));
    assert_eq!(get(&q, "client-request-id"), Some("corr-1"));
    assert_eq!(get(&q, "response_mode"), Some("fragment"));
    assert_eq!(get(&q, "response_type"), Some("code"));
    assert_eq!(get(&q, "client_info"), Some("1"));
    assert_eq!(get(&q, "prompt"), Some("login"));
    assert_eq!(get(&q, "domain_hint"), Some("contoso.com"));
    assert_eq!(get(&q, "nonce"), Some("nonce-1"));
    assert_eq!(get(&q, "state"), Some("state-1|user state"));
    assert_eq!(get(&q, "x-client-SKU"), Some(SKU));
    assert_eq!(get(&q, "x-client-VER"), Some(VERSION));
    assert_eq!(get(&q, "code_challenge"), Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
    // No claims asked for, no capabilities: msal 5's optional ID token claims alone.
    assert_eq!(get(&q, "claims"), Some(&*format!(r#"{{"id_token":{{{DEFAULT_ID}}}}}"#)));
    // Every key appears once.
    for (k, _) in &q {
        assert_eq!(count(&q, k), 1, "{k} repeated in {url}");
    }
}

#[test]
fn the_apps_name_and_version_follow_the_library_info_each_only_when_set() {
    // msal's addApplicationTelemetry, after addLibraryInfo.
    let mut f = Fixture::new();
    assert!(!f.url().contains("x-app-"), "none set, none sent");
    f.app = AppTelemetry { name: "Contoso Portal".into(), version: String::new() };
    let q = f.query();
    assert_eq!(get(&q, "x-app-name"), Some("Contoso Portal"));
    assert_eq!(get(&q, "x-app-ver"), None);
    f.app.version = "2.1.0".into();
    let q = f.query();
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(get(&q, "x-app-ver"), Some("2.1.0"));
    let at = keys.iter().position(|k| *k == "x-client-VER").unwrap();
    assert_eq!(keys[at + 1..at + 4], ["x-app-name", "x-app-ver", "code_challenge"]);
}

#[test]
fn url_parameter_order_follows_msal() {
    let mut f = Fixture::new();
    f.prompt = Some(Prompt::Consent);
    f.claims = r#"{"id_token":{"acrs":{"essential":true}}}"#.into();
    let q = f.query();
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    let pos = |k: &str| keys.iter().position(|x| *x == k).unwrap_or_else(|| panic!("{k} missing"));
    let order = [
        "client_id",
        "scope",
        "redirect_uri",
        "client-request-id",
        "response_mode",
        "client_info",
        "prompt",
        "nonce",
        "state",
        "claims",
        "x-client-SKU",
        "x-client-VER",
        "code_challenge",
        "code_challenge_method",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} should come before {}", w[0], w[1]);
    }
}

#[test]
fn url_is_percent_encoded_like_encode_uri_component() {
    let f = Fixture::new();
    let url = f.url();
    assert!(url.contains("scope=User.Read%20openid%20profile%20offline_access"), "{url}");
    assert!(url.contains("redirect_uri=https%3A%2F%2Fapp.example%2Fredirect"), "{url}");
    assert!(url.contains("state=state-1%7Cuser%20state"), "{url}");
    assert!(!url.contains('+'));
}

#[test]
fn endpoint_with_query_gets_an_ampersand() {
    let f = Fixture::new();
    let mut p = f.params();
    p.endpoint = "https://idp.example/authorize?p=B2C_1_signin";
    let url = authorize_url(&p).unwrap();
    assert!(url.starts_with("https://idp.example/authorize?p=B2C_1_signin&client_id=client-1&"), "{url}");
}

#[test]
fn scope_keeps_the_defaults_given() {
    let mut f = Fixture::new();
    f.scopes = ScopeSet::parse("Mail.Read").with_oidc_defaults(&["openid".into(), "profile".into(), "offline_access".into()]);
    assert_eq!(get(&f.query(), "scope"), Some("Mail.Read openid profile offline_access"));
    // `openid` is forced even with no configured defaults (OIDC protocol mode).
    f.scopes = ScopeSet::parse("Mail.Read").with_oidc_defaults(&[]);
    assert_eq!(get(&f.query(), "scope"), Some("Mail.Read openid"));
    // Duplicates differing in case are sent once.
    f.scopes = ScopeSet::parse("OpenID Mail.Read").with_oidc_defaults(&["openid".into()]);
    assert_eq!(get(&f.query(), "scope"), Some("OpenID Mail.Read"));
}

#[test]
fn client_info_only_when_asked() {
    let mut f = Fixture::new();
    f.client_info = false;
    assert_eq!(get(&f.query(), "client_info"), None);
    f.client_info = true;
    assert_eq!(get(&f.query(), "client_info"), Some("1"));
}

#[test]
fn response_mode_query() {
    let mut f = Fixture::new();
    f.response_mode = "query";
    assert_eq!(get(&f.query(), "response_mode"), Some("query"));
}

#[test]
fn every_prompt_value() {
    for p in ["login", "select_account", "consent", "none", "create", "no_session"] {
        let prompt = Prompt::parse(p);
        assert_eq!(prompt.as_str(), p);
        let mut f = Fixture::new();
        f.prompt = Some(prompt);
        assert_eq!(get(&f.query(), "prompt"), Some(p));
    }
    let mut f = Fixture::new();
    f.prompt = None;
    assert_eq!(get(&f.query(), "prompt"), None);
    // Any other value goes to the provider as given, as msal sends it (OpenID Connect's
    // space-separated list, a provider's own value); it is encoded in the URL.
    for other in ["login consent", "admin_consent", "Login", "x&evil=1"] {
        let prompt = Prompt::parse(other);
        assert_eq!(prompt, Prompt::Other(other.to_owned()));
        let mut f = Fixture::new();
        f.prompt = Some(prompt);
        let q = f.query();
        assert_eq!(get(&q, "prompt"), Some(other));
        assert_eq!(get(&q, "evil"), None);
    }
}

#[test]
fn domain_hint_skipped_when_empty() {
    let f = Fixture::new();
    assert_eq!(get(&f.query(), "domain_hint"), None);
}

// ---------------------------------------------------------------------------------------------
// Claims and client capabilities
// ---------------------------------------------------------------------------------------------

/// msal 5's optional ID token claims, as its `buildMergedClaims` adds them.
const DEFAULT_ID: &str =
    r#""signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}"#;

#[test]
fn claims_with_capabilities_only() {
    let mut f = Fixture::new();
    f.caps = vec!["CP1".into()];
    let want = format!(r#"{{"id_token":{{{DEFAULT_ID}}},"access_token":{{"xms_cc":{{"values":["CP1"]}}}}}}"#);
    assert_eq!(get(&f.query(), "claims"), Some(&*want));
}

#[test]
fn claims_merged_with_capabilities() {
    let mut f = Fixture::new();
    f.caps = vec!["CP1".into(), "CP2".into()];
    f.claims = r#"{"id_token":{"auth_time":{"essential":true}},"access_token":{"nbf":{"essential":true,"value":"1"}}}"#.into();
    let claims = get(&f.query(), "claims").unwrap().to_owned();
    let want = format!(
        r#"{{"id_token":{{"auth_time":{{"essential":true}},{DEFAULT_ID}}},"access_token":{{"nbf":{{"essential":true,"value":"1"}},"xms_cc":{{"values":["CP1","CP2"]}}}}}}"#
    );
    assert_eq!(claims, want);
}

#[test]
fn claims_without_capabilities_keep_the_apps_and_add_msals_optional_id_token_claims() {
    let text = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    let want = format!(r#"{{"access_token":{{"acrs":{{"essential":true,"value":"c1"}}}},"id_token":{{{DEFAULT_ID}}}}}"#);
    assert_eq!(merge_claims(text, &[]).unwrap(), want);
    assert_eq!(merge_claims("", &[]).unwrap(), format!(r#"{{"id_token":{{{DEFAULT_ID}}}}}"#));
    // The app's own request of one of them wins.
    let text = r#"{"id_token":{"login_hint":{"essential":true}}}"#;
    let out = merge_claims(text, &[]).unwrap();
    assert!(out.contains(r#""login_hint":{"essential":true}"#) && !out.contains(r#""login_hint":{"essential":false}"#), "{out}");
}

#[test]
fn capabilities_replace_a_non_object_access_token_claim() {
    let out = merge_claims(r#"{"access_token":"x"}"#, &["CP1".into()]).unwrap();
    assert_eq!(out, format!(r#"{{"access_token":{{"xms_cc":{{"values":["CP1"]}}}},"id_token":{{{DEFAULT_ID}}}}}"#));
}

#[test]
fn invalid_claims_json_is_invalid_claims() {
    for bad in ["not json", "{", "[1,2]", "\"str\"", "12", "null", "{\"a\":}"] {
        let mut f = Fixture::new();
        f.claims = bad.into();
        let e = authorize_url(&f.params()).unwrap_err();
        assert_eq!(e.code(), codes::INVALID_CLAIMS, "{bad}");
        assert_eq!(e.kind(), ErrorKind::Configuration, "{bad}");
        // Also with capabilities.
        f.caps = vec!["CP1".into()];
        assert_eq!(authorize_url(&f.params()).unwrap_err().code(), codes::INVALID_CLAIMS, "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// login_hint / sid / X-AnchorMailbox precedence (spec §4.1)
// ---------------------------------------------------------------------------------------------

fn full_hints() -> HintSource {
    HintSource {
        request_sid: "req-sid".into(),
        request_login_hint: "req@contoso.com".into(),
        account_login_hint: "acct-hint".into(),
        account_sid: "acct-sid".into(),
        account_username: "user@contoso.com".into(),
        account_oid_anchor: "uid-1@utid-1".into(),
    }
}

fn hint_triplet(f: &Fixture) -> (Option<String>, Option<String>, Option<String>) {
    let q = f.query();
    let o = |k: &str| get(&q, k).map(str::to_owned);
    (o("login_hint"), o("sid"), o("X-AnchorMailbox"))
}

#[test]
fn hint_a_request_sid_with_prompt_none() {
    let mut f = Fixture::new();
    f.hints = full_hints();
    f.prompt = Some(Prompt::None);
    assert_eq!(hint_triplet(&f), (None, Some("req-sid".into()), None));
}

#[test]
fn hint_a_request_sid_ignored_without_prompt_none() {
    let mut f = Fixture::new();
    f.hints = HintSource { request_sid: "req-sid".into(), ..HintSource::default() };
    f.prompt = Some(Prompt::Login);
    assert_eq!(hint_triplet(&f), (None, None, None));
    f.prompt = None;
    assert_eq!(hint_triplet(&f), (None, None, None));
}

#[test]
fn hint_b_account_login_hint_with_oid_anchor() {
    let mut f = Fixture::new();
    f.hints = full_hints();
    f.prompt = Some(Prompt::Login);
    assert_eq!(hint_triplet(&f), (Some("acct-hint".into()), None, Some("Oid:uid-1@utid-1".into())));
    // prompt=none but no request sid: the account's login_hint still beats its sid.
    f.hints.request_sid.clear();
    f.prompt = Some(Prompt::None);
    assert_eq!(hint_triplet(&f), (Some("acct-hint".into()), None, Some("Oid:uid-1@utid-1".into())));
}

#[test]
fn hint_b_dropped_when_domain_hint_is_set() {
    let mut f = Fixture::new();
    f.hints = full_hints();
    f.domain_hint = "contoso.com".into();
    // Falls through to (d): the request's login hint with the UPN anchor.
    assert_eq!(hint_triplet(&f), (Some("req@contoso.com".into()), None, Some("UPN:req@contoso.com".into())));
}

#[test]
fn hint_c_account_sid_with_prompt_none() {
    let mut f = Fixture::new();
    f.hints = full_hints();
    f.hints.request_sid.clear();
    f.hints.account_login_hint.clear();
    f.prompt = Some(Prompt::None);
    assert_eq!(hint_triplet(&f), (None, Some("acct-sid".into()), Some("Oid:uid-1@utid-1".into())));
    // Not silent: the account sid is not used.
    f.prompt = Some(Prompt::Consent);
    assert_eq!(hint_triplet(&f), (Some("req@contoso.com".into()), None, Some("UPN:req@contoso.com".into())));
}

#[test]
fn hint_d_request_login_hint_with_upn_anchor() {
    let mut f = Fixture::new();
    f.hints = HintSource {
        request_login_hint: "ada@contoso.com".into(),
        account_username: "other@x".into(),
        account_oid_anchor: "u@t".into(),
        ..HintSource::default()
    };
    assert_eq!(hint_triplet(&f), (Some("ada@contoso.com".into()), None, Some("UPN:ada@contoso.com".into())));
}

#[test]
fn hint_e_account_username_with_oid_anchor() {
    let mut f = Fixture::new();
    f.hints =
        HintSource { account_username: "user@contoso.com".into(), account_oid_anchor: "uid-1@utid-1".into(), ..HintSource::default() };
    assert_eq!(hint_triplet(&f), (Some("user@contoso.com".into()), None, Some("Oid:uid-1@utid-1".into())));
}

#[test]
fn hint_without_oid_anchor_sends_no_anchor() {
    let mut f = Fixture::new();
    f.hints = HintSource { account_username: "user@contoso.com".into(), ..HintSource::default() };
    assert_eq!(hint_triplet(&f), (Some("user@contoso.com".into()), None, None));
    f.hints = HintSource { account_login_hint: "h".into(), ..HintSource::default() };
    assert_eq!(hint_triplet(&f), (Some("h".into()), None, None));
}

#[test]
fn no_hints_no_parameters() {
    let f = Fixture::new();
    assert_eq!(hint_triplet(&f), (None, None, None));
}

#[test]
fn select_account_skips_every_hint() {
    let mut f = Fixture::new();
    f.hints = full_hints();
    f.prompt = Some(Prompt::SelectAccount);
    assert_eq!(hint_triplet(&f), (None, None, None));
    f.hints = HintSource { request_login_hint: "ada@contoso.com".into(), ..HintSource::default() };
    assert_eq!(hint_triplet(&f), (None, None, None));
}

#[test]
fn anchor_is_in_the_query_after_the_hint() {
    let mut f = Fixture::new();
    f.hints = HintSource { request_login_hint: "a b@x".into(), ..HintSource::default() };
    let url = f.url();
    assert!(url.contains("&login_hint=a%20b%40x&X-AnchorMailbox=UPN%3Aa%20b%40x&"), "{url}");
}

// ---------------------------------------------------------------------------------------------
// Extra query parameters
// ---------------------------------------------------------------------------------------------

#[test]
fn extra_parameters_never_override_ours_and_empty_ones_are_skipped() {
    let mut f = Fixture::new();
    f.prompt = Some(Prompt::Login);
    f.hints = HintSource { request_login_hint: "ada@contoso.com".into(), ..HintSource::default() };
    f.extra = vec![
        ("client_id".into(), "evil".into()),
        ("STATE".into(), "evil".into()),
        ("redirect_uri".into(), "https://evil.example".into()),
        ("code_challenge_method".into(), "plain".into()),
        ("prompt".into(), "none".into()),
        ("login_hint".into(), "evil@x".into()),
        ("x-anchormailbox".into(), "evil".into()),
        ("empty".into(), "".into()),
        ("dc".into(), "ESTS-PUB-WUS2-AZ1-FD000-TEST1".into()),
        ("slice".into(), "testslice".into()),
    ];
    let q = f.query();
    assert_eq!(get(&q, "client_id"), Some("client-1"));
    assert_eq!(get(&q, "state"), Some("state-1|user state"));
    assert_eq!(get(&q, "redirect_uri"), Some("https://app.example/redirect"));
    assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
    assert_eq!(get(&q, "prompt"), Some("login"));
    assert_eq!(get(&q, "login_hint"), Some("ada@contoso.com"));
    for k in ["client_id", "state", "redirect_uri", "code_challenge_method", "prompt", "login_hint", "X-AnchorMailbox"] {
        assert_eq!(count(&q, k), 1, "{k}");
    }
    assert_eq!(get(&q, "empty"), None);
    assert!(!q.iter().any(|(k, _)| k == "empty"));
    // New ones come last, in order.
    let n = q.len();
    assert_eq!(q[n - 2], ("dc".to_owned(), "ESTS-PUB-WUS2-AZ1-FD000-TEST1".to_owned()));
    assert_eq!(q[n - 1], ("slice".to_owned(), "testslice".to_owned()));
}

#[test]
fn extra_parameter_may_fill_a_slot_we_left_empty() {
    // We send no domain_hint here, so an extra one is allowed (msal only refuses to overwrite).
    let mut f = Fixture::new();
    f.extra = vec![("domain_hint".into(), "fabrikam.com".into())];
    assert_eq!(get(&f.query(), "domain_hint"), Some("fabrikam.com"));
}

#[test]
fn extra_parameter_values_are_encoded() {
    let mut f = Fixture::new();
    f.extra = vec![("x".into(), "a&b=c #d".into())];
    let url = f.url();
    assert!(url.ends_with("&x=a%26b%3Dc%20%23d"), "{url}");
    assert_eq!(get(&f.query(), "x"), Some("a&b=c #d"));
}

// ---------------------------------------------------------------------------------------------
// Logout URL
// ---------------------------------------------------------------------------------------------

#[test]
fn logout_url_fields() {
    let url = logout_url(
        "https://login.microsoftonline.com/common/oauth2/v2.0/logout",
        "https://app.example/",
        "corr-2",
        "id.token.hint",
        "login-hint-claim",
        "st",
        &[("ui_locales".into(), "fr".into())],
    );
    let (base, _) = url.split_once('?').unwrap();
    assert_eq!(base, "https://login.microsoftonline.com/common/oauth2/v2.0/logout");
    let q = query_of(&url);
    assert_eq!(
        q,
        vec![
            ("post_logout_redirect_uri".to_owned(), "https://app.example/".to_owned()),
            ("client-request-id".to_owned(), "corr-2".to_owned()),
            ("id_token_hint".to_owned(), "id.token.hint".to_owned()),
            ("state".to_owned(), "st".to_owned()),
            ("logout_hint".to_owned(), "login-hint-claim".to_owned()),
            ("ui_locales".to_owned(), "fr".to_owned()),
        ]
    );
}

#[test]
fn logout_url_skips_empty_fields_and_keeps_ours() {
    let url = logout_url(
        "https://idp.example/logout",
        "",
        "corr-3",
        "",
        "",
        "",
        &[("client-request-id".into(), "evil".into()), ("State".into(), "x".into()), ("e".into(), "".into())],
    );
    let q = query_of(&url);
    assert_eq!(get(&q, "post_logout_redirect_uri"), None);
    assert_eq!(get(&q, "id_token_hint"), None);
    assert_eq!(get(&q, "logout_hint"), None);
    assert_eq!(get(&q, "client-request-id"), Some("corr-3"));
    // We sent no state, so the app's state may be used.
    assert_eq!(get(&q, "State"), Some("x"));
    assert_eq!(get(&q, "e"), None);
    assert_eq!(count(&q, "client-request-id"), 1);
}

// ---------------------------------------------------------------------------------------------
// Authorize response parsing
// ---------------------------------------------------------------------------------------------

#[test]
fn parses_a_fragment_response() {
    let r = AuthorizeResponse::parse("#code=0.AAA-code&client_info=eyJ1aWQiOiJ1In0&state=abc%7Cuser&session_state=s").unwrap();
    assert_eq!(r.code.as_ref().map(AuthCode::secret), Some("0.AAA-code"));
    assert_eq!(r.state, "abc|user");
    assert_eq!(r.client_info, "eyJ1aWQiOiJ1In0");
    assert!(r.error.is_empty());
    let (code, ci) = r.into_code(&State::new("abc|user")).unwrap();
    assert_eq!(code.secret(), "0.AAA-code");
    assert_eq!(ci, "eyJ1aWQiOiJ1In0");
}

#[test]
fn parses_a_query_response_and_a_bare_one() {
    for s in
        ["?code=c1&state=s1", "code=c1&state=s1", "#code=c1&state=s1&", "?&code=c1&&state=s1", "#/code=c1&state=s1", "/code=c1&state=s1"]
    {
        let r = AuthorizeResponse::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(r.code.as_ref().map(AuthCode::secret), Some("c1"), "{s}");
        assert_eq!(r.state, "s1", "{s}");
        // (msal's rule: the first parameter has a name.)
        assert_eq!(AuthorizeResponse::looks_like_response(s), !s.contains("&code"), "{s}");
    }
}

#[test]
fn an_app_route_holding_response_names_is_not_a_response() {
    // msal's getDeserializedResponse: a route (a `?`, `#` or `/` before the first `=` or `&`).
    for s in ["#/products?cat=1&code=SKU42", "/products?cat=1&code=SKU42", "#/dashboard/orders&state=x", "#a/b=1&code=c", "products?code=c"]
    {
        assert!(!AuthorizeResponse::looks_like_response(s), "{s}");
    }
    // Nor is a name without a value (msal wants one that is not empty): an app's `#/error`
    // route, an anchor `#code`, an empty `#state=`.
    for s in ["#/error", "#error", "#/code", "#/state", "#state=", "#code=&x=1", "error"] {
        assert!(!AuthorizeResponse::looks_like_response(s), "{s}");
    }
    // A flat list is one, whatever its values hold.
    assert!(AuthorizeResponse::looks_like_response("#code=c&state=a/b?c#d"));
    assert!(AuthorizeResponse::looks_like_response("#error=login_required"));
}

#[test]
fn plus_and_percent_escapes_are_decoded() {
    let r = AuthorizeResponse::parse("#code=a%2Bb+c&state=x%20y").unwrap();
    assert_eq!(r.code.as_ref().map(AuthCode::secret), Some("a+b c"));
    assert_eq!(r.state, "x y");
    assert!(r.into_code(&State::new("x y")).is_ok());
}

#[test]
fn server_error_in_the_response() {
    let s = "#error=invalid_request&error_description=AADSTS90014%3A+The+required+field+is+missing.\
             &error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D90014\
             &trace_id=trace-1&correlation_id=corr-9&timestamp=2024-01-01+00%3A00%3A00Z\
             &claims=%7B%22access_token%22%3A%7B%7D%7D&state=st";
    let r = AuthorizeResponse::parse(s).unwrap();
    assert_eq!(r.error, "invalid_request");
    assert_eq!(r.error_uri, "https://login.microsoftonline.com/error?code=90014");
    let e = r.into_code(&State::new("st")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.code(), "invalid_request");
    assert_eq!(e.message(), "AADSTS90014: The required field is missing.");
    assert_eq!(e.error_no(), "90014");
    assert_eq!(e.trace_id(), "trace-1");
    assert_eq!(e.correlation_id(), "corr-9");
    assert_eq!(e.timestamp(), "2024-01-01 00:00:00Z");
    assert_eq!(e.claims(), r#"{"access_token":{}}"#);
    assert_eq!(e.kind().class_name(), "ServerError");
}

#[test]
fn error_uri_code_followed_by_more_parameters() {
    let r = AuthorizeResponse::parse("#error=x&error_uri=https%3A%2F%2Fh%2Fe%3Fcode%3D50058%26lang%3Den&state=s").unwrap();
    assert_eq!(r.into_code(&State::new("s")).unwrap_err().error_no(), "50058");
    let r = AuthorizeResponse::parse("#error=x&error_uri=https%3A%2F%2Fh%2Fe&state=s").unwrap();
    assert_eq!(r.into_code(&State::new("s")).unwrap_err().error_no(), "");
}

#[test]
fn suberror_is_carried() {
    let r = AuthorizeResponse::parse("#error=invalid_grant&suberror=basic_action&state=s").unwrap();
    assert_eq!(r.suberror, "basic_action");
    let e = r.into_code(&State::new("s")).unwrap_err();
    assert_eq!(e.sub_error(), "basic_action");
    assert_eq!(e.kind(), ErrorKind::InteractionRequired);
}

#[test]
fn a_server_error_the_user_cancelled_is_user_cancelled_as_msal() {
    let r = AuthorizeResponse::parse("#error=access_denied&suberror=user_cancelled&state=s").unwrap();
    let e = r.into_code(&State::new("s")).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("user_cancelled", ErrorKind::UserCancelled));
    // An interaction-required error keeps its class, as msal (it is no ServerError there).
    let r = AuthorizeResponse::parse("#error=login_required&suberror=user_cancelled&state=s").unwrap();
    assert!(r.into_code(&State::new("s")).unwrap_err().is_interaction_required());
}

#[test]
fn interaction_required_errors_have_their_kind() {
    for code in ["interaction_required", "login_required", "consent_required", "bad_token", "ui_not_allowed", "interrupted_user"] {
        let r = AuthorizeResponse::parse(&format!("#error={code}&state=s")).unwrap();
        let e = r.into_code(&State::new("s")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InteractionRequired, "{code}");
        assert!(e.is_interaction_required());
        assert_eq!(e.code(), code);
        assert_eq!(e.kind().class_name(), "InteractionRequiredAuthError");
    }
    // Rule (b): the description mentions one.
    let r = AuthorizeResponse::parse("#error=access_denied&error_description=AADSTS50058+login_required+now&state=s").unwrap();
    assert_eq!(r.into_code(&State::new("s")).unwrap_err().kind(), ErrorKind::InteractionRequired);
    // Plain errors stay server errors.
    let r = AuthorizeResponse::parse("#error=access_denied&state=s").unwrap();
    assert_eq!(r.into_code(&State::new("s")).unwrap_err().kind(), ErrorKind::Server);
}

#[test]
fn state_mismatch() {
    let r = AuthorizeResponse::parse("#code=c&state=theirs").unwrap();
    let e = r.into_code(&State::new("ours")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateMismatch);
    assert_eq!(e.code(), codes::STATE_MISMATCH);
    assert_eq!(e.kind().class_name(), "ClientAuthError");
    // Prefix and extension are mismatches too.
    for st in ["our", "ours2", "OURS", ""] {
        let r = AuthorizeResponse::parse("#code=c&state=ours").unwrap();
        assert_eq!(r.into_code(&State::new(st)).unwrap_err().code(), codes::STATE_MISMATCH, "{st:?}");
    }
}

#[test]
fn state_is_checked_before_the_server_error() {
    let r = AuthorizeResponse::parse("#error=login_required&state=theirs").unwrap();
    assert_eq!(r.into_code(&State::new("ours")).unwrap_err().code(), codes::STATE_MISMATCH);
}

#[test]
fn empty_response_is_hash_empty_error() {
    for s in ["", "#", "?", "#?", "##"] {
        let e = AuthorizeResponse::parse(s).unwrap_err();
        assert_eq!(e.code(), codes::HASH_EMPTY_ERROR, "{s:?}");
        assert_eq!(e.kind().class_name(), "BrowserAuthError");
    }
}

#[test]
fn response_without_state_is_no_state_in_hash() {
    for s in ["#code=abc", "#error=login_required", "?code=abc&state=", "#error=x&error_description=y"] {
        let e = AuthorizeResponse::parse(s).unwrap_err();
        assert_eq!(e.code(), codes::NO_STATE_IN_HASH, "{s}");
    }
}

#[test]
fn response_without_known_fields() {
    let e = AuthorizeResponse::parse("#foo=bar&baz").unwrap_err();
    assert_eq!(e.code(), "hash_does_not_contain_known_properties");
    assert!(!AuthorizeResponse::looks_like_response("#foo=bar"));
    assert!(!AuthorizeResponse::looks_like_response(""));
    assert!(!AuthorizeResponse::looks_like_response("#/route/page"));
}

#[test]
fn state_only_response_has_no_code() {
    let r = AuthorizeResponse::parse("#state=s").unwrap();
    let e = r.into_code(&State::new("s")).unwrap_err();
    assert_eq!((e.code(), e.kind()), ("authorization_code_missing_from_server_response", ErrorKind::Client), "msal's ClientAuthError");
    // An error description or sub-error without an error is a server error (msal's, code "").
    for s in ["#state=s&error_description=denied", "#state=s&suberror=basic_action"] {
        let e = AuthorizeResponse::parse(s).unwrap().into_code(&State::new("s")).unwrap_err();
        assert_ne!(e.kind(), ErrorKind::Client, "{s}");
        assert_ne!(e.code(), "authorization_code_missing_from_server_response", "{s}");
    }
    // An empty code is no code.
    let r = AuthorizeResponse::parse("#code=&state=s").unwrap();
    assert!(r.code.is_none());
}

#[test]
fn later_duplicate_fields_win() {
    let r = AuthorizeResponse::parse("#code=first&code=second&state=s").unwrap();
    assert_eq!(r.code.as_ref().map(AuthCode::secret), Some("second"));
}

#[test]
fn debug_hides_code_and_state() {
    let r = AuthorizeResponse::parse("#code=SECRET-CODE&state=SECRET-STATE&client_info=CI").unwrap();
    let d = format!("{r:?}");
    assert!(!d.contains("SECRET-CODE"), "{d}");
    assert!(!d.contains("SECRET-STATE"), "{d}");
}

// ---------------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn parse_and_use(s: &str) {
    if let Ok(r) = AuthorizeResponse::parse(s) {
        let state = r.state.clone();
        let _ = format!("{r:?}");
        let _ = r.clone().into_code(&State::new(state));
        let _ = r.into_code(&State::new("x"));
    }
    let _ = AuthorizeResponse::looks_like_response(s);
}

#[test]
fn huge_responses_are_rejected_not_parsed() {
    let huge = format!("#code=c&state=s&pad={}", "A".repeat(MAX_RESPONSE_LEN));
    let e = AuthorizeResponse::parse(&huge).unwrap_err();
    assert_eq!(e.code(), codes::HASH_EMPTY_ERROR);
    assert!(!AuthorizeResponse::looks_like_response(&huge));
    // Many tiny pairs just under the limit parse fine.
    let many = format!("#state=s&code=c{}", "&a".repeat((MAX_RESPONSE_LEN - 20) / 2));
    assert!(many.len() <= MAX_RESPONSE_LEN);
    assert!(AuthorizeResponse::parse(&many).is_ok());
    let ampersands = "&".repeat(MAX_RESPONSE_LEN);
    assert!(AuthorizeResponse::parse(&ampersands).is_err());
}

#[test]
fn percent_sequences_never_panic() {
    let cases = [
        "%",
        "%%",
        "%%%",
        "%2",
        "%zz",
        "%e9",
        "%ff%fe",
        "%C3",
        "%C3%28",
        "%F0%9F%98",
        "%ED%A0%80",
        "code=%&state=%",
        "code=%%&state=%2",
        "state=%E2%82%AC&code=%00",
        "#%=%",
        "=&=&&==",
        "#&",
        "#=",
        "%é",
        "é%",
        "%\u{0}",
        "code=%f0%9f%98%80&state=%F0%9F%98%80%",
        "state=a%7Cb%7Cc&code=x",
        "#code=x%&state=y%2",
        "#code=%2&state=%",
        "#state=%0",
        "#state=%0g",
    ];
    for s in cases {
        parse_and_use(s);
        parse_and_use(&format!("#{s}"));
        parse_and_use(&format!("?{s}"));
    }
    // Invalid UTF-8 inside an escape is replaced, not a crash.
    let r = AuthorizeResponse::parse("#state=%FF%FE&code=%C3").unwrap();
    assert_eq!(r.state, "\u{FFFD}\u{FFFD}");
    // A lone or truncated escape stays literal.
    let r = AuthorizeResponse::parse("#state=a%2&code=%").unwrap();
    assert_eq!(r.state, "a%2");
    assert_eq!(r.code.as_ref().map(AuthCode::secret), Some("%"));
}

#[test]
fn binary_garbage_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..2000 {
        let n = (rng.next() % 300) as usize;
        let bytes = rng.bytes(n);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        parse_and_use(&text);
        // Garbage salted with the characters the parser cares about.
        let alphabet = b"#?&=%+code=state=error=|0123456789abcdefABCDEF\x00\xff";
        let salted: Vec<u8> = (0..n).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect();
        let salted = String::from_utf8_lossy(&salted).into_owned();
        parse_and_use(&salted);
        if round % 100 == 0 {
            parse_and_use(&format!("#code={text}&state={salted}"));
        }
    }
}

#[test]
fn hostile_claims_never_panic() {
    let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    for claims in [deep.as_str(), "\u{0}", "{\"access_token\":[1,2]}", "{\"\\ud800\":1}", "{\"a\":1e999999}"] {
        let _ = merge_claims(claims, &["CP1".into()]);
        let _ = merge_claims(claims, &[]);
    }
}
