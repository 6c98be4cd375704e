// Gives the package's wasm imports, exports and import modules short names (binaryen's
// --minify-imports-and-exports-and-modules) and rewrites wasm-bindgen's JS glue to match.
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and repeats the snippet's
// path for each of its imports: names the browser never shows anyone, ≈2 KB of gzip in the
// wasm and more in the glue (issue 14).
//
//   node scripts/minify-names.mjs <pkg dir>      (after wasm-opt -Oz; scripts/build-pkg.sh)
//
// Fails, leaving the package as it was, if the glue does not have the shape this relies on
// (each import a key of the `import0` object or a snippet export, each export read as
// `wasm.<name>`): a new wasm-bindgen that changes it must be looked at, not half-renamed.
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FEATURES } from "./wasm-features.mjs";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node scripts/minify-names.mjs <pkg dir>");
const wasmFile = join(dir, "msal_wasm_bg.wasm");
const jsFile = join(dir, "msal_wasm.js");

const tmp = `${wasmFile}.min`;
const out = execFileSync("node_modules/.bin/wasm-opt", [wasmFile, "--minify-imports-and-exports-and-modules", ...FEATURES, "-o", tmp], {
  encoding: "utf8",
});
const map = JSON.parse(out.slice(out.indexOf("{")));
const fail = (why) => {
  rmSync(tmp, { force: true });
  throw new Error(`minify-names: ${why}`);
};

let js = readFileSync(jsFile, "utf8");
const GLUE = "./msal_wasm_bg.js";
// Where the glue keeps each module's imports: `"<module>": importN,` in __wbg_get_imports.
const namespaceOf = (module) => {
  const m = js.match(new RegExp(`"${module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}": (import\\d+),`));
  if (!m) fail(`no namespace for the import module ${module}`);
  return m[1];
};
const fromSnippets = [];
for (const [module, name, short] of map.imports) {
  if (module === GLUE) {
    const key = new RegExp(`^(\\s+)${name}: `, "gm");
    const found = js.match(key);
    if (!found || found.length !== 1) fail(`import ${name} is not one key of the glue's import object`);
    js = js.replace(key, (_, indent) => `${indent}${short}: `);
  } else {
    fromSnippets.push(`${JSON.stringify(short)}: ${namespaceOf(module)}.${name}`);
  }
}
// The imports object: every import under the one module "a", the glue's own and the snippets'.
const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(tmp))).map((i) => i.module));
if (modules.size !== 1) fail(`expected one import module after minifying, found ${[...modules]}`);
const [module] = modules;
const block = /\n {4}return \{\n {8}__proto__: null,\n(?: {8}"[^"\n]+": import\d+,\n)+ {4}\};\n\}/;
if (!block.test(js)) fail("the glue's imports object has another shape");
js = js.replace(block, () => `\n    return { __proto__: null, ${JSON.stringify(module)}: Object.assign(import0, { ${fromSnippets.join(", ")} }) };\n}`);

const exports = new Map(map.exports);
js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (_, name) => {
  if (!exports.has(name)) fail(`the glue reads wasm.${name}, which the wasm does not export`);
  return `wasm.${exports.get(name)}`;
});

writeFileSync(jsFile, js);
renameSync(tmp, wasmFile);
// wasm-bindgen's declarations of the glue name the old exports; the package's types are
// index.d.ts.
for (const f of ["msal_wasm.d.ts", "msal_wasm_bg.wasm.d.ts"]) rmSync(join(dir, f), { force: true });
console.log(`minify-names: ${map.imports.length} imports, ${map.exports.length} exports renamed`);
