//! ID-token decoding (`IdTokenClaims::decode`) and everything built from the claims: nonce and
//! lifetime checks, `client_info` decoding and the account record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msal_wasm::core::account::{authority_type, Account, ClientInfo};
use msal_wasm::core::id_token::{IdTokenChecks, IdTokenClaims};
use msal_wasm::secret::Nonce;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Optionally split off a client_info part after a NUL.
    let (jwt, ci) = text.split_once('\0').unwrap_or((&text, ""));
    let ci_parsed = ClientInfo::decode(ci);
    if let Some(c) = &ci_parsed {
        assert!(!c.uid.is_empty() && !c.utid.is_empty());
    }
    let claims = IdTokenClaims::decode(jwt);
    if let Ok(c) = &claims {
        let _ = (c.sub(), c.oid(), c.tid(), c.iss(), c.name(), c.sid(), c.login_hint(), c.exp(), c.nbf(), c.username());
        let _ = c.has_audience("client");
        let _ = c.check_nonce(None);
        let _ = c.check_nonce(Some(&Nonce::new("n")));
        let checks = IdTokenChecks { issuer: Some("https://i"), audience: Some("client"), lifetime_skew: Some(300) };
        for now in [0, 1_700_000_000, u64::MAX] {
            let _ = c.validate(&checks, now);
        }
        let _ = format!("{c:?}");
    }
    for at in [authority_type::MSSTS, authority_type::ADFS, authority_type::GENERIC] {
        if let Some(a) = Account::from_response(ci, claims.as_ref().ok(), "login.microsoftonline.com", at, 1) {
            assert!(!a.home_account_id.is_empty());
            let _ = (a.home_tenant(), a.oid_anchor());
        }
    }
});
