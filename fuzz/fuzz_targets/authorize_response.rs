//! The redirect / authorize response parser: `AuthorizeResponse::parse` (fragment or query),
//! the state check and error mapping of `into_code`, and `RequestState::parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msal_wasm::core::authorize::AuthorizeResponse;
use msal_wasm::core::pkce::RequestState;
use msal_wasm::core::url::{decode, parse_query};
use msal_wasm::secret::State;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let s: &str = &text;
    let _ = AuthorizeResponse::looks_like_response(s);
    let _ = parse_query(s);
    let _ = decode(s);
    // The whole input as a state string too.
    if let Ok(rs) = RequestState::parse(s) {
        // A parsed state re-encodes to something that parses back the same.
        let again = RequestState::parse(&rs.encode()).expect("re-encoded state parses");
        assert_eq!(again, rs);
    }
    if let Ok(r) = AuthorizeResponse::parse(s) {
        let _ = format!("{r:?}");
        let _ = RequestState::parse(&r.state);
        let state = State::new(r.state.clone());
        match r.clone().into_code(&state) {
            Ok((code, _client_info)) => assert!(!code.secret().is_empty()),
            Err(e) => {
                let _ = (e.kind(), e.code(), e.error_no(), e.to_string());
            }
        }
        // A different expected state is always a mismatch.
        let other = State::new(format!("{}x", r.state));
        let e = r.into_code(&other).expect_err("state mismatch");
        assert_eq!(e.code(), "state_mismatch");
    }
});
