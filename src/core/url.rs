//! URL pieces: percent-encoding, query strings, and splitting an absolute URL.
//! The authorize and logout URLs are built in [`super::authorize`].

use crate::prelude::*;

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                out.push(char::from(b))
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as a space, like `URLSearchParams`). Invalid escapes are kept
/// literally; invalid UTF-8 is replaced.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    super::text::utf8_lossy(&out)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// msal's form of a page address for telling whether two are the same page
/// (`normalizeUrlForComparison`): without its fragment or an empty `?`, the origin as
/// [`origin_of`] reads it (lower-cased, no default port), the path percent-decoded and ending
/// in `/`.
pub fn comparable(url: &str) -> String {
    let url = super::text::until(url, b"#");
    let (base, query) = super::text::split_once(url, "?").unwrap_or((url, ""));
    let path_at = super::text::find(base, "://").map_or(0, |i| i + 3);
    let path_at = base.get(path_at..).and_then(|rest| super::text::find(rest, "/")).map_or(base.len(), |j| path_at + j);
    let (origin, path) = base.split_at_checked(path_at).unwrap_or((base, ""));
    // decodeURIComponent: `+` stays itself.
    let mut path = decode(&super::text::replace(path, "+", "%2B"));
    if !path.ends_with('/') {
        path.push('/');
    }
    let q = if query.is_empty() { "" } else { "?" };
    let origin = origin_of(origin).unwrap_or_else(|| origin.to_ascii_lowercase());
    [&origin, path.as_str(), q, query].concat()
}

/// Parses `a=1&b=2` (a leading `?` or `#` is skipped) into decoded pairs.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    let q = q.strip_prefix('?').or_else(|| q.strip_prefix('#')).unwrap_or(q);
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Builds `k=v&k2=v2` with both sides percent-encoded.
pub fn build_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

/// Appends a query string to a URL that may already have one.
pub fn append_query(url: &str, query: &str) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { "&" } else { "?" };
    [url, sep, query].concat()
}

/// The page address without query and fragment (msal's `getCurrentUri`): the default redirect
/// URI, and the base relative redirect URIs resolve against.
pub fn without_query(href: &str) -> &str {
    super::text::until(href, b"?#")
}

/// The part of a page address that holds an authorize response: `(hash, query)`, each
/// `Some` when it looks like one (it has `code`, `error` or `state`).
pub fn response_parts(href: &str) -> (Option<&str>, Option<&str>) {
    let (before_hash, hash) = match href.split_once('#') {
        Some((b, h)) => (b, Some(h)),
        None => (href, None),
    };
    let query = before_hash.split_once('?').map(|(_, q)| q);
    let holds = |s: &&str| crate::core::authorize::AuthorizeResponse::looks_like_response(s);
    // As msal, which reads `location.hash` and `location.search` with their `#` and `?` and
    // strips one of them (and the `/` of `#/`): `#?state=…`, `##…` and `?/…` are no response.
    let first = |s: &&str| s.as_bytes().first().copied();
    let hash = hash.filter(|h| !matches!(first(h), Some(b'?' | b'#')));
    let query = query.filter(|q| !matches!(first(q), Some(b'?' | b'/')));
    (hash.filter(holds), query.filter(holds))
}

/// The page address without the authorize response: the hash and the query each go when
/// they hold it, and stay otherwise (msal's `clearAuthResponseFromUrl`).
pub fn without_response(href: &str) -> String {
    let (hash, query) = response_parts(href);
    let (before_hash, fragment) = match href.split_once('#') {
        Some((b, h)) => (b, Some(h)),
        None => (href, None),
    };
    let (base, search) = match before_hash.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_hash, None),
    };
    let mut out = base.to_owned();
    if let Some(q) = search.filter(|_| query.is_none()) {
        out.push('?');
        out.push_str(q);
    }
    if let Some(h) = fragment.filter(|_| hash.is_none()) {
        out.push('#');
        out.push_str(h);
    }
    out
}

/// msal's `getAbsoluteUrl`: a `url` that starts with `/` is made absolute on `current`'s origin
/// (scheme and host of an absolute http(s) `current`); any other `url` is returned as is.
pub fn absolute_url(url: &str, current: &str) -> String {
    if !url.starts_with('/') {
        return url.to_owned();
    }
    let Some((scheme, rest)) = super::text::split_once(current, "://") else { return url.to_owned() };
    let host = super::text::until(rest, b"/?#");
    if host.is_empty() || !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return url.to_owned();
    }
    let mut out = String::with_capacity(scheme.len() + 3 + host.len() + url.len());
    for part in [scheme, "://", host, url] {
        out.push_str(part);
    }
    out
}

/// The scheme and authority of an absolute URL with `://` (`file:///`'s authority is empty);
/// `None` for anything else (`javascript:`, `data:`, a relative URL) and for user info, a
/// backslash, whitespace or control characters before the path.
fn scheme_authority(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = super::text::split_once(url, "://")?;
    let authority = super::text::until(rest, b"/?#");
    let bad = |c: char| c == '@' || c == '\\' || c.is_whitespace() || c.is_control();
    (!authority.chars().any(bad)).then_some((scheme, authority))
}

/// The origin (`scheme://host[:port]`, lower-cased, without the scheme's default port, as a
/// browser's `URL.origin`) of an absolute `http(s)` URL; `None` for anything else — another
/// scheme (`javascript:`, `data:`), a relative URL, user info, a backslash, whitespace or
/// control characters before the path.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, authority) = scheme_authority(url)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let authority = authority.to_ascii_lowercase();
    let host = authority.strip_suffix(default_port).unwrap_or(&authority);
    (!host.is_empty()).then(|| [scheme.as_str(), "://", host].concat())
}

/// True when `url` is an absolute `http(s)` URL on `page`'s origin (any such URL when there is
/// no page): where a redirect may send the browser back to.
pub fn on_page_origin(url: &str, page: &str) -> bool {
    match (origin_of(url), page.is_empty()) {
        (Some(_), true) => true,
        (Some(o), false) => origin_of(page).is_some_and(|p| p == o),
        (None, _) => false,
    }
}

/// True when `url` is a page of `page`'s origin, where a redirect started and returns: an
/// http(s) page's origin as [`on_page_origin`]; for a page of another scheme with `://` (a
/// browser extension's `chrome-extension://id/`, a hybrid app's `capacitor://localhost/`, an
/// Electron `file:///` page), the same scheme and authority (`javascript:` and `data:` URLs
/// have none).
pub fn on_start_origin(url: &str, page: &str) -> bool {
    if page.is_empty() || origin_of(page).is_some() {
        return on_page_origin(url, page);
    }
    // (A `javascript:...//x://` URL's "scheme" is no page's.)
    match (scheme_authority(url), scheme_authority(page)) {
        (Some((s, a)), Some((ps, pa))) => s.eq_ignore_ascii_case(ps) && a.eq_ignore_ascii_case(pa),
        _ => false,
    }
}

/// An absolute http(s) URL split into its parts (no normalisation beyond lower-casing scheme and
/// host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// `http` or `https`.
    pub scheme: String,
    /// Host with port, lower-cased (`login.microsoftonline.com`, `127.0.0.1:8443`).
    pub host: String,
    /// Path segments without empty ones.
    pub segments: Vec<String>,
}

impl UrlParts {
    /// Splits `url`; `None` if it is not an absolute http(s) URL with a host, or if it carries
    /// user info, a query or a fragment.
    pub fn parse(url: &str) -> Option<UrlParts> {
        let (scheme, rest) = super::text::split_once(url, "://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return None;
        }
        if rest.bytes().any(|b| matches!(b, b'?' | b'#' | b'@' | b'\\')) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (host, path) = match rest.find('/') {
            Some(i) => rest.split_at_checked(i).unwrap_or((rest, "")),
            None => (rest, ""),
        };
        if host.is_empty() {
            return None;
        }
        let segments = path.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        Some(UrlParts { scheme, host: host.to_ascii_lowercase(), segments })
    }

    /// `scheme://host/`.
    pub fn origin(&self) -> String {
        [self.scheme.as_str(), "://", &self.host].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn origins_as_the_browser_reads_them() {
        assert_eq!(origin_of("https://App.Example:443/x").as_deref(), Some("https://app.example"));
        assert_eq!(origin_of("http://app.example:80").as_deref(), Some("http://app.example"));
        assert_eq!(origin_of("https://app.example:8443/").as_deref(), Some("https://app.example:8443"));
        assert_eq!(origin_of("http://app.example:443/").as_deref(), Some("http://app.example:443"));
        assert_eq!(origin_of("https://[::1]:443/").as_deref(), Some("https://[::1]"));
        assert_eq!(origin_of("https://:443/"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }

    #[test]
    fn comparable_pages_as_msal_compares_them() {
        let same = |a: &str, b: &str| comparable(a) == comparable(b);
        assert!(same("https://app.example/#/dashboard", "https://app.example/"));
        assert!(same("https://App.Example:443/home", "https://app.example/home/"));
        assert!(!same("https://app.example:8443/home", "https://app.example/home"));
        assert!(same("https://app.example/path#x", "https://app.example/path/"));
        assert!(same("https://app.example/a%20b?", "https://app.example/a b/"));
        assert!(same("HTTPS://App.Example/x?q=1#f", "https://app.example/x/?q=1"));
        assert!(same("https://app.example", "https://app.example/"));
        assert!(!same("https://app.example/x?q=1", "https://app.example/x?q=2"));
        assert!(!same("https://app.example/a+b", "https://app.example/a b"));
        assert!(!same("https://app.example/x", "https://app.example/y"));
    }

    #[test]
    fn encode_like_encode_uri_component() {
        assert_eq!(encode("a b&c=d/é~*'()!"), "a%20b%26c%3Dd%2F%C3%A9~*'()!");
        assert_eq!(decode("a%20b%26c%3Dd%2F%C3%A9+x"), "a b&c=d/é x");
    }

    #[test]
    fn decode_tolerates_garbage() {
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz1"), "%zz1");
        assert_eq!(decode("%ff"), "\u{fffd}");
        assert_eq!(decode("a%41"), "aA");
    }

    #[test]
    fn query_round_trip() {
        let q = build_query([("scope", "openid profile"), ("x", "=&?")]);
        assert_eq!(q, "scope=openid%20profile&x=%3D%26%3F");
        assert_eq!(
            parse_query(&format!("#{q}&flag")),
            vec![("scope".into(), "openid profile".into()), ("x".into(), "=&?".into()), ("flag".into(), String::new())]
        );
    }

    #[test]
    fn redirect_uris_resolve_as_msal_does() {
        assert_eq!(without_query("https://app.example/route/x?a=1#b"), "https://app.example/route/x");
        assert_eq!(without_query("https://app.example/#?x"), "https://app.example/");
        assert_eq!(without_query(""), "");
        let page = without_query("http://127.0.0.1:8080/spa/page?x=1");
        assert_eq!(absolute_url("/redirect.html", page), "http://127.0.0.1:8080/redirect.html");
        assert_eq!(absolute_url("/", "https://app.example"), "https://app.example/");
        assert_eq!(absolute_url("https://other.example/cb", page), "https://other.example/cb");
        assert_eq!(absolute_url("relative.html", page), "relative.html");
        // No page (native) or no usable page: left as given.
        assert_eq!(absolute_url("/cb", ""), "/cb");
        assert_eq!(absolute_url("/cb", "about:blank"), "/cb");
    }

    #[test]
    fn the_response_is_found_and_removed_where_it_is() {
        let page = "https://app.example/cb?keep=1#code=c&state=s";
        assert_eq!(response_parts(page), (Some("code=c&state=s"), None));
        assert_eq!(without_response(page), "https://app.example/cb?keep=1");
        let query = "https://app.example/cb?code=c&state=s#/route";
        assert_eq!(response_parts(query), (None, Some("code=c&state=s")));
        // msal's first-name check after one `#` or `?` (or `#/`): an app's `#?…` or `?/…` is
        // no response, and stays in the address.
        for page in [
            "https://app.example/shop#?state=CA",
            "https://app.example/#?code=PROMO10&tab=2",
            "https://app.example/?/x&state=s",
            "https://app.example/##state=s",
        ] {
            assert_eq!(response_parts(page), (None, None), "{page}");
            assert_eq!(without_response(page), page);
        }
        assert_eq!(response_parts("https://app.example/#/code=c&state=s"), (Some("/code=c&state=s"), None));
        assert_eq!(without_response(query), "https://app.example/cb#/route");
        assert_eq!(without_response("https://app.example/?a=1#/x"), "https://app.example/?a=1#/x");
        assert_eq!(without_response("https://app.example/#error=login_required&state=s"), "https://app.example/");
    }

    #[test]
    fn url_parts() {
        let u = UrlParts::parse("HTTPS://Login.Microsoftonline.com/Contoso.onmicrosoft.com//v2.0/").unwrap();
        assert_eq!(u.host, "login.microsoftonline.com");
        assert_eq!(u.segments, vec!["Contoso.onmicrosoft.com", "v2.0"]);
        assert_eq!(u.origin(), "https://login.microsoftonline.com");
        for bad in ["", "login.microsoftonline.com/common", "ftp://x/y", "https:///x", "https://a/b?c", "https://u@h/", "https://h/a b"] {
            assert!(UrlParts::parse(bad).is_none(), "{bad}");
        }
    }
}
