//! Small string helpers that keep parts of core out of the wasm (issue 14).
//!
//! Substring search by bytes: `str::find`, `contains`, `split_once` and `replace` with a `&str`
//! pattern pull core's Two-Way searcher into the wasm; the needles here are short and the
//! haystacks bounded, so a plain scan does the same job. Numbers in decimal without
//! `core::fmt`: strings are built by concatenation (`[a, b].concat()`), never `format!`.

use crate::prelude::*;

/// The byte position of the first `needle` in `hay` (a char boundary of both).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// The start of `s` up to its first byte in `stops` (ASCII), or all of `s`: what
/// `s.split([..]).next()` gives, without a char-set searcher per array length.
pub fn until<'a>(s: &'a str, stops: &[u8]) -> &'a str {
    let end = s.bytes().position(|b| stops.contains(&b)).unwrap_or(s.len());
    s.get(..end).unwrap_or(s)
}

/// `hay` split around the first `needle`.
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

/// `hay` with its first `limit` occurrences of `from` replaced by `to`.
pub fn replacen(hay: &str, from: &str, to: &str, mut limit: usize) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while limit > 0 && !from.is_empty() {
        let Some((before, after)) = split_once(rest, from) else { break };
        out.push_str(before);
        out.push_str(to);
        rest = after;
        limit -= 1;
    }
    out.push_str(rest);
    out
}

/// `hay` with every occurrence of `from` replaced by `to`.
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    replacen(hay, from, to, usize::MAX)
}

/// `parts` joined with `sep` (`[String]::join` without its generic copy per slice type).
pub fn join(parts: &[String], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// `bytes` as UTF-8, each invalid sequence replaced by U+FFFD, as `String::from_utf8_lossy`
/// does (without its `Utf8Chunks` iterator in the wasm).
pub fn utf8_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match ::core::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(::core::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = after.get(e.error_len().unwrap_or(after.len())..).unwrap_or_default();
            }
        }
    }
}

/// `n` in decimal.
pub fn dec(n: u64) -> String {
    let mut out = String::new();
    push_dec(&mut out, n);
    out
}

/// Appends `n` in decimal.
pub fn push_dec(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8; // allow-panic: 20 digits hold u64::MAX
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// `s` as a `u64`, as `str::parse::<u64>` reads it (an optional `+`, then decimal digits
/// only; `None` when empty or out of range), without core's generic integer parser.
pub fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// `s` as an `i64`, as `str::parse::<i64>` reads it (an optional sign, then decimal digits).
pub fn parse_i64(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        Some(rest) if !rest.starts_with('+') => {
            let n = parse_u64(rest)?;
            if n == 1 << 63 {
                Some(i64::MIN)
            } else {
                i64::try_from(n).ok().map(|n| -n)
            }
        }
        Some(_) => None,
        None => parse_u64(s).and_then(|n| i64::try_from(n).ok()),
    }
}

/// Appends the low 16 bits of `n` as four lower-case hex digits.
pub fn push_hex4(out: &mut String, n: u32) {
    for shift in [12, 8, 4, 0] {
        let d = ((n >> shift) & 0xf) as u8;
        out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn matches_str_methods() {
        for (hay, needle) in
            [("", ""), ("abc", ""), ("https://x/y", "://"), ("aaa", "aa"), ("é://ü", "://"), ("abc", "abcd"), ("xcode=1&y", "code=")]
        {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            assert_eq!(split_once(hay, needle), hay.split_once(needle));
            assert_eq!(replace(hay, needle, "--"), if needle.is_empty() { hay.to_owned() } else { hay.replace(needle, "--") });
            assert_eq!(replacen(hay, "a", "b", 1), hay.replacen("a", "b", 1));
        }
        assert_eq!(replace("/{tenant}/{tenant}x", "{tenant}", "t"), "/t/tx");
    }

    #[test]
    fn integers_parse_as_std_parses_them() {
        for s in [
            "",
            "+",
            "-",
            "0",
            "+0",
            "-0",
            "42",
            "+42",
            "-42",
            "007",
            "1a",
            " 1",
            "1 ",
            "+-1",
            "-+1",
            "--1",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "１",
        ] {
            assert_eq!(parse_u64(s), s.parse::<u64>().ok(), "{s:?}");
            assert_eq!(parse_i64(s), s.parse::<i64>().ok(), "{s:?}");
        }
    }

    #[test]
    fn until_is_split_next() {
        for s in ["", "a", "https://h/p?q#f", "h?x", "#", "é/ü?x", "no-stop"] {
            assert_eq!(until(s, b"/?#"), s.split(['/', '?', '#']).next().unwrap_or_default());
            assert_eq!(until(s, b"?#"), s.split(['?', '#']).next().unwrap_or_default());
        }
    }

    #[test]
    fn lossy_utf8_as_std() {
        let cases: [&[u8]; 8] =
            [b"", b"abc", b"\xff", b"a\xffb", b"\xe2\x82", b"\xe2\x82x\xe2\x82\xac", b"\xf0\x9f\x98", b"ok\xc3\xa9\xc3"];
        for b in cases {
            assert_eq!(utf8_lossy(b), String::from_utf8_lossy(b), "{b:?}");
        }
    }

    #[test]
    fn decimal_and_hex() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(dec(n), n.to_string());
        }
        for n in [0u32, 0x1f, 0x2028, 0xffff] {
            let mut s = String::new();
            push_hex4(&mut s, n);
            assert_eq!(s, format!("{n:04x}"));
        }
    }
}
