// End-to-end: a hostile page of the same origin and an unlucky network (issue 12). Each test
// plays one attack or stall against the real package in Chromium and the local provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CLIENT_ID, TENANT_ID } from "../idp/server.mjs";
import { signedInPage, useEnv } from "./env.mjs";
import { clickClosing, launchBrowser, popupSignIn, waitFor } from "./helpers.mjs";

const env = useEnv({ redirectPaths: ["/two-clients.html"] });

const system = (s) => ({ system: JSON.stringify(s) });

// Runs silent calls in the page, each settling to {ok, fromCache, at} or {ok: false, code, sub};
// "hung" when they have not all settled after `limitMs`.
function silentCalls(page, requests, limitMs = 30000) {
  return page.evaluate(async ([requests, limitMs]) => {
    const account = window.pca.getAllAccounts()[0];
    const t0 = performance.now();
    const calls = requests.map((r) =>
      window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, ...r }).then(
        (x) => ({ ok: true, fromCache: x.fromCache, at: x.accessToken }),
        (e) => ({ ok: false, code: e.errorCode, sub: e.subError }),
      ));
    const out = await Promise.race([Promise.all(calls), new Promise((r) => setTimeout(() => r("hung"), limitMs))]);
    return { out, ms: performance.now() - t0 };
  }, [requests, limitMs]);
}

test("a browser with WebAssembly turned off (Chromium without its compilers, as Edge's enhanced security mode runs it): initialize() fails with wasm_load_failed, naming the cause", async () => {
  const browser = env.watch(await launchBrowser("chromium", { jitless: true }));
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(env.harness("entra"));
    await page.waitForSelector("body[data-ready='1']");
    const r = await page.evaluate(() => [typeof WebAssembly, window.redirect]);
    assert.equal(r[0], "undefined");
    assert.deepEqual([r[1].ok, r[1].name, r[1].code], [false, "BrowserAuthError", "wasm_load_failed"], JSON.stringify(r));
    assert.match(r[1].message, /this browser has WebAssembly turned off/);
    await page.context().close();
  } finally {
    await browser.close();
  }
});

test("a wasm the browser cannot compile (a Safari before 15.1) or may not (a Content-Security-Policy without 'wasm-unsafe-eval'): wasm_load_failed names that cause, not where the file is; a page served for the file names where it is", async () => {
  // An older engine, as the page sees it: its compiler refuses the module's instructions.
  const old = await env.browser.newContext();
  await old.addInitScript(() => {
    const refuse = () => Promise.reject(new WebAssembly.CompileError("WebAssembly.Module doesn't parse at byte 1234: invalid opcode 252"));
    WebAssembly.instantiateStreaming = refuse;
    WebAssembly.instantiate = refuse;
    // (Its validator knows no externref table.)
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => (bytes.length === 14 ? false : validate(bytes));
  });
  const page = await old.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => window.redirect);
  assert.deepEqual([r.ok, r.code], [false, "wasm_load_failed"], JSON.stringify(r));
  assert.match(r.message, /Safari 15\.1 or later/);
  assert.doesNotMatch(r.message, /wasmUrl/);
  await old.close();
  // A policy that allows the page's scripts but not WebAssembly.
  const strict = await env.browser.newContext();
  const csp = await strict.newPage();
  await csp.route((u) => u.pathname === "/", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": "script-src 'self' 'unsafe-inline'" } });
  });
  await csp.goto(env.harness("entra"));
  await csp.waitForSelector("body[data-ready='1']");
  const c = await csp.evaluate(() => window.redirect);
  assert.deepEqual([c.ok, c.code], [false, "wasm_load_failed"], JSON.stringify(c));
  assert.match(c.message, /needs 'wasm-unsafe-eval' in script-src/);
  await strict.close();
  // A policy whose connect-src leaves out where the .wasm is (a CDN's scripts): fetch fails as
  // any network error would, and only the policy's report says why.
  const connect = await env.browser.newContext();
  const fetchless = await connect.newPage();
  await fetchless.route((u) => u.pathname === "/", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src 'none'" } });
  });
  await fetchless.goto(env.harness("entra"));
  await fetchless.waitForSelector("body[data-ready='1']");
  const f = await fetchless.evaluate(() => window.redirect);
  assert.deepEqual([f.ok, f.code], [false, "wasm_load_failed"], JSON.stringify(f));
  assert.match(f.message, /CSP needs the \.wasm's origin in connect-src/);
  await connect.close();
  // A server that answers the .wasm with a page (an index.html fallback, as Vite's dev server
  // does for a file it does not have): where the file is, not the browser.
  const fallback = await env.browser.newContext();
  await fallback.route("**/msal_wasm_bg.wasm", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>app</title>" }));
  const html = await fallback.newPage();
  await html.goto(env.harness("entra"));
  await html.waitForSelector("body[data-ready='1']");
  const h = await html.evaluate(() => window.redirect);
  assert.deepEqual([h.ok, h.code], [false, "wasm_load_failed"], JSON.stringify(h));
  assert.match(h.message, /wasmUrl/);
  assert.doesNotMatch(h.message, /Safari/);
  await fallback.close();
  // A file cut short (a download that broke, a stale cache): damaged, not an old browser.
  const cut = await env.browser.newContext();
  const wasm = readFileSync("pkg/msal_wasm_bg.wasm");
  await cut.route("**/msal_wasm_bg.wasm", (route) => route.fulfill({ status: 200, contentType: "application/wasm", body: wasm.subarray(0, 100000) }));
  const short = await cut.newPage();
  await short.goto(env.harness("entra"));
  await short.waitForSelector("body[data-ready='1']");
  const d = await short.evaluate(() => window.redirect);
  assert.deepEqual([d.ok, d.code], [false, "wasm_load_failed"], JSON.stringify(d));
  assert.match(d.message, /damaged or from another msal-wasm version/);
  await cut.close();
  // An installed app started offline whose service worker cached its scripts but not the
  // .wasm: offline and the cache, not where the file is (with or without system.wasmUrl).
  const pwa = await env.browser.newContext();
  await pwa.addInitScript(() => Object.defineProperty(Navigator.prototype, "onLine", { get: () => false }));
  await pwa.route("**/msal_wasm_bg.wasm", (route) => route.abort("internetdisconnected"));
  const offline = await pwa.newPage();
  await offline.goto(env.harness("entra"));
  await offline.waitForSelector("body[data-ready='1']");
  const o = await offline.evaluate(() => window.redirect);
  assert.deepEqual([o.ok, o.code], [false, "wasm_load_failed"], JSON.stringify(o));
  assert.match(o.message, /offline, and no cache holds msal_wasm_bg\.wasm: a service worker must precache it/);
  assert.doesNotMatch(o.message, /wasmUrl/);
  await pwa.close();
});

test("a renewal lock held forever by a page of the origin costs its bound, then the tab renews alone", async () => {
  // networkTimeout 1 s: the renewal lock is waited for 2 × 1 s + 2 s = 4 s at most.
  const page = await signedInPage(env, "lena", { cache: "localStorage", extra: system({ networkTimeout: 1000 }) });
  const home = await page.evaluate(() => window.pca.getAllAccounts()[0].homeAccountId);
  const squatter = await page.context().newPage();
  await squatter.goto(`${env.web.origin}/blank.html`);
  await squatter.evaluate((name) => { navigator.locks.request(name, () => new Promise(() => {})); }, `msal.${CLIENT_ID}.renew.${home}`);
  await env.idp.reset();
  const { out, ms } = await silentCalls(page, [{ forceRefresh: true }, { forceRefresh: true }, { forceRefresh: true, scopes: ["api.read"] }]);
  assert.notEqual(out, "hung", "the silent calls never settled");
  assert.deepEqual(out.map((r) => [r.ok, r.fromCache]), [[true, false], [true, false], [true, false]], JSON.stringify(out));
  assert.equal(out[0].at, out[1].at, "the identical calls shared one renewal");
  // One bound: the distinct request queued behind the shared one then waits briefly only (half
  // the bound here, 2 s), not the whole bound again (8 s before); an unbounded wait fails.
  assert.ok(ms >= 5900 && ms < 7500, `settled after ${Math.round(ms)} ms`);
  assert.equal((await env.idp.counters()).byGrant.refresh_token, 2, "one renewal per distinct request");
  assert.ok(await page.evaluate(() => window.logs.some(([l, m]) => l === 1 && m.includes("renewal lock past its bound"))));
  await page.context().close();
});

test("a token endpoint that never answers: the call fails at the network timeout with msal's code, and the next one works", async () => {
  const page = await signedInPage(env, "mona", { extra: system({ networkTimeout: 1500 }) });
  await env.idp.setConfig({ stall: ["token"] });
  try {
    const { out, ms } = await silentCalls(page, [{ forceRefresh: true }, { forceRefresh: true }]);
    assert.notEqual(out, "hung");
    assert.deepEqual(out, [
      { ok: false, code: "post_request_failed", sub: "timed_out" },
      { ok: false, code: "post_request_failed", sub: "timed_out" },
    ]);
    assert.ok(ms >= 1400 && ms < 8000, `failed after ${Math.round(ms)} ms`);
  } finally {
    await env.idp.setConfig({ stall: [] });
  }
  const { out } = await silentCalls(page, [{ forceRefresh: true }]);
  assert.deepEqual(out.map((r) => [r.ok, r.fromCache]), [[true, false]], "the aborted request no longer blocks the next");
  await page.context().close();
});

test("a token request whose connection drops is sent once more after 100 ms (msal's FetchClient); two drops fail", async () => {
  const page = await signedInPage(env, "mats");
  let drops = 1, posts = 0;
  await page.route((url) => url.pathname.endsWith("/oauth2/v2.0/token"), (route) => {
    posts++;
    return drops-- > 0 ? route.abort("connectionreset") : route.continue();
  });
  const { out } = await silentCalls(page, [{ forceRefresh: true }]);
  assert.deepEqual(out.map((r) => [r.ok, r.fromCache]), [[true, false]], JSON.stringify(out));
  assert.equal(posts, 2, "the dropped request was sent again");
  drops = 2;
  posts = 0;
  const second = await silentCalls(page, [{ forceRefresh: true }]);
  assert.deepEqual(second.out.map((r) => [r.ok, r.code]), [[false, "post_request_failed"]]);
  assert.equal(posts, 2, "one retry, not more");
  await page.context().close();
});

test("discovery that never answers: initialize() resolves at once without the endpoints (as msal's, which needs no network); the first request that needs them fails, and a later one fetches the document", async () => {
  const ctx = await env.browser.newContext();
  await env.idp.setConfig({ stall: ["discovery"] });
  let page;
  try {
    page = await env.open("entra", "sessionStorage", ctx, 300, system({ networkTimeout: 1500 }));
    assert.deepEqual(await page.evaluate(() => [window.redirect.ok, window.redirect.result]), [true, null]);
    assert.deepEqual(await page.evaluate(() => window.pca.getAllAccounts()), []);
    // Still no answer: a request that needs the endpoints fails as the fetch does.
    // (The call's correlation id on the error and in the failure event, as msal stamps it.)
    const code = await page.evaluate(async () => {
      window.events.length = 0;
      const failed = [];
      const id = window.pca.addEventCallback((m) => { if (m.error) failed.push(m.error.correlationId); });
      const e = await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "ivy", correlationId: "sso-cid" }).then(() => "ok", (e) => `${e.errorCode}:${e.correlationId}`);
      window.pca.removeEventCallback(id);
      return [e, failed];
    });
    assert.deepEqual(code, ["endpoints_resolution_error:sso-cid", ["sso-cid"]]);
  } finally {
    await env.idp.setConfig({ stall: [] });
  }
  // The provider answers again: a sign-in fetches the document and runs.
  await popupSignIn(page, "#popup", "ivy");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "ivy");
  await ctx.close();
});

test("a discovery document planted in storage (far endpoints, far-future expiry) is dropped and never receives a code", async () => {
  const ctx = await env.browser.newContext();
  const evil = [];
  await ctx.route("https://evil.example/**", (route) => {
    evil.push(route.request().url());
    return route.fulfill({ status: 200, body: "" });
  });
  const doc = await (await fetch(`${env.idp.entraAuthority}/v2.0/.well-known/openid-configuration`)).json();
  const planted = { ...doc, authorization_endpoint: "https://evil.example/authorize", token_endpoint: "https://evil.example/token" };
  const key = `msal.${CLIENT_ID}.authority-metadata.${env.idp.entraAuthority}/`;
  const seed = await ctx.newPage();
  await seed.goto(`${env.web.origin}/blank.html`);
  await seed.evaluate(([k, v]) => localStorage.setItem(k, v), [key, JSON.stringify({ expiresAt: Date.now() + 10 * 365 * 86400e3, document: JSON.stringify(planted) })]);
  const page = await env.open("entra", "localStorage", ctx);
  await popupSignIn(page, "#popup", "nina");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => window.last.ok), true);
  assert.deepEqual(evil, [], "nothing went to the planted endpoints");
  const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
  assert.ok(stored.expiresAt <= Date.now() + 24 * 3600e3 + 60e3, "the fetched document replaced the planted one");
  assert.ok(!stored.document.includes("evil.example"));
  await ctx.close();
});

test("handleRedirectPromise with a code in the address but no redirect in progress returns null, redeems nothing, and clears it from the address (msal 5)", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  const state = Buffer.from(JSON.stringify({ id: "11111111-2222-4333-8444-555555555555", meta: { interactionType: "redirect" } })).toString("base64url");
  await env.idp.reset();
  await page.goto(`${env.harness("entra")}#code=someone-elses-code&state=${state}`);
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ redirect: window.redirect, hash: location.hash, search: location.search }));
  assert.deepEqual(r.redirect, { ok: true, result: null });
  assert.equal(r.hash, "", "the stale response left the address");
  assert.equal(r.search, new URL(env.harness("entra")).search, "the query stays");
  assert.equal((await env.idp.counters()).token, 0);
  await ctx.close();
});

test("two clients (two client ids) on one page each complete their own redirect sign-in", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/two-clients.html?idp=${encodeURIComponent(env.idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  // The page itself is the redirect URI: start from its exact address, so the response lands
  // on the start page and is handled right there.
  await page.goto(`${env.web.origin}/two-clients.html`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  for (const [me, other, login, clientId] of [["a", "b", "olga", CLIENT_ID], ["b", "a", "pete", "msal-wasm-test-client-2"]]) {
    await page.evaluate(([me, other]) => {
      sessionStorage.setItem("two.first", other + me);
      window.clients[me].loginRedirect({ scopes: ["User.Read"], prompt: "login" });
    }, [me, other]);
    await page.waitForSelector("#login");
    await page.fill("#login", login);
    await page.click("#submit");
    await page.waitForURL((u) => u.pathname === "/two-clients.html");
    await page.waitForSelector("body[data-ready='1']", { state: "attached" });
    const r = await page.evaluate(() => ({ results: window.results, hrefAt: window.hrefAt, href: location.href }));
    assert.deepEqual(r.results[me], { aud: clientId, user: login }, JSON.stringify(r));
    assert.equal(r.results[other], null, "the other client returned null");
    assert.ok(r.hrefAt[me].includes("code="), `the other client left the response in the address: ${JSON.stringify(r)}`);
    assert.ok(!r.href.includes("code="), "the owner removed it");
  }
  const accounts = await page.evaluate(() => [window.clients.a.getAllAccounts().map((a) => a.username), window.clients.b.getAllAccounts().map((a) => a.username)]);
  assert.deepEqual(accounts, [["olga"], ["pete"]]);
  await ctx.close();
});

test("the redirect bridge on a page without a usable response rejects with msal's codes and clears the address", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  // The bridge page itself: it rejects (unhandled there) and the response leaves the address.
  await page.goto(`${env.web.origin}/redirect.html#code=x&state=%25%25not-a-state`);
  await waitFor("the bridge to clean the address", () => page.evaluate(() => !location.href.includes("code=")));
  assert.equal(await page.title(), "Microsoft Authentication");
  const lib = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const cases = [
    ["?foo=1", "BrowserAuthError", "empty_response"],
    ["#code=x&state=", "BrowserAuthError", "no_state_in_hash"],
    ["?code=x&state=%25%25not-a-state", "ClientAuthError", "invalid_state"],
    [`#code=x&state=${lib({ id: "abc" })}`, "BrowserAuthError", "unable_to_parse_state"],
  ];
  for (const [suffix, name, code] of cases) {
    await page.goto(`${env.web.origin}/blank.html${suffix}`);
    const r = await page.evaluate(async () => {
      const { broadcastResponseToMainFrame } = await import("/pkg/redirect-bridge.js");
      const { AuthError } = await import("/pkg/index.js");
      return broadcastResponseToMainFrame().then(
        () => "resolved",
        (e) => ({ name: e.name, code: e.errorCode, authError: e instanceof AuthError, url: location.href }),
      );
    });
    assert.deepEqual(r, { name, code, authError: true, url: `${env.web.origin}/blank.html` }, suffix);
  }
  await ctx.close();
});

test("an interaction status in another library's format or garbage is cleared with a warning, and sign-in works", async () => {
  for (const planted of ["{garbage", JSON.stringify({ clientId: CLIENT_ID, type: "signin" }), CLIENT_ID]) {
    const ctx = await env.browser.newContext();
    const page = await env.open("entra", "sessionStorage", ctx);
    await page.evaluate((v) => sessionStorage.setItem("msal.interaction.status", v), planted);
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    await popupSignIn(page, "#popup", "quinn");
    await page.waitForFunction(() => window.last !== null);
    assert.deepEqual(await page.evaluate(() => [window.last.ok, window.last.code]), [true, undefined], planted);
    assert.ok(await page.evaluate(() => window.logs.some(([l, m]) => l === 1 && m.includes("interaction status this library did not write"))), planted);
    await ctx.close();
  }
});

test("localStorage that throws for a while (the user blocks the site's data with the page open): reads meanwhile keep the page's view, and the client works after", async () => {
  const page = await signedInPage(env, "nora", { cache: "localStorage" });
  const home = await page.evaluate(() => window.pca.getAllAccounts()[0].homeAccountId);
  // Every read of this page's Web Storage throws, as Chromium's "Access is denied" does.
  await page.evaluate(() => {
    const deny = () => { throw new DOMException("Access is denied for this document.", "SecurityError"); };
    window.realStorage = { getItem: Storage.prototype.getItem, key: Storage.prototype.key, length: Object.getOwnPropertyDescriptor(Storage.prototype, "length") };
    Storage.prototype.getItem = deny;
    Storage.prototype.key = deny;
    Object.defineProperty(Storage.prototype, "length", { get: deny, configurable: true });
  });
  // Another tab's write makes this page read the storage again.
  const other = await page.context().newPage();
  await other.goto(`${env.web.origin}/blank.html`);
  await other.evaluate(() => localStorage.setItem("msal.poke", String(Date.now())));
  await other.close();
  await page.waitForTimeout(300);
  const during = await page.evaluate(() => {
    try {
      const accounts = window.pca.getAllAccounts().map((a) => a.homeAccountId);
      window.pca.setActiveAccount(window.pca.getAllAccounts()[0]);
      const active = (window.pca.getActiveAccount() || {}).homeAccountId || null;
      // A removal meanwhile holds too.
      window.pca.setActiveAccount(null);
      return { accounts, active, cleared: window.pca.getActiveAccount() };
    } catch (e) {
      return { threw: String(e) };
    }
  });
  assert.deepEqual(during, { accounts: [home], active: home, cleared: null });
  const after = await page.evaluate(async () => {
    const r = window.realStorage;
    Storage.prototype.getItem = r.getItem;
    Storage.prototype.key = r.key;
    Object.defineProperty(Storage.prototype, "length", r.length);
    const account = window.pca.getAllAccounts()[0];
    try {
      const t = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
      return { ok: true, fromCache: t.fromCache, accounts: window.pca.getAllAccounts().length };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  });
  assert.deepEqual(after, { ok: true, fromCache: false, accounts: 1 });
  await page.context().close();
});

for (const cache of ["sessionStorage", "localStorage"]) test(`the app clears ${cache} in its own tab (no storage event tells the page): the next call sees it, as msal reads the storage at every call`, async () => {
  const page = await signedInPage(env, "ines", { cache });
  const before = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const first = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    const again = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    return [window.pca.getAllAccounts().length, first.accessToken === again.accessToken, again.fromCache];
  });
  assert.deepEqual(before, [1, true, true]);
  const after = await page.evaluate(async (cache) => {
    const account = window.pca.getAllAccounts()[0];
    window[cache].clear();
    const accounts = window.pca.getAllAccounts().length;
    const served = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, cacheLookupPolicy: window.msal.CacheLookupPolicy.AccessToken })
      .then((r) => ["served", r.fromCache], (e) => [e.errorCode]);
    return [accounts, served];
  }, cache);
  assert.deepEqual(after, [0, ["token_refresh_required"]]);
  // An entry the app removes (to force a renewal): the next call renews it. (Not in an
  // encrypted localStorage, whose decrypted copy outlives the entry's removal alone: README.)
  if (cache === "localStorage") return void (await page.context().close());
  await page.evaluate(() => { window.last = null; window.popupRequest = { ...window.popupRequest, prompt: "login" }; });
  await popupSignIn(page, "#popup", "ines");
  await page.waitForFunction(() => window.last !== null && window.last.ok);
  const renewed = await page.evaluate(async (cache) => {
    const account = window.pca.getAllAccounts()[0];
    await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    const key = Object.keys(window[cache]).find((k) => k.includes("|accesstoken|") && k.includes("user.read"));
    if (!key) return ["no access token in the storage", Object.keys(window[cache])];
    window[cache].removeItem(key);
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    return [r.fromCache];
  }, cache);
  assert.deepEqual(renewed, [false]);
  await page.context().close();
});

test("forged cross-tab messages are ignored: another client's or forged snapshots, garbage and a 300 MB message", async () => {
  const page = await signedInPage(env, "rita", { cache: "localStorage" });
  const hostile = await page.context().newPage();
  await hostile.goto(`${env.web.origin}/blank.html`);
  // A genuine token snapshot, overheard on the channel while the app renews.
  await hostile.evaluate((clientId) => {
    window.heard = null;
    const ch = new BroadcastChannel(`msal.${clientId}.accounts`);
    ch.onmessage = (e) => { if (typeof e.data === "string" && e.data.includes('"t":"tokens"')) window.heard = e.data; };
  }, CLIENT_ID);
  const genuine = await page.evaluate(async () => (await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true })).accessToken);
  await waitFor("the renewal's snapshot", () => hostile.evaluate(() => window.heard !== null));
  // The snapshot replayed with the access token swapped for a forged one, and edited.
  const sent = await hostile.evaluate(([clientId, genuine]) => {
    const forge = (edit) => {
      const msg = JSON.parse(window.heard);
      const at = msg.snapshot.credentials.find(([, c]) => c.secret === genuine);
      at[1].secret = "forged-access-token";
      edit(msg, at);
      return JSON.stringify(msg);
    };
    const channel = new BroadcastChannel(`msal.${clientId}.accounts`);
    const messages = [
      forge((m) => { m.clientId = "another-client"; }),
      forge((m) => { delete m.clientId; }),
      forge((m, at) => { at[1].clientId = "another-client"; }),
      forge((m, at) => { at[0] = at[0].replace("|accesstoken|", "|idtoken|"); }),
      forge((m, at) => { at[1].lastUpdatedAt = String(Date.now() + 10 * 365 * 86400e3); }),
      "{not json",
      JSON.stringify({ t: "tokens", clientId }),
    ];
    for (const m of messages) channel.postMessage(m);
    channel.postMessage("x".repeat(300 * 1024 * 1024));
    channel.close();
    return messages.length;
  }, [CLIENT_ID, genuine]);
  assert.equal(sent, 7);
  await page.waitForTimeout(1500); // let every message arrive
  const after = await page.evaluate(async () => {
    const accounts = window.pca.getAllAccounts();
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: accounts[0] });
    return { accounts: accounts.length, at: r.accessToken, fromCache: r.fromCache };
  });
  assert.deepEqual(after, { accounts: 1, at: genuine, fromCache: true });
  await page.context().close();
});

test("redirectStartPage off the origin is refused, and a start page planted in storage is not followed by the bridge", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  const codes = await page.evaluate(async () => {
    const out = [];
    for (const redirectStartPage of ["javascript:alert(1)", "https://evil.example/", "data:text/html,hi"]) {
      out.push(await window.pca.loginRedirect({ scopes: ["User.Read"], redirectStartPage }).then(() => "navigated", (e) => e.errorCode));
    }
    return out;
  });
  assert.deepEqual(codes, ["invalid_redirect_start_page", "invalid_redirect_start_page", "invalid_redirect_start_page"]);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.evaluate(() => {
    window.pca.loginRedirect({
      scopes: ["User.Read"],
      redirectUri: location.origin + "/redirect.html",
      onRedirectNavigate: () => { sessionStorage.setItem("msal.msal-wasm-test-client.request.origin", "javascript:alert('planted')"); },
    });
  });
  await page.waitForSelector("#login");
  await page.fill("#login", "sara");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && u.pathname === "/");
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, user: window.redirect.result && window.redirect.result.account.username }));
  assert.deepEqual(r, { ok: true, user: "sara" }, "the bridge went home and the sign-in completed there");
  assert.deepEqual(dialogs, []);
  await ctx.close();
});

test("a claim named __proto__ stays a claim: it never becomes a result object's prototype", async () => {
  const page = await signedInPage(env, "tara");
  const r = await page.evaluate(async (tid) => {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const claims = `{"sub":"proto-sub","oid":"proto-oid","tid":"${tid}","preferred_username":"proto","__proto__":{"polluted":true}}`;
    const idToken = `${b64({ alg: "none" })}.${btoa(claims).replace(/=+$/, "")}.sig`;
    await window.pca.hydrateCache({ idToken, accessToken: "hydrated-token", scopes: ["Proto.Read"], expiresOn: new Date(Date.now() + 3600e3), account: { homeAccountId: "proto-sub" } }, { scopes: ["Proto.Read"] });
    const account = window.pca.getAllAccounts().find((a) => a.username === "proto");
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const x = await window.pca.acquireTokenSilent({ scopes: ["Proto.Read"], account });
      seen.push(x.idTokenClaims);
    }
    seen.push(account.idTokenClaims);
    return seen.map((c) => ({ plain: Object.getPrototypeOf(c) === Object.prototype, polluted: c.polluted === true, own: Object.prototype.hasOwnProperty.call(c, "__proto__") }));
  }, TENANT_ID);
  for (const c of r) assert.deepEqual(c, { plain: true, polluted: false, own: true });
  await page.context().close();
});

test("optional ID token checks (issuer, audience, lifetime) pass against the provider and refuse a token of another issuer", async () => {
  for (const mode of ["entra", "oidc"]) {
    const page = await signedInPage(env, "uma", { mode, extra: system({ validateIdTokenClaims: true }) });
    assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 1, mode);
    await page.context().close();
  }
  const doc = await (await fetch(`${env.idp.entraAuthority}/v2.0/.well-known/openid-configuration`)).json();
  const other = JSON.stringify({ ...doc, issuer: `${env.idp.origin}/another-tenant/v2.0` });
  const extra = { ...system({ validateIdTokenClaims: true }), auth: JSON.stringify({ authorityMetadata: other }) };
  const page = await env.open("entra", "sessionStorage", undefined, 300, extra);
  await popupSignIn(page, "#popup", "vera");
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => [window.last.ok, window.last.code, window.pca.getAllAccounts().length]), [false, "issuer_mismatch", 0]);
  await page.context().close();
});

test("a timeout past setTimeout's range (2^31 ms) is a long wait, not none: popup sign-in and a refresh work", async () => {
  const ctx = await env.browser.newContext();
  const huge = Number.MAX_SAFE_INTEGER;
  const page = await env.open("entra", "localStorage", ctx, 300, system({ popupBridgeTimeout: huge, iframeBridgeTimeout: huge, networkTimeout: huge }));
  await popupSignIn(page, "#popup", "tim");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "tim");
  const renewed = await page.evaluate(async () => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true });
    return r.fromCache;
  });
  assert.equal(renewed, false);
  await ctx.close();
});

test("the redirect bridge finds a query response behind a fragment such as #_=_ and posts it to the waiting page", async () => {
  const ctx = await env.browser.newContext();
  const waiting = await ctx.newPage();
  await waiting.goto(`${env.web.origin}/blank.html`);
  const id = "33333333-4444-4555-8666-777777777777";
  await waiting.evaluate((id) => { window.got = null; new BroadcastChannel(id).onmessage = (e) => { window.got = e.data; }; }, id);
  const state = Buffer.from(JSON.stringify({ id, meta: { interactionType: "popup" } })).toString("base64url");
  const bridge = await ctx.newPage();
  await bridge.goto(`${env.web.origin}/redirect.html?code=abc&state=${state}#_=_`);
  await waitFor("the bridge's message", () => waiting.evaluate(() => window.got !== null));
  // msal's payload: the parameters without their `?` (or `#`).
  assert.deepEqual(await waiting.evaluate(() => window.got), { v: 1, payload: `code=abc&state=${state}` });
  // The address keeps the part that did not carry the response (the page is not a popup, so
  // the bridge's window.close() leaves it open).
  assert.equal(bridge.url(), `${env.web.origin}/redirect.html#_=_`);
  await ctx.close();
});

test("the redirect bridge after a redirect: back to the sign-in's start page, or home after a sign-out, through the app's navigation client with msal's apiId", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/blank.html`);
  const state = Buffer.from(JSON.stringify({ id: "redirect-test", meta: { interactionType: "redirect" } })).toString("base64url");
  const run = async (type, origin) => {
    await page.evaluate(([type, origin, cid]) => {
      sessionStorage.clear();
      sessionStorage.setItem("msal.interaction.status", JSON.stringify({ clientId: cid, type }));
      if (origin) sessionStorage.setItem(`msal.${cid}.request.origin`, origin);
    }, [type, origin, CLIENT_ID]);
    await page.goto(`${env.web.origin}/blank.html?code=abc&state=${state}`);
    return page.evaluate(async (cid) => {
      const { broadcastResponseToMainFrame } = await import("/pkg/redirect-bridge.js");
      const calls = [];
      const ok = await broadcastResponseToMainFrame({ navigateInternal: async (url, options) => { calls.push([url, options.apiId, options.noHistory]); return true; } });
      return { ok, calls, stashed: sessionStorage.getItem(`msal.${cid}.urlHash`) };
    }, CLIENT_ID);
  };
  const stashed = `code=abc&state=${state}`;
  // msal's BrowserUtils.parseAuthResponseFromUrl reads it as the bridge does (apps' own bridges use it).
  await page.goto(`${env.web.origin}/blank.html?code=abc&state=${state}#/route`);
  const parsed = await page.evaluate(async () => {
    const { BrowserUtils } = await import("/pkg/index.js");
    const r = BrowserUtils.parseAuthResponseFromUrl();
    return { ...r, params: r.params.get("code") };
  });
  assert.deepEqual(parsed, {
    params: "abc", payload: stashed, urlHash: "#/route", urlQuery: `?code=abc&state=${state}`, hasResponseInHash: false, hasResponseInQuery: true,
    libraryState: { id: "redirect-test", meta: { interactionType: "redirect" } },
  });
  assert.deepEqual(await run("signin", `${env.web.origin}/app/page?x=1`), { ok: true, calls: [[`${env.web.origin}/app/page?x=1`, 865, true]], stashed });
  assert.deepEqual(await run("signin", `${env.web.origin}/app/page?`), { ok: true, calls: [[`${env.web.origin}/app/page`, 865, true]], stashed }, "a bare '?' is dropped, as msal");
  assert.deepEqual(await run("signout", ""), { ok: true, calls: [[`${env.web.origin}/`, 961, true]], stashed });
  // A sign-in's answer without a code is kept too, as msal keeps it: its error description, or
  // the saved request's own state alone; another state alone (a sign-out's, still in a query)
  // is not.
  const keep = async (query, savedStateId) => {
    await page.evaluate(([cid, saved]) => {
      sessionStorage.clear();
      sessionStorage.setItem("msal.interaction.status", JSON.stringify({ clientId: cid, type: "signin" }));
      const b64url = (s) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      if (saved) sessionStorage.setItem(`msal.${cid}.request.params`, b64url(JSON.stringify({ stateId: saved })));
    }, [CLIENT_ID, savedStateId]);
    await page.goto(`${env.web.origin}/blank.html?${query}`);
    return page.evaluate(async (cid) => {
      const { broadcastResponseToMainFrame } = await import("/pkg/redirect-bridge.js");
      await broadcastResponseToMainFrame({ navigateInternal: async () => true });
      return sessionStorage.getItem(`msal.${cid}.urlHash`);
    }, CLIENT_ID);
  };
  assert.equal(await keep(`error_description=broken&state=${state}`, ""), `error_description=broken&state=${state}`);
  assert.equal(await keep(`state=${state}`, "redirect-test"), `state=${state}`);
  assert.equal(await keep(`state=${state}`, "another-request"), null);
  await ctx.close();
});

test("messages on a popup's bridge channel that are not the bridge's (no payload, not objects) are ignored", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  const authorize = ctx.waitForEvent("request", (r) => /\/authorize\?/.test(r.url()));
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#popup")]);
  const state = new URL((await authorize).url()).searchParams.get("state");
  const id = JSON.parse(Buffer.from(decodeURIComponent(state).split("|")[0], "base64url")).id;
  await popup.waitForSelector("#login");
  const other = await ctx.newPage();
  await other.goto(`${env.web.origin}/blank.html`);
  await other.evaluate((id) => {
    const c = new BroadcastChannel(id);
    for (const m of [{}, { v: 2 }, "?code=x", null, 42]) c.postMessage(m);
    c.close();
  }, id);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await page.evaluate(() => window.last), null, "the sign-in still waits");
  await popup.fill("#login", "nora");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "nora");
  await ctx.close();
});

test("an empty message on a hidden frame's bridge channel fails the silent call at once with redirect_bridge_empty_response, as msal", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  // The frame's authorize request never answers: only the bridge message can end the wait.
  await ctx.route(/\/authorize\?/, () => {});
  const authorize = ctx.waitForEvent("request", (r) => /\/authorize\?/.test(r.url()));
  await page.evaluate(() => {
    window.sso = null;
    window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "nora" }).then(() => (window.sso = "ok"), (e) => (window.sso = { code: e.errorCode, at: performance.now() }));
  });
  const state = new URL((await authorize).url()).searchParams.get("state");
  const id = JSON.parse(Buffer.from(decodeURIComponent(state).split("|")[0], "base64url")).id;
  const sent = await page.evaluate((id) => { const c = new BroadcastChannel(id); c.postMessage({ v: 1, payload: "" }); c.close(); return performance.now(); }, id);
  await page.waitForFunction(() => window.sso !== null, null, { timeout: 5000 });
  const r = await page.evaluate(() => window.sso);
  assert.equal(r.code, "redirect_bridge_empty_response");
  assert.ok(r.at - sent < 2000, `failed ${Math.round(r.at - sent)} ms after the message (the frame's timeout is 10 s)`);
  await ctx.close();
});

// A redirect sign-in of client "a" of two-clients.html started at `start` (its own redirect
// URI), the page recording each hashchange: the page after the return, and history.length
// before the sign-in.
async function redirectSignInAt(start) {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.hashes = [];
    addEventListener("hashchange", (e) => window.hashes.push(new URL(e.newURL).hash));
  });
  await page.goto(`${env.web.origin}/two-clients.html?idp=${encodeURIComponent(env.idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  await page.goto(`${env.web.origin}${start}`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  const before = await page.evaluate(() => history.length);
  await page.evaluate(() => { sessionStorage.setItem("two.first", "ba"); window.clients.a.loginRedirect({ scopes: ["User.Read"], prompt: "login" }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "hana");
  await page.click("#submit");
  await page.waitForURL((u) => u.pathname === "/two-clients.html");
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  return { ctx, page, before };
}

test("a hash-routed page (#/dashboard) that is its own redirect URI: the sign-in is redeemed there and the route comes back with hashchange, as msal", async () => {
  const { ctx, page } = await redirectSignInAt("/two-clients.html#/dashboard");
  const r = await page.evaluate(() => ({ user: window.results.a && window.results.a.user, hash: location.hash, hashes: window.hashes }));
  assert.deepEqual(r, { user: "hana", hash: "#/dashboard", hashes: ["#/dashboard"] });
  await ctx.close();
});

test("a page without a fragment that is its own redirect URI: the response leaves the address with a hashchange, as msal's clearHash (a hash router hears it), and no history entry", async () => {
  const { ctx, page, before } = await redirectSignInAt("/two-clients.html");
  await page.waitForFunction(() => window.hashes.length > 0, null, { timeout: 5000 });
  const r = await page.evaluate(() => ({ user: window.results.a && window.results.a.user, href: location.href, hashes: window.hashes, entries: history.length }));
  assert.deepEqual({ ...r, entries: undefined }, { user: "hana", href: `${env.web.origin}/two-clients.html`, hashes: [""], entries: undefined });
  // The provider's page and the return, and no entry for the empty fragment (msal's
  // `location.hash = ""` pushes one, which still holds the response).
  assert.equal(r.entries, before + 2);
  await ctx.close();
});

test("a crafted link to the app whose state names another channel of the origin (msal.broadcast.event) posts nothing there and leaves the tab open; a request's own channel still gets its answer", async () => {
  const ctx = await env.browser.newContext();
  const listener = await ctx.newPage();
  await listener.goto(`${env.web.origin}/blank.html`);
  const guid = "22222222-3333-4444-8555-666666666666";
  const ids = ["msal.broadcast.event", `msal.${CLIENT_ID}.accounts`, "not-a-request", guid];
  await listener.evaluate((ids) => {
    window.got = {};
    for (const id of ids) new BroadcastChannel(id).onmessage = (e) => { (window.got[id] = window.got[id] || []).push(e.data); };
  }, ids);
  const state = (id) => Buffer.from(JSON.stringify({ id, meta: { interactionType: "popup" } })).toString("base64url");
  // Each link opened by script (as a mail client's or a chat's tab would be): a tab the page may close.
  const open = async (id) => {
    const [tab] = await Promise.all([
      ctx.waitForEvent("page"),
      listener.evaluate((u) => { window.open(u, "_blank", "noopener"); }, `${env.harness()}#code=x&state=${state(id)}`),
    ]);
    await tab.waitForLoadState("load").catch(() => {});
    await new Promise((r) => setTimeout(r, 700));
    return tab;
  };
  for (const id of ids.slice(0, 3)) {
    const tab = await open(id);
    assert.equal(tab.isClosed(), false, `a link naming ${id} leaves the tab open`);
  }
  // The control: a request's channel (a GUID, as msal's and ours) gets the answer, and that tab
  // closes, as a popup that COOP cut off from its page does.
  const tab = await open(guid);
  await waitFor("the answer on the request's channel", () => listener.evaluate((id) => (window.got[id] || []).length === 1, guid));
  await waitFor("the answered tab closes", () => tab.isClosed());
  const got = await listener.evaluate(() => window.got);
  assert.deepEqual(Object.keys(got), [guid], `nothing on the other channels: ${JSON.stringify(got)}`);
  await ctx.close();
});
