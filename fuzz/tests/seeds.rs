//! Replays every seed in `seeds/<target>/` through its target, as an ordinary test: the
//! invariants hold, and each seed reaches the path it was written for (`accepted` says whether
//! the target's main parser took it; the table below is what each seed was written to test).

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8]) -> bool, expected: &[(&str, bool)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    let mut seen = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("seed entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("seed name").to_owned();
        let data = fs::read(&path).expect("seed file");
        let accepted = run(&data);
        match expected.iter().find(|(n, _)| *n == name) {
            Some((_, want)) => assert_eq!(accepted, *want, "{target}/{name}: accepted = {accepted}"),
            None => panic!("{target}/{name}: a seed without an expectation in tests/seeds.rs"),
        }
        seen.push(name);
    }
    for (name, _) in expected {
        assert!(seen.iter().any(|s| s == name), "{target}/{name}: seed missing");
    }
}

#[test]
fn authorize_response_seeds() {
    replay("authorize_response", msal_wasm_fuzz::authorize_response, &[("ok", true), ("error", true), ("state", true)]);
}

#[test]
fn token_response_seeds() {
    replay("token_response", msal_wasm_fuzz::token_response, &[("ok", true), ("error", false), ("device", true), ("pending", false), ("oidc-only", true)]);
}

#[test]
fn id_token_seeds() {
    replay("id_token", msal_wasm_fuzz::id_token, &[("ok", true)]);
}

#[test]
fn cache_seeds() {
    replay("cache", msal_wasm_fuzz::cache, &[("v5", true), ("v3", true), ("unified", true)]);
}

#[test]
fn client_assertion_seeds() {
    replay(
        "client_assertion",
        msal_wasm_fuzz::client_assertion,
        &[("rs256", true), ("ps256_end_of_time", true), ("cert_only", false), ("ec_key", false), ("junk_base64", false)],
    );
}

#[test]
fn wire_seeds() {
    replay("wire", msal_wasm_fuzz::wire, &[("popup", true), ("oidc", true), ("no_auth", false)]);
}

#[test]
fn announcement_seeds() {
    replay(
        "announcement",
        msal_wasm_fuzz::announcement,
        &[("tokens", true), ("signin", true), ("signout", true), ("signout_all", true), ("active", true), ("other_client", false)],
    );
}

#[test]
fn storage_seeds() {
    replay("storage", msal_wasm_fuzz::storage, &[("redirect", true), ("cache_only", false), ("corrupt", false)]);
}

#[test]
fn server_seeds() {
    replay(
        "server",
        msal_wasm_fuzz::server,
        &[("ok", true), ("body_only", true), ("throttled", false), ("invalid_grant", false), ("html", false), ("dpop_nonce", false)],
    );
}

#[test]
fn dpop_target_seeds() {
    replay("dpop_target", msal_wasm_fuzz::dpop_target, &[("ok", true), ("loopback", true), ("port", false), ("plain_http", false)]);
}

/// Inputs that must be rejected without a panic, whatever the seeds hold.
#[test]
fn empty_and_junk_inputs_are_rejected() {
    for data in [&b""[..], b"\0", b"\xff\xfe", b"{", b"[]", b"#state=", b"a.b.c"] {
        assert!(!msal_wasm_fuzz::token_response(data));
        let _ = msal_wasm_fuzz::authorize_response(data);
        assert!(!msal_wasm_fuzz::id_token(data));
        assert!(!msal_wasm_fuzz::cache(data));
        assert!(!msal_wasm_fuzz::client_assertion(data));
        assert!(!msal_wasm_fuzz::wire(data));
        assert!(!msal_wasm_fuzz::announcement(data));
        assert!(!msal_wasm_fuzz::storage(data));
        assert!(!msal_wasm_fuzz::server(data));
        assert!(!msal_wasm_fuzz::dpop_target(data));
    }
}
