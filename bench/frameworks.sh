#!/usr/bin/env bash
# What msal-wasm adds to a Leptos app and to a Yew app (issue 14): each example app is built
# with the client (examples/{leptos,yew}_app.rs) and without it (examples/{leptos,yew}_bare.rs,
# the same components with local state), in release, through wasm-bindgen and npm binaryen's
# wasm-opt -Oz like the npm package, and the sizes and their differences are printed.
#
# The crate is built twice for the app: with its default features (`features = ["leptos"]` in
# an app's Cargo.toml, which keeps the npm package's JS exports too) and with
# `default-features = false` (what the README tells Rust apps to write).
# Not part of the test command (four release builds of a framework: ~10 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/frameworks
mkdir -p "$out"
opt() {
  # shellcheck disable=SC2046 # the feature flags are separate words
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers $(node scripts/wasm-features.mjs) "$1" -o "$2"
}
build() { # name example features...
  local name=$1 example=$2
  shift 2
  cargo build --quiet --release --target wasm32-unknown-unknown --example "$example" "$@"
  wasm-bindgen --target web --out-dir "$out/$name" --out-name app "target/wasm32-unknown-unknown/release/examples/$example.wasm"
  opt "$out/$name/app_bg.wasm" "$out/$name/app_bg.wasm"
}
for fw in leptos yew; do
  build "${fw}_bare" "${fw}_bare" --no-default-features --features "$fw"
  build "${fw}_app" "${fw}_app" --no-default-features --features "$fw"
  build "${fw}_app_default_features" "${fw}_app" --features "$fw"
done
node --input-type=module - "$out" <<'JS'
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
const out = process.argv[2];
const size = (dir) => {
  const wasm = readFileSync(`${out}/${dir}/app_bg.wasm`);
  const js = readFileSync(`${out}/${dir}/app.js`);
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return { raw: wasm.length, gzip: gz(wasm), brotli: br(wasm), jsGzip: gz(js) };
};
const n = (x) => x.toLocaleString("en-US");
console.log("| app | wasm raw | wasm gzip -9 | wasm brotli | glue JS gzip -9 | added by msal-wasm (wasm gzip -9) |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const fw of ["leptos", "yew"]) {
  const bare = size(`${fw}_bare`);
  for (const dir of [`${fw}_bare`, `${fw}_app`, `${fw}_app_default_features`]) {
    const s = size(dir);
    const added = dir === `${fw}_bare` ? "" : `+${n(s.gzip - bare.gzip)} (+${n(s.raw - bare.raw)} raw)`;
    console.log(`| ${dir} | ${n(s.raw)} | ${n(s.gzip)} | ${n(s.brotli)} | ${n(s.jsGzip)} | ${added} |`);
  }
}
JS
