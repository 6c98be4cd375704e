#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm, wasm-bindgen (--target web), npm binaryen's
# wasm-opt -Oz, the JS facade from pkg-template/; then prints the package size.
# Built in pkg.new, then moved into place: a test run serving pkg/ meanwhile keeps a whole one.
set -euo pipefail
cd "$(dirname "$0")/.."
out=pkg.new
# Without std: the crate is no_std + alloc on wasm32 then, with a panic handler that never
# formats (issue 14); the small allocator instead of dlmalloc.
cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --features js-api,small-alloc,terse-errors --quiet
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name msal_wasm target/wasm32-unknown-unknown/release/msal_wasm.wasm
# The table slots of wasm-bindgen's closure shims, which nothing can call here, emptied so that
# wasm-opt drops the shims (they are found by name: this runs before the names are stripped).
node scripts/drop-dead-slots.mjs "$out/msal_wasm_bg.wasm"
# npm's binaryen, never Debian's (it corrupts wasm-bindgen output). Browsers read neither the
# producers nor the target-features section; the later steps name the features themselves.
# shellcheck disable=SC2046 # the feature flags are separate words
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers --strip-target-features $(node scripts/wasm-features.mjs) \
  "$out/msal_wasm_bg.wasm" -o "$out/msal_wasm_bg.wasm"
# Short names for the wasm's imports and exports, in the wasm and in the glue (wasm-bindgen's
# carry hashes and the snippet's path: 2.3 KB of gzip in the wasm, 1.2 KB in the JS).
node scripts/minify-names.mjs "$out"
# Similar functions side by side: gzip and brotli find more of each in the last (issue 14).
node scripts/order-functions.mjs "$out/msal_wasm_bg.wasm"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
sed "s/{{VERSION}}/$version/" pkg-template/index.js > "$out/index.js"
cp pkg-template/index.d.ts pkg-template/errors.js pkg-template/redirect-bridge.js pkg-template/redirect-bridge.d.ts \
  pkg-template/popup-relay.js pkg-template/popup-relay.d.ts "$out/"
[ -f pkg-template/README.md ] && cp pkg-template/README.md "$out/"
sed "s/{{VERSION}}/$version/" pkg-template/package.json > "$out/package.json"
rm -f "$out/.gitignore"
# The shipped JS without comments or layout (source maps beside it keep the code as written).
node scripts/strip-comments.mjs "$out/index.js" "$out/msal_wasm.js" "$out/errors.js" "$out/redirect-bridge.js" "$out/popup-relay.js" \
  "$out"/snippets/*/src/platform/browser/window.js
# The script-tag build (msal's lib/msal-browser.min.js): the same package as one classic script
# with the global `msal`, the bridge with the global `msalRedirectBridge` and the popup relay
# page's entry with `msalPopupRelay`; the wasm is
# found next to the script (a classic script has no import.meta.url: the facade reads
# document.currentScript instead).
node_modules/.bin/esbuild "$out/index.js" --bundle --format=iife --global-name=msal --minify --define:import.meta.url=undefined --log-level=warning --outfile="$out/msal-wasm.min.js"
node_modules/.bin/esbuild "$out/redirect-bridge.js" --bundle --format=iife --global-name=msalRedirectBridge --minify --log-level=warning --outfile="$out/msal-wasm-redirect-bridge.min.js"
node_modules/.bin/esbuild "$out/popup-relay.js" --bundle --format=iife --global-name=msalPopupRelay --minify --log-level=warning --outfile="$out/msal-wasm-popup-relay.min.js"
# The CommonJS build for Node test runners (Jest's jsdom; msal ships lib/*.cjs for them): the same
# package, its wasm read from disk next to it, TextEncoder/TextDecoder from Node where the page has
# none (scripts/cjs-shim.mjs); the types again as .d.cts.
for entry in index redirect-bridge popup-relay; do
  node_modules/.bin/esbuild "$out/$entry.js" --bundle --format=cjs --platform=neutral --define:import.meta.url=msalWasmModuleUrl \
    --define:process.getBuiltinModule=msalGetBuiltin --inject:scripts/cjs-shim.mjs --log-level=warning --outfile="$out/$entry.cjs"
  sed -e 's#"\./index\.js"#"./index.cjs"#' -e 's#"\./redirect-bridge\.js"#"./redirect-bridge.cjs"#' "$out/$entry.d.ts" > "$out/$entry.d.cts"
done
rm -rf pkg.old
[ ! -d pkg ] || mv pkg pkg.old
mv "$out" pkg
rm -rf pkg.old
# The sizes (the budget is checked by the test command: a rustc other than CI's builds a wasm a
# few bytes off, and that must not stop `make demo`).
node scripts/size.mjs pkg
