use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn classifies_and_canonicalises() {
    let a = Authority::parse("https://login.microsoftonline.com/common", ProtocolMode::Aad).unwrap();
    assert_eq!(a.canonical(), "https://login.microsoftonline.com/common/");
    assert_eq!(a.kind(), AuthorityType::Default);
    assert!(a.is_multi_tenant());
    assert_eq!(a.openid_configuration_url(), "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration");

    let t = Authority::parse("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", ProtocolMode::Aad).unwrap();
    assert_eq!(t.tenant(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert_eq!(
        t.openid_configuration_url(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration"
    );

    let adfs = Authority::parse("https://fs.contoso.com/adfs/", ProtocolMode::Aad).unwrap();
    assert_eq!(adfs.kind(), AuthorityType::Adfs);
    assert_eq!(adfs.openid_configuration_url(), "https://fs.contoso.com/adfs/.well-known/openid-configuration");

    let ciam = Authority::parse("https://contoso.ciamlogin.com", ProtocolMode::Aad).unwrap();
    assert_eq!(ciam.kind(), AuthorityType::Ciam);
    assert_eq!(ciam.canonical(), "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/");

    let b2c = Authority::parse("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin", ProtocolMode::Aad).unwrap();
    assert_eq!(b2c.tenant(), "contoso.onmicrosoft.com");

    let oidc = Authority::parse("https://accounts.example.com", ProtocolMode::Oidc).unwrap();
    assert_eq!(oidc.openid_configuration_url(), "https://accounts.example.com/.well-known/openid-configuration");
}

#[test]
fn single_tenant_only_when_the_authority_names_one_entra_tenant() {
    let tenant = |url: &str, mode| Authority::parse(url, mode).unwrap().single_tenant().map(str::to_owned);
    assert_eq!(tenant("https://login.microsoftonline.com/t-1", ProtocolMode::Aad).as_deref(), Some("t-1"));
    assert_eq!(tenant("https://login.microsoftonline.com/t-1/v2.0", ProtocolMode::Aad).as_deref(), Some("t-1"));
    assert_eq!(tenant("https://contoso.ciamlogin.com", ProtocolMode::Aad).as_deref(), Some("contoso.onmicrosoft.com"));
    for (url, mode) in [
        ("https://login.microsoftonline.com/common", ProtocolMode::Aad),
        ("https://login.microsoftonline.com/Organizations/", ProtocolMode::Aad),
        ("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin", ProtocolMode::Aad),
        ("https://fs.contoso.com/adfs/", ProtocolMode::Aad),
        ("https://accounts.example.com/tenant", ProtocolMode::Oidc),
    ] {
        assert_eq!(tenant(url, mode), None, "{url}");
    }
}

#[test]
fn bad_authorities_are_configuration_errors() {
    let cases = [
        ("", codes::EMPTY_URL_ERROR),
        ("not a url", codes::URL_PARSE_ERROR),
        ("http://login.microsoftonline.com/common", codes::AUTHORITY_URI_INSECURE),
        ("https://login.microsoftonline.com", codes::URL_EMPTY_PATH),
    ];
    for (url, code) in cases {
        let e = Authority::parse(url, ProtocolMode::Aad).unwrap_err();
        assert_eq!(e.code(), code, "{url}");
        assert_eq!(e.kind().class_name(), "ClientConfigurationError");
    }
    assert!(Authority::parse("http://127.0.0.1:8080/tenant", ProtocolMode::Aad).is_ok());
    assert!(Authority::parse("http://localhost/tenant", ProtocolMode::Aad).is_ok());
    for bare in [
        "https://login.microsoftonline.com/common?",
        "https://login.microsoftonline.com/common?/",
        "https://login.microsoftonline.com/common?dc=ESTS-PUB-WUS2-AZ1-FD000-TEST1",
    ] {
        assert_eq!(Authority::parse(bare, ProtocolMode::Aad).unwrap().canonical(), "https://login.microsoftonline.com/common/");
    }
}

#[test]
fn a_tenant_segment_is_replaced_in_place() {
    let a = Authority::parse("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0", ProtocolMode::Aad).unwrap();
    assert_eq!(a.with_tenant("t2"), "https://login.microsoftonline.com/t2/v2.0/");
    let a = Authority::parse("https://login.microsoftonline.com/common", ProtocolMode::Aad).unwrap();
    assert_eq!(a.with_tenant("t2"), "https://login.microsoftonline.com/t2/");
    assert!(is_guid("8eaef023-2b34-4da1-9baa-8bc8c9d6a490") && is_guid("8EAEF023-2B34-4DA1-9BAA-8BC8C9D6A490"));
    assert!(!is_guid("contoso.onmicrosoft.com") && !is_guid("8eaef023x2b34-4da1-9baa-8bc8c9d6a490") && !is_guid(""));
}

#[test]
fn an_authority_ending_in_v2_0_in_any_case_gets_the_plain_discovery_url() {
    // The issuer pasted as the authority (msal lower-cases the whole authority).
    let a = Authority::parse("https://login.microsoftonline.com/Contoso.onmicrosoft.com/V2.0", ProtocolMode::Aad).unwrap();
    assert_eq!(
        a.openid_configuration_url(),
        "https://login.microsoftonline.com/Contoso.onmicrosoft.com/V2.0/.well-known/openid-configuration"
    );
    let b = Authority::parse("https://login.microsoftonline.com/contoso/v2.0x", ProtocolMode::Aad).unwrap();
    assert!(b.openid_configuration_url().ends_with("/v2.0x/v2.0/.well-known/openid-configuration"));
}

#[test]
fn any_external_id_host_is_trusted_as_msal_trusts_a_ciam_authority() {
    let configured = Authority::parse("https://branda.ciamlogin.com/", ProtocolMode::Aad).unwrap();
    let cloud = configured.default_cloud();
    let other = Authority::parse("https://brandb.ciamlogin.com/", ProtocolMode::Aad).unwrap();
    assert!(other.trusted_beside(&configured, &cloud, &[]));
    let entra = Authority::parse("https://login.microsoftonline.com/common", ProtocolMode::Aad).unwrap();
    assert!(other.trusted_beside(&entra, &entra.default_cloud(), &[]));
    // A custom domain is no CIAM host: it must be known.
    let custom = Authority::parse("https://login.brandb.example/tenant", ProtocolMode::Aad).unwrap();
    assert!(!custom.trusted_beside(&configured, &cloud, &[]));
    let lookalike = Authority::parse("https://evil-ciamlogin.com/tenant", ProtocolMode::Aad).unwrap();
    assert!(!lookalike.trusted_beside(&configured, &cloud, &[]));
}

#[test]
fn configured_metadata_may_leave_out_the_issuer_a_fetched_one_may_not() {
    // msal takes the app's authorityMetadata as given (AD FS without CORS on its discovery).
    let a = Authority::parse("https://fs.contoso.com/adfs", ProtocolMode::Aad).unwrap();
    let doc = r#"{"authorization_endpoint":"https://fs.contoso.com/adfs/oauth2/authorize",
        "token_endpoint":"https://fs.contoso.com/adfs/oauth2/token","end_session_endpoint":"https://fs.contoso.com/adfs/oauth2/logout"}"#;
    assert_eq!(AuthorityMetadata::parse(doc, &a).unwrap_err().code(), codes::INVALID_AUTHORITY_METADATA);
    let m = AuthorityMetadata::parse_configured(doc, &a).unwrap();
    assert_eq!((m.token_endpoint.as_str(), m.issuer.as_str()), ("https://fs.contoso.com/adfs/oauth2/token", ""));
    assert_eq!(AuthorityMetadata::parse_configured("{}", &a).unwrap_err().code(), codes::INVALID_AUTHORITY_METADATA);
}

#[test]
fn metadata_substitutes_tenant() {
    let a = Authority::parse("https://login.microsoftonline.com/contoso.com", ProtocolMode::Aad).unwrap();
    let doc = r#"{"authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        "token_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","jwks_uri":"https://login.microsoftonline.com/common/discovery/v2.0/keys"}"#;
    let m = AuthorityMetadata::parse(doc, &a).unwrap();
    assert_eq!(m.token_endpoint, "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token");
    assert_eq!(m.issuer, "https://login.microsoftonline.com/contoso.com/v2.0");
    assert_eq!(m.end_session_endpoint, None);
    for bad in ["", "[]", r#"{"authorization_endpoint":"x","token_endpoint":"y","issuer":"z"}"#] {
        assert_eq!(AuthorityMetadata::parse(bad, &a).unwrap_err().code(), codes::INVALID_AUTHORITY_METADATA);
    }
}

#[test]
fn cloud_discovery() {
    let a = Authority::parse("https://login.microsoftonline.com/common", ProtocolMode::Aad).unwrap();
    let c = a.default_cloud();
    assert_eq!(c.preferred_cache, "login.windows.net");
    assert!(c.has_alias("sts.windows.net"));
    let doc = r#"{"tenant_discovery_endpoint":"x","metadata":[{"preferred_network":"login.contoso.net","preferred_cache":"cache.contoso.net","aliases":["login.contoso.net","cache.contoso.net"]}]}"#;
    let m = CloudMetadata::from_discovery(doc, "cache.contoso.net").unwrap().unwrap();
    assert_eq!(m.preferred_network, "login.contoso.net");
    assert_eq!(CloudMetadata::from_discovery(doc, "other").unwrap(), None);
    let e = CloudMetadata::from_discovery(r#"{"error":"invalid_instance"}"#, "x").unwrap_err();
    assert_eq!(e.code(), codes::UNTRUSTED_AUTHORITY);
    assert!(CloudMetadata::discovery_url(&a)
        .ends_with("authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2Fcommon%2Foauth2%2Fv2.0%2Fauthorize"));
}

#[test]
fn endpoints_on_another_host_are_used_when_fetched_and_trusted_only_on_a_known_host() {
    // A provider that issues tokens from another host than its own (Google's shape).
    let a = Authority::parse("https://accounts.example.com", ProtocolMode::Oidc).unwrap();
    let doc = r#"{"authorization_endpoint":"https://accounts.example.com/o/oauth2/v2/auth","token_endpoint":"https://oauth2.exampleapis.com/token","issuer":"https://accounts.example.com"}"#;
    let m = AuthorityMetadata::parse(doc, &a).unwrap();
    let cloud = CloudMetadata::single(a.host());
    assert!(m.fits(&a, &cloud, &[]), "the issuer is the authority's: the fetched document is used");
    assert!(!m.endpoints_trusted(&a, &cloud, &[]), "but a token endpoint elsewhere is not trusted from storage");
    assert!(m.endpoints_trusted(&a, &cloud, &["oauth2.exampleapis.com".to_owned()]), "unless knownAuthorities names its host");
    // Entra's own document: every endpoint the client uses on the authority's host (userinfo
    // is Graph's: not one of them).
    let e = Authority::parse("https://login.microsoftonline.com/common", ProtocolMode::Aad).unwrap();
    let entra = r#"{"authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize","token_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token","end_session_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout","jwks_uri":"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys","userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo","device_authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode","issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}"#;
    let m = AuthorityMetadata::parse(entra, &e).unwrap();
    assert!(m.endpoints_trusted(&e, &CloudMetadata::single(e.host()), &[]));
}
