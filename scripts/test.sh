#!/usr/bin/env bash
# Every test: formatting and lints, native Rust, the fuzz targets and their seeds, wasm32 in
# headless Chromium and Firefox, the OpenID provider, end-to-end in Chromium against the
# provider (every file) and the core e2e matrix in Firefox ESR and WebKitGTK too, the headless
# demo, and interop with msal-node / MSAL Python.
#
# Every step can fail the run: `set -e` stops at the first command that fails (never write
# `cmd && echo ok`, which hides cmd's failure from set -e), and node's test files run through
# scripts/node-test.mjs, which fails on a folder without tests or a file that ran none.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROMEDRIVER=/usr/bin/chromedriver
# wasm-bindgen-test-runner picks its browser from these before CHROMEDRIVER, and skips every
# browser test on WASM_BINDGEN_TEST_ONLY_NODE: a caller's environment must not change what runs.
# (Cargo's output uncoloured: scripts/wasm-test-counts.mjs reads it.)
export CARGO_TERM_COLOR=never
unset GECKODRIVER GECKODRIVER_REMOTE CHROMEDRIVER_REMOTE SAFARIDRIVER SAFARIDRIVER_REMOTE MSEDGEDRIVER MSEDGEDRIVER_REMOTE \
  WASM_BINDGEN_TEST_ONLY_NODE WASM_BINDGEN_TEST_ONLY_WEB WASM_BINDGEN_USE_BROWSER
# Each step says when it starts (seconds since the run began), so a log shows where time went.
started=$SECONDS
step() { printf '\n=== [%ss] %s\n' "$((SECONDS - started))" "$*"; }
# timed SECONDS CMD...: CMD under `timeout`, saying so when the time ran out (exit code 124).
timed() {
  local limit=$1 rc=0 pid
  shift
  # -k: a process that ignores SIGTERM (a deadlocked node main thread runs no handler) is killed.
  # In the background with a trap: `timeout` runs in a process group of its own, which the
  # terminal's Ctrl-C does not reach; the trap passes it on and ends the run.
  timeout -k 15 "$limit" "$@" &
  pid=$!
  trap 'kill -INT "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM
  wait "$pid" || rc=$?
  trap - INT TERM
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "timed out after $limit s: $*"; fi
  return "$rc"
}

# wasm-bindgen-test-runner sometimes ends chromedriver before its Chromium has quit, and that
# browser lives on (≈200 MB each run). On exit, end the chromedriver-started browsers this run
# started: they carry its mark in their environment (another run's on the machine, CI's or a
# session's, are left alone).
export MSAL_WASM_TEST_RUN="$$.$RANDOM"
end_leftover_browsers() {
  for pid in $(pgrep -f -- 'chromium.*--test-type=webdriver' || true); do
    if grep -qxzF "MSAL_WASM_TEST_RUN=$MSAL_WASM_TEST_RUN" "/proc/$pid/environ" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
    fi
  done
}
counts=""
wasm_log=""
trap 'end_leftover_browsers; rm -f "$counts" "$wasm_log"' EXIT

step "package size: within size-budget.json (the package make test built)"
node scripts/size.mjs pkg --budget size-budget.json | tail -1

step "format: cargo fmt --check"
cargo fmt --all -- --check
echo "ok"

step "lints: cargo clippy -D warnings (native, msal-native, and the wasm32 build with every feature)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --lib --tests --features yew,leptos,small-alloc -- -D warnings
# The npm package's configuration: no_std (new code with std:: paths breaks only here).
cargo clippy --quiet --target wasm32-unknown-unknown --lib --no-default-features --features js-api,small-alloc,terse-errors -- -D warnings
echo "ok"

step "native: cargo test"
cargo test --quiet

step "the npm wasm's allocator (src/small_alloc.rs, the crate's only unsafe code) under Miri"
# Miri runs on nightly only: the machine's nightly gets the two components it needs (rustup
# fetches them once; a machine without a nightly gets a minimal one). -Zmiri-permissive-provenance:
# the allocator makes its blocks from addresses, as wasm's linear memory gives them.
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  if rustup toolchain list | grep -q '^nightly'; then
    rustup component add --toolchain nightly miri rust-src
  else
    rustup toolchain install nightly --profile minimal --component miri,rust-src
  fi
fi
miri=$(MIRIFLAGS=-Zmiri-permissive-provenance cargo +nightly miri test --quiet --lib -- small_alloc::tests 2>&1) || { echo "$miri"; exit 1; }
grep 'test result' <<<"$miri"
# (A filter that matches nothing passes with "0 passed".)
if ! grep -q 'test result: ok\. [1-9]' <<<"$miri"; then echo "Miri ran no test of small_alloc::tests"; exit 1; fi

step "fuzz targets: build (stable, without coverage instrumentation) and replay their seeds"
cargo build --quiet --manifest-path fuzz/Cargo.toml --bins
cargo test --quiet --manifest-path fuzz/Cargo.toml

step "docs: cargo doc with warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet --workspace
echo "ok"

step "wasm32 builds without native imports (no import \"env\")"
cargo build --release --target wasm32-unknown-unknown --lib --features small-alloc --quiet
imports=$(node scripts/wasm-imports.mjs target/wasm32-unknown-unknown/release/msal_wasm.wasm)
# The lister must see the module's real imports before its silence about "env" means anything.
if ! grep -q '^__wbindgen_placeholder__\.' <<<"$imports"; then
  echo "the import lister found no wasm-bindgen import: it read the wrong file or failed"; exit 1
fi
if grep '^env\.' <<<"$imports"; then
  echo "the wasm imports from \"env\": native-only code leaked into the wasm build"; exit 1
fi
echo "ok ($(wc -l <<<"$imports") imports, none from \"env\")"

# Each wasm run's log is read by scripts/wasm-test-counts.mjs: every test binary ran tests
# (the runner exits 0 on "no tests to run!"), but these, whose tests are native-only.
native_only="differential interop secrets_debug"
wasm_log=$(mktemp)

step "wasm32: cargo test --target wasm32-unknown-unknown (headless Chromium)"
cargo test --target wasm32-unknown-unknown 2>&1 | tee "$wasm_log"
node scripts/wasm-test-counts.mjs "$wasm_log" $native_only

step "wasm32: the same tests in headless Firefox ESR (wasm-bindgen-test-runner with geckodriver)"
# The runner picks the browser by the driver it is given; webdriver.json names Firefox ESR.
env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)" cargo test --target wasm32-unknown-unknown 2>&1 | tee "$wasm_log"
node scripts/wasm-test-counts.mjs "$wasm_log" $native_only
grep -q "Running headless tests in Firefox" "$wasm_log" || { echo "the wasm tests did not run in Firefox"; exit 1; }

step "wasm-pack test --headless --chrome (offline: no-install mode, npm's wasm-opt first on PATH)"
PATH="$PWD/node_modules/.bin:$PATH" wasm-pack test --headless --chrome --mode no-install --chromedriver /usr/bin/chromedriver 2>&1 | tee "$wasm_log"
node scripts/wasm-test-counts.mjs "$wasm_log" $native_only

step "Yew and Leptos: example apps build for wasm32; hook tests in headless Chromium against the provider"
cargo build --quiet --target wasm32-unknown-unknown --features yew --example yew_app
cargo build --quiet --target wasm32-unknown-unknown --features leptos --example leptos_app
# The test page must be an origin the provider accepts: the runner serves it on this address.
# Minted codes use /, popups land on a blank page the runner serves from the tree; the popup
# test needs an opener that can read its popup, so the page is not cross-origin isolated.
# With leptos, the library's own tests too: the hooks' shared decisions (src/frameworks) are
# compiled only with a framework.
for fw in yew leptos; do
  lib=""
  [ "$fw" = leptos ] && lib="--lib"
  # Built first, outside the timeout (which is there to stop a hung provider or browser).
  cargo test --quiet --target wasm32-unknown-unknown --features "$fw" $lib --test "hooks_$fw" --no-run
  # (A free port, not a fixed one: another run on the machine, the demo or CI, may hold one.)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  timed 600 node scripts/with-idp.mjs --spa-origin "http://127.0.0.1:$port" \
    --redirect-uri "http://127.0.0.1:$port/" --redirect-uri "http://127.0.0.1:$port/tests/e2e/www/blank.html" -- \
    env WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$port" WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --target wasm32-unknown-unknown --features "$fw" $lib --test "hooks_$fw" 2>&1 | tee "$wasm_log"
  node scripts/wasm-test-counts.mjs "$wasm_log"
done

step "TypeScript: tsc --strict over tests/ts against the package's declarations"
node_modules/.bin/tsc -p tests/ts/tsconfig.json
# msal-angular's own declarations against ours, as an Angular app aliasing @azure/msal-browser compiles them.
node_modules/.bin/tsc -p tests/ts/angular/tsconfig.json
# An msal-react app: msal-react typed by our declarations (tsconfig paths), and by the real
# msal-browser while the app imports ours (a bundler alias).
node_modules/.bin/tsc -p tests/ts/react/tsconfig.json
node_modules/.bin/tsc -p tests/ts/react/tsconfig.mixed.json
echo "ok"

step "OpenID provider tests"
timed 300 node scripts/node-test.mjs --timeout 90000 tests/idp

step "msal-native: daemons against the provider (secret, certificate, assertion), cache plugins on a file and on a real redis-server, managed identity against simulated endpoints and msal-node 7"
# One test at a time: they count the provider's token requests. msal-node is a peer on Redis.
tests/interop/install-peers.sh
# Built first, outside the timeout: the timeout is there to stop a hung test, not a slow build.
cargo test --quiet -p msal-native --no-run
timed 600 node scripts/with-idp.mjs -- cargo test -p msal-native -- --test-threads=1

step "msal-native examples, run twice each against the provider: a daemon (certificate), a CLI (device code, then silent; and a sign-in in headless Chromium through the provider's page to the CLI's loopback)"
cargo build --quiet -p msal-native --examples
timed 600 node scripts/native-examples.mjs

step "msal-native web app example in headless Chromium: two Axum instances behind one Redis, the To-Do API (JWT validation, on-behalf-of), hostile responses"
timed 600 node scripts/web-app-e2e.mjs

step "Vite 7 builds: the vanilla example, and the msal-react app with @azure/msal-browser aliased to the package"
node_modules/.bin/vite build --config examples/vite/vite.config.js --logLevel warn
node_modules/.bin/vite build --config examples/react/vite.config.js --logLevel warn
echo "ok"

step "end-to-end (headless Chromium, built package, local provider): every file, the core matrix among them"
counts=$(mktemp)
timed 1200 node scripts/node-test.mjs --timeout 240000 --label chromium --counts "$counts" tests/e2e tests/e2e/matrix

step "the core e2e matrix in Firefox ESR (playwright, WebDriver BiDi) and WebKitGTK (selenium-webdriver, WebDriver classic, private Xvfb)"
# (--same-as: each matrix file ran as many tests as in Chromium.)
E2E_ENGINE=firefox timed 600 node scripts/node-test.mjs --timeout 240000 --label firefox --counts "$counts" --same-as chromium tests/e2e/matrix
E2E_ENGINE=webkit timed 600 node scripts/node-test.mjs --timeout 240000 --label webkit --counts "$counts" --same-as chromium tests/e2e/matrix
echo "per-engine pass counts (chromium: every e2e file, the matrix among them; firefox, webkit: the matrix):"
grep -v '^  ' "$counts"

step "headless demo"
# The demo's own watchdog exits with 75 when it stops making progress (one unexplained hang
# was seen once); only that is retried, once. Any other failure fails the run.
rc=0
timed 180 node scripts/demo.mjs --headless || rc=$?
if [ "$rc" -eq 75 ]; then
  echo "headless demo stalled (watchdog); retrying once"
  timed 180 node scripts/demo.mjs --headless
elif [ "$rc" -ne 0 ]; then
  echo "headless demo failed with exit code $rc"; exit "$rc"
fi

step "cache interop with msal-node and MSAL Python"
tests/interop/run.sh
