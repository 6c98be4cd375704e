//! Differential tests: our JSON parser against `serde_json` (what `JSON.parse` rejects, we
//! reject; what it accepts, we read the same), our SHA-256 against `sha2`, our base64 against
//! the `base64` crate — on many generated inputs from a fixed seed.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine;
use msal_wasm::core::json::{Json, MAX_DEPTH};

/// xorshift64*: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A random JSON document (valid), `depth` levels at most.
fn document(rng: &mut Rng, depth: usize) -> String {
    let scalars = [
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-12",
        "3.25",
        "1e5",
        "-2.5E-3",
        "1e400",
        "123456789012345678901234567890",
        "0.0",
        r#""""#,
        r#""a""#,
        r#""\u00e9\n\t\"\\\/""#,
        r#""é😀""#,
        r#""\ud83d\ude00""#,
        r#""__proto__""#,
    ];
    match (depth, rng.below(4)) {
        (0, _) | (_, 0) => rng.pick(&scalars).to_owned(),
        (_, 1) => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n).map(|_| document(rng, depth - 1)).collect();
            format!("[{}]", items.join(rng.pick(&[",", " , ", ",\n"])))
        }
        _ => {
            let n = rng.below(4);
            let keys = [r#""a""#, r#""b""#, r#""__proto__""#, r#""a""#, r#""\u0041""#, r#""""#];
            let items: Vec<String> = (0..n).map(|_| format!("{}:{}", rng.pick(&keys), document(rng, depth - 1))).collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

/// `doc` with a few random edits from JSON's own alphabet (mostly invalid afterwards).
fn mutate(rng: &mut Rng, doc: &str) -> String {
    let alphabet = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "-", "+", ".", "e", "0", "1", "9", " ", "\n", "\t", "\u{0}", "\u{1f}", "n", "t", "u",
        "x", "\\u", "\\ud800", "'", "NaN", "Infinity", "/*", "é", "\u{feff}",
    ];
    let mut chars: Vec<String> = doc.chars().map(String::from).collect();
    for _ in 0..=rng.below(3) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => chars[at] = rng.pick(&alphabet).to_owned(),
            _ => chars.insert(at, rng.pick(&alphabet).to_owned()),
        }
    }
    chars.concat()
}

fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        // serde_json writes exponents its own way (`1e400` as `1e+400`): compare the values.
        (Json::Num(a), Value::Number(b)) => *a == b.to_string() || a.parse::<f64>().ok() == b.to_string().parse::<f64>().ok(),
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Obj(a), Value::Object(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w))),
        _ => false,
    }
}

fn depth_of(text: &str) -> usize {
    let (mut d, mut max) = (0usize, 0usize);
    for c in text.bytes() {
        match c {
            b'[' | b'{' => {
                d += 1;
                max = max.max(d);
            }
            b']' | b'}' => d = d.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[test]
fn the_json_parser_accepts_and_rejects_what_serde_json_does() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..40_000 {
        let doc = document(&mut rng, 5);
        let input = if i % 4 == 0 { doc } else { mutate(&mut rng, &doc) };
        let theirs = serde_json::from_str::<serde_json::Value>(&input);
        let ours = Json::parse(&input);
        match (&ours, &theirs) {
            (Ok(o), Ok(t)) => {
                assert!(same(o, t), "read differently: {input:?}");
                accepted += 1;
            }
            (Err(_), Err(_)) => rejected += 1,
            // serde_json refuses a lone UTF-16 surrogate escape, which JSON.parse takes (ours:
            // U+FFFD, as such a JS string reaches Rust).
            // (serde_json's two messages for a surrogate escape it refuses.)
            (Ok(_), Err(e)) => {
                let e = e.to_string();
                assert!(e.contains("surrogate") || e.contains("end of hex escape"), "we accept what JSON.parse rejects: {input:?} ({e})")
            }
            // Stricter on purpose: nesting is limited to MAX_DEPTH (serde_json: 128).
            (Err(_), Ok(_)) => assert!(depth_of(&input) > MAX_DEPTH, "we reject valid JSON: {input:?}"),
        }
    }
    assert!(accepted > 10_000 && rejected > 10_000, "the generator covers both sides: {accepted} accepted, {rejected} rejected");
}

#[test]
fn sha256_matches_sha2() {
    use sha2::Digest;
    let mut rng = Rng(7);
    for len in (0..300).chain([1000, 4096, 65_537]) {
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let theirs: [u8; 32] = sha2::Sha256::digest(&data).into();
        assert_eq!(msal_wasm::core::sha256::sha256(&data), theirs, "length {len}");
    }
}

#[test]
fn base64_matches_the_base64_crate() {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD};
    use base64::engine::DecodePaddingMode;
    let lenient =
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true).with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let std_lenient = GeneralPurpose::new(&base64::alphabet::STANDARD, lenient);
    let url_lenient = GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient);
    let mut rng = Rng(11);
    for len in 0..400 {
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        assert_eq!(msal_wasm::core::base64::encode_url(&data), URL_SAFE_NO_PAD.encode(&data));
        assert_eq!(msal_wasm::core::base64::encode_std(&data), STANDARD.encode(&data));
    }
    // Decoding random strings of each alphabet (no padding): both accept and reject alike.
    for (alphabet, engine) in [("ABCXYZabcxyz0189+/", &std_lenient), ("ABCXYZabcxyz0189-_", &url_lenient)] {
        let chars: Vec<char> = alphabet.chars().chain(['$', '=', ' ']).collect();
        for _ in 0..20_000 {
            let s: String = (0..rng.below(12)).map(|_| chars[rng.below(chars.len())]).collect();
            let ours = msal_wasm::core::base64::decode(&s);
            let theirs = engine.decode(&s).ok();
            // We take any run of trailing '=' (msal's decoder does too); the crate wants the right count.
            if s.contains('=') && ours.is_some() && theirs.is_none() && s.trim_end_matches('=').chars().all(|c| c != '=') {
                continue;
            }
            assert_eq!(ours, theirs, "{s:?}");
        }
    }
}
