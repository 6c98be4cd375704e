#!/usr/bin/env bash
# Every test: native Rust, wasm32 in headless Chromium, the OpenID provider, end-to-end in
# Chromium against the provider, the headless demo, and interop with msal-node / MSAL Python.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROMEDRIVER=/usr/bin/chromedriver
step() { printf '\n=== %s\n' "$*"; }

step "native: cargo test"
cargo test --quiet

step "docs: cargo doc with warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet && echo "ok"

step "wasm32 builds without native imports (no import \"env\")"
cargo build --release --target wasm32-unknown-unknown --lib --features small-alloc --quiet
if node scripts/wasm-imports.mjs target/wasm32-unknown-unknown/release/msal_wasm.wasm | grep -q '^env\.'; then
  echo "the wasm imports from \"env\": native-only code leaked into the wasm build"; exit 1
fi
echo "ok"

step "wasm32: cargo test --target wasm32-unknown-unknown (headless Chromium)"
cargo test --target wasm32-unknown-unknown

step "wasm-pack test --headless --chrome (offline: no-install mode, npm's wasm-opt first on PATH)"
PATH="$PWD/node_modules/.bin:$PATH" wasm-pack test --headless --chrome --mode no-install --chromedriver /usr/bin/chromedriver

step "Yew and Leptos: example apps build for wasm32; hook tests in headless Chromium against the provider"
cargo build --quiet --target wasm32-unknown-unknown --features yew --example yew_app
cargo build --quiet --target wasm32-unknown-unknown --features leptos --example leptos_app
# The test page must be an origin the provider accepts: the runner serves it on this address.
for fw in yew leptos; do
  node scripts/with-idp.mjs --spa-origin http://127.0.0.1:8799 -- \
    env WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:8799 cargo test --target wasm32-unknown-unknown --features "$fw" --test "hooks_$fw"
done

step "TypeScript: tsc --strict over tests/ts against the package's declarations"
node_modules/.bin/tsc -p tests/ts/tsconfig.json && echo "ok"

step "OpenID provider smoke test"
timeout 300 node --test tests/idp/

step "Vite 7 example build"
node_modules/.bin/vite build --config examples/vite/vite.config.js --logLevel warn && echo "ok"

step "end-to-end (headless Chromium, built package, local provider)"
timeout 900 node --test --test-concurrency=1 tests/e2e/

step "headless demo"
# One unexplained hang was seen once; the watchdog ends it, and one retry keeps it from
# blocking a run (the flows themselves are covered by the e2e tests above).
timeout 180 node scripts/demo.mjs --headless || { echo "headless demo failed; retrying once"; timeout 180 node scripts/demo.mjs --headless; }

if [ -x tests/interop/run.sh ]; then
  step "cache interop with msal-node and MSAL Python"
  tests/interop/run.sh
fi
