// The wasm features the package's module uses (wasm-bindgen's output for Rust's wasm32 target),
// named to every binaryen run of the package build. Printed space-separated when run:
//   node scripts/wasm-features.mjs
export const FEATURES = [
  "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int",
  "--enable-reference-types", "--enable-multivalue",
];

if (import.meta.url === `file://${process.argv[1]}`) console.log(FEATURES.join(" "));
