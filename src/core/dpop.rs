//! DPoP (RFC 9449): proofs of possession of the app's key, sent with token requests and with
//! calls to the resource. The key is an ECDSA P-256 pair the platform keeps (unextractable in
//! the browser); this module builds what is signed and what is sent, and names keys by their
//! JWK thumbprint (RFC 7638), which is also the `dpop_jkt` of the authorize request and the
//! `keyId` of the tokens bound to it.

use super::base64::encode_url;
use super::json::Json;
use super::sha256::sha256;
use super::text;
use crate::error::{codes, AuthError};
use crate::prelude::*;

/// The public half of a binding key: P-256 (DPoP, ES256) or RSA (msal's signed HTTP request
/// PoP, RS256); members base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    /// An EC P-256 key.
    Ec {
        /// `x`.
        x: String,
        /// `y`.
        y: String,
    },
    /// An RSA key.
    Rsa {
        /// `n`.
        n: String,
        /// `e`.
        e: String,
    },
}

/// Which kind of key a binding needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256 (DPoP).
    Es256,
    /// RSASSA-PKCS1-v1_5 2048 with SHA-256 (msal's PoP).
    Rs256,
}

impl PublicJwk {
    /// The JWK members of the key (`kty`, `crv`, `x`, `y` or `kty`, `n`, `e`).
    pub fn to_json(&self) -> Json {
        match self {
            PublicJwk::Ec { x, y } => Json::object().with("kty", "EC").with("crv", "P-256").with("x", x.as_str()).with("y", y.as_str()),
            PublicJwk::Rsa { n, e } => Json::object().with("kty", "RSA").with("n", n.as_str()).with("e", e.as_str()),
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members in lexical order, base64url.
    pub fn thumbprint(&self) -> String {
        let canonical = match self {
            PublicJwk::Ec { x, y } => [r#"{"crv":"P-256","kty":"EC","x":""#, x, r#"","y":""#, y, r#""}"#].concat(),
            PublicJwk::Rsa { n, e } => [r#"{"e":""#, e, r#"","kty":"RSA","n":""#, n, r#""}"#].concat(),
        };
        encode_url(&sha256(canonical.as_bytes()))
    }

    /// Its kind.
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicJwk::Ec { .. } => KeyKind::Es256,
            PublicJwk::Rsa { .. } => KeyKind::Rs256,
        }
    }
}

fn config_error(code: &'static str, message: &'static str) -> AuthError {
    AuthError::config(code, message)
}

/// The `htm` claim: an HTTP method token, upper-cased (msal's `invalid_dpop_htm` otherwise).
pub fn normalize_htm(method: &str) -> Result<String, AuthError> {
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    if method.is_empty() || !method.bytes().all(token) {
        return Err(config_error(codes::INVALID_DPOP_HTM, "resourceRequestMethod is not an HTTP method"));
    }
    Ok(method.to_ascii_uppercase())
}

/// True for a loopback host (with or without port): where plain http is allowed for development.
fn loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    // (An IPv4 address: digits and dots only, not a name that starts like one.)
    let v4 = name.starts_with("127.") && name.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    name == "localhost" || name == "::1" || v4
}

/// A path as the browser's URL parser sends it (and msal's `new URL(url).href` writes it): `.`
/// and `..` segments resolved, and the bytes of the WHATWG path percent-encode set encoded
/// (controls, space, `"`, `<`, `>`, `` ` ``, `{`, `}`, and all outside ASCII). `^`, which parsers
/// write either way (the URL Standard encodes it since 2025, as Chromium, Firefox and the url
/// crate from 2.5.9; WebKit and earlier url crates do not), is left as written: the caller
/// hands over its HTTP client's own form first (the facade `new URL(url).href`, what fetch
/// sends and msal signs; msal-native the url crate's, what reqwest sends), which this leaves as
/// it is.
fn normal_path(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out: Vec<u8> = Vec::new();
    // Each segment is the bytes after a `/` (or a `\`, which the URL parser reads as one) up
    // to the next one.
    let mut rest = path.as_bytes();
    while let Some((_, after)) = rest.split_first() {
        let end = after.iter().position(|b| matches!(b, b'/' | b'\\')).unwrap_or(after.len());
        let (segment, next) = after.split_at(end);
        rest = next;
        let dots = segment == b"." || segment == b"..";
        if segment == b".." {
            out.truncate(out.iter().rposition(|b| *b == b'/').unwrap_or(0));
        }
        if !dots || rest.is_empty() {
            out.push(b'/');
        }
        for &b in segment.iter().filter(|_| !dots) {
            match b <= b' ' || b >= 0x7f || b"\"<>`{}".contains(&b) {
                false => out.push(b),
                true => out.extend([b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]),
            }
        }
    }
    if out.is_empty() {
        out.push(b'/');
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The `htu` claim: the target URI without query and fragment, scheme and host lower-cased
/// (RFC 9449 §4.2). https only (as msal), except loopback hosts over http for local development;
/// user info is refused (`invalid_dpop_htu`).
pub fn normalize_htu(url: &str) -> Result<String, AuthError> {
    let (mut out, path) = origin_and_path(url)?;
    out.push_str(&normal_path(path));
    Ok(out)
}

/// The origin a resource server's DPoP nonce is kept under (msal's
/// `canonicalizeDpopResourceServer`): `scheme://host[:port]` of a URL [`normalize_htu`] takes.
/// What the URL parser refuses is msal's `invalid_dpop_htu` here.
pub fn origin(url: &str) -> Result<String, AuthError> {
    let htu = |e: AuthError| match e.code() == codes::URL_PARSE_ERROR {
        true => config_error(codes::INVALID_DPOP_HTU, HTU_MESSAGE),
        false => e,
    };
    origin_and_path(url).map(|(origin, _)| origin).map_err(htu)
}

const HTU_MESSAGE: &str = "the DPoP target must be an absolute https URL without user info";

/// [`normalize_htu`]'s `scheme://host[:port]`, and the path after it.
fn origin_and_path(url: &str) -> Result<(String, &str), AuthError> {
    let bad = || config_error(codes::INVALID_DPOP_HTU, HTU_MESSAGE);
    // (The URL parser drops spaces and controls at the end; tabs and newlines elsewhere, which
    // it drops too, are refused below.)
    let url = url.get(..url.bytes().rposition(|b| b > b' ').map_or(0, |i| i + 1)).unwrap_or_default();
    let (scheme, rest) = text::split_once(url, "://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = rest.get(..end).unwrap_or_default();
    let slash = rest.find('/').unwrap_or(rest.len());
    let (host, path) = (rest.get(..slash).unwrap_or_default(), rest.get(slash..).unwrap_or_default());
    // (A host outside ASCII or percent-encoded is refused: its punycode or decoded form is what
    // the request names.)
    if host.is_empty()
        || host.bytes().any(|b| b == b'@' || b == b'\\' || b == b'%' || b <= b' ' || b >= 0x7f)
        || rest.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Err(bad());
    }
    // What the URL parser refuses (msal's `url_parse_error`): a port that is not a number up to
    // 65535, a forbidden code point in the host, an IPv6 literal of other characters, and
    // natively a host whose last label is a number but which is no IPv4 address.
    let unparsable = || config_error(codes::URL_PARSE_ERROR, "the DPoP target is not a URL");
    let split = match host.strip_prefix('[') {
        Some(v6) => v6.find(']').map(|i| i + 2).ok_or_else(unparsable)?,
        None => host.find(':').unwrap_or(host.len()),
    };
    let (name, port) = (host.get(..split).unwrap_or_default(), host.get(split..).unwrap_or_default());
    let literal = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let name_ok = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.bytes().all(literal),
        None => !name.is_empty() && !name.bytes().any(|b| b"#/:<>?[]^|".contains(&b)),
    };
    let digits = port.strip_prefix(':').unwrap_or(if port.is_empty() { "" } else { "x" });
    let number = digits.bytes().try_fold(0u32, |n, b| {
        let n = n * 10 + u32::from(b.wrapping_sub(b'0'));
        (b.is_ascii_digit() && n <= 65535).then_some(n)
    });
    let (Some(number), true, Ok(v4)) = (number, name_ok, ipv4(name)) else {
        return Err(unparsable());
    };
    let mut host = v4.unwrap_or_else(|| name.to_ascii_lowercase());
    let default = if scheme == "https" { 443 } else { 80 };
    if !digits.is_empty() && number != default {
        host.push(':');
        text::push_dec(&mut host, number.into());
    }
    match scheme.as_str() {
        "https" => {}
        "http" if loopback(&host) => {}
        _ => return Err(bad()),
    }
    let mut out = scheme;
    out.push_str("://");
    out.push_str(&host);
    Ok((out, path))
}

/// A host the URL parser reads as an IPv4 address (its last label is a number: `127.1`,
/// `0x7f.0.0.1`, `999.1.1.1`): the address as it writes it (`127.0.0.1`), or `Err` when it is
/// none (the parser refuses the URL). `Ok(None)` for a name.
///
/// Natively only: in the wasm the facade hands over the browser's form (`new URL(url).href`,
/// every address already written so), and a host that form refuses fetch refuses too, so the
/// parser would be 1 KB of wasm for nothing (measured).
#[cfg(target_arch = "wasm32")]
fn ipv4(_: &str) -> Result<Option<String>, ()> {
    Ok(None)
}

/// See the wasm's [`ipv4`].
#[cfg(not(target_arch = "wasm32"))]
fn ipv4(name: &str) -> Result<Option<String>, ()> {
    // (Bytes, not chars, and no string splitting: the wasm's size.)
    let name = match name.as_bytes().split_last() {
        Some((b'.', rest)) if !rest.is_empty() => rest,
        _ => name.as_bytes(),
    };
    // A number in the URL Standard's forms: decimal, `0x` hex, `0` octal (`0x` alone is 0).
    let number = |part: &[u8]| -> Option<u64> {
        let (digits, radix): (&[u8], u64) = match part {
            [] => return None,
            [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
            [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
            _ => (part, 10),
        };
        digits.iter().try_fold(0u64, |n, &b| {
            let d = u64::from(match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => 99,
            });
            (d < radix).then(|| n.saturating_mul(radix).saturating_add(d))
        })
    };
    let last = name.get(name.iter().rposition(|b| *b == b'.').map_or(0, |i| i + 1)..).unwrap_or_default();
    if last.is_empty() || !(last.iter().all(u8::is_ascii_digit) || number(last).is_some()) {
        return Ok(None);
    }
    let parts = name.iter().filter(|b| **b == b'.').count() + 1;
    if parts > 4 {
        return Err(());
    }
    let mut address = 0u64;
    for (i, part) in name.split(|b| *b == b'.').enumerate() {
        let n = number(part).ok_or(())?;
        // (The last part fills the bytes the others left.)
        let (room, shift) = if i + 1 == parts { (5 - parts, 0) } else { (1, 8 * (3 - i)) };
        if n >= 1u64 << (8 * room) {
            return Err(());
        }
        address += n << shift;
    }
    let mut out = String::new();
    for shift in [24, 16, 8, 0] {
        if shift != 24 {
            out.push('.');
        }
        text::push_dec(&mut out, (address >> shift) & 255);
    }
    Ok(Some(out))
}

/// The normalized `htm` and `htu` of a resource request (msal's `dpop_missing_resource_context`
/// when either is missing).
pub fn resource_target(method: &str, uri: &str) -> Result<(String, String), AuthError> {
    if method.trim().is_empty() || uri.trim().is_empty() {
        return Err(config_error(
            codes::DPOP_MISSING_RESOURCE_CONTEXT,
            "a DPoP request names its resourceRequestMethod and resourceRequestUri",
        ));
    }
    Ok((normalize_htm(method)?, normalize_htu(uri)?))
}

/// What a proof asserts. `Debug` shows whether it goes with an access token, not the token.
#[derive(Clone, Copy)]
pub struct ProofClaims<'a> {
    /// `htm`, normalized.
    pub htm: &'a str,
    /// `htu`, normalized.
    pub htu: &'a str,
    /// `iat`, seconds.
    pub iat: u64,
    /// `jti`: fresh for every proof.
    pub jti: &'a str,
    /// The server's `DPoP-Nonce`, if it asked for one.
    pub nonce: Option<&'a str>,
    /// The access token the proof goes with (a resource request): its hash is `ath`.
    pub access_token: Option<&'a str>,
}

impl ::core::fmt::Debug for ProofClaims<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ProofClaims")
            .field("htm", &self.htm)
            .field("htu", &self.htu)
            .field("iat", &self.iat)
            .field("jti", &self.jti)
            .field("nonce", &self.nonce)
            .field("access_token", &self.access_token.map(crate::secret::shown))
            .finish()
    }
}

/// The signing input of a proof (`base64url(header).base64url(claims)`): ES256 with the public
/// key in the header.
pub fn signing_input(jwk: &PublicJwk, c: &ProofClaims<'_>) -> String {
    let header = Json::object().with("typ", "dpop+jwt").with("alg", "ES256").with("jwk", jwk.to_json());
    let mut claims = Json::object().with("jti", c.jti).with("htm", c.htm).with("htu", c.htu).with("iat", c.iat);
    if let Some(n) = c.nonce {
        claims.set("nonce", Json::from(n));
    }
    if let Some(at) = c.access_token {
        claims.set("ath", Json::from(encode_url(&sha256(at.as_bytes())).as_str()));
    }
    let mut out = encode_url(header.to_json().as_bytes());
    out.push('.');
    out.push_str(&encode_url(claims.to_json().as_bytes()));
    out
}

/// The compact JWS: the signing input and the signature (ES256: the raw 64-byte `r || s`;
/// RS256: 256 bytes for a 2048-bit key).
pub fn proof(signing_input: &str, signature: &[u8]) -> Result<String, AuthError> {
    if signature.len() != 64 && signature.len() < 256 {
        return Err(AuthError::client(codes::UNEXPECTED_ERROR, "the binding key gave a signature of the wrong size"));
    }
    Ok([signing_input, ".", &encode_url(signature)].concat())
}

/// What a signed HTTP request (msal's `pop` scheme) asserts about the call it goes with.
#[derive(Clone, Copy)]
pub struct ShrClaims<'a> {
    /// The access token it wraps (`at`).
    pub access_token: &'a str,
    /// `ts`, seconds.
    pub ts: u64,
    /// The request's method (`m`), upper-cased; empty: none.
    pub method: &'a str,
    /// The request's URL (gives `u`, `p`, `q`); empty: none.
    pub url: &'a str,
    /// `nonce` (msal: the request's `shrNonce`, else a new GUID).
    pub nonce: &'a str,
    /// `client_claims` (the request's `shrClaims`); empty: none.
    pub client_claims: &'a str,
    /// The header's `typ` (the request's `shrOptions.header.typ`); empty: msal's `pop`.
    pub typ: &'a str,
}

/// The signing input of a signed HTTP request (msal's `PopTokenGenerator`): RS256 with the key
/// id as msal encodes it (`kid: base64url({"kid": thumbprint})`) and the public key in `cnf`.
pub fn shr_signing_input(kid: &str, jwk: &PublicJwk, c: &ShrClaims<'_>) -> String {
    let encoded_kid = encode_url(Json::object().with("kid", kid).to_json().as_bytes());
    let typ = if c.typ.is_empty() { "pop" } else { c.typ };
    let header = Json::object().with("typ", typ).with("alg", "RS256").with("kid", encoded_kid.as_str());
    let mut claims = Json::object().with("at", c.access_token).with("ts", c.ts);
    if !c.method.is_empty() {
        claims.set("m", Json::from(c.method.to_ascii_uppercase().as_str()));
    }
    if let Some((_, rest)) = text::split_once(c.url, "://") {
        let end = rest.find('#').unwrap_or(rest.len());
        let rest = rest.get(..end).unwrap_or_default();
        let (before, query) = rest.split_once('?').unwrap_or((rest, ""));
        let slash = before.find('/').unwrap_or(before.len());
        claims.set("u", Json::from(before.get(..slash).unwrap_or_default()));
        claims.set("p", Json::from(before.get(slash..).unwrap_or_default()));
        if !query.is_empty() {
            claims.set("q", Json::Arr(Vec::from([Json::Arr(Vec::new()), Json::from(query)])));
        }
    }
    claims.set("nonce", Json::from(c.nonce));
    if !c.client_claims.is_empty() {
        claims.set("client_claims", Json::from(c.client_claims));
    }
    claims.set("cnf", Json::object().with("jwk", jwk.to_json()));
    [&encode_url(header.to_json().as_bytes()), ".", &encode_url(claims.to_json().as_bytes())].concat()
}

/// The `req_cnf` of a PoP token request: `base64url({"kid": thumbprint, "xms_ksl": "sw"})`.
pub fn req_cnf(kid: &str) -> String {
    encode_url(Json::object().with("kid", kid).with("xms_ksl", "sw").to_json().as_bytes())
}

/// The `cnf.kid` of a PoP access token (a JWT), which must be the request's key.
pub fn access_token_kid(access_token: &str) -> Option<String> {
    let payload = access_token.split('.').nth(1)?;
    let json = Json::parse(core::str::from_utf8(&super::base64::decode(payload)?).ok()?).ok()?;
    json.get("cnf")?.str_field("kid").map(str::to_owned)
}

/// The server's nonce challenge: a 400/401 whose error is `use_dpop_nonce`, with the nonce in
/// the `DPoP-Nonce` header. `Some(nonce)` then, to retry once with it.
pub fn nonce_challenge(resp: &super::http::HttpResponse) -> Option<&str> {
    if resp.status != 400 && resp.status != 401 {
        return None;
    }
    let nonce = resp.header("dpop-nonce").filter(|n| !n.trim().is_empty())?;
    let asked = Json::parse(&resp.body).ok().is_some_and(|j| j.str_field("error") == Some("use_dpop_nonce"))
        || resp.header("www-authenticate").is_some_and(|w| text::contains(w, "use_dpop_nonce"));
    asked.then_some(nonce)
}

#[cfg(test)]
mod tests;
