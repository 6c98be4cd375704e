//! A small JSON value: parse, inspect, build and print.
//!
//! Objects keep their field order and numbers keep their source text, so a cache entry written
//! by another MSAL round-trips without losing or reformatting anything. Parsing is iterative in
//! spirit (bounded depth), linear in the input and never panics.

use crate::prelude::*;

/// Maximum nesting of arrays and objects accepted by [`Json::parse`].
pub const MAX_DEPTH: usize = 64;

/// A JSON value.
#[derive(Clone, PartialEq, Debug, Default)]
pub enum Json {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as its JSON text.
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, fields in source order (a later duplicate key replaces an earlier one).
    Obj(Vec<(String, Json)>),
}

/// Why a text is not JSON (byte offset where it went wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
}

impl Json {
    /// Parses decoded bytes as msal's `TextDecoder` + `JSON.parse` read them (a JWT's or
    /// client_info's payload): invalid UTF-8 (a provider's platform charset) is U+FFFD, a BOM
    /// is dropped.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Json, JsonError> {
        let text = crate::core::text::utf8_lossy(bytes);
        Json::parse(text.strip_prefix('\u{FEFF}').unwrap_or(&text))
    }

    /// Parses one JSON document (surrounding white space allowed).
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.i != p.s.len() {
            return Err(p.err());
        }
        Ok(v)
    }

    /// An empty object.
    pub fn object() -> Json {
        Json::Obj(Vec::new())
    }

    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value of field `key`, if it is a string.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// The string value of field `key` as an owned string, `""` when absent or not a string.
    pub fn string_or_empty(&self, key: &str) -> String {
        self.str_field(key).unwrap_or_default().to_owned()
    }

    /// This value as a string slice.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// This value as a non-negative integer: a JSON integer or a string of digits
    /// (servers send `expires_in` either way).
    pub fn as_u64(&self) -> Option<u64> {
        let t = match self {
            Json::Num(n) => n.as_str(),
            Json::Str(s) => s.trim(),
            _ => return None,
        };
        super::text::parse_u64(t)
    }

    /// This value as `i64` (integers only, from a number or a string).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Num(n) => super::text::parse_i64(n),
            Json::Str(s) => super::text::parse_i64(s.trim()),
            _ => None,
        }
    }

    /// The strings of an array (other items skipped; empty when this is not an array).
    pub fn strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for v in self.as_array().unwrap_or_default() {
            if let Some(s) = v.as_str() {
                out.push(s.to_owned());
            }
        }
        out
    }

    /// An array of these strings.
    pub fn str_array<S: AsRef<str>>(items: &[S]) -> Json {
        let mut out = Vec::with_capacity(items.len());
        for s in items {
            out.push(Json::Str(s.as_ref().to_owned()));
        }
        Json::Arr(out)
    }

    /// This value as a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// This value as an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// This value's fields, if it is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// Sets (replacing) field `key` on an object; does nothing on other values.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Obj(fields) = self {
            match fields.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key.to_owned(), value)),
            }
        }
    }

    /// Removes field `key` from an object, returning it.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Obj(fields) => {
                let i = fields.iter().position(|(k, _)| k == key)?;
                Some(fields.remove(i).1)
            }
            _ => None,
        }
    }

    /// Builder form of [`set`](Self::set).
    pub fn with(self, key: &str, value: impl Into<Json>) -> Json {
        self.with_json(key, value.into())
    }

    /// [`with`](Self::with) for a value that is already `Json` (not generic: one copy).
    fn with_json(mut self, key: &str, value: Json) -> Json {
        self.set(key, value);
        self
    }

    /// Builder that sets `key` only when `value` is non-empty.
    pub fn with_nonempty(self, key: &str, value: &str) -> Json {
        if value.is_empty() {
            self
        } else {
            self.with(key, value)
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(out, s),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::Str(s)
    }
}
impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}
impl From<u64> for Json {
    fn from(n: u64) -> Json {
        Json::Num(super::text::dec(n))
    }
}
impl From<Vec<Json>> for Json {
    fn from(a: Vec<Json>) -> Json {
        Json::Arr(a)
    }
}

/// Writes `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    loop {
        // Copy the run of printable ASCII that needs no escape in one go (a token is one).
        let plain = rest.bytes().position(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\').unwrap_or(rest.len());
        out.push_str(rest.get(..plain).unwrap_or_default());
        let mut chars = rest.get(plain..).unwrap_or_default().chars();
        let Some(c) = chars.next() else { break };
        rest = chars.as_str();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                super::text::push_hex4(out, c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Keeps the first position of each key with its last value, in O(n log n) (a hostile
/// object with many keys must not cost quadratic time). Objects without a repeated key, the
/// usual case (every cache entry at load), come back as they are.
fn dedup_last_wins(fields: Vec<(String, Json)>) -> Vec<(String, Json)> {
    // Positions grouped by key, each group in document order: sorted by (key, position), a
    // total order, so the small heapsort (`core::heapsort`) gives what a stable sort by key would.
    let mut order: Vec<usize> = (0..fields.len()).collect();
    super::heapsort(&mut order, |a, b| (fields[a].0.as_bytes(), a) < (fields[b].0.as_bytes(), b)); // allow-panic: indices < len
    if order.windows(2).all(|w| fields[w[0]].0 != fields[w[1]].0) {
        return fields;
    }
    // For each first occurrence: the position of its key's last occurrence.
    let mut last: Vec<Option<usize>> = vec![None; fields.len()];
    for group in order.chunk_by(|&a, &b| fields[a].0 == fields[b].0) {
        if let (Some(&first), Some(&end)) = (group.first(), group.last()) {
            last[first] = Some(end);
        }
    }
    // A later occurrence is always after its first one, so it is still in place when taken.
    let mut slots: Vec<Option<(String, Json)>> = fields.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for (i, from) in last.into_iter().enumerate() {
        let Some(from) = from else { continue };
        let Some((key, mut value)) = slots.get_mut(i).and_then(Option::take) else { continue };
        if from != i {
            if let Some((_, v)) = slots.get_mut(from).and_then(Option::take) {
                value = v;
            }
        }
        out.push((key, value));
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self) -> JsonError {
        JsonError { offset: self.i }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Result<(), JsonError> {
        if self.s.get(self.i..self.i + lit.len()) == Some(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err());
        }
        self.ws();
        match self.peek().ok_or_else(|| self.err())? {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(self.err()),
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err());
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    let v = self.value(depth + 1)?;
                    fields.push((key, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(dedup_last_wins(fields)));
                        }
                        _ => return Err(self.err()),
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err()),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err()),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err());
            }
        }
        let text = ::core::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err())?;
        Ok(Json::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err())?;
        // Four hex digits exactly (`from_str_radix` alone would take a sign: `\u+041`).
        if !h.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.err());
        }
        let v = h.iter().fold(0, |v, &d| (v << 4) | char::from(d).to_digit(16).unwrap_or(0));
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes in one go.
            let start = self.i;
            let rest = self.s.get(start..).unwrap_or_default();
            self.i += rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
            let run = ::core::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err())?;
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = self.peek().ok_or_else(|| self.err())?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            // A lone UTF-16 surrogate (JSON.parse takes it: a name cut inside an
                            // emoji by a provider's `.slice()`) is U+FFFD, as a JS string with one
                            // reaches Rust; the escape after it is read on its own.
                            let mut cp = if (0xD800..0xE000).contains(&hi) { 0xFFFD } else { hi };
                            if (0xD800..0xDC00).contains(&hi) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                                let at = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = at;
                                }
                            }
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.err()),
                    }
                }
                _ => return Err(self.err()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn round_trip_keeps_order_and_number_text() {
        let text = r#"{"b":1,"a":[true,false,null,"x\"y"],"n":1.50e+3,"e":{}}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.to_json(), text);
        assert_eq!(v.get("b").and_then(Json::as_u64), Some(1));
    }

    #[test]
    fn numbers_as_strings() {
        let v = Json::parse(r#"{"expires_in":"3599","ext":3600,"neg":-1,"f":1.5}"#).unwrap();
        assert_eq!(v.get("expires_in").and_then(Json::as_u64), Some(3599));
        assert_eq!(v.get("ext").and_then(Json::as_u64), Some(3600));
        assert_eq!(v.get("neg").and_then(Json::as_u64), None);
        assert_eq!(v.get("f").and_then(Json::as_u64), None);
    }

    #[test]
    fn unicode_escapes() {
        let v = Json::parse(r#""\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("é😀\n"));
        // A lone surrogate, as JSON.parse takes it (U+FFFD once it is a Rust string).
        assert_eq!(Json::parse(r#""\ud83d""#).unwrap().as_str(), Some("\u{FFFD}"));
        assert_eq!(Json::parse(r#""\udc00b""#).unwrap().as_str(), Some("\u{FFFD}b"));
        assert_eq!(Json::parse(r#""Zo\u00eb \ud83d\u0041""#).unwrap().as_str(), Some("Zoë \u{FFFD}A"));
        assert!(Json::parse(r#""\ud83d\u00g1""#).is_err());
        assert_eq!(Json::Str("\u{1}\u{2028}".into()).to_json(), r#""\u0001\u2028""#);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "{",
            "}",
            "[1,]",
            "{\"a\"}",
            "{\"a\":}",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "\"abc",
            "\"\u{1}\"",
            "{} x",
            "[1 2]",
            "{'a':1}",
            "\"\\x\"",
            "\"\\u12\"",
            "NaN",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(Json::parse(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Json::parse(&ok).is_ok());
    }

    #[test]
    fn many_keys_is_linear() {
        let body: Vec<String> = (0..200_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let v = Json::parse(&format!("{{{}}}", body.join(","))).unwrap();
        assert_eq!(v.as_object().map(|o| o.len()), Some(200_000));
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let v = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"a":2}"#);
        let v = Json::parse(r#"{"b":1,"a":2,"b":3,"c":4,"a":5,"b":6}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"b":6,"a":5,"c":4}"#);
    }
}
