// A test runner's page under Node (Vitest's or Jest's jsdom, happy-dom): the package is loaded
// from disk, where fetch takes no file URL, so the wasm is read from the file. No browser here:
// the page is the handful of globals such an environment gives.
import { test } from "node:test";
import assert from "node:assert/strict";

// What a test runner's page gives: Web Storage, a document, an address, a BroadcastChannel.
function pageGlobals() {
  const store = () => {
    const m = new Map();
    return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), key: (i) => [...m.keys()][i] ?? null, get length() { return m.size; }, clear: () => m.clear() };
  };
  return {
    location: new URL("http://localhost:3000/"),
    sessionStorage: store(),
    localStorage: store(),
    document: { cookie: "", currentScript: null, addEventListener() {}, removeEventListener() {}, visibilityState: "visible" },
    history: { replaceState() {} },
    addEventListener() {},
    removeEventListener() {},
    // (jsdom has none; Node's would keep this process alive.)
    BroadcastChannel: class { postMessage() {} close() {} addEventListener() {} removeEventListener() {} },
  };
}

// The page's globals, set once for the file (the package is imported once).
let loaded;
async function page() {
  if (loaded) return loaded;
  Object.assign(globalThis, { window: globalThis, ...pageGlobals() });
  loaded = await import("../../pkg/index.js");
  return loaded;
}

test("under Node with a jsdom-like page (Vitest): initialize() reads the wasm from disk and the client works", async () => {
  const msal = await page();
  const pca = new msal.PublicClientApplication({ auth: { clientId: "c", authority: "https://login.microsoftonline.com/common" } });
  await pca.initialize();
  assert.deepEqual([pca.getAllAccounts().length, await pca.handleRedirectPromise()], [0, null]);
  const e = await pca.acquireTokenSilent({ scopes: ["User.Read"] }).catch((x) => x);
  assert.equal(e.errorCode, "no_account_error");
});

// A client with one account and its User.Read token in the cache (no network).
const TENANT = "11111111-1111-1111-1111-111111111111";
async function signedIn(msal, clientId) {
  const pca = new msal.PublicClientApplication({ auth: { clientId, authority: `https://login.microsoftonline.com/${TENANT}` } });
  await pca.initialize();
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const idToken = `${b64({ alg: "none" })}.${b64({ sub: "s", oid: "oid1", tid: TENANT, preferred_username: "u1", iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, aud: clientId })}.sig`;
  const result = { idToken, accessToken: "at-1", scopes: ["User.Read"], expiresOn: new Date(Date.now() + 3600e3), account: { homeAccountId: `oid1.${TENANT}` } };
  await pca.hydrateCache(result, { scopes: ["User.Read"] });
  return { pca, account: pca.getAllAccounts()[0] };
}

test("an event callback that asks again for the token it was just told of joins the call: one success, no recursion", async () => {
  const msal = await page();
  const { pca, account } = await signedIn(msal, "reenter-hit");
  const told = [];
  const thrown = [];
  const joined = [];
  pca.addEventCallback((e) => {
    if (e.eventType !== msal.EventType.ACQUIRE_TOKEN_SUCCESS) return;
    told.push(e.payload.accessToken);
    try { joined.push(pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then((r) => r.accessToken, (x) => x)); } catch (x) { thrown.push(x); }
  });
  // The first hit, then the memo's.
  for (const round of [1, 2]) {
    told.length = 0;
    joined.length = 0;
    const r = await pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    await new Promise((done) => setTimeout(done, 10));
    assert.equal(r.accessToken, "at-1");
    assert.deepEqual([told, thrown], [["at-1"], []], `round ${round}: one success event, the callback's call joined the first`);
    // The callback's own call is answered too, with the same token.
    const settled = await Promise.race([Promise.all(joined), new Promise((done) => setTimeout(() => done("unsettled"), 2000))]);
    assert.deepEqual(settled, ["at-1"], `round ${round}: the callback's call`);
  }
});

test("an event callback that asks again when a token request starts joins it: one network start", async () => {
  const msal = await page();
  const { pca, account } = await signedIn(msal, "reenter-network");
  const waiting = [];
  const fetch = globalThis.fetch;
  globalThis.fetch = () => new Promise((_, reject) => waiting.push(reject));
  try {
    let starts = 0;
    const thrown = [];
    const joined = [];
    pca.addEventCallback((e) => {
      if (e.eventType !== msal.EventType.ACQUIRE_TOKEN_NETWORK_START) return;
      starts++;
      try { joined.push(pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then(() => "resolved", (x) => x.errorCode)); } catch (x) { thrown.push(x); }
    });
    const call = pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).catch((e) => e);
    await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual([starts, thrown.length], [1, 0], "one network start; the callback's call joined it");
    for (const reject of waiting) reject(new TypeError("offline"));
    // (No refresh token and no frame under Node: the call fails, once.)
    assert.equal((await call).errorCode, "popup_window_error");
    assert.equal(starts, 1);
    // The callback's call, which joined it, fails with it.
    const settled = await Promise.race([Promise.all(joined), new Promise((done) => setTimeout(() => done("unsettled"), 2000))]);
    assert.deepEqual(settled, ["popup_window_error"]);
  } finally {
    globalThis.fetch = fetch;
  }
});

test("loadExternalTokens called three times at once, with no client of that app on the page: all three stored and resolved", async () => {
  const msal = await page();
  const config = { auth: { clientId: "loaded-app", authority: `https://login.microsoftonline.com/${TENANT}` } };
  const given = (n) => ({ homeAccountId: `uid-${n}.${TENANT}`, environment: "login.microsoftonline.com", tenantId: TENANT, localAccountId: `uid-${n}`, username: `u${n}@x`, name: "N" });
  const one = (n) => msal.loadExternalTokens(config, { scopes: [`R${n}.Read`], account: given(n) }, { access_token: `at-${n}`, token_type: "Bearer", expires_in: 3600, scope: `R${n}.Read` }, {})
    .then((r) => r.accessToken, (e) => `${e.errorCode}: ${e.errorMessage}`);
  assert.deepEqual(await Promise.all([one(1), one(2), one(3)]), ["at-1", "at-2", "at-3"]);
  const later = new msal.PublicClientApplication(config);
  await later.initialize();
  assert.deepEqual(later.getAllAccounts().map((a) => a.username).sort(), ["u1@x", "u2@x", "u3@x"]);
});

test("with the test runner's fake timers (Jest's, Sinon's: queueMicrotask faked too), initialize() and handleRedirectPromise() still finish", async () => {
  const msal = await page();
  const real = globalThis.queueMicrotask;
  const held = [];
  globalThis.queueMicrotask = (f) => held.push(f); // runs only when the test advances its clock
  try {
    const pca = new msal.PublicClientApplication({ auth: { clientId: "fake-timers", authority: "https://login.microsoftonline.com/common" } });
    const within = (p) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error("never finished")), 2000))]);
    await within(pca.initialize());
    assert.equal(await within(pca.handleRedirectPromise()), null);
  } finally {
    globalThis.queueMicrotask = real;
  }
});

test("the package's \"main\" (what Jest 27, Create React App's, loads: it reads no \"exports\") is CommonJS", async () => {
  const { readFileSync } = await import("node:fs");
  const { default: Module } = await import("node:module");
  const vm = await import("node:vm");
  const dir = new URL("../../pkg/", import.meta.url);
  const { main } = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
  const source = readFileSync(new URL(main, dir), "utf8");
  // Jest runs a module's text wrapped in a function, as Node's CommonJS loader does.
  assert.doesNotThrow(() => new vm.Script(Module.wrap(source)), `${main} is not a CommonJS script`);
});

// The CommonJS build evaluated afresh in a context of its own whose globals are `globals` plus a
// page's (no TextEncoder/TextDecoder, as jsdom), as Jest runs a module: its exports.
async function cjsPage(globals) {
  const { readFileSync } = await import("node:fs");
  const { default: Module, createRequire } = await import("node:module");
  const { fileURLToPath } = await import("node:url");
  const vm = await import("node:vm");
  const file = fileURLToPath(new URL("../../pkg/index.cjs", import.meta.url));
  const page = vm.createContext({ console, setTimeout, clearTimeout, URL, crypto: globalThis.crypto, ...pageGlobals(), ...globals });
  vm.runInContext("globalThis.window = globalThis", page);
  const module = { exports: {} };
  vm.runInContext(Module.wrap(readFileSync(file, "utf8")), page, { filename: file })(module.exports, createRequire(file), module, file, fileURLToPath(new URL(".", `file://${file}`)));
  return { msal: module.exports, page, run: (code) => vm.runInContext(code, page) };
}

test("the CommonJS build under a Node without process.getBuiltinModule (before 20.16 / 22.3), in a page without TextEncoder (jsdom's, as Jest runs it): loads, initializes", async () => {
  const oldNode = Object.create(process, { getBuiltinModule: { value: undefined } });
  const { msal, run } = await cjsPage({ process: oldNode });
  assert.equal(run("typeof TextEncoder + typeof process.getBuiltinModule"), "undefinedundefined");
  const pca = new msal.PublicClientApplication({ auth: { clientId: "c" } });
  await pca.initialize();
  assert.equal(await pca.handleRedirectPromise(), null);
  assert.equal(pca.getAllAccounts().length, 0);
});

test("a configuration msal accepts at initialize() (no clientId, an authority without a tenant): initialize() resolves, as msal's, and the calls fail with its code; the failure is on the console when the app has no logger (msal-react's MsalProvider leaves startup then)", async () => {
  const lines = [];
  const { msal } = await cjsPage({ process, console: { ...console, error: (m) => lines.push(String(m)) } });
  for (const [auth, code] of [[{ clientId: "" }, "empty_client_id"], [{ clientId: "c", authority: "https://login.microsoftonline.com/" }, "url_empty_path"]]) {
    lines.length = 0;
    const pca = new msal.PublicClientApplication({ auth });
    const events = [];
    pca.addEventCallback((m) => events.push(m.eventType));
    await pca.initialize();
    assert.deepEqual(events, ["msal:initializeStart", "msal:initializeEnd"]);
    assert.equal(pca.getAllAccounts().length, 0);
    const silent = await pca.acquireTokenSilent({ scopes: ["User.Read"], account: { homeAccountId: "x" } }).catch((e) => e);
    assert.deepEqual([silent.name, silent.errorCode], ["ClientConfigurationError", code]);
    assert.ok(silent instanceof msal.ClientConfigurationError);
    // Nothing started, nothing to come back from: null, with the events (as msal's).
    events.length = 0;
    assert.equal(await pca.handleRedirectPromise(), null);
    assert.deepEqual(events, ["msal:handleRedirectStart", "msal:handleRedirectEnd"]);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], new RegExp(`^msal-wasm: initialize failed: ${code}`));
  }
  // With the app's logger: there, not on the console.
  lines.length = 0;
  const logged = [];
  const pca = new msal.PublicClientApplication({ auth: { clientId: "" }, system: { loggerOptions: { loggerCallback: (l, m) => logged.push(m) } } });
  await pca.initialize();
  assert.deepEqual([lines.length, logged.filter((m) => /initialize failed: empty_client_id/.test(m)).length], [0, 1]);
  // msal's support switch logs to the console itself: once.
  const page = await cjsPage({ process, console: { ...console, error: (m) => lines.push(String(m)), warn: () => {}, info: () => {}, debug: () => {}, log: () => {} } });
  page.run(`sessionStorage.setItem("msal.browser.log.level", "Info")`);
  await new page.msal.PublicClientApplication({ auth: { clientId: "" } }).initialize();
  assert.deepEqual(lines.filter((l) => /initialize failed: empty_client_id/.test(l)).length, 1, lines.join("\n"));
});

test("under a test runner (Node's fetch, fake timers that never fire), a wasmUrl Node cannot fetch fails initialize() at once: the download's retry is for browsers", async () => {
  // (Node's own TypeError: its fetch throws in this realm, as under Vitest's jsdom.)
  const { msal } = await cjsPage({ process, fetch, Response, TypeError, setTimeout: () => 0 });
  const pca = new msal.PublicClientApplication({ auth: { clientId: "c" }, system: { wasmUrl: "/msal_wasm_bg.wasm" } });
  const e = await Promise.race([pca.initialize().catch((x) => x), new Promise((r) => globalThis.setTimeout(() => r({ errorCode: "still pending after 3 s" }), 3000))]);
  assert.equal(e.errorCode, "wasm_load_failed");
  assert.doesNotMatch(e.errorMessage, /3 tries/);
});

test("a browser extension's page whose manifest refuses WebAssembly: initialize() names the manifest's policy", async () => {
  const { msal, run } = await cjsPage({ process, location: new URL("chrome-extension://abcdefghijklmnop/popup.html") });
  // Chromium's refusal under MV3's default policy (script-src 'self').
  run(`WebAssembly.instantiate = () => Promise.reject(new WebAssembly.CompileError("WebAssembly.instantiate(): Refused to compile or instantiate WebAssembly module because 'wasm-eval' is not an allowed source of script in the following Content Security Policy directive: \\"script-src 'self'\\""))`);
  const e = await new msal.PublicClientApplication({ auth: { clientId: "c" } }).initialize().catch((x) => x);
  assert.equal(e.errorCode, "wasm_load_failed");
  assert.match(e.errorMessage, /manifest's content_security_policy\.extension_pages/);
});

test("a file: page (Electron, Cordova), where fetch reads no files: initialize() says so, and takes the module's bytes as system.wasmUrl", async () => {
  const { readFileSync } = await import("node:fs");
  const { msal, run } = await cjsPage({ location: new URL("file:///app/index.html"), TextEncoder, TextDecoder });
  // The longest JSON the package makes (the configuration it hands the wasm among them).
  run("const stringify = JSON.stringify; globalThis.longest = 0; JSON.stringify = (...a) => { const s = stringify(...a); longest = Math.max(longest, (s || '').length); return s; }");
  const e = await new msal.PublicClientApplication({ auth: { clientId: "c" } }).initialize().catch((x) => x);
  assert.equal(e.errorCode, "wasm_load_failed");
  assert.match(e.errorMessage, /a file: page cannot fetch it/);
  const bytes = new Uint8Array(readFileSync(new URL("../../pkg/msal_wasm_bg.wasm", import.meta.url)));
  const pca = new msal.PublicClientApplication({ auth: { clientId: "c" }, system: { wasmUrl: bytes } });
  await pca.initialize();
  assert.equal(await pca.handleRedirectPromise(), null);
  assert.ok(run("longest") < 10000, `the module's bytes are not copied into the configuration the wasm reads (${run("longest")} characters)`);
});
