#!/usr/bin/env node
// How much of the package's wasm an app's visit runs, and what a wasm holding only that would
// weigh (issue 14: the bound any split or dead-code route could reach without new code).
//
//   bash scripts/build-pkg.sh    # once: builds pkg/
//   node bench/hot-path.mjs      # [--pkg DIR] another build of the package (default pkg/)
//                                # [--out DIR] also writes each scenario's cut wasm there
//                                #   (DIR/<n>.wasm, n its row), e.g. for run.mjs --init-wasm,
//                                #   and the functions each phase ran (DIR/phases.json)
//                                # [--mode oidc] the harness's generic OpenID authority (what
//                                #   bench/run.mjs signs in to) instead of the Entra one
//
// On a package whose wasm keeps its function names (a build made as scripts/build-pkg.sh makes
// it, but with `wasm-bindgen --keep-debug` and `wasm-opt -g`, and without the later steps), it
// also prints where the code minimal.js's visit runs sits, by module, in raw bytes of code.
//
// 1. A copy of the package whose wasm calls an import, with its own index, at the start of
//    every function (binaryen.js), and whose glue records those calls in the page.
// 2. The e2e harness page (tests/e2e/www) with that copy, in headless Chromium against the local
//    provider: each phase below, in one browser context, records the functions it ran (a page
//    load starts a new record).
// 3. For each scenario, the package's own wasm with every function the scenario did not run
//    emptied to `unreachable`, then `wasm-opt -Oz` (which drops what nothing references any
//    more): its raw, gzip -9 and brotli sizes. The harness logs at Trace level, so its runs
//    include the log lines' code, which an app without a logger may not run.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, cpSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import binaryen from "binaryen";

import { startEnv, signedInPage } from "../tests/e2e/env.mjs";
import { FEATURES } from "../scripts/wasm-features.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
const arg = process.argv.indexOf("--pkg");
const PKG = resolve(arg > 0 ? process.argv[arg + 1] : join(ROOT, "pkg"));
const outArg = process.argv.indexOf("--out");
const OUT = outArg > 0 ? resolve(process.argv[outArg + 1]) : null;
const modeArg = process.argv.indexOf("--mode");
const MODE = modeArg > 0 ? process.argv[modeArg + 1] : "entra";
if (!["entra", "oidc"].includes(MODE)) throw new Error(`--mode ${MODE}: entra or oidc`);
const WASM = join(PKG, "msal_wasm_bg.wasm");
if (!existsSync(WASM)) throw new Error(`${PKG} is not built: run \`bash scripts/build-pkg.sh\` first`);

// scripts/wasm-features.mjs's features as binaryen.js flags; its reader (binaryen 132) also
// wants bulk-memory-opt and call-indirect-overlong, which the CLI implies.
const F = binaryen.Features;
const features = F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong;

// The module's defined functions (not imports), in order: a function's index in this list is
// its number in the records.
function readModule(bytes) {
  const m = binaryen.readBinary(bytes);
  m.setFeatures(features);
  const defined = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = m.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(f);
    if (!info.module) defined.push([f, info]);
  }
  return { m, defined };
}

function instrument(bytes) {
  const { m, defined } = readModule(bytes);
  m.addFunctionImport("hotPathHit", "hot-path", "hit", binaryen.i32, binaryen.none);
  defined.forEach(([f, info], i) => {
    binaryen.Function.setBody(f, m.block(null, [m.call("hotPathHit", [m.i32.const(i)], binaryen.none), info.body], info.results));
  });
  if (!m.validate()) throw new Error("the instrumented module does not validate");
  return { bytes: m.emitBinary(), functions: defined.length };
}

function reduce(bytes, keep) {
  const { m, defined } = readModule(bytes);
  defined.forEach(([f], i) => { if (!keep.has(i)) binaryen.Function.setBody(f, m.unreachable()); });
  const dir = mkdtempSync(join(tmpdir(), "hot-path-"));
  try {
    writeFileSync(join(dir, "in.wasm"), m.emitBinary());
    execFileSync(join(ROOT, "node_modules/.bin/wasm-opt"), ["-Oz", ...FEATURES, join(dir, "in.wasm"), "-o", join(dir, "out.wasm")]);
    return readFileSync(join(dir, "out.wasm"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each defined function's body size in bytes, in order (the code section's own prefixes).
function bodySizes(bytes) {
  let at = 8;
  const leb = () => {
    let v = 0, shift = 0, b;
    do { b = bytes[at++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return v;
  };
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id === 10) {
      const out = [];
      for (let n = leb(); n > 0; n--) { const body = leb(); out.push(body); at += body; }
      return out;
    }
    at = end;
  }
  return [];
}

// The module a function belongs to: its path without the function's own name and hash, to at
// most three parts past the crate ("msal_wasm::client::silent").
function group(name) {
  const path = name.replace(/^<(.*?)( as [^>]*)?>::/, "$1::").split("::").filter((p) => !/^\{\{|^h[0-9a-f]{16}$/.test(p));
  return path.length > 1 ? path.slice(0, Math.min(path.length - 1, 3)).join("::") : "(no path)";
}

const sizes = (b) => ({
  raw: b.length,
  gzip: gzipSync(b, { level: 9 }).length,
  brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

// 1. The instrumented copy.
const original = readFileSync(WASM);
const copy = mkdtempSync(join(tmpdir(), "hot-path-pkg-"));
cpSync(PKG, copy, { recursive: true });
const { bytes: instrumented, functions } = instrument(original);
writeFileSync(join(copy, "msal_wasm_bg.wasm"), instrumented);
const gluePath = join(copy, "msal_wasm.js");
const glue = readFileSync(gluePath, "utf8");
const getImports = /const imports ?= ?__wbg_get_imports\(\);?/g;
if (!getImports.test(glue)) throw new Error("the glue's imports object was not found: has wasm-bindgen's glue changed?");
writeFileSync(gluePath, glue.replace(getImports, (s) => `${s.replace(/;?$/, ";")}imports["hot-path"]={hit:(i)=>(globalThis.__hotPath??=new Set()).add(i)};`));

// 2. The phases.
const phases = {};
const env = await startEnv({ roots: { "/": ["tests/e2e/www", "www"], "/pkg/": copy }, redirectPaths: ["/blank.html"] });
try {
  const record = (page) => page.evaluate(() => [...(globalThis.__hotPath || [])]);
  const signedOut = await env.open(MODE, "localStorage");
  phases.signedOutStart = await record(signedOut);
  await signedOut.context().close();
  const page = await signedInPage(env, "alice", { mode: MODE, cache: "localStorage" });
  phases.popupSignIn = await record(page);
  const silent = (forceRefresh) => page.evaluate(async (forceRefresh) => {
    const account = window.pca.getActiveAccount() || window.pca.getAllAccounts()[0];
    return (await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh })).fromCache;
  }, forceRefresh);
  if ((await silent(false)) !== true) throw new Error("the token after the sign-in did not come from the cache");
  phases.popupSignInThenHit = await record(page);
  // As msal's samples (and bench/apps/app.js) do after a sign-in.
  await page.evaluate(() => window.pca.setActiveAccount(window.pca.getAllAccounts()[0]));
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  phases.signedInStart = await record(page);
  if ((await silent(false)) !== true) throw new Error("the token after the reload did not come from the cache");
  phases.signedInHit = await record(page);
  if ((await silent(true)) !== false) throw new Error("the forced refresh came from the cache");
  phases.signedInRefresh = await record(page);
  await page.context().close();
} finally {
  await env.close();
  rmSync(copy, { recursive: true, force: true });
}

// 3. The sizes.
const scenarios = [
  ["the whole package's wasm", null],
  ["a signed-out start (initialize, handleRedirectPromise, accounts)", ["signedOutStart"]],
  ["a signed-in start (the same, with the cache)", ["signedInStart"]],
  ["a signed-in start and a cache hit", ["signedInHit"]],
  ["a signed-in start, a cache hit and a forced refresh", ["signedInRefresh"]],
  ["bench/apps/minimal.js's visit: signed-out start, popup sign-in, a cache hit", ["popupSignInThenHit"]],
  ["every phase above", Object.keys(phases)],
];
const row = (cells) => `| ${cells.join(" | ")} |`;
console.log(`${MODE === "oidc" ? "generic OpenID" : "Entra"} authority, localStorage cache`);
console.log(row(["what ran", "functions", "raw", "gzip -9", "brotli"]));
console.log(row(["---", "---:", "---:", "---:", "---:"]));
if (OUT) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "phases.json"), JSON.stringify(phases));
}
scenarios.forEach(([name, keys], n) => {
  const keep = keys && new Set(keys.flatMap((k) => phases[k]));
  const wasm = keep ? reduce(original, keep) : original;
  if (OUT) writeFileSync(join(OUT, `${n}.wasm`), wasm);
  const s = sizes(wasm);
  console.log(row([name, keep ? `${keep.size} of ${functions}` : functions, s.raw.toLocaleString("en"), s.gzip.toLocaleString("en"), s.brotli.toLocaleString("en")]));
});

const { defined } = readModule(original);
const names = defined.map(([, info]) => info.name);
if (names.some((n) => n.includes("::"))) {
  const body = bodySizes(original);
  const visit = new Set(phases.popupSignInThenHit);
  const by = new Map();
  names.forEach((n, i) => {
    const g = by.get(group(n)) || { run: 0, notRun: 0 };
    g[visit.has(i) ? "run" : "notRun"] += body[i];
    by.set(group(n), g);
  });
  const total = [...by.values()].reduce((a, g) => a + g.run, 0);
  console.log(`\nminimal.js's visit runs ${total.toLocaleString("en")} B of code (function bodies, raw), by module:`);
  console.log(row(["module", "run (B)", "not run (B)"]));
  console.log(row(["---", "---:", "---:"]));
  for (const [g, v] of [...by].sort((a, b) => b[1].run - a[1].run).slice(0, 40)) console.log(row([g, v.run.toLocaleString("en"), v.notRun.toLocaleString("en")]));
}
