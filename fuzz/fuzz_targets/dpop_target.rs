//! Fuzz target `dpop_target`: the body is `msal_wasm_fuzz::dpop_target` (src/lib.rs), which the
//! seed replay test runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msal_wasm_fuzz::dpop_target(data);
});
