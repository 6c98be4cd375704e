//! The back channel: `TokenResponse::parse` (status from the first byte, body from the rest),
//! server-error classification, the device authorization response and `device_poll`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msal_wasm::core::http::HttpResponse;
use msal_wasm::core::token::{device_poll, DeviceCodeInfo, TokenResponse};

const STATUSES: [u16; 8] = [200, 201, 400, 401, 429, 500, 503, 302];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let status = STATUSES[usize::from(sel) % STATUSES.len()];
    // Times near both ends of the range, to catch overflow.
    let now = match sel >> 6 {
        0 => 0,
        1 => 1_700_000_000,
        2 => u64::MAX / 2,
        _ => u64::MAX,
    };
    let body = String::from_utf8_lossy(rest).into_owned();
    let resp = HttpResponse::new(status, body);
    match TokenResponse::parse(&resp, now) {
        Ok(t) => {
            assert!(!t.access_token.secret().is_empty());
            assert!(t.expires_on >= now || t.expires_on == u64::MAX);
            assert!(!t.token_type.is_empty());
            let _ = format!("{t:?}");
        }
        Err(e) => {
            let _ = (e.kind(), e.code(), e.sub_error(), e.error_no(), e.status(), e.to_string(), format!("{e:?}"));
            assert!(e.code().chars().count() <= 128);
        }
    }
    let _ = DeviceCodeInfo::parse(&resp).map(|i| assert!((1..=60).contains(&i.interval)));
    let _ = device_poll(&resp, now);
});
