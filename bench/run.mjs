#!/usr/bin/env node
// msal-wasm vs @azure/msal-browser: the same scenario, on both libraries, in headless Chromium
// against the local OpenID provider over https. Prints a table and writes bench/results.json.
//
//   bash scripts/build-pkg.sh   # once: builds pkg/
//   node bench/run.mjs          # [--quick] fewer iterations, for a smoke run
//                               # [--pkg DIR] another build of the package (default pkg/)
//                               # [--engine firefox] Firefox ESR instead: init and cache hits
//                               #   only, both libraries in the same engine (bench/results-firefox.json)
//                               # [--init-wasm FILE] msal-wasm's page loads FILE instead of the
//                               #   package's wasm after the sign-in, and only the init rows run
//                               #   (a wasm cut to what init runs: bench/hot-path.mjs --out)
//
// Exits 0 when every scenario ran (targets missed or not: this is a measurement) and 1 when a
// scenario could not run. See bench/README.md.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";

import { startIdp } from "../tests/idp/server.mjs";
import { brotli11, startStatic } from "../tests/serve.mjs";
import { launchBrowser } from "../tests/e2e/helpers.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH = join(ROOT, "bench");
const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const PKG = resolve(argValue("--pkg") || process.env.MSAL_WASM_PKG || join(ROOT, "pkg"));
const DIST = join(BENCH, "dist");
const QUICK = process.argv.includes("--quick");
const ENGINE = argValue("--engine") || "chromium";
if (!["chromium", "firefox"].includes(ENGINE)) throw new Error(`--engine ${ENGINE}: chromium or firefox`);
// Chromium runs every scenario; another engine the init and cache hit rows (the ratios that
// depend on the engine's JS, wasm and storage), against msal-browser in the same engine.
const FULL = ENGINE === "chromium";
const INIT_WASM = argValue("--init-wasm") && resolve(argValue("--init-wasm"));
const ENGINE_NAME = { chromium: "Chromium", firefox: "Firefox ESR" }[ENGINE];

const N = {
  hits: QUICK ? 200 : 1000,
  warm: 50,
  loads: QUICK ? 3 : 10,
  refreshes: QUICK ? 5 : 20,
  burst: 20,
  scopes: 50,
  junk: 500,
};
const BENCH_SCOPES = Array.from({ length: N.scopes }, (_, i) => `bench.s${String(i + 1).padStart(2, "0")}`);
const LIBS = [
  { id: "msal-wasm", login: "bench-wasm" },
  { id: "msal-browser", login: "bench-browser" },
];
const SCOPES = ["User.Read"];
// Chrome DevTools' network presets (their figures: latency and throughput already scaled as
// DevTools applies them), for the throttled init rows.
const THROTTLED = [
  ["initFast4g", "Fast 4G (165 ms, 9 Mbit/s)", { offline: false, latency: 60 * 2.75, downloadThroughput: (9 * 1000 * 1000 / 8) * 0.9, uploadThroughput: (1.5 * 1000 * 1000 / 8) * 0.9 }],
  ["initSlow4g", "Slow 4G (563 ms, 1.6 Mbit/s)", { offline: false, latency: 150 * 3.75, downloadThroughput: (1.6 * 1000 * 1000 / 8) * 0.9, uploadThroughput: (750 * 1000 / 8) * 0.9 }],
];

const started = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// statistics

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  // nearest rank
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
// The smallest step between two distinct measured values: the page's timer resolution.
function resolutionUs(xs) {
  const s = [...new Set(xs.map((x) => Math.round(x * 1e6) / 1e6))].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < s.length; i++) step = Math.min(step, s[i] - s[i - 1]);
  return Number.isFinite(step) ? +(step * 1000).toFixed(3) : null;
}

// ---------------------------------------------------------------------------------------
// bundles

function exportTarget(pkgJson, subpath) {
  let e = pkgJson.exports && pkgJson.exports[subpath];
  while (e && typeof e === "object") e = e.browser || e.import || e.default;
  if (typeof e === "string") return e;
  if (subpath === ".") return pkgJson.module || pkgJson.main || "index.js";
  return `${subpath}.js`;
}

// "msal-lib" and "msal-lib/redirect-bridge" -> the library under test.
function libPlugin(lib) {
  const pkgJson = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  return {
    name: "msal-lib",
    setup(b) {
      b.onResolve({ filter: /^msal-lib(\/redirect-bridge)?$/ }, async (args) => {
        const sub = args.path.slice("msal-lib".length);
        if (lib === "msal-browser") {
          const r = await b.resolve(`@azure/msal-browser${sub}`, { kind: args.kind, resolveDir: ROOT });
          return { path: r.path, errors: r.errors, sideEffects: r.sideEffects };
        }
        return { path: join(PKG, exportTarget(pkgJson, sub ? `.${sub}` : ".")), sideEffects: pkgJson.sideEffects !== false };
      });
    },
  };
}

async function bundle(lib, entry, outfile, banner = "") {
  const r = await build({
    banner: { js: banner },
    entryPoints: [join(BENCH, "apps", entry)],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    metafile: true,
    logLevel: "silent",
    plugins: [libPlugin(lib)],
  });
  return { file: outfile, inputs: Object.keys(r.metafile.inputs) };
}

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotli11(buf).length;

async function buildApps() {
  if (!existsSync(join(PKG, "package.json"))) throw new Error(`${PKG} is not built: run \`bash scripts/build-pkg.sh\` first`);
  rmSync(DIST, { recursive: true, force: true });
  const sizes = {};
  for (const { id } of LIBS) {
    const out = join(DIST, id);
    mkdirSync(out, { recursive: true });
    for (const f of ["index.html", "redirect.html"]) copyFileSync(join(BENCH, "apps", f), join(out, f));
    // The same page with a preload hint for the .wasm (what the README suggests to apps): the
    // browser fetches it beside the script instead of after it.
    if (id === "msal-wasm") {
      const page = readFileSync(join(BENCH, "apps", "index.html"), "utf8");
      const hint = '<link rel="preload" href="/msal_wasm_bg.wasm" as="fetch" crossorigin>\n';
      if (!page.includes("<script")) throw new Error("bench/apps/index.html has no script tag");
      writeFileSync(join(out, "preload.html"), page.replace("<script", `${hint}<script`));
    }
    // The mark: when the bundle's first statement runs (the browser has parsed and compiled it).
    await bundle(id, "app.js", join(out, "app.js"), 'performance.mark("bundle runs");');
    const redirect = await bundle(id, "redirect.js", join(out, "redirect.js"));
    const minimal = await bundle(id, "minimal.js", join(DIST, `minimal-${id}.js`));
    const parts = [{ name: `minimal app JS (esbuild --minify)`, bytes: readFileSync(minimal.file) }];
    if (id === "msal-wasm") {
      // The .wasm is fetched next to the bundle (new URL(..., import.meta.url)).
      for (const f of readdirSync(PKG).filter((f) => f.endsWith(".wasm"))) {
        copyFileSync(join(PKG, f), join(out, f));
        parts.push({ name: f, bytes: readFileSync(join(PKG, f)) });
      }
      // wasm-bindgen snippets are imported statically, so esbuild bundles them; any that is
      // not in the bundle would be loaded separately and is counted on its own.
      const inBundle = new Set(minimal.inputs.map((p) => resolve(ROOT, p)));
      const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
      const snippets = existsSync(join(PKG, "snippets")) ? walk(join(PKG, "snippets")).filter((f) => f.endsWith(".js")) : [];
      for (const s of snippets.filter((s) => !inBundle.has(s))) parts.push({ name: relative(PKG, s), bytes: readFileSync(s) });
      sizes.snippetsBundled = snippets.every((s) => inBundle.has(s));
    }
    sizes[id] = {
      parts: parts.map((p) => ({ name: p.name, raw: p.bytes.length, gzip9: gz(p.bytes), brotli11: br(p.bytes) })),
      raw: parts.reduce((a, p) => a + p.bytes.length, 0),
      gzip9: parts.reduce((a, p) => a + gz(p.bytes), 0),
      brotli11: parts.reduce((a, p) => a + br(p.bytes), 0),
      redirectPageGzip9: gz(readFileSync(redirect.file)),
    };
  }
  return sizes;
}

// ---------------------------------------------------------------------------------------
// the scenario
//
// Both libraries run side by side, each in its own browser context and origin (they would
// otherwise share msal's storage keys). Timed phases alternate between them in rounds, so a
// load change on the machine hits both alike.

class Lib {
  constructor(def, { browser, idp, web }) {
    Object.assign(this, { id: def.id, login: def.login, browser, idp, web });
    this.res = { library: def.id, origin: web.origin, errors: [] };
    this.dead = false; // set when the page can no longer be used (load or sign-in failed)
    this.idpRequests = [];
    this.pageErrors = [];
    this.query = `?authority=${encodeURIComponent(idp.oidcAuthority)}`;
    this.url = `${web.origin}/${this.query}`;
  }

  async open() {
    this.ctx = await this.browser.newContext({ ignoreHTTPSErrors: true });
    this.ctx.on("request", (r) => { if (r.url().startsWith(this.idp.origin)) this.idpRequests.push(`${r.method()} ${r.url().split("?")[0]}`); });
    this.page = await this.ctx.newPage();
    this.page.on("pageerror", (e) => this.pageErrors.push(String(e)));
  }

  // Chromium's network emulation for this library's page (null: none).
  async throttle(net) {
    this.cdp ||= await this.ctx.newCDPSession(this.page);
    await this.cdp.send("Network.enable");
    await this.cdp.send("Network.emulateNetworkConditions", net || { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  }

  async close() {
    if (this.pageErrors.length) this.res.pageErrors = this.pageErrors.slice(0, 10);
    if (this.ctx) await this.ctx.close();
  }

  // A full page load; what the page reports once initialize() has resolved (and, with
  // `first`, once its first acquireTokenSilent has).
  // `page`: another page of the app (msal-wasm's preload.html).
  async load(first = false, page = "") {
    const url = page ? `${this.web.origin}/${page}${this.query}` : this.url;
    await this.page.goto(first ? `${url}&first=1` : url);
    await this.page.waitForSelector("body[data-ready='1']", { timeout: 20000 });
    const s = await this.page.evaluate(() => ({
      readyAt: window.readyAt,
      firstTokenAt: window.firstTokenAt,
      initError: window.initError,
      account: window.bench.account(),
      coi: window.crossOriginIsolated,
      // What the page fetched before it was ready (ms from navigation start).
      fetched: performance.getEntriesByType("resource")
        .filter((e) => e.startTime <= window.readyAt)
        .map((e) => ({ url: e.name.split("?")[0], startMs: +e.startTime.toFixed(1), endMs: +e.responseEnd.toFixed(1), bytes: e.transferSize })),
      // performance.mark()s set before ready (none in a release build; a build instrumented
      // to see where init goes has them): [name, ms from navigation start].
      marks: performance.getEntriesByType("mark").filter((m) => m.startTime <= window.readyAt).map((m) => [m.name, +m.startTime.toFixed(1)]),
    }));
    if (s.initError) throw new Error(`initialize() failed: ${s.initError}`);
    return s;
  }

  // Runs `fn(arg)` in the page; a call that has not settled after `ms` fails (and the page is
  // given up: it may still be busy).
  run(fn, arg, ms = 60000) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        this.dead = true;
        reject(new Error(`the page did not answer within ${ms / 1000} s`));
      }, ms);
    });
    return Promise.race([this.page.evaluate(fn, arg), timeout]).finally(() => clearTimeout(timer));
  }

  async signIn() {
    const { page, idp } = this;
    idp.reset();
    const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: 10000 }), page.click("#login")]);
    await popup.waitForSelector("#login", { timeout: 15000 });
    await popup.fill("#login", this.login);
    await popup.click("#submit");
    await page.waitForFunction(() => window.loginResult !== null, null, { timeout: 30000 });
    const r = await page.evaluate(() => window.loginResult);
    await sleep(200);
    this.res.popupClosedItself = popup.isClosed();
    if (!popup.isClosed()) await popup.close();
    if (!r.ok) throw new Error(`loginPopup failed: ${r.error}`);
    this.res.login = { username: r.username, tokenRequests: idp.counters().token };
  }

  // `n` sequential cache hits: per-call times (ms). Asserts that nothing reached the provider.
  async hits(n, what, style) {
    this.idp.reset();
    const from = this.idpRequests.length;
    const r = await this.run(([k, style]) => window.bench.silentLoop(k, 0, undefined, style), [n, style]);
    const tokens = this.idp.counters().token;
    const net = this.idpRequests.slice(from);
    if (tokens !== 0 || net.length) throw new Error(`${what}: ${tokens} token requests, ${net.length} requests to the provider (${net.slice(0, 3).join(", ")})`);
    if (r.fromCache !== n) throw new Error(`${what}: only ${r.fromCache}/${n} results came from the cache`);
    return r;
  }
}

// Runs `fn(lib)` for every library still usable and not in `skip`. A failure is recorded; the
// library is added to `skip` (so the rest of that scenario is skipped for it) and, when
// `fatal`, dropped from every later scenario.
async function each(libs, name, fn, { fatal = false, skip } = {}) {
  for (const lib of libs) {
    if (lib.dead || (skip && skip.has(lib))) continue;
    log(`${lib.id}: ${name}`);
    try {
      await fn(lib);
    } catch (e) {
      const msg = String((e && e.message) || e).split("\n")[0];
      const error = `${name}: ${msg}${lib.pageErrors.length ? ` (page errors: ${lib.pageErrors.slice(-3).join(" | ")})` : ""}`;
      lib.res.errors.push(error);
      if (fatal) lib.dead = true; // (run() also gives up a page that stopped answering)
      if (skip) skip.add(lib);
      log(`${lib.id}: FAILED at ${error}`);
    }
  }
}

// `total` operations in `count` alternating rounds (each library goes first in every other
// round); `fn(lib, k)` returns the round's samples. Returns the samples of the libraries that
// completed every round.
async function rounds(libs, name, total, count, fn, skip = new Set()) {
  const samples = new Map(libs.map((l) => [l, []]));
  for (let r = 0; r < count; r++) {
    const k = Math.floor(total / count) + (r < total % count ? 1 : 0);
    await each(r % 2 ? [...libs].reverse() : libs, `${name} (round ${r + 1}/${count})`, async (lib) => samples.get(lib).push(...(await fn(lib, k))), { skip });
  }
  for (const lib of libs) if (lib.dead || skip.has(lib)) samples.delete(lib);
  return samples;
}

async function runScenario(libs, idp) {
  const alive = () => libs.filter((l) => !l.dead);

  await each(libs, "load", async (lib) => {
    await lib.open();
    lib.res.crossOriginIsolated = (await lib.load()).coi;
  }, { fatal: true });
  await each(libs, "sign in by popup", (lib) => lib.signIn(), { fatal: true });
  if (INIT_WASM) copyFileSync(INIT_WASM, join(DIST, "msal-wasm", "msal_wasm_bg.wasm"));

  // Cache hits in 4 alternating rounds after 50 warm-ups.
  const hitPhase = async (key, what, skip = new Set(), style = "fixed") => {
    await each(alive(), `${what}: ${N.warm} warm-ups`, (lib) => lib.run(([w, style]) => window.bench.silentLoop(0, w, undefined, style), [N.warm, style]), { skip });
    const loops = new Map();
    const times = await rounds(alive(), what, N.hits, 4, async (lib, k) => {
      const r = await lib.hits(k, what, style);
      loops.set(lib, (loops.get(lib) || 0) + r.total);
      return r.times;
    }, skip);
    for (const [lib, ms] of times) {
      const us = ms.map((t) => t * 1000);
      lib.res[key] = {
        calls: us.length,
        // Rounded to 1 ns: the samples are multiples of the timer's step (5 µs when isolated)
        // plus float noise, which must not tip a ratio over its target.
        medianUs: +median(us).toFixed(3),
        p95Us: +quantile(us, 0.95).toFixed(3),
        meanUs: +((loops.get(lib) * 1000) / us.length).toFixed(3),
        timerResolutionUs: resolutionUs(ms),
        tokenRequests: 0,
        providerRequests: 0,
      };
    }
  };
  // init: logged-in page loads, alternating between the libraries.
  const init = await rounds(libs, "init", N.loads, N.loads, async (lib) => {
    const s = await lib.load(true);
    if (!s.account) throw new Error("no account after a reload: the cache did not persist");
    if (!s.firstTokenAt) throw new Error("no first token after the reload");
    lib.lastLoad = s.fetched;
    return [[s.readyAt, s.firstTokenAt, s.fetched, s.marks]];
  });
  // Where a load's time goes (medians, ms from navigation start): the bundle's arrival, the
  // .wasm's request and arrival (msal-wasm), initialize() resolved.
  const timeline = (xs) => {
    const at = (file, key) => median(xs.map((x) => x[2].find((f) => f.url.endsWith(`/${file}`))?.[key]).filter(Number.isFinite));
    const names = [...new Set(xs.flatMap((x) => x[3].map(([name]) => name)))];
    const marks = names.map((name) => [name, median(xs.map((x) => x[3].find(([n]) => n === name)?.[1]).filter(Number.isFinite))]);
    return { scriptDoneMs: at("app.js", "endMs"), wasmRequestedMs: at("msal_wasm_bg.wasm", "startMs"), wasmDoneMs: at("msal_wasm_bg.wasm", "endMs"), marks, readyMs: median(xs.map((x) => x[0])) };
  };
  for (const [lib, xs] of init) {
    const ready = xs.map((x) => x[0]), first = xs.map((x) => x[1]);
    lib.res.init = {
      medianMs: median(ready), samplesMs: ready, firstTokenMedianMs: median(first), firstTokenSamplesMs: first, lastLoadFetches: lib.lastLoad,
      timeline: timeline(xs),
    };
  }
  // msal-wasm's page with a preload hint for its .wasm (msal-browser: its same page again, in
  // the same rounds, for the ratio).
  const preload = await rounds(libs, "init with a wasm preload hint", N.loads, N.loads, async (lib) => {
    const s = await lib.load(false, lib.id === "msal-wasm" ? "preload.html" : "");
    return [[s.readyAt, null, s.fetched, s.marks]];
  });
  for (const [lib, xs] of preload) lib.res.initPreload = { medianMs: median(xs.map((x) => x[0])), samplesMs: xs.map((x) => x[0]), timeline: timeline(xs) };
  // The same loads as a phone's: DevTools' network presets, the server compressing what it
  // sends (brotli when the browser accepts it, else gzip -9, as a CDN). On the loopback rows
  // above a byte costs nothing; here each library pays for what it downloads and for each round
  // trip (msal-wasm's .wasm is requested only once its script runs, unless the page hints it).
  // Not target rows: issue 14's target is the loopback row.
  if (ENGINE === "chromium") {
    for (const [key, what, net] of THROTTLED) {
      for (const lib of libs) {
        lib.web.setCompress(true);
        await lib.throttle(net);
      }
      const plain = await rounds(libs, `init, ${what}`, N.loads, N.loads, async (lib) => {
        const s = await lib.load(true);
        if (!s.firstTokenAt) throw new Error("no first token after the reload");
        return [[s.readyAt, s.firstTokenAt, s.fetched, s.marks]];
      });
      for (const [lib, xs] of plain) {
        lib.res[key] = { network: net, medianMs: median(xs.map((x) => x[0])), samplesMs: xs.map((x) => x[0]), firstTokenMedianMs: median(xs.map((x) => x[1])), timeline: timeline(xs), transferred: xs.at(-1)[2].map((f) => [f.url.split("/").pop(), f.bytes]) };
      }
      const hinted = await rounds(libs, `init, ${what}, wasm preload hint`, N.loads, N.loads, async (lib) => {
        const s = await lib.load(false, lib.id === "msal-wasm" ? "preload.html" : "");
        return [[s.readyAt, null, s.fetched, s.marks]];
      });
      for (const [lib, xs] of hinted) lib.res[`${key}Preload`] = { medianMs: median(xs.map((x) => x[0])), samplesMs: xs.map((x) => x[0]), timeline: timeline(xs) };
      for (const lib of libs) {
        lib.web.setCompress(false);
        await lib.throttle(null);
      }
    }
  }
  if (INIT_WASM) {
    log(`--init-wasm: only the init rows ran, msal-wasm's on ${relative(ROOT, INIT_WASM)}`);
    return;
  }

  // The same loads as a returning visitor's: the static server now sends `no-cache` + ETag,
  // so the browser revalidates (304) and may reuse what it compiled before. Not a target
  // row; the target is on the uncached loads above.
  if (!FULL) {
    await hitPhase("cacheHit", "cache hits, small cache");
    return;
  }
  for (const lib of alive()) lib.web.setCache(true);
  await each(alive(), "init, HTTP cache: priming load", (lib) => lib.load());
  const initCached = await rounds(alive(), "init, HTTP cache", N.loads, N.loads, async (lib) => {
    const s = await lib.load();
    return [[s.readyAt, null, s.fetched, s.marks]];
  });
  for (const [lib, xs] of initCached) lib.res.initHttpCache = { medianMs: median(xs.map((x) => x[0])), samplesMs: xs.map((x) => x[0]), timeline: timeline(xs) };
  // As a returning visitor of an app whose bundler hashes its assets: the scripts and the
  // .wasm come from the browser's cache without a request (`immutable`), the page is
  // revalidated. Not a target row either.
  for (const lib of alive()) lib.web.setCache("immutable");
  // The priming page stays open 3 s, as a visit does: V8 writes the wasm's compiled code to
  // the cache only after its hot functions were optimized (a few seconds into the page's life).
  await each(alive(), "init, immutable assets: priming loads", async (lib) => { await lib.load(); await new Promise((ok) => setTimeout(ok, 3000)); await lib.load(); });
  const initImmutable = await rounds(alive(), "init, immutable assets", N.loads, N.loads, async (lib) => {
    const s = await lib.load();
    return [[s.readyAt, null, s.fetched, s.marks]];
  });
  for (const [lib, xs] of initImmutable) lib.res.initImmutable = { medianMs: median(xs.map((x) => x[0])), samplesMs: xs.map((x) => x[0]), timeline: timeline(xs) };
  for (const lib of libs) lib.web.setCache(false);

  await hitPhase("cacheHit", "cache hits, small cache");
  // The same written as apps write it: the account looked up on every call
  // (getActiveAccount() ?? getAllAccounts()[0]).
  await hitPhase("cacheHitAppStyle", "cache hits, account looked up per call", new Set(), "app");
  // Every request different (an extra query parameter both libraries ignore for a cache hit):
  // msal-wasm's memo never answers, every call goes through the wasm cache lookup. Not a
  // target; it shows the lookup's own cost.
  await hitPhase("cacheLookup", "cache hits, no memo, small cache", new Set(), "distinct");

  // Forced refreshes, alternating rounds of 5.
  const refresh = await rounds(alive(), "forced refreshes", N.refreshes, Math.ceil(N.refreshes / 5), async (lib, k) => {
    idp.reset();
    const r = await lib.run((n) => window.bench.refreshLoop(n), k);
    const tokens = idp.counters().token;
    if (r.fromCache) throw new Error(`${r.fromCache} of ${k} forced refreshes came from the cache (${tokens} token requests)`);
    if (tokens !== k) throw new Error(`${k} forced refreshes sent ${tokens} token requests`);
    return r.times;
  });
  for (const [lib, xs] of refresh) lib.res.refresh = { calls: N.refreshes, medianMs: median(xs), p95Ms: quantile(xs, 0.95), tokenRequests: N.refreshes };

  // The big cache: 50 more access tokens (one per bench scope) and 500 unrelated keys.
  const noBigCache = new Set();
  await each(alive(), `big cache: ${N.scopes} more access tokens, ${N.junk} unrelated keys`, async (lib) => {
    idp.reset();
    for (const s of BENCH_SCOPES) {
      const r = await lib.run((sc) => window.bench.acquire(sc), [s]);
      if (!r.ok) throw new Error(`acquiring ${s}: ${r.error}`);
      if (r.fromCache) throw new Error(`${s} came from the cache before it was ever acquired`);
    }
    lib.res.bigCacheFill = { tokenRequests: idp.counters().token };
    await lib.run((n) => window.bench.junk(n), N.junk);
    await lib.load();
    const storage = await lib.run(() => window.bench.storage());
    if (storage.accessTokens < N.scopes + 1) throw new Error(`only ${storage.accessTokens} access tokens in localStorage`);
    lib.res.bigCacheFill.storage = storage;
    // Every bench scope is still served from the cache (nothing was evicted).
    idp.reset();
    for (const s of [BENCH_SCOPES[0], BENCH_SCOPES[N.scopes >> 1], BENCH_SCOPES[N.scopes - 1]]) {
      const r = await lib.run((sc) => window.bench.acquire(sc), [s]);
      if (!r.ok || !r.fromCache) throw new Error(`${s} was not served from the big cache: ${r.error || "network"}`);
    }
    if (idp.counters().token) throw new Error("the big cache went to the network for a cached scope");
  }, { skip: noBigCache });
  await hitPhase("bigCache", "cache hits, big cache", noBigCache);
  await hitPhase("bigCacheLookup", "cache hits, no memo, big cache", noBigCache, "distinct");
  for (const lib of alive()) if (lib.res.bigCache) Object.assign(lib.res.bigCache, lib.res.bigCacheFill);
  const initBig = await rounds(alive(), "init with the big cache", N.loads, N.loads, async (lib) => [(await lib.load()).readyAt], noBigCache);
  for (const [lib, xs] of initBig) lib.res.initBigCache = { medianMs: median(xs), samplesMs: xs };

  // Concurrency: 20 silent calls at once with an expired access token, then 20 forceRefresh.
  try {
    const skip = new Set();
    idp.setConfig({ accessTokenTtl: 2 });
    await each(alive(), "concurrency: a 2-second access token", async (lib) => {
      const seed = await lib.run((sc) => window.bench.acquire(sc, true), SCOPES);
      if (!seed.ok) throw new Error(`forced refresh for a 2-s token: ${seed.error}`);
    }, { skip });
    await sleep(2300);
    await each(alive(), `concurrency: ${N.burst} calls, expired access token`, async (lib) => {
      idp.reset();
      const r = await lib.run((n) => window.bench.burst(n, false), N.burst);
      lib.res.concurrency = { calls: N.burst, expired: { tokenRequests: idp.counters().token, succeeded: r.ok, distinctTokens: r.distinctTokens, errors: r.errors } };
    }, { skip });
    idp.setConfig({ accessTokenTtl: 3600 });
    await each(alive(), `concurrency: ${N.burst} forceRefresh calls`, async (lib) => {
      idp.reset();
      const r = await lib.run((n) => window.bench.burst(n, true), N.burst);
      lib.res.concurrency.forceRefresh = { tokenRequests: idp.counters().token, succeeded: r.ok, distinctTokens: r.distinctTokens, errors: r.errors };
    }, { skip });
  } finally {
    idp.setConfig({ accessTokenTtl: 3600 });
  }
}

// ---------------------------------------------------------------------------------------
// report

function report(sizes, results) {
  const ours = results["msal-wasm"] || {};
  const theirs = results["msal-browser"] || {};
  const rows = [];
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
  const status = (ok) => (ok === null ? "n/a" : ok ? "met" : "MISSED");
  const add = (metric, a, b, fmt, r, target, ok) => rows.push({ metric, ours: a, theirs: b, fmt, ratio: r, target, met: ok });
  const have = (...xs) => xs.every((x) => Number.isFinite(x));

  const bw = sizes["msal-wasm"].gzip9, bb = sizes["msal-browser"].gzip9;
  const rb = ratio(bw, bb);
  if (FULL) add("bundle, gzip -9 (bytes)", bw, bb, "int", rb, "≤ 0.6×", have(rb) ? rb <= 0.6 : null);
  if (FULL) add("bundle, brotli 11 (bytes)", sizes["msal-wasm"].brotli11, sizes["msal-browser"].brotli11, "int", ratio(sizes["msal-wasm"].brotli11, sizes["msal-browser"].brotli11), "", undefined);

  const iw = ours.init?.medianMs, ib = theirs.init?.medianMs, ri = ratio(iw, ib);
  add(`init, median of ${N.loads} loads (ms)`, iw, ib, "ms", ri, "≤ 1.0×", have(ri) ? ri <= 1.0 : null);
  add("init, msal-wasm's page with a wasm preload hint (ms)", ours.initPreload?.medianMs, theirs.initPreload?.medianMs, "ms", ratio(ours.initPreload?.medianMs, theirs.initPreload?.medianMs), "", undefined);
  for (const [key, what] of THROTTLED) {
    add(`init, ${what}, compressed (ms)`, ours[key]?.medianMs, theirs[key]?.medianMs, "ms", ratio(ours[key]?.medianMs, theirs[key]?.medianMs), "", undefined);
    add(`init, ${what}, msal-wasm's page with the hint (ms)`, ours[`${key}Preload`]?.medianMs, theirs[`${key}Preload`]?.medianMs, "ms", ratio(ours[`${key}Preload`]?.medianMs, theirs[`${key}Preload`]?.medianMs), "", undefined);
  }
  add("init, HTTP-cached assets (ms)", ours.initHttpCache?.medianMs, theirs.initHttpCache?.medianMs, "ms", ratio(ours.initHttpCache?.medianMs, theirs.initHttpCache?.medianMs), "", undefined);
  add("init, immutable cached assets (ms)", ours.initImmutable?.medianMs, theirs.initImmutable?.medianMs, "ms", ratio(ours.initImmutable?.medianMs, theirs.initImmutable?.medianMs), "", undefined);
  add("load → first token (ms)", ours.init?.firstTokenMedianMs, theirs.init?.firstTokenMedianMs, "ms", ratio(ours.init?.firstTokenMedianMs, theirs.init?.firstTokenMedianMs), "", undefined);

  // A median within one step of the page's timer (5 µs when isolated) is quantization (0, 2.5
  // or 5 µs), not a measurement: such a row's target is judged on the loops' means (total
  // time / calls, precise to a few ns), both sides' alike.
  const quantized = (r) => Number.isFinite(r?.medianUs) && r.medianUs <= (r.timerResolutionUs || 5) && Number.isFinite(r?.meanUs);
  const judged = (a, b) => (quantized(a) ? [a.meanUs, b?.meanUs, "by means"] : [a?.medianUs, b?.medianUs, ""]);
  const hw = ours.cacheHit?.medianUs, hb = theirs.cacheHit?.medianUs;
  const [jw, jb, jh] = judged(ours.cacheHit, theirs.cacheHit), rh = ratio(jw, jb);
  add(`cache hit, median of ${N.hits} (µs)`, hw, hb, "us", ratio(hw, hb), `≤ 0.05× and ≤ 10 µs${jh && ` (${jh}: ${have(rh) ? rh.toFixed(3) : "?"}×)`}`, have(rh) ? rh <= 0.05 && jw <= 10 : null);
  add("cache hit, p95 (µs)", ours.cacheHit?.p95Us, theirs.cacheHit?.p95Us, "us", ratio(ours.cacheHit?.p95Us, theirs.cacheHit?.p95Us), "", undefined);
  add("cache hit, mean of the loop (µs)", ours.cacheHit?.meanUs, theirs.cacheHit?.meanUs, "us", ratio(ours.cacheHit?.meanUs, theirs.cacheHit?.meanUs), "", undefined);
  const aw = ours.cacheHitAppStyle?.medianUs, ab = theirs.cacheHitAppStyle?.medianUs;
  const [ja, , jah] = judged(ours.cacheHitAppStyle, theirs.cacheHitAppStyle);
  add("cache hit as apps write it (account per call), median (µs)", aw, ab, "us", ratio(aw, ab), `≤ 5 µs${jah && ` (${jah}: ${Number.isFinite(ja) ? ja.toFixed(1) : "?"} µs)`}`, Number.isFinite(ja) ? ja <= 5 : null);
  add("cache hit as apps write it, mean of the loop (µs)", ours.cacheHitAppStyle?.meanUs, theirs.cacheHitAppStyle?.meanUs, "us", ratio(ours.cacheHitAppStyle?.meanUs, theirs.cacheHitAppStyle?.meanUs), "", undefined);

  const gw = ours.bigCache?.medianUs, gb = theirs.bigCache?.medianUs;
  // When our small-cache median is within one step of the timer (5 µs when isolated), the two
  // medians are quantization, not measurement (0, 2.5 or 5 µs): the loops' means (total time /
  // calls, precise to a few ns) are compared instead.
  const step = ours.cacheHit?.timerResolutionUs || 5;
  const byMeans = hw <= step && Number.isFinite(ours.bigCache?.meanUs) && Number.isFinite(ours.cacheHit?.meanUs);
  const own = byMeans ? ratio(ours.bigCache.meanUs, ours.cacheHit.meanUs) : ratio(gw, hw);
  add(`big cache hit, median (µs)`, gw, gb, "us", ratio(gw, gb), `≤ 1.2× own small (now ${Number.isFinite(own) ? own.toFixed(2) : "?"}×${byMeans ? ", by means" : ""})`, have(own) ? own <= 1.2 : null);
  add("big cache hit, mean of the loop (µs)", ours.bigCache?.meanUs, theirs.bigCache?.meanUs, "us", ratio(ours.bigCache?.meanUs, theirs.bigCache?.meanUs), "", undefined);
  add("hit without memo, small cache, median (µs)", ours.cacheLookup?.medianUs, theirs.cacheLookup?.medianUs, "us", ratio(ours.cacheLookup?.medianUs, theirs.cacheLookup?.medianUs), "", undefined);
  add("hit without memo, big cache, median (µs)", ours.bigCacheLookup?.medianUs, theirs.bigCacheLookup?.medianUs, "us", ratio(ours.bigCacheLookup?.medianUs, theirs.bigCacheLookup?.medianUs), `(own big/small ${ratio(ours.bigCacheLookup?.medianUs, ours.cacheLookup?.medianUs).toFixed(2)}×)`, undefined);
  add("big cache hit, p95 (µs)", ours.bigCache?.p95Us, theirs.bigCache?.p95Us, "us", ratio(ours.bigCache?.p95Us, theirs.bigCache?.p95Us), "", undefined);
  add(`init with the big cache (ms)`, ours.initBigCache?.medianMs, theirs.initBigCache?.medianMs, "ms", ratio(ours.initBigCache?.medianMs, theirs.initBigCache?.medianMs), "", undefined);

  const fw = ours.refresh?.medianMs, fb = theirs.refresh?.medianMs, rf = ratio(fw, fb);
  add(`forced refresh, median of ${N.refreshes} (ms)`, fw, fb, "ms", rf, "≤ 1.1×", have(rf) ? rf <= 1.1 : null);

  const conc = (r, k) => {
    const c = r.concurrency?.[k];
    return c ? `${c.tokenRequests} req, ${c.succeeded}/${N.burst} ok` : "—";
  };
  const concOk = (k) => {
    const c = ours.concurrency?.[k];
    return c ? c.tokenRequests === 1 && c.succeeded === N.burst : null;
  };
  add(`${N.burst} concurrent, expired AT`, conc(ours, "expired"), conc(theirs, "expired"), "str", NaN, "1 req, all ok", concOk("expired"));
  add(`${N.burst} concurrent, forceRefresh`, conc(ours, "forceRefresh"), conc(theirs, "forceRefresh"), "str", NaN, "1 req, all ok", concOk("forceRefresh"));

  const f = (v, fmt) => {
    if (fmt === "str") return v ?? "—";
    if (!Number.isFinite(v)) return "—";
    if (fmt === "int") return v.toLocaleString("en-US");
    if (fmt === "ms") return v.toFixed(1);
    return v < 100 ? v.toFixed(1) : v.toFixed(0);
  };
  const table = [["metric", "msal-wasm", "msal-browser", "wasm/browser", "target", "status"]];
  // Another engine measured only some rows: the others are left out, not shown empty.
  if (!FULL) rows.splice(0, rows.length, ...rows.filter((r) => r.fmt !== "str" && (Number.isFinite(r.ours) || Number.isFinite(r.theirs))));
  for (const r of rows) {
    table.push([r.metric, f(r.ours, r.fmt), f(r.theirs, r.fmt), Number.isFinite(r.ratio) ? `${r.ratio.toFixed(3)}×` : "", r.target, r.met === undefined ? "" : status(r.met)]);
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
  const line = (row) => "| " + row.map((v, c) => (c > 0 && c < 4 ? String(v).padStart(widths[c]) : String(v).padEnd(widths[c]))).join(" | ") + " |";
  const out = [line(table[0]), "|" + widths.map((w, c) => (c > 0 && c < 4 ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|", ...table.slice(1).map(line)];
  return { text: out.join("\n"), rows };
}

// ---------------------------------------------------------------------------------------
// main

async function main() {
  const cleanup = [];
  let failed = false;
  const stop = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    cleanup.length = 0;
  };
  const onSignal = () => { stop().finally(() => process.exit(130)); };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // A hung browser must not hang the run.
  const watchdog = setTimeout(() => {
    console.error("bench: no result after 10 minutes, giving up");
    stop().finally(() => process.exit(1));
  }, 10 * 60 * 1000);
  watchdog.unref();

  let sizes, results = {}, env = {};
  try {
    log("bundling both apps with esbuild");
    sizes = await buildApps();

    const webs = {};
    for (const { id } of LIBS) {
      webs[id] = await startStatic({ roots: { "/": join(DIST, id) }, isolate: true });
      cleanup.push(() => webs[id].close());
    }
    const idp = await startIdp({ port: 0, https: true, spaOrigins: Object.values(webs).map((w) => w.origin), extraScopes: BENCH_SCOPES });
    cleanup.push(() => idp.close());
    const browser = await launchBrowser(ENGINE);
    cleanup.push(() => browser.close());
    env = {
      engine: ENGINE,
      [ENGINE]: browser.version(), authority: idp.oidcAuthority, protocolMode: "OIDC", cacheLocation: "localStorage",
      pkg: relative(ROOT, PKG) || ".", wasmSha256: pkgWasmHash(), loadavgBefore: loadavg().map((x) => +x.toFixed(2)),
    };
    log(`provider ${idp.origin} (https), ${ENGINE_NAME} ${env[ENGINE]}`);

    const libs = LIBS.map((def) => new Lib(def, { browser, idp, web: webs[def.id] }));
    try {
      await runScenario(libs, idp);
    } finally {
      for (const lib of libs) {
        await lib.close().catch(() => {});
        results[lib.id] = lib.res;
        if (lib.res.errors.length) failed = true;
      }
    }
  } catch (e) {
    failed = true;
    console.error(e);
  } finally {
    env.loadavgAfter = loadavg().map((x) => +x.toFixed(2));
    await stop();
  }
  if (!sizes) return 1;

  const { text, rows } = report(sizes, results);
  const coi = Object.fromEntries(LIBS.map(({ id }) => [id, results[id]?.crossOriginIsolated]));
  const res = (id, k) => results[id]?.[k]?.timerResolutionUs;
  console.log(`\nmsal-wasm vs @azure/msal-browser ${readPkgVersion()} — headless ${ENGINE_NAME} ${env[ENGINE] || "?"}, provider over https, ` +
    `protocolMode OIDC, cacheLocation localStorage${QUICK ? " (--quick)" : ""}`);
  console.log(`package: ${env.pkg} (wasm sha256 ${env.wasmSha256}); load average before/after: ${env.loadavgBefore?.[0]} / ${env.loadavgAfter?.[0]} on ${cpus().length} cores`);
  console.log(`crossOriginIsolated: msal-wasm ${coi["msal-wasm"]}, msal-browser ${coi["msal-browser"]}; ` +
    `smallest measured step: ${res("msal-wasm", "cacheHit") ?? "?"} µs / ${res("msal-browser", "cacheHit") ?? "?"} µs\n`);
  console.log(text);
  console.log(`\nbundle parts (gzip -9 / brotli 11): ${LIBS.map(({ id }) => `${id}: ${sizes[id].parts.map((p) => `${p.name} ${p.gzip9} / ${p.brotli11} B`).join(" + ")}`).join("; ")}`);
  const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "?");
  const line = (t) => [`bundle in ${ms(t.scriptDoneMs)}`, Number.isFinite(t.wasmRequestedMs) ? `.wasm requested ${ms(t.wasmRequestedMs)}, in ${ms(t.wasmDoneMs)}` : null, ...(t.marks || []).map(([n, v]) => `${n} ${ms(v)}`), `ready ${ms(t.readyMs)}`].filter(Boolean).join(", ");
  for (const [key, what] of [["init", "init"], ["initPreload", "init with the preload hint"], ["initHttpCache", "init with HTTP-cached assets"], ["initImmutable", "init with immutable cached assets"]]) {
    const parts = LIBS.map(({ id }) => results[id]?.[key]?.timeline && `${id}: ${line(results[id][key].timeline)}`).filter(Boolean);
    if (parts.length) console.log(`${what}, medians in ms from navigation start: ${parts.join("; ")}`);
  }
  for (const { id } of LIBS) for (const e of results[id]?.errors || []) console.log(`${id} FAILED: ${e}`);
  const missed = rows.filter((r) => r.met === false).length;
  const met = rows.filter((r) => r.met === true).length;
  console.log(`targets: ${met} met, ${missed} missed; ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const resultsFile = INIT_WASM ? "results-init-wasm.json" : FULL ? "results.json" : `results-${ENGINE}.json`;
  writeFileSync(join(BENCH, resultsFile), JSON.stringify({
    date: new Date().toISOString(),
    quick: QUICK,
    iterations: N,
    env: { ...env, msalBrowser: readPkgVersion(), node: process.version },
    bundle: sizes,
    results,
    table: rows.map(({ fmt, ...r }) => r),
  }, null, 2) + "\n");
  log(`wrote bench/${resultsFile}`);
  return failed ? 1 : 0;
}

function pkgWasmHash() {
  const wasm = readdirSync(PKG).filter((f) => f.endsWith(".wasm"));
  return wasm.map((f) => createHash("sha256").update(readFileSync(join(PKG, f))).digest("hex").slice(0, 12)).join(",");
}

function readPkgVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules/@azure/msal-browser/package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

process.exitCode = await main();
