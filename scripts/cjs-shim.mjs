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
// - process.getBuiltinModule (the ES module's way to Node's fs), which Node before 20.16 and 22.3
//   lacks: this module's own require then (the build defines the one as the other).
const nodeRequire = typeof require === "function" ? require : undefined;
export const msalGetBuiltin = (id) => {
  const p = globalThis.process;
  if (p && typeof p.getBuiltinModule === "function") return p.getBuiltinModule(id);
  return nodeRequire && p && p.versions && p.versions.node ? nodeRequire(id.replace(/^node:/, "")) : undefined;
};
const util = (name) => {
  const own = globalThis[name];
  if (typeof own === "function") return own;
  const m = msalGetBuiltin("node:util");
  return m ? m[name] : own;
};
export const TextEncoder = function TextEncoder(...a) { return new (util("TextEncoder"))(...a); };
export const TextDecoder = function TextDecoder(...a) { return new (util("TextDecoder"))(...a); };
