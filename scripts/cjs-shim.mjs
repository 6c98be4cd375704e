// Injected into the CommonJS build (index.cjs) only: what an ES module has and a CommonJS
// module under a test runner (Jest's jsdom) lacks.
// - import.meta.url: this file's URL, so the wasm is read from disk next to it.
// - TextEncoder and TextDecoder, which the wasm glue makes as it is evaluated: jsdom has none
//   (jsdom/jsdom#2524), Node's are taken then (a page that has its own keeps them).
const fileUrl = (f) => {
  const p = f.replace(/\\/g, "/");
  return "file://" + (p.startsWith("/") ? "" : "/") + encodeURI(p).replace(/[?#]/g, encodeURIComponent);
};
export const msalWasmModuleUrl = typeof __filename === "string" && globalThis.process && process.versions && process.versions.node ? fileUrl(__filename) : undefined;
const util = (name) => {
  const own = globalThis[name];
  if (typeof own === "function") return own;
  const p = globalThis.process;
  return p && typeof p.getBuiltinModule === "function" ? p.getBuiltinModule("node:util")[name] : own;
};
export const TextEncoder = function TextEncoder(...a) { return new (util("TextEncoder"))(...a); };
export const TextDecoder = function TextDecoder(...a) { return new (util("TextDecoder"))(...a); };
