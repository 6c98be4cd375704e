use super::*;
use crate::core::http::HttpResponse;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn thumbprint_is_rfc7638() {
    // RFC 7638 §3.1 uses an RSA key; this P-256 key and thumbprint are RFC 9449 §A's example
    // (Appendix of the DPoP RFC: the key of the proof in §4.1).
    let jwk =
        PublicJwk::Ec { x: "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs".into(), y: "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA".into() };
    assert_eq!(jwk.thumbprint(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
}

#[test]
fn rsa_thumbprint_is_rfc7638s_example() {
    // RFC 7638 §3.1.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let jwk = PublicJwk::Rsa { n: n.into(), e: "AQAB".into() };
    assert_eq!(jwk.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_eq!(jwk.kind(), KeyKind::Rs256);
}

#[test]
fn htu_drops_query_and_fragment_and_refuses_the_unsafe() {
    assert_eq!(normalize_htu("https://Server.Example.com:443/token?x=1#f").unwrap(), "https://server.example.com/token");
    assert_eq!(normalize_htu("HTTPS://api.example/").unwrap(), "https://api.example/");
    assert_eq!(normalize_htu("https://api.example").unwrap(), "https://api.example/");
    assert_eq!(normalize_htu("http://127.0.0.1:8080/t?x").unwrap(), "http://127.0.0.1:8080/t");
    assert_eq!(normalize_htu("http://localhost/t").unwrap(), "http://localhost/t");
    // As the browser sends the request (msal's `new URL(url).href`): dot segments resolved,
    // bytes outside ASCII percent-encoded.
    assert_eq!(normalize_htu("https://api.example/a/../%C3%A4/./b/ü").unwrap(), "https://api.example/%C3%A4/b/%C3%BC");
    assert_eq!(normalize_htu("https://api.example/a/..").unwrap(), "https://api.example/");
    for bad in [
        "http://api.example/x",
        "https://user:pw@api.example/",
        "ftp://x/",
        "/relative",
        "https:///x",
        "https://a b/",
        // Not loopback: a public name that starts like one, over plain http.
        "http://127.0.0.1.nip.io/",
        "http://127.evil.example/",
        // Its punycode (or decoded) form is what the request names.
        "https://bücher.example/",
        "https://a%41b/x",
    ] {
        assert_eq!(normalize_htu(bad).unwrap_err().code(), "invalid_dpop_htu", "{bad}");
    }
}

/// msal's `normalizeHtu` and `canonicalizeDpopResourceServer` write a URL as `new URL(url)`
/// does: each pair below is what msal-common 16.18 gave for the input (run in Node 20). (`^`,
/// which the URL Standard has encoded in paths since 2025 (whatwg/url#846), as Chromium, Firefox
/// and the url crate from 2.5.9 do, and Node 20's parser, WebKit and earlier url crates do not,
/// stays as written: the caller hands over its HTTP client's form.)
#[test]
fn htu_is_written_as_the_browsers_url_parser_writes_it() {
    let msal = [
        ("https://api.example/files/My Report.pdf", "https://api.example/files/My%20Report.pdf"),
        ("https://api.example/items/{1}", "https://api.example/items/%7B1%7D"),
        ("https://api.example/q\"<>`x", "https://api.example/q%22%3C%3E%60x"),
        ("https://api.example/pipe|caret^[b]'q;=,&$+!*()~", "https://api.example/pipe|caret^[b]'q;=,&$+!*()~"),
        ("https://api.example/ctl\u{1}x", "https://api.example/ctl%01x"),
        ("https://api.example/del\u{7f}", "https://api.example/del%7F"),
        ("https://api.example/%7e/ok%zz", "https://api.example/%7e/ok%zz"),
        ("https://api.example/a\\b", "https://api.example/a/b"),
        ("https://api.example/a/b/..", "https://api.example/a/"),
        ("https://api.example/a/./b/../c", "https://api.example/a/c"),
        ("https://api.example/a//b", "https://api.example/a//b"),
        ("https://api.example/a/.../b", "https://api.example/a/.../b"),
        ("https://api.example/x \n", "https://api.example/x"),
        ("https://api.example:/x", "https://api.example/x"),
        ("https://api.example:8443/x", "https://api.example:8443/x"),
    ];
    for (input, htu) in msal {
        assert_eq!(normalize_htu(input).map_err(|e| e.code().to_owned()).as_deref(), Ok(htu), "{input:?}");
        let origin = htu.get(..htu.get(8..).and_then(|r| r.find('/')).map_or(htu.len(), |i| i + 8)).unwrap();
        assert_eq!(super::origin(input).map_err(|e| e.code().to_owned()).as_deref(), Ok(origin), "{input:?}");
    }
    // msal refuses these too: leading white space (its `^https://` test), a space in the host.
    for bad in [" https://api.example/", "https://api.ex ample/"] {
        assert!(normalize_htu(bad).is_err(), "{bad:?}");
    }
    // Where we differ (README): tabs and newlines inside, which msal drops, are refused; `%2e`
    // segments, which msal resolves as dots, and a `\` ending the host are kept as written.
    for bad in ["https://api.example/tab\there", "https://api.example/a\r\nb", "https://api.example\\path"] {
        assert!(normalize_htu(bad).is_err(), "{bad:?}");
    }
    assert_eq!(normalize_htu("https://api.example/a/%2e%2e/b").unwrap(), "https://api.example/a/%2e%2e/b");
}

/// What `new URL` refuses, msal refuses with `url_parse_error` before it signs anything: a port
/// beyond 65535 or not a number, a forbidden code point in the host, a bad IPv6 literal. A port
/// is written as the parser writes it (leading zeros dropped, the scheme's default elided).
#[test]
fn htu_refuses_what_the_url_parser_refuses() {
    let refused = [
        "https://api.example:65536/x",
        "https://api.example:99999999999999999999/x",
        "https://api.example:8o/x",
        "https://api.example:1:2/x",
        "https://a<b.example/x",
        "https://a|b.example/x",
        "https://a^b/x",
        "https://[::1/x",
        "https://[zz]/x",
        "https://[]/x",
        "https://[::1]8080/x",
        "http://localhost:70000/x",
    ];
    let read = [
        ("https://api.example:0443/x", "https://api.example/x"),
        ("https://api.example:08443/x", "https://api.example:8443/x"),
        ("https://api.example:65535/x", "https://api.example:65535/x"),
        ("https://api.example:80/x", "https://api.example:80/x"),
        ("http://localhost:0080/x", "http://localhost/x"),
        ("https://[::1]:8443/x", "https://[::1]:8443/x"),
        ("http://[::1]/x", "http://[::1]/x"),
        // A loopback name in capitals.
        ("http://LocalHost:8080/x", "http://localhost:8080/x"),
        ("https://api.example.com./x", "https://api.example.com./x"),
        ("https://x.1a/x", "https://x.1a/x"),
        ("https://1.0xg/x", "https://1.0xg/x"),
    ];
    htu_refuses_and_reads(&refused, &read);
}

/// Natively, a host whose last label is a number must be an IPv4 address, written as the URL
/// parser writes it (in the wasm the facade hands over the browser's form: see `ipv4`).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn htu_reads_ipv4_hosts_as_the_url_parser_does() {
    let refused = [
        "https://api.123/x",
        "https://999.1.1.1/x",
        "https://1.2.3.4.5/x",
        "https://1.2.3.4.5.6.7/x",
        "https://0x100000000/x",
        "https://0xccccccccccccccccccccccccccccccccccca/x",
        "https://99999999999999999999999999/x",
        "https://1.256.1.1/x",
        "https://08.1.1.1/x",
    ];
    let read = [
        ("http://127.1/x", "http://127.0.0.1/x"),
        ("https://0x7f.0.0.1./x", "https://127.0.0.1/x"),
        ("https://017700000001/x", "https://127.0.0.1/x"),
        ("https://1.2.65535/x", "https://1.2.255.255/x"),
        ("https://0x/x", "https://0.0.0.0/x"),
    ];
    htu_refuses_and_reads(&refused, &read);
}

/// `refused` fail with `url_parse_error` (msal's `canonicalizeDpopResourceServer` calls that
/// `invalid_dpop_htu`); each of `read` is signed as its pair's second.
fn htu_refuses_and_reads(refused: &[&str], read: &[(&str, &str)]) {
    for bad in refused {
        assert_eq!(normalize_htu(bad).unwrap_err().code(), "url_parse_error", "{bad}");
        assert_eq!(super::origin(bad).unwrap_err().code(), "invalid_dpop_htu", "{bad}");
    }
    for (input, htu) in read {
        assert_eq!(normalize_htu(input).map_err(|e| e.code().to_owned()).as_deref(), Ok(*htu), "{input:?}");
    }
}

#[test]
fn htm_is_an_upper_cased_method_token() {
    assert_eq!(normalize_htm("get").unwrap(), "GET");
    for bad in ["", "GE T", "GET\n", "Ü"] {
        assert_eq!(normalize_htm(bad).unwrap_err().code(), "invalid_dpop_htm");
    }
}

fn decode_part(part: &str) -> Json {
    Json::parse(&String::from_utf8(crate::core::base64::decode(part).unwrap()).unwrap()).unwrap()
}

#[test]
fn proofs_carry_the_key_and_the_request() {
    let jwk = PublicJwk::Ec { x: "xx".into(), y: "yy".into() };
    let claims = ProofClaims {
        htm: "POST",
        htu: "https://as.example/token",
        iat: 1_700_000_000,
        jti: "j-1",
        nonce: Some("n-1"),
        access_token: None,
    };
    let input = signing_input(&jwk, &claims);
    let (h, c) = input.split_once('.').unwrap();
    let header = decode_part(h);
    assert_eq!(header.str_field("typ"), Some("dpop+jwt"));
    assert_eq!(header.str_field("alg"), Some("ES256"));
    assert_eq!(header.get("jwk").unwrap().str_field("crv"), Some("P-256"));
    assert!(header.get("jwk").unwrap().get("d").is_none(), "never a private member");
    let body = decode_part(c);
    assert_eq!(
        (body.str_field("htm"), body.str_field("htu"), body.str_field("jti")),
        (Some("POST"), Some("https://as.example/token"), Some("j-1"))
    );
    assert_eq!(body.get("iat").and_then(Json::as_u64), Some(1_700_000_000));
    assert_eq!(body.str_field("nonce"), Some("n-1"));
    assert!(body.get("ath").is_none());
    // A resource request: ath = base64url(sha256(access token)) (RFC 9449 §4.2's example).
    let at = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let with_at = signing_input(&jwk, &ProofClaims { access_token: Some(at), nonce: None, ..claims });
    let body = decode_part(with_at.split('.').nth(1).unwrap());
    assert_eq!(body.str_field("ath"), Some("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
    assert!(body.get("nonce").is_none());
    let p = proof(&input, &[7u8; 64]).unwrap();
    assert_eq!(p.split('.').count(), 3);
    assert!(proof(&input, &[7u8; 63]).is_err());
}

#[test]
fn nonce_challenges_are_recognized() {
    let resp = |status: u16, headers: Vec<(&str, &str)>, body: &str| HttpResponse {
        status,
        headers: headers.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        body: body.to_owned(),
    };
    let challenge = resp(400, vec![("dpop-nonce", "eyJ7S_zG.eyJH0-Z.HX4w-7v")], r#"{"error":"use_dpop_nonce"}"#);
    assert_eq!(nonce_challenge(&challenge), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
    let resource = resp(401, vec![("dpop-nonce", "n"), ("www-authenticate", r#"DPoP error="use_dpop_nonce""#)], "");
    assert_eq!(nonce_challenge(&resource), Some("n"));
    assert_eq!(nonce_challenge(&resp(400, vec![], r#"{"error":"use_dpop_nonce"}"#)), None, "no nonce to use");
    assert_eq!(nonce_challenge(&resp(400, vec![("dpop-nonce", "n")], r#"{"error":"invalid_grant"}"#)), None);
    assert_eq!(nonce_challenge(&resp(200, vec![("dpop-nonce", "n")], r#"{"error":"use_dpop_nonce"}"#)), None);
}

#[test]
fn signed_http_requests_wrap_the_token_as_msal_does() {
    let jwk = PublicJwk::Rsa { n: "nn".into(), e: "AQAB".into() };
    let c = ShrClaims {
        access_token: "a.b.c",
        ts: 1_700_000_000,
        method: "post",
        url: "https://API.example:8443/orders/7?x=1&y=2#frag",
        nonce: "n-1",
        client_claims: r#"{"k":"v"}"#,
        typ: "",
    };
    let input = shr_signing_input("kid-1", &jwk, &c);
    let (h, p) = input.split_once('.').unwrap();
    let header = decode_part(h);
    assert_eq!((header.str_field("typ"), header.str_field("alg")), (Some("pop"), Some("RS256")));
    let kid = decode_part(header.str_field("kid").unwrap());
    assert_eq!(kid.str_field("kid"), Some("kid-1"), "msal base64url-encodes the key id object");
    let body = decode_part(p);
    assert_eq!(body.str_field("at"), Some("a.b.c"));
    assert_eq!(body.str_field("m"), Some("POST"));
    assert_eq!(body.str_field("u"), Some("API.example:8443"));
    assert_eq!(body.str_field("p"), Some("/orders/7"));
    assert_eq!(body.get("q").unwrap().to_json(), r#"[[],"x=1&y=2"]"#);
    assert_eq!(body.str_field("nonce"), Some("n-1"));
    assert_eq!(body.str_field("client_claims"), Some(r#"{"k":"v"}"#));
    assert_eq!(body.get("cnf").unwrap().get("jwk").unwrap().str_field("kty"), Some("RSA"));
    // Without a resource request: no m, u, p, q, client_claims.
    let bare = shr_signing_input("k", &jwk, &ShrClaims { method: "", url: "", client_claims: "", ..c });
    let body = decode_part(bare.split('.').nth(1).unwrap());
    assert!(["m", "u", "p", "q", "client_claims"].iter().all(|k| body.get(k).is_none()));
    // shrOptions.header.typ replaces msal's `pop` (alg and kid stay).
    let custom = shr_signing_input("k", &jwk, &ShrClaims { typ: "pop+custom", ..c });
    let header = decode_part(custom.split('.').next().unwrap());
    assert_eq!((header.str_field("typ"), header.str_field("alg")), (Some("pop+custom"), Some("RS256")));
    // req_cnf and the access token's cnf.kid.
    assert_eq!(decode_part(&req_cnf("kid-1")).to_json(), r#"{"kid":"kid-1","xms_ksl":"sw"}"#);
    let at = ["e30", &crate::core::base64::encode_url(br#"{"cnf":{"kid":"kid-1"}}"#), "sig"].join(".");
    assert_eq!(access_token_kid(&at).as_deref(), Some("kid-1"));
    assert_eq!(access_token_kid("opaque"), None);
    assert_eq!(access_token_kid("a.!!.c"), None);
}
