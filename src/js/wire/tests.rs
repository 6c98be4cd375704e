use super::*;
use crate::client::StoreInCache;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn json(text: &str) -> Json {
    Json::parse(text).unwrap()
}

#[test]
fn configuration_is_read_with_msal_names_and_defaults() {
    let (c, warnings) = config(&json(
        r#"{"auth":{"clientId":"c","authority":"https://login.microsoftonline.com/t","redirectUri":"/","postLogoutRedirectUri":null,
            "knownAuthorities":["a.example"],"clientCapabilities":["CP1"],"navigateToLoginRequestUrl":false,
            "OIDCOptions":{"defaultScopes":["openid"],"responseMode":"query"}},
          "cache":{"cacheLocation":"localStorage","cacheRetentionDays":30},
          "system":{"protocolMode":"OIDC","tokenRenewalOffsetSeconds":60,"popupBridgeTimeout":5000,"iframeBridgeTimeout":3000,
            "loggerOptions":{"logLevel":4,"piiLoggingEnabled":false}}}"#,
    ))
    .unwrap();
    // v4's auth.navigateToLoginRequestUrl is not msal 5's: ignored, said once.
    assert_eq!(warnings, ["auth.navigateToLoginRequestUrl is ignored, as msal 5: pass it to handleRedirectPromise"]);
    assert_eq!((c.client_id.as_str(), c.redirect_uri.as_str()), ("c", "/"));
    assert_eq!(c.post_logout_redirect_uri.as_deref(), Some(""), "null: not sent");
    assert_eq!(c.known_authorities, ["a.example"]);
    assert_eq!(c.client_capabilities, ["CP1"]);
    assert!(c.navigate_to_login_request_url);
    assert!(c.origin_check);
    assert_eq!(c.default_scopes, ["openid"]);
    assert_eq!(c.response_mode, "query");
    assert_eq!(c.cache_location, CacheLocation::LocalStorage);
    assert_eq!(c.cache_retention_days, 30);
    assert_eq!(config_json(&c).get("cache").and_then(|j| j.get("cacheRetentionDays")).and_then(Json::as_u64), Some(30));
    assert_eq!(c.protocol_mode, ProtocolMode::Oidc);
    assert_eq!((c.token_renewal_offset_secs, c.popup_timeout_ms, c.iframe_timeout_ms), (60, 5000, 3000));
    assert_eq!(c.log_level, LogLevel::Trace);
    // Absent postLogoutRedirectUri: the default (the page that signs out).
    let (d, _) = config(&json(r#"{"auth":{"clientId":"c"}}"#)).unwrap();
    assert_eq!(d.post_logout_redirect_uri, None);
    assert!(d.origin_check);
    let (off, _) = config(&json(r#"{"auth":{"clientId":"c","originCheck":false}}"#)).unwrap();
    assert!(!off.origin_check, "only an explicit false opts out");
    assert_eq!(config_json(&off).get("auth").and_then(|a| a.get("originCheck")), Some(&Json::Bool(false)));
    // msal 5: legacy polling turns the origin check off (pocd=1) unless the app sets it.
    let legacy =
        |auth: &str| config(&json(&format!(r#"{{"auth":{{"clientId":"c"{auth}}},"system":{{"enableLegacyPolling":true}}}}"#))).unwrap().0;
    assert!(!legacy("").origin_check);
    assert!(legacy("").legacy_polling);
    assert!(legacy(r#","originCheck":true"#).origin_check);
    // A popup relay wins over legacy polling (msal's relay client): its wait keeps its timeout.
    assert!(legacy("").polls_popups());
    assert!(!legacy(r#","popupRelayUri":"/relay.html""#).polls_popups());
    // Fractional timeouts are msal's setTimeout delays (before: ignored, the defaults applied).
    let (f, _) = config(&json(
        r#"{"auth":{"clientId":"c"},"system":{"popupBridgeTimeout":245999.99999999997,"iframeBridgeTimeout":11499.999999999998}}"#,
    ))
    .unwrap();
    assert_eq!((f.popup_timeout_ms, f.iframe_timeout_ms), (245_999, 11_499));
    // v3's timeout names are not msal 5's: ignored, with a warning each.
    let (v3, w) =
        config(&json(r#"{"auth":{"clientId":"c"},"system":{"windowHashTimeout":5000,"loadFrameTimeout":10,"asyncPopups":true}}"#)).unwrap();
    assert_eq!((v3.popup_timeout_ms, v3.iframe_timeout_ms, w.len()), (d.popup_timeout_ms, d.iframe_timeout_ms, 3));
    assert!(w.iter().any(|m| m.contains("navigatePopups")), "asyncPopups names msal 5's option: {w:?}");
    // v4's serverResponseType: msal 5 reads responseMode (fragment by default); said once.
    let (v4, w) = config(&json(r#"{"auth":{"clientId":"c","OIDCOptions":{"serverResponseType":"query"}}}"#)).unwrap();
    // (In AAD mode: msal's cannot_set_OIDCOptions too.)
    assert_eq!((v4.response_mode.as_str(), w.len()), ("fragment", 2));
    assert!(w[0].contains("responseMode"), "{w:?}");
    let (empty, _) = config(&json(r#"{"auth":{"clientId":"c","postLogoutRedirectUri":""}}"#)).unwrap();
    assert_eq!(empty.post_logout_redirect_uri, None, "msal's own default, \"\": the page");
    assert_eq!(d.cache_location, CacheLocation::SessionStorage);
    assert_eq!(d.cache_retention_days, 5, "msal v5's default");
    let retention = |v: &str| {
        let (c, w) = config(&json(&format!(r#"{{"auth":{{"clientId":"c"}},"cache":{{"cacheRetentionDays":{v}}}}}"#))).unwrap();
        (c.cache_retention_days, w.len())
    };
    assert_eq!(retention("0"), (0, 0));
    assert_eq!(retention("-1"), (0, 0), "msal's cut-off is in the future then: every dated older entry goes");
    assert_eq!(retention("null"), (5, 0));
    assert_eq!(retention("0.5"), (5, 1), "not a whole number of days: warned, the default used");
    assert_eq!(retention(r#""7""#), (7, 0));
    assert_eq!(d.log_level, LogLevel::Info);
}

#[test]
fn an_unknown_cache_location_keeps_the_cache_in_memory_with_a_warning() {
    // As msal-browser 5 (its storage factory's default branch); it never throws invalid_cache_type.
    for loc in ["cookies", "LocalStorage", ""] {
        let (c, warnings) = config(&json(&format!(r#"{{"auth":{{"clientId":"c"}},"cache":{{"cacheLocation":"{loc}"}}}}"#))).unwrap();
        assert_eq!(c.cache_location, CacheLocation::MemoryStorage, "{loc}");
        assert!(c.unknown_cache_location, "{loc}: redirects still run");
        assert!(warnings.iter().any(|w| w.contains("cacheLocation")), "{loc}: {warnings:?}");
    }
    let (named, _) = config(&json(r#"{"auth":{"clientId":"c"},"cache":{"cacheLocation":"memoryStorage"}}"#)).unwrap();
    assert!(!named.unknown_cache_location, "memoryStorage itself refuses redirects");
    let (c, warnings) = config(&json(r#"{"auth":{"clientId":"c"},"cache":{"cacheLocation":"localStorage"}}"#)).unwrap();
    assert_eq!(c.cache_location, CacheLocation::LocalStorage);
    assert!(warnings.is_empty());
}

#[test]
fn bad_configuration_is_a_typed_error() {
    for (text, code) in [
        (r#"{}"#, "invalid_configuration"),
        (r#"{"auth":{}}"#, "empty_client_id"),
        (r#"{"auth":{"clientId":""}}"#, "empty_client_id"),
        (r#"{"auth":{"clientId":"c"},"system":{"protocolMode":"EAR"}}"#, "invalid_configuration"),
        (r#"{"auth":{"clientId":"c","OIDCOptions":{"responseMode":"form_post"}}}"#, "invalid_configuration"),
    ] {
        assert_eq!(config(&json(text)).unwrap_err().code(), code, "{text}");
    }
}

#[test]
fn the_protocol_mode_is_the_systems_and_v4s_auth_one_only_without_it() {
    let mode = |text: &str| config(&json(text)).map(|(c, w)| (c.protocol_mode, w.len()));
    // A stale v4 value beside msal 5's: the system's wins.
    assert_eq!(
        mode(r#"{"auth":{"clientId":"c","protocolMode":"AAD"},"system":{"protocolMode":"OIDC"}}"#).unwrap(),
        (ProtocolMode::Oidc, 0)
    );
    assert_eq!(mode(r#"{"auth":{"clientId":"c","protocolMode":"OIDC"}}"#).unwrap(), (ProtocolMode::Oidc, 0));
    // No mode there: ignored, with a warning.
    assert_eq!(mode(r#"{"auth":{"clientId":"c","protocolMode":"EAR"}}"#).unwrap(), (ProtocolMode::Aad, 1));
    // OIDCOptions in AAD mode: msal's warning, the options applied.
    let (c, warnings) = config(&json(r#"{"auth":{"clientId":"c","OIDCOptions":{"defaultScopes":["openid"]}}}"#)).unwrap();
    assert_eq!(c.default_scopes, ["openid"]);
    assert!(warnings.iter().any(|w| w.starts_with("cannot_set_OIDCOptions")), "{warnings:?}");
}

#[test]
fn options_msal_wasm_does_not_act_on_are_warned_about() {
    let (c, warnings) = config(&json(
        r#"{"auth":{"clientId":"c","supportsNestedAppAuth":true,"instanceAware":false,"azureCloudOptions":{"azureCloudInstance":"https://login.microsoftonline.us"}},
          "system":{"allowPlatformBroker":true,"allowRedirectInIframe":true,"serverTelemetryEnabled":true},"cache":{"claimsBasedCachingEnabled":true},
          "telemetry":{"application":{"appName":"app","appVersion":"1"}},"experimental":{"iframeTimeoutTelemetry":true,"allowPlatformBrokerWithDOM":true}}"#,
    ))
    .unwrap();
    assert_eq!(warnings.len(), 6, "{warnings:?}");
    assert_eq!(warnings.iter().filter(|w| w.contains("brokering")).count(), 2, "allowPlatformBroker and allowPlatformBrokerWithDOM");
    // telemetry.application is sent (x-app-name, x-app-ver), as msal.
    assert_eq!(c.application, AppTelemetry { name: "app".into(), version: "1".into() });
    assert!(!warnings.iter().any(|w| w.contains("x-app-name")));
    assert!(warnings.iter().any(|w| w.contains("late frame answers")));
    assert!(warnings.iter().any(|w| w.contains("telemetry headers")));
    assert!(warnings.iter().any(|w| w.contains("brokering")));
    assert!(!warnings.iter().any(|w| w.contains("instance")), "instanceAware is acted on");
    assert!(!c.instance_aware);
    assert!(!warnings.iter().any(|w| w.contains("redirect")), "allowRedirectInIframe is acted on");
}

#[test]
fn instance_awareness_is_read_and_shown() {
    let read = |auth: &str| {
        let (c, warnings) = config(&json(&format!(r#"{{"auth":{{"clientId":"c"{auth}}}}}"#))).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        (c.instance_aware, config_json(&c).get("auth").and_then(|a| a.get("instanceAware")).cloned())
    };
    assert_eq!(read(""), (false, Some(Json::Bool(false))), "msal's default");
    assert_eq!(read(r#","instanceAware":true"#), (true, Some(Json::Bool(true))));
    assert!(!read(r#","instanceAware":"yes""#).0, "only a boolean true turns it on");
}

#[test]
fn the_popup_relay_page_is_read_with_msals_protocol_default() {
    let relay = |extra: &str| {
        let (c, warnings) = config(&json(&format!(r#"{{"auth":{{"clientId":"c"{extra}}}}}"#))).unwrap();
        assert!(warnings.is_empty(), "acted on: {warnings:?}");
        let auth = config_json(&c).get("auth").cloned().unwrap();
        let shown = (auth.string_or_empty("popupRelayUri"), auth.get("popupRelayProtocolVersion").and_then(Json::as_u64));
        (c.popup_relay.map(|r| (r.uri, r.version)), shown)
    };
    assert_eq!(relay(""), (None, (String::new(), Some(1))));
    assert_eq!(relay(r#","popupRelayUri":"""#), (None, (String::new(), Some(1))), "empty: none, as msal");
    assert_eq!(relay(r#","popupRelayUri":"/relay""#), (Some(("/relay".into(), 1)), ("/relay".into(), Some(1))));
    assert_eq!(relay(r#","popupRelayUri":"/relay","popupRelayProtocolVersion":2"#).0, Some(("/relay".into(), 2)));
    // msal fails each popup for any other version (a string too): kept as 0, refused there.
    for v in ["3", "null", "\"2\"", "1.5"] {
        assert_eq!(relay(&format!(r#","popupRelayUri":"/relay","popupRelayProtocolVersion":{v}"#)).0, Some(("/relay".into(), 0)), "{v}");
    }
}

#[test]
fn allow_redirect_in_iframe_is_read_and_reported() {
    let read = |text: &str| config(&json(text)).unwrap().0;
    assert!(!read(r#"{"auth":{"clientId":"c"}}"#).allow_redirect_in_iframe);
    let on = read(r#"{"auth":{"clientId":"c"},"system":{"allowRedirectInIframe":true}}"#);
    assert!(on.allow_redirect_in_iframe);
    assert_eq!(config_json(&on).get("system").and_then(|s| s.get("allowRedirectInIframe")), Some(&Json::Bool(true)));
}

/// msal reads its flags with JavaScript's truthiness: a value from an environment variable
/// (`"true"`, `"1"`) turns one on, `""`, `0` and `null` leave it off (and turn `navigatePopups`,
/// on by default, off).
#[test]
fn flags_are_read_as_javascript_reads_them() {
    for (value, on) in [
        ("true", true),
        (r#""true""#, true),
        (r#""1""#, true),
        ("1", true),
        (r#""""#, false),
        ("0", false),
        ("null", false),
        ("false", false),
    ] {
        let c = config(&json(&format!(
            r#"{{"auth":{{"clientId":"c","isMcp":{value}}},"system":{{"allowRedirectInIframe":{value},"enableLegacyPolling":{value},"navigatePopups":{value}}}}}"#
        )))
        .unwrap()
        .0;
        assert_eq!([c.is_mcp, c.allow_redirect_in_iframe, c.legacy_polling, c.navigate_popups], [on; 4], "{value}");
    }
    assert!(config(&json(r#"{"auth":{"clientId":"c"},"system":{}}"#)).unwrap().0.navigate_popups, "on unless set");
}

#[test]
fn azure_cloud_options_name_the_authority_as_msal_generates_it() {
    let cloud = |options: &str| {
        format!(r#"{{"auth":{{"clientId":"c","authority":"https://login.microsoftonline.com/t1","azureCloudOptions":{options}}}}}"#)
    };
    let authority = |options: &str| config(&json(&cloud(options))).unwrap().0.authority;
    assert_eq!(
        authority(r#"{"azureCloudInstance":"https://login.microsoftonline.us","tenant":"t2"}"#),
        "https://login.microsoftonline.us/t2/"
    );
    assert_eq!(authority(r#"{"azureCloudInstance":"https://login.chinacloudapi.cn"}"#), "https://login.chinacloudapi.cn/common/");
    assert_eq!(
        authority(r#"{"azureCloudInstance":"none","tenant":"t2"}"#),
        "https://login.microsoftonline.com/t1",
        "AzureCloudInstance.None"
    );
    // A request's options override its authority too.
    let r = silent_request(&json(
        r#"{"scopes":["a"],"authority":"https://x/y","azureCloudOptions":{"azureCloudInstance":"https://login.microsoftonline.com","tenant":"guest"}}"#,
    ));
    assert_eq!(r.unwrap().authority.as_deref(), Some("https://login.microsoftonline.com/guest/"));
    let r = interactive_request(&json(r#"{"scopes":["a"],"azureCloudOptions":{"azureCloudInstance":"none"}}"#)).unwrap();
    assert_eq!(r.authority, None);
}

#[test]
fn the_configuration_reads_back_with_defaults_filled_in() {
    let (c, _) =
        config(&json(r#"{"auth":{"clientId":"c","postLogoutRedirectUri":null},"cache":{"cacheLocation":"localStorage"}}"#)).unwrap();
    let j = config_json(&c);
    let auth = j.get("auth").unwrap();
    assert_eq!(auth.str_field("authority"), Some("https://login.microsoftonline.com/common/"));
    assert_eq!(auth.get("postLogoutRedirectUri"), Some(&Json::Null));
    assert_eq!(auth.get("navigateToLoginRequestUrl"), None, "not a msal 5 option");
    assert_eq!(j.get("cache").unwrap().str_field("cacheLocation"), Some("localStorage"));
    assert_eq!(j.get("system").unwrap().get("popupBridgeTimeout").and_then(Json::as_u64), Some(60_000));
    // It is a configuration the reader accepts again, unchanged.
    let (again, _) = config(&j).unwrap();
    assert_eq!(again, c);
}

#[test]
fn requests_are_read_with_msal_names() {
    let r = interactive_request(&json(
        r#"{"scopes":["User.Read"],"prompt":"select_account","loginHint":"a@b","account":{"homeAccountId":"h","idToken":"x"},
            "state":"s","claims":"{}","extraQueryParameters":{"dc":"x","n":1,"b":true,"o":{}},"redirectUri":"/r","redirectStartPage":"/p",
            "correlationId":"cid","nonce":"n","domainHint":"d","sid":"sid","extraScopesToConsent":["Mail.Read"],
            "overrideInteractionInProgress":true}"#,
    ))
    .unwrap();
    assert_eq!(r.scopes, ["User.Read"]);
    // Scopes that are not an array of strings are the app's mistake, named (msal: a TypeError,
    // or the string's letters sent as scopes); none is none.
    for bad in [r#""User.Read""#, r#"["User.Read",7]"#, "[null]", "{}"] {
        let text = ["{\"scopes\":", bad, "}"].concat();
        assert_eq!(interactive_request(&json(&text)).unwrap_err().code(), "empty_input_scopes_error", "{bad}");
        assert_eq!(silent_request(&json(&text)).unwrap_err().code(), "empty_input_scopes_error", "{bad}");
        assert_eq!(by_code_request(&json(&text)).unwrap_err().code(), "empty_input_scopes_error", "{bad}");
    }
    for none in ["null", "false", "0", r#""""#] {
        assert!(silent_request(&json(&["{\"scopes\":", none, "}"].concat())).unwrap().scopes.is_empty(), "{none}: msal's `|| []`");
    }
    // msal reads its flags by JavaScript truthiness.
    for (v, on) in [
        (r#""true""#, true),
        ("1", true),
        ("0.5", true),
        ("0", false),
        ("-0.0e3", false),
        (r#""""#, false),
        ("null", false),
        ("false", false),
    ] {
        let text = [r#"{"scopes":["a"],"forceRefresh":"#, v, r#","overrideInteractionInProgress":"#, v, "}"].concat();
        assert_eq!(silent_request(&json(&text)).unwrap().force_refresh, on, "forceRefresh {v}");
        assert_eq!(interactive_request(&json(&text)).unwrap().override_interaction_in_progress, on, "overrideInteractionInProgress {v}");
    }
    assert_eq!(r.extra_scopes_to_consent, ["Mail.Read"]);
    assert!(r.override_interaction_in_progress);
    assert!(!interactive_request(&json(r#"{"scopes":[]}"#)).unwrap().override_interaction_in_progress);
    assert_eq!(r.account, Some(AccountRef::new("h")));
    // An account's hints, as the facade passes them (for an account the cache lacks).
    let hinted = silent_request(&json(
        r#"{"scopes":["a"],"account":{"homeAccountId":"h","tenantId":"t","username":"u@x","idTokenClaims":{"login_hint":"lh","sid":"s1"}}}"#,
    ))
    .unwrap();
    let want =
        AccountRef { login_hint: "lh".into(), sid: "s1".into(), username: "u@x".into(), ..AccountRef::in_tenant("h", Some("t".into())) };
    assert_eq!(hinted.account, Some(want));
    // msal's extractLoginHint: the account's own loginHint first.
    let own =
        silent_request(&json(r#"{"scopes":["a"],"account":{"homeAccountId":"h","loginHint":"mine","idTokenClaims":{"login_hint":"lh"}}}"#))
            .unwrap();
    assert_eq!(own.account.unwrap().login_hint, "mine");
    assert_eq!(r.extra_query_parameters, [("dc".to_owned(), "x".to_owned()), ("n".into(), "1".into()), ("b".into(), "true".into())]);
    assert_eq!((r.state.as_str(), r.claims.as_str(), r.redirect_uri.as_str(), r.redirect_start_page.as_str()), ("s", "", "/r", "/p")); // "{}" asks for nothing
    assert_eq!(
        (r.correlation_id.as_str(), r.nonce.as_str(), r.domain_hint.as_str(), r.sid.as_str(), r.login_hint.as_str()),
        ("cid", "n", "d", "sid", "a@b")
    );
    let s = silent_request(&json(
        r#"{"scopes":["a"],"forceRefresh":true,"cacheLookupPolicy":2,"state":"st","prompt":"no_session","loginHint":"a@b","sid":"sid","domainHint":"d"}"#,
    ))
    .unwrap();
    assert_eq!((s.state.as_str(), s.prompt), ("st", Some(Prompt::NoSession)));
    assert_eq!((s.login_hint.as_str(), s.sid.as_str(), s.domain_hint.as_str()), ("a@b", "sid", "d"));
    // (A silent frame sends it as none, with a warning: see the client.)
    assert_eq!(silent_request(&json(r#"{"scopes":["a"],"prompt":"bogus"}"#)).unwrap().prompt, Some(Prompt::Other("bogus".into())));
    // Claims that ask for nothing are none (msal's isEmptyObj): the cached token serves.
    assert_eq!(silent_request(&json(r#"{"scopes":["a"],"claims":" { } "}"#)).unwrap().claims, "");
    let asked = r#"{"access_token":{"acrs":{"essential":true}}}"#;
    assert_eq!(silent_request(&json(&format!(r#"{{"scopes":["a"],"claims":{}}}"#, Json::from(asked).to_json()))).unwrap().claims, asked);
    assert!(s.force_refresh && s.cache_lookup_policy == CacheLookupPolicy::AccessTokenAndRefreshToken);
    // msal's `cacheLookupPolicy || Default`; any other value than 0 to 5 fails in the flow with
    // token_refresh_required (see tests/flow.rs).
    let policy = |v: &str| silent_request(&json(&format!(r#"{{"scopes":["a"],"cacheLookupPolicy":{v}}}"#))).unwrap().cache_lookup_policy;
    assert_eq!(policy("9"), CacheLookupPolicy::Unknown);
    assert_eq!(policy(r#""3""#), CacheLookupPolicy::Unknown);
    assert_eq!(policy("1.5"), CacheLookupPolicy::Unknown);
    assert_eq!(policy("false"), CacheLookupPolicy::Default);
    assert_eq!(policy(r#""""#), CacheLookupPolicy::Default);
    assert_eq!(policy("4"), CacheLookupPolicy::RefreshTokenAndNetwork);
    // Any account object is the request's account (msal's `request.account || active`), even
    // one without a homeAccountId; null is none.
    let named = silent_request(&json(r#"{"scopes":["a"],"account":{"username":"bob@x"}}"#)).unwrap().account.unwrap();
    assert_eq!((named.home_account_id.as_str(), named.username.as_str()), ("", "bob@x"));
    assert_eq!(silent_request(&json(r#"{"scopes":["a"],"account":null}"#)).unwrap().account, None);
    assert_eq!(silent_request(&json(r#"{"scopes":["a"],"claims":{"a":1}}"#)).unwrap_err().code(), "invalid_claims");
    // Any prompt goes to the provider as given, as msal sends it.
    assert_eq!(interactive_request(&json(r#"{"prompt":"login consent"}"#)).unwrap().prompt, Some(Prompt::Other("login consent".into())));
    // Falsy values are no choice, as msal's truthiness checks.
    let r = interactive_request(&json(r#"{"prompt":"","authenticationScheme":""}"#)).unwrap();
    assert_eq!(r.prompt, None);
    assert!(!r.authentication_scheme.is_bound());
    let l = logout_request(&json(r#"{"postLogoutRedirectUri":null,"logoutHint":"h","idTokenHint":"t","state":"s"}"#));
    assert_eq!(l.post_logout_redirect_uri.as_deref(), Some(""));
    assert_eq!((l.logout_hint.as_str(), l.id_token_hint.as_str(), l.state.as_str()), ("h", "t", "s"));
    assert_eq!(logout_request(&json("{}")).post_logout_redirect_uri, None);
    // An empty string is "not given" in msal (its configuration's default is ""), not "none".
    assert_eq!(logout_request(&json(r#"{"postLogoutRedirectUri":""}"#)).post_logout_redirect_uri, None);
    let f = account_filter(&json(r#"{"username":"u","realm":"t","sid":"","isHomeTenant":false,"loginHint":null}"#));
    assert_eq!(f.username.as_deref(), Some("u"));
    assert_eq!((f.realm.as_deref(), f.tenant_id), (Some("t"), None), "realm is the account's own tenant, not a profile's");
    assert_eq!((f.sid, f.login_hint, f.is_home_tenant), (None, None, Some(false)));
    // msal's getAccount: a filter of nulls and empty strings names nothing; an unknown key does.
    assert!(!names_a_value(&json(r#"{"username":"","sid":null}"#)));
    assert!(names_a_value(&json(r#"{"accountId":"x"}"#)));
    assert!(names_a_value(&json(r#"{"isHomeTenant":false}"#)));
    assert!(!names_a_value(&json("[]")));
    // A field msal tests, given a truthy value of another type, or an isHomeTenant that is not
    // a boolean: msal matches no account.
    for f in [
        r#"{"homeAccountId":123}"#,
        r#"{"tenantId":[]}"#,
        r#"{"realm":{}}"#,
        r#"{"sid":true}"#,
        r#"{"name":1e3}"#,
        r#"{"isHomeTenant":"true"}"#,
        r#"{"username":"x","isHomeTenant":null}"#,
    ] {
        assert!(never_matches(&json(f)), "{f}");
    }
    for f in [
        r#"{"homeAccountId":0}"#,
        r#"{"username":false}"#,
        r#"{"name":-0.0e5}"#,
        r#"{"username":"x","isHomeTenant":false}"#,
        r#"{"accountId":123}"#,
    ] {
        assert!(!never_matches(&json(f)), "{f}");
    }
    let p = popup_attributes(&json(r#"{"popupWindowAttributes":{"popupSize":{"width":500,"height":600},"popupPosition":{"top":1}}}"#));
    assert_eq!(p, PopupAttributes { size: Some((500, 600)), position: Some((1, -1)) }, "a top alone (the left centred)");
    let p = popup_attributes(&json(r#"{"popupWindowAttributes":{"popupSize":{"height":700}}}"#));
    assert_eq!(p, PopupAttributes { size: Some((-1, 700)), position: None });
    // Computed values with a fraction, and numbers as strings, as the browser reads them.
    let p = popup_attributes(&json(
        r#"{"popupWindowAttributes":{"popupSize":{"width":640.5,"height":"480"},"popupPosition":{"top":99.99,"left":-3.5}}}"#,
    ));
    assert_eq!(p, PopupAttributes { size: Some((640, 480)), position: Some((99, -3)) });
}

#[test]
fn a_request_for_another_token_scheme_fails_instead_of_getting_a_bearer_token() {
    for scheme in ["ssh-cert", "dpop", "POP", "bearer"] {
        let j = json(&format!(r#"{{"scopes":["User.Read"],"authenticationScheme":"{scheme}"}}"#));
        assert_eq!(silent_request(&j).unwrap_err().code(), "unsupported_authentication_scheme", "{scheme}");
        assert_eq!(interactive_request(&j).unwrap_err().code(), "unsupported_authentication_scheme", "{scheme}");
    }
    assert!(silent_request(&json(r#"{"scopes":["a"],"authenticationScheme":"Bearer"}"#)).is_ok());
    // A pop token for the app's own key would come back bound to ours.
    let own_key = json(r#"{"scopes":["a"],"authenticationScheme":"pop","popKid":"app-key"}"#);
    assert_eq!(silent_request(&own_key).unwrap_err().code(), "unsupported_authentication_scheme");
    assert!(silent_request(&json(r#"{"scopes":["a"],"authenticationScheme":"pop"}"#)).is_ok());
}

#[test]
fn a_pop_requests_shr_options_set_the_signed_requests_header() {
    let typ = |j: &str| silent_request(&json(j)).map(|r| r.authentication_scheme.shr_typ().to_owned());
    let with = |header: &str| typ(&format!(r#"{{"scopes":["a"],"authenticationScheme":"pop","shrOptions":{{"header":{header}}}}}"#));
    assert_eq!(with(r#"{"typ":"pop+custom"}"#).unwrap(), "pop+custom");
    assert_eq!(with(r#"{"typ":"pop+custom","alg":"RS256"}"#).unwrap(), "pop+custom");
    // msal takes `alg || the key's`: a falsy alg is no choice.
    for alg in [r#""""#, "false", "null"] {
        assert_eq!(with(&format!(r#"{{"typ":"t","alg":{alg}}}"#)).unwrap(), "t", "{alg}");
    }
    assert_eq!(typ(r#"{"scopes":["a"],"authenticationScheme":"pop"}"#).unwrap(), "");
    // The key is RSA: another algorithm fails as msal's signing does, never a mislabelled JWS.
    for alg in [r#""ES256""#, r#""none""#, "1"] {
        assert_eq!(with(&format!(r#"{{"alg":{alg}}}"#)).unwrap_err().code(), "unsupported_token_binding_algorithm", "{alg}");
    }
    // Ignored for the other schemes, as msal does.
    assert_eq!(typ(r#"{"scopes":["a"],"shrOptions":{"header":{"typ":"x"}}}"#).unwrap(), "");
}

#[test]
fn dpop_requests_name_their_resource_request() {
    let missing = json(r#"{"scopes":["a"],"authenticationScheme":"DPoP","resourceRequestMethod":"GET"}"#);
    assert_eq!(silent_request(&missing).unwrap_err().code(), "dpop_missing_resource_context");
    assert_eq!(interactive_request(&missing).unwrap_err().code(), "dpop_missing_resource_context");
    let bad_uri =
        json(r#"{"scopes":["a"],"authenticationScheme":"DPoP","resourceRequestMethod":"GET","resourceRequestUri":"http://api.example/x"}"#);
    assert_eq!(silent_request(&bad_uri).unwrap_err().code(), "invalid_dpop_htu");
    let ok = json(
        r#"{"scopes":["a"],"authenticationScheme":"DPoP","resourceRequestMethod":"get","resourceRequestUri":"https://API.example/x?q#f"}"#,
    );
    assert_eq!(
        silent_request(&ok).unwrap().authentication_scheme,
        AuthScheme::Dpop { method: "GET".into(), uri: "https://api.example/x".into() }
    );
}

#[test]
fn errors_carry_codes_and_never_a_secret() {
    let e = AuthError::new(crate::ErrorKind::InteractionRequired, "invalid_grant", "the grant was revoked")
        .with_sub_error("bad_token")
        .with_correlation_id("cid".to_owned())
        .with_status(400);
    let j = error_json(&e);
    assert_eq!(j.str_field("name"), Some("InteractionRequiredAuthError"));
    assert_eq!(
        (j.str_field("errorCode"), j.str_field("subError"), j.str_field("correlationId")),
        (Some("invalid_grant"), Some("bad_token"), Some("cid"))
    );
    assert_eq!(j.get("status").and_then(Json::as_u64), Some(400));
    assert!(j.get("traceId").is_none(), "empty fields are left out");
}

#[test]
fn a_server_error_number_keeps_its_json_type() {
    // Entra's `error_codes` are numbers: msal hands `errorNo` on as it came (`e.errorNo === 50076`).
    let resp = crate::core::http::HttpResponse::new(400, "");
    let err = |body: &str| error_json(&crate::core::token::server_error_from_json(&json(body), &resp)).to_json();
    assert!(err(r#"{"error":"invalid_grant","error_codes":[50076]}"#).contains(r#""errorNo":50076"#));
    assert!(err(r#"{"error":"invalid_grant","error_codes":["50076"]}"#).contains(r#""errorNo":"50076""#));
    assert!(!err(r#"{"error":"invalid_grant"}"#).contains("errorNo"));
}

#[test]
fn resource_extra_parameters_and_store_in_cache_are_read_as_msal_v5_sends_them() {
    let j = json(
        r#"{"scopes":["a"],"resource":"https://mcp.example/","extraParameters":{"x":"1","n":2},
            "storeInCache":{"accessToken":false,"refreshToken":true}}"#,
    );
    for options in [silent_request(&j).unwrap().options, interactive_request(&j).unwrap().options, token_options(&j).unwrap()] {
        assert_eq!(options.resource.as_deref(), Some("https://mcp.example/"));
        assert_eq!(options.extra_parameters, [("x".to_owned(), "1".to_owned()), ("n".into(), "2".into())]);
        assert_eq!(options.store, StoreInCache { access_token: false, id_token: true, refresh_token: true }, "an absent flag stores");
    }
    let none = silent_request(&json(r#"{"scopes":["a"],"resource":"","storeInCache":null}"#)).unwrap().options;
    assert_eq!(none, TokenOptions::default(), "an empty resource is none, as msal's `if (request.resource)`");
    assert_eq!(token_options(&json(r#"{"resource":7}"#)).unwrap_err().code(), "invalid_configuration");
    let attributes = token_options(&json(r#"{"attributeTokens":["b","a"]}"#)).unwrap();
    assert_eq!(
        (attributes.attribute_tokens.len(), attributes.attribute_partition().as_str()),
        (2, "a b"),
        "sorted as msal partitions them"
    );
    assert_eq!(TokenOptions::from_json(&attributes.to_json()), attributes, "kept with a redirect");
    for bad in [r#"{"attributeTokens":"a"}"#, r#"{"attributeTokens":["a",1]}"#] {
        assert_eq!(token_options(&json(bad)).unwrap_err().code(), "invalid_configuration", "{bad}");
    }
    let (c, warnings) = config(&json(r#"{"auth":{"clientId":"c","isMcp":true}}"#)).unwrap();
    assert!(c.is_mcp && warnings.is_empty());
    assert_eq!(config_json(&c).get("auth").unwrap().get("isMcp"), Some(&Json::Bool(true)));
}

#[test]
fn an_account_carries_the_id_token_fields_msal_5_adds() {
    // An account signed in with `claims`, as its view.
    let view = |claims: Json| {
        let id = crate::core::id_token::IdTokenClaims::from_json(claims.clone());
        let account = crate::core::account::Account::from_response("", Some(&id), "login.microsoftonline.com", "MSSTS", 0).unwrap();
        AccountInfo { account, id_token: None, id_token_claims: Some(claims) }
    };
    let info = view(json(
        r#"{"sub":"s","oid":"o","tid":"t","login_hint":"O.hint","upn":"ada@contoso.com","signin_state":["inknownntwk"," KMSI "]}"#,
    ));
    let j = account_json(&info);
    assert_eq!(j.str_field("loginHint"), Some("O.hint"));
    assert_eq!(j.str_field("upn"), Some("ada@contoso.com"));
    assert_eq!(j.get("kmsi"), Some(&Json::Bool(true)));
    // Without "keep me signed in" (or a domain-joined device), and without the optional claims.
    let claims = json(r#"{"sub":"s","tid":"t","signin_state":["dvc_mngd"]}"#);
    let info = AccountInfo { id_token_claims: Some(claims), ..info };
    let j = account_json(&info);
    assert_eq!((j.get("loginHint"), j.get("upn"), j.get("kmsi")), (None, None, Some(&Json::Bool(false))));
    // No `name` claim: no name, as msal's view (an app's `name ?? username` shows the username);
    // an account without an ID token has msal's "".
    let profile_name =
        |j: &Json| j.get("tenantProfiles").and_then(|p| p.as_array()).and_then(|p| p.first()).map(|p| p.get("name").is_some());
    assert_eq!((j.get("name"), profile_name(&j)), (None, Some(false)));
    let bare = AccountInfo { id_token_claims: None, ..info.clone() };
    assert_eq!(account_json(&bare).str_field("name"), Some(""));
    assert_eq!(account_json(&view(json(r#"{"sub":"s","tid":"t","name":"Ada"}"#))).str_field("name"), Some("Ada"));
}

/// An account without its ID token shows its tenant profile's login hint and UPN (msal's
/// `updateAccountTenantProfileData`: the profile's fields, then the claims'); one stored
/// without profiles (msal-browser before 3.6) shows its home profile.
#[test]
fn an_account_without_its_id_token_or_profiles_shows_msals_view() {
    let mut account = crate::core::account::Account::from_response(
        "",
        Some(&crate::core::id_token::IdTokenClaims::from_json(json(r#"{"sub":"s","oid":"o","tid":"t","preferred_username":"ada@x"}"#))),
        "login.microsoftonline.com",
        "MSSTS",
        0,
    )
    .unwrap();
    account.tenant_profiles[0].login_hint = "O.lh1".into();
    account.tenant_profiles[0].upn = "ADA@contoso.com".into();
    let j = account_json(&AccountInfo { account: account.clone(), id_token: None, id_token_claims: None });
    assert_eq!((j.str_field("loginHint"), j.str_field("upn")), (Some("O.lh1"), Some("ADA@contoso.com")));
    // With its ID token, the claims' (none here), as msal's.
    let claims = json(r#"{"sub":"s","oid":"o","tid":"t"}"#);
    let j = account_json(&AccountInfo { account: account.clone(), id_token: None, id_token_claims: Some(claims) });
    assert_eq!((j.get("loginHint"), j.get("upn")), (None, None));
    account.tenant_profiles.clear();
    let j = account_json(&AccountInfo { account, id_token: None, id_token_claims: None });
    let profiles = j.get("tenantProfiles").and_then(Json::as_array).unwrap_or_default();
    assert_eq!(profiles.len(), 1);
    assert_eq!((profiles[0].str_field("tenantId"), profiles[0].get("isHomeTenant")), (Some("t"), Some(&Json::Bool(false))));
}

#[test]
fn a_by_code_request_keeps_its_authority_and_refuses_a_bound_token() {
    let r = by_code_request(&json(
        r#"{"code":"c","scopes":["a"],"authority":"https://login.microsoftonline.com/other","codeVerifier":"v","cloudInstanceHostName":"login.microsoftonline.us"}"#,
    ))
    .unwrap();
    assert_eq!(r.authority.as_deref(), Some("https://login.microsoftonline.com/other"));
    assert_eq!(r.cloud_instance_host_name, "login.microsoftonline.us");
    assert_eq!((r.code.secret(), r.code_verifier.as_ref().map(|v| v.secret())), ("c", Some("v")));
    for scheme in ["DPoP", "pop"] {
        let e = by_code_request(&json(&format!(
            r#"{{"code":"c","authenticationScheme":"{scheme}","resourceRequestMethod":"GET","resourceRequestUri":"https://api.example/"}}"#
        )))
        .unwrap_err();
        assert_eq!(e.code(), "unsupported_authentication_scheme", "{scheme}");
    }
}

#[test]
fn a_given_account_is_read_as_msal_builds_its_cache_entity() {
    let a = given_account(&json(
        r#"{"homeAccountId":"u.t","environment":"login.example","tenantId":"t","localAccountId":"u","username":"ann@x","name":"Ann","tenantProfiles":{}}"#,
    ))
    .unwrap();
    assert_eq!(
        (a.home_account_id.as_str(), a.environment.as_str(), a.realm.as_str(), a.local_account_id.as_str(), a.authority_type.as_str()),
        ("u.t", "login.example", "t", "u", "Generic")
    );
    assert_eq!(a.tenant_profiles.len(), 1, "the home tenant profile");
    assert!(a.tenant_profiles[0].is_home_tenant && a.tenant_profiles[0].username == "ann@x");
    // A guest profile (another tenant than the home account id's) is not the home one.
    let guest = given_account(&json(r#"{"homeAccountId":"u.t","environment":"e","tenantId":"g","localAccountId":"u2"}"#)).unwrap();
    assert!(!guest.tenant_profiles[0].is_home_tenant);
    // No home account id: nothing to store.
    assert!(given_account(&json(r#"{"username":"ann@x"}"#)).is_none());
    assert!(given_account(&json("null")).is_none());
}

#[test]
fn a_result_to_hydrate_keeps_its_accounts_graph_hosts() {
    let h = hydration(
        &json(
            r#"{"accessToken":"a","idToken":"i","account":{"homeAccountId":"u.t","dataBoundary":"EU"},"cloudGraphHostName":"graph.windows.net","msGraphHost":"graph.microsoft.com"}"#,
        ),
        &json("{}"),
    );
    assert_eq!((h.home_account_id.as_str(), h.data_boundary.as_str()), ("u.t", "EU"));
    assert_eq!(h.graph_hosts, ("graph.windows.net".to_owned(), "graph.microsoft.com".to_owned()));
    assert_eq!(hydration(&json(r#"{"account":{}}"#), &json("{}")).graph_hosts, (String::new(), String::new()));
}
