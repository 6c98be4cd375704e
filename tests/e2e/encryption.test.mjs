// End-to-end: the localStorage cache is encrypted at rest in msal-browser v5's format, so an app
// that switches between @azure/msal-browser and this package on one origin keeps its users
// signed in, in both directions; and no token is ever on disk in clear.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { useEnv } from "./env.mjs";
import { popupSignIn, waitFor } from "./helpers.mjs";

const dir = mkdtempSync(join(tmpdir(), "msal-interop-"));
// msal-browser 4 before 4.19 keyed its cache without a schema number (schema 0); 4.19 to 4.25
// with schema 1 (`msal.1|…`). Both encrypt the entries as msal 5 does.
const CLIENT = "msal-wasm-test-client";
const OLDER = [["4-18", `msal.token.keys.${CLIENT}`], ["4-25", `msal.1.token.keys.${CLIENT}`]];
before(async () => {
  // @azure/msal-browser as one ES module the page imports; and two older ones, whose caches an
  // app that moves to msal-wasm from them finds (package.json's aliases).
  for (const [pkg, name] of [["@azure/msal-browser", "browser"], ...OLDER.map(([v]) => [`msal-browser-${v}`, `browser-${v}`])]) {
    await build({
      stdin: { contents: `export * from "${pkg}";`, resolveDir: process.cwd(), loader: "js" },
      bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, logLevel: "silent",
      outfile: join(dir, `msal-${name}.js`),
    });
  }
  // An app's redirect page built with msal-browser's own bridge (an app that moved its main
  // bundle to msal-wasm and kept that page).
  await build({
    stdin: { contents: `import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge"; broadcastResponseToMainFrame();`, resolveDir: process.cwd(), loader: "js" },
    bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, logLevel: "silent",
    outfile: join(dir, "msal-bridge.js"),
  });
  writeFileSync(join(dir, "msal-bridge.html"), `<!doctype html><script type="module" src="/interop/msal-bridge.js"></script>`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

// msal-browser only talks to https authorities: the provider runs with TLS.
const env = useEnv({ idp: { https: true }, redirectPaths: ["/blank.html", "/interop/msal-bridge.html"], roots: { "/": ["tests/e2e/www", "www"], "/pkg/": "pkg", "/interop/": dir } });

const context = () => env.browser.newContext({ ignoreHTTPSErrors: true });

async function openApp(ctx, lib, authority = env.idp.oidcAuthority, known = "") {
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/interop.html?lib=${lib}&authority=${encodeURIComponent(authority)}${known && `&known=${known}`}`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 20000 });
  return page;
}

async function signIn(ctx, lib, login, authority = env.idp.oidcAuthority, known = "") {
  const page = await openApp(ctx, lib, authority, known);
  // msal-browser 4 sends no pocd=1 and polls its popup's address: the provider's COOP (as
  // Entra's) would cut it off. These tests are about its cache, so the provider leaves COOP off.
  const older = lib.startsWith("browser-4");
  if (older) await env.idp.setConfig({ coop: false });
  await popupSignIn(page, "#login", login).finally(() => older && env.idp.setConfig({ coop: true }));
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => window.last);
  assert.equal(last.ok, true, JSON.stringify(last));
  return { page, at: last.result.accessToken, idToken: last.result.idToken };
}

const silent = (page) => page.evaluate(async () => {
  try {
    const account = window.pca.getAllAccounts()[0];
    if (!account) return { ok: false, code: "no account" };
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    return { ok: true, at: r.accessToken, fromCache: r.fromCache, user: r.account.username };
  } catch (e) {
    return { ok: false, code: e.errorCode || String(e) };
  }
});

// Every value in the origin's localStorage, and the key cookie.
async function atRest(page) {
  const values = await page.evaluate(() => Object.keys(localStorage).map((k) => localStorage.getItem(k)));
  const cookies = await page.context().cookies();
  return { values, cookie: cookies.find((c) => c.name === "msal.cache.encryption") };
}

function assertNoSecretInClear(values, secrets) {
  for (const s of secrets) assert.ok(!values.some((v) => v.includes(s)), `a token is in localStorage in clear (…${s.slice(-6)})`);
  assert.ok(values.some((v) => { try { const e = JSON.parse(v); return e.id && e.nonce && e.data; } catch (_) { return false; } }), "encrypted entries are there");
}

for (const [from, to] of [["browser", "wasm"], ["wasm", "browser"]]) {
  test(`signed in with ${from === "browser" ? "@azure/msal-browser" : "msal-wasm"}, the other library serves the token from the encrypted cache`, async () => {
    const ctx = await context();
    const { at, idToken } = await signIn(ctx, from, `interop-${from}`);
    const rest = await atRest(await ctx.pages()[0]);
    assertNoSecretInClear(rest.values, [at, idToken]);
    assert.ok(rest.cookie, "the key cookie is set");
    assert.equal(rest.cookie.expires, -1, "a session cookie");
    await env.idp.reset();
    const other = await openApp(ctx, to);
    const r = await silent(other);
    assert.deepEqual(r, { ok: true, at, fromCache: true, user: `interop-${from}` });
    const c = await env.idp.counters();
    assert.deepEqual([c.authorize, c.token], [0, 0], "no network: served from the other library's cache");
    await ctx.close();
  });
}

// B2C's ID tokens carry the policy (`tfp`) and no `tid`: msal files the account's tenant profile,
// its ID token and its access tokens under the policy. Each library finds the other's account
// whole (one account, its claims), serves its token, and a renewal adds no second account.
for (const [from, to] of [["browser", "wasm"], ["wasm", "browser"]]) {
  test(`B2C: signed in with ${from === "browser" ? "@azure/msal-browser" : "msal-wasm"}, the other library lists one account with its claims, serves its token and renews it without a second account`, async () => {
    const ctx = await context();
    const b2c = env.idp.b2cAuthorities.b2c_1_signin;
    const known = new URL(b2c).host;
    const { at } = await signIn(ctx, from, `b2c-${from}`, b2c, known);
    await env.idp.reset();
    const page = await openApp(ctx, to, b2c, known);
    const list = () => window.pca.getAllAccounts().map((a) => [a.tenantId, a.idTokenClaims && a.idTokenClaims.tfp]);
    const r = await page.evaluate(async (list) => {
      const listed = eval(list)();
      const account = window.pca.getAllAccounts()[0];
      const t = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
      const renewed = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
      return { listed, at: t.accessToken, fromCache: t.fromCache, renewed: !renewed.fromCache, after: eval(list)() };
    }, `(${list})`);
    assert.deepEqual(r, { listed: [["b2c_1_signin", "b2c_1_signin"]], at, fromCache: true, renewed: true, after: [["b2c_1_signin", "b2c_1_signin"]] });
    // And the first library, after the other's renewal.
    const back = await openApp(ctx, from, b2c, known);
    assert.deepEqual(await back.evaluate(list), [["b2c_1_signin", "b2c_1_signin"]]);
    await ctx.close();
  });
}

// msal keys an account by the host it signed in at: an app that also signs users in at a second
// known host (a sovereign cloud, a B2C custom domain) has accounts under two hosts, and both
// libraries list and serve each one's tokens.
for (const [from, to] of [["browser", "wasm"], ["wasm", "browser"]]) {
  test(`signed in with ${from === "browser" ? "@azure/msal-browser" : "msal-wasm"} at a second known host, the other library lists that account under its host and serves its token`, async () => {
    const ctx = await context();
    const configured = new URL(env.idp.oidcAuthority);
    const other = new URL(env.idp.oidcAuthority);
    other.hostname = "localhost";
    const { at } = await signIn(ctx, from, `cloud-${from}`, other.href, configured.host);
    await env.idp.reset();
    const page = await openApp(ctx, to, env.idp.oidcAuthority, other.host);
    const r = await page.evaluate(async ([host, authority]) => {
      const all = window.pca.getAllAccounts();
      const account = all.find((a) => a.environment === host);
      if (!account) return { envs: all.map((a) => a.environment) };
      const t = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, authority });
      return { envs: all.map((a) => a.environment), at: t.accessToken, fromCache: t.fromCache, env: t.account.environment };
    }, [other.host, other.href]);
    assert.deepEqual(r, { envs: [other.host], at, fromCache: true, env: other.host });
    const c = await env.idp.counters();
    assert.deepEqual([c.authorize, c.token], [0, 0], "no network: served from the other library's cache");
    await ctx.close();
  });
}

// msal's auth.instanceAware: both libraries redeem the code in the cloud the provider names and
// key the account by that cloud's host, so either serves the other's tokens from the cache.
for (const [from, to] of [["browser", "wasm"], ["wasm", "browser"]]) {
  test(`instance-aware, signed in with ${from === "browser" ? "@azure/msal-browser" : "msal-wasm"} in the user's cloud, the other library serves its token there`, async () => {
    const ctx = await context();
    const cloud = new URL(env.idp.oidcAuthority);
    cloud.hostname = "localhost";
    const known = `${cloud.host}&instanceAware=1`;
    await env.idp.setConfig({ cloudInstance: cloud.host, graphHosts: ["graph.example.us", "msgraph.example.us"] });
    try {
      const { at } = await signIn(ctx, from, `aware-${from}`, env.idp.oidcAuthority, known);
      const keys = await ctx.pages()[0].evaluate(() => Object.keys(localStorage).map((k) => k.split("|")).filter((k) => k.length === 4).map((k) => k[2]));
      assert.deepEqual(keys, [cloud.host], "the account is keyed by the user's cloud");
      await env.idp.reset();
      const page = await openApp(ctx, to, env.idp.oidcAuthority, known);
      const r = await page.evaluate(async () => {
        const account = window.pca.getAllAccounts()[0];
        if (!account) return { ok: false };
        const t = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
        return { at: t.accessToken, fromCache: t.fromCache, env: t.account.environment, graph: [t.cloudGraphHostName, t.msGraphHost] };
      });
      // The account's Graph hosts, stored by one library and served by the other.
      assert.deepEqual(r, { at, fromCache: true, env: cloud.host, graph: ["graph.example.us", "msgraph.example.us"] });
      const c = await env.idp.counters();
      assert.deepEqual([c.authorize, c.token], [0, 0]);
    } finally {
      await env.idp.setConfig({ cloudInstance: null, graphHosts: null });
      await ctx.close();
    }
  });
}

for (const [version, tokenKeys] of OLDER) {
  test(`signed in with msal-browser ${version.replace("-", ".")} (its older cache schema), msal-wasm keeps the user: the entries are copied, still encrypted, and the app can roll back`, async () => {
    const ctx = await context();
    // msal-browser 4 asks an OIDC authority for `v2.0/.well-known/…` too: the provider's Entra
    // mode serves that path.
    const { page, at, idToken } = await signIn(ctx, `browser-${version}`, `older-${version}`, env.idp.entraAuthority);
    const before = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) || "null"), tokenKeys);
    assert.ok(before && before.accessToken.length === 1 && before.refreshToken.length === 1, `msal-browser ${version} listed its tokens under ${tokenKeys}`);
    assertNoSecretInClear((await atRest(page)).values, [at, idToken]);
    await page.close();
    await env.idp.reset();
    const wasm = await openApp(ctx, "wasm", env.idp.entraAuthority);
    assert.deepEqual(await silent(wasm), { ok: true, at, fromCache: true, user: `older-${version}` });
    const c = await env.idp.counters();
    assert.deepEqual([c.authorize, c.token], [0, 0], "no network: served from the older cache");
    const after = await wasm.evaluate((k) => ({ old: localStorage.getItem(k), current: Object.keys(localStorage).filter((x) => x.startsWith("msal.3|")).length }), tokenKeys);
    assert.deepEqual(JSON.parse(after.old), before, "the older entries stay listed (as msal 5 copies them)");
    assert.ok(after.current >= 4, `account, ID, access and refresh token under schema 3 (${after.current})`);
    assertNoSecretInClear((await atRest(wasm)).values, [at, idToken]);
    // The migrated entries are read back after a reload.
    await wasm.reload();
    await wasm.waitForSelector("body[data-ready='1']", { state: "attached" });
    assert.deepEqual(await silent(wasm), { ok: true, at, fromCache: true, user: `older-${version}` });
    await wasm.close();
    // The app rolls back to msal-browser ${version}: its user is still signed in, from its cache.
    const back = await openApp(ctx, `browser-${version}`, env.idp.entraAuthority);
    assert.deepEqual(await silent(back), { ok: true, at, fromCache: true, user: `older-${version}` });
    const c2 = await env.idp.counters();
    assert.deepEqual([c2.authorize, c2.token], [0, 0], "no network after the rollback");
    await ctx.close();
  });
}

// Early msal-browser 4 (before 4.18) sealed its entries without a date. As msal 5's migration,
// msal-wasm dates them where they stay, still sealed: no name of the user on disk in clear, and
// msal-browser 4.18 (which drops entries in clear) keeps the user after a rollback.
test("msal-browser 4's undated sealed entries are dated where they stay, still sealed, and the app can roll back", async () => {
  const ctx = await context();
  const login = "older-undated";
  const { page, at } = await signIn(ctx, "browser-4-18", login, env.idp.entraAuthority);
  // The entries made undated (as early 4.x wrote them): opened, their dates taken out, sealed again.
  const undated = await page.evaluate(async (tokenKeys) => {
    const bytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
    const b64url = (u8) => btoa(String.fromCharCode(...u8)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const cookie = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("msal.cache.encryption="));
    const { key } = JSON.parse(decodeURIComponent(cookie.slice("msal.cache.encryption=".length)));
    const base = await crypto.subtle.importKey("raw", bytes(key), "HKDF", false, ["deriveKey"]);
    const aes = (nonce, info, use) => crypto.subtle.deriveKey({ name: "HKDF", salt: nonce, hash: "SHA-256", info: new TextEncoder().encode(info) }, base, { name: "AES-GCM", length: 256 }, false, [use]);
    const list = JSON.parse(localStorage.getItem(tokenKeys));
    const keys = [...JSON.parse(localStorage.getItem("msal.account.keys")), ...list.idToken, ...list.accessToken, ...list.refreshToken];
    for (const k of keys) {
      const e = JSON.parse(localStorage.getItem(k));
      for (const info of new Set(["", ...k.split("-")])) {
        let entity;
        try { entity = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, await aes(bytes(e.nonce), info, "decrypt"), bytes(e.data)))); } catch (_) { continue; }
        delete entity.lastUpdatedAt;
        const nonce = crypto.getRandomValues(new Uint8Array(16));
        const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, await aes(nonce, info, "encrypt"), new TextEncoder().encode(JSON.stringify(entity)));
        localStorage.setItem(k, JSON.stringify({ id: e.id, nonce: b64url(nonce), data: b64url(new Uint8Array(data)) }));
        break;
      }
    }
    return keys;
  }, OLDER[0][1]);
  assert.equal(undated.length, 4, "the account, its ID, access and refresh token");
  await page.close();
  await env.idp.reset();
  const wasm = await openApp(ctx, "wasm", env.idp.entraAuthority);
  assert.deepEqual(await silent(wasm), { ok: true, at, fromCache: true, user: login });
  const stored = await wasm.evaluate((keys) => keys.map((k) => JSON.parse(localStorage.getItem(k))), undated);
  for (const [i, e] of stored.entries()) {
    assert.ok(e && e.id && e.nonce && e.data, `still sealed: ${undated[i]}`);
    assert.match(String(e.lastUpdatedAt), /^\d+$/, `dated: ${undated[i]}`);
  }
  const values = await wasm.evaluate(() => Object.keys(localStorage).map((k) => localStorage.getItem(k)));
  assert.ok(!values.some((v) => v.includes(login)), "no name of the user on disk in clear");
  await wasm.close();
  const back = await openApp(ctx, "browser-4-18", env.idp.entraAuthority);
  assert.deepEqual(await silent(back), { ok: true, at, fromCache: true, user: login });
  await ctx.close();
});

test("msal-browser 4.18's entries sealed in an earlier browser session are unreadable for good: removed, as msal 5 removes them", async () => {
  const ctx = await context();
  const { page } = await signIn(ctx, "browser-4-18", "older-gone", env.idp.entraAuthority);
  const listed = await page.evaluate((k) => { const l = JSON.parse(localStorage.getItem(k)); return [...l.idToken, ...l.accessToken, ...l.refreshToken]; }, OLDER[0][1]);
  assert.equal(listed.length, 3);
  await page.close();
  await ctx.clearCookies(); // the browser session ends: the key is gone
  const wasm = await openApp(ctx, "wasm", env.idp.entraAuthority);
  assert.equal(await wasm.evaluate(() => window.pca.getAllAccounts().length), 0);
  assert.deepEqual(await wasm.evaluate((keys) => keys.filter((k) => localStorage.getItem(k) !== null), listed), []);
  await ctx.close();
});

test("msal-wasm alone: reloads and other tabs read the encrypted cache; a new browser session cannot", async () => {
  const ctx = await context();
  const { page, at } = await signIn(ctx, "wasm", "enc-solo");
  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-solo" });
  const tab = await openApp(ctx, "wasm");
  assert.deepEqual(await silent(tab), { ok: true, at, fromCache: true, user: "enc-solo" });
  // The browser session ends (the session cookie is gone): the entries on disk are unreadable
  // and removed; the user signs in again.
  const keysBefore = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("msal.3|")).length);
  assert.ok(keysBefore >= 3);
  await ctx.clearCookies();
  const next = await openApp(ctx, "wasm");
  const after = await next.evaluate(() => ({ accounts: window.pca.getAllAccounts().length, entries: Object.keys(localStorage).filter((k) => k.startsWith("msal.3|")).length }));
  assert.deepEqual(after, { accounts: 0, entries: 0 });
  await ctx.close();
});

test("a sign-out removes the user's entries another client id of the origin sealed for itself (unreadable here), as msal's, and nothing of the app's own", async () => {
  const ctx = await context();
  const { page } = await signIn(ctx, "wasm", "enc-two-apps");
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    // Another app's refresh token of the user, sealed with that app's key context.
    const other = `msal.3|${account.homeAccountId}|${account.environment}|refreshtoken|another-client||`.toLowerCase();
    const mine = Object.keys(localStorage).find((k) => k.startsWith("msal.3|") && k.includes("|refreshtoken|"));
    const sealed = JSON.parse(localStorage.getItem(mine));
    localStorage.setItem(other, JSON.stringify({ ...sealed, data: sealed.data.slice(8) + sealed.data.slice(0, 8) }));
    localStorage.setItem("app.settings", "kept");
    await window.pca.clearCache({ account });
    return { other: localStorage.getItem(other), app: localStorage.getItem("app.settings"), entries: Object.keys(localStorage).filter((k) => k.startsWith("msal.3|")) };
  });
  assert.deepEqual(r, { other: null, app: "kept", entries: [] });
  await ctx.close();
});

for (const [from, to] of [["wasm", "wasm"], ["browser", "wasm"], ["wasm", "browser"]]) {
  test(`"stay signed in" (signin_state kmsi), signed in with ${from === "wasm" ? "msal-wasm" : "@azure/msal-browser"}: stored in clear as msal does, and ${to === "wasm" ? "msal-wasm" : "@azure/msal-browser"} keeps the user after the browser session ends`, async () => {
    const ctx = await context();
    const page = await openApp(ctx, from, env.idp.entraAuthority);
    await popupSignIn(page, "#login", `kmsi-${from}`, { kmsi: true });
    await page.waitForFunction(() => window.last !== null);
    const last = await page.evaluate(() => window.last);
    assert.equal(last.ok, true, JSON.stringify(last));
    // msal's KMSI exception: the account's entries are not encrypted (they must outlive the key).
    const clear = await page.evaluate((user) => Object.keys(localStorage).filter((k) => k.startsWith("msal.3|") && localStorage.getItem(k).includes(user)).length, `kmsi-${from}`);
    assert.ok(clear >= 1, "the account is stored in clear");
    await new Promise((r) => setTimeout(r, 300)); // the store's queued writes land
    await ctx.clearCookies(); // the browser session ends: the encryption key is gone
    const next = await openApp(ctx, to, env.idp.entraAuthority);
    const r = await silent(next);
    assert.deepEqual(r, { ok: true, at: last.result.accessToken, fromCache: true, user: `kmsi-${from}` });
    await ctx.close();
  });
}

test("with the encryption slow (a busy phone), a sign-in resolves once its entries are on disk, as msal's: a reload in its .then keeps the user", async () => {
  const ctx = await context();
  await ctx.addInitScript(() => {
    const encrypt = SubtleCrypto.prototype.encrypt;
    SubtleCrypto.prototype.encrypt = function (...args) { return new Promise((r) => setTimeout(r, 300)).then(() => encrypt.apply(this, args)); };
  });
  const page = await openApp(ctx, "wasm");
  await page.evaluate(() => {
    window.beforeReload = true; // (the page before the reload also shows "seen", until it goes)
    document.getElementById("login").onclick = () => window.pca.loginPopup({ scopes: ["User.Read"] }).then((r) => {
      const keys = Object.keys(localStorage).filter((k) => /^msal\.3\|/.test(k)).map((k) => k.toLowerCase());
      const kinds = ["idtoken", "accesstoken", "refreshtoken"].filter((kind) => keys.some((k) => k.includes(kind)));
      sessionStorage.setItem("seen", JSON.stringify({ kinds, entries: keys.length, at: r.accessToken }));
      location.reload();
    });
  });
  await popupSignIn(page, "#login", "enc-slow");
  const seen = await waitFor("the reload", () => page.evaluate(() => !window.beforeReload && document.body.dataset.ready === "1" && sessionStorage.getItem("seen")).catch(() => null), { timeout: 20000 });
  const { kinds, entries, at } = JSON.parse(seen);
  assert.deepEqual(kinds, ["idtoken", "accesstoken", "refreshtoken"], "every token on disk when the sign-in resolved");
  assert.equal(entries, await page.evaluate(() => Object.keys(localStorage).filter((k) => /^msal\.3\|/.test(k)).length), "the account too");
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-slow" });
  await ctx.close();
});

test("an msal-wasm app whose redirect page runs msal-browser's own redirect bridge signs in by popup", async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/interop.html?lib=wasm&authority=${encodeURIComponent(env.idp.oidcAuthority)}&redirect=/interop/msal-bridge.html`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 20000 });
  await popupSignIn(page, "#login", "msal-bridge");
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => window.last);
  assert.equal(last.ok, true, JSON.stringify(last));
  assert.deepEqual(await silent(page), { ok: true, at: last.result.accessToken, fromCache: true, user: "msal-bridge" });
  await ctx.close();
});

test("a key cookie whose key is not base64url (corrupted, or another script's): a new key is made, no token is stored in clear", async () => {
  const ctx = await context();
  const bad = { id: "not-a-key", key: "%%% not base64 %%%" };
  await ctx.addCookies([{ name: "msal.cache.encryption", value: encodeURIComponent(JSON.stringify(bad)), url: env.web.origin }]);
  const { page, at, idToken } = await signIn(ctx, "wasm", "enc-bad-cookie");
  const rest = await atRest(page);
  assertNoSecretInClear(rest.values, [at, idToken]);
  const key = JSON.parse(decodeURIComponent(rest.cookie.value));
  assert.notEqual(key.id, bad.id, "the malformed key was replaced");
  // The new key reads the cache back after a reload.
  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-bad-cookie" });
  await ctx.close();
});

test("the cache key cannot be imported (WebCrypto refuses it): the tokens stay in the page's memory, never on disk in clear", async () => {
  const ctx = await context();
  await ctx.addInitScript(() => {
    const importKey = crypto.subtle.importKey.bind(crypto.subtle);
    crypto.subtle.importKey = (format, data, alg, ...rest) => (alg === "HKDF" ? Promise.reject(new DOMException("refused", "OperationError")) : importKey(format, data, alg, ...rest));
  });
  const { page, at, idToken } = await signIn(ctx, "wasm", "enc-no-key");
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-no-key" }, "served from memory");
  const { values } = await atRest(page);
  for (const s of [at, idToken]) assert.ok(!values.some((v) => v.includes(s)), `a token is in localStorage in clear (…${s.slice(-6)})`);
  await ctx.close();
});

test("no WebCrypto (a page that is not a secure context): the tokens stay in the page's memory, never on disk in clear", async () => {
  const ctx = await context();
  await ctx.addInitScript(() => Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined, configurable: true }));
  const { page, at, idToken } = await signIn(ctx, "wasm", "enc-no-subtle");
  assert.equal(await page.evaluate(() => typeof crypto.subtle), "undefined");
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-no-subtle" }, "served from memory");
  await new Promise((r) => setTimeout(r, 500)); // the store's queued writes land
  const { values } = await atRest(page);
  assert.ok(values.length > 0, "the cache wrote its other entries");
  for (const s of [at, idToken]) assert.ok(!values.some((v) => v.includes(s)), `a token is in localStorage in clear (…${s.slice(-6)})`);
  // A renewal is kept in memory too (the account there is signed in, not "signed out
  // meanwhile"): the next call is served it, and the next renewal presents the rotated refresh
  // token (a spent one is refused).
  const renew = () => page.evaluate(async () => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true });
    return r.accessToken;
  });
  await env.idp.reset();
  const renewed = await renew();
  assert.deepEqual(await silent(page), { ok: true, at: renewed, fromCache: true, user: "enc-no-subtle" });
  assert.notEqual(await renew(), renewed);
  const counted = await env.idp.counters();
  assert.deepEqual([counted.revoked, counted.authorize], [0, 0], "no spent refresh token presented, no frame");
  await ctx.close();
});

test("the browser refuses the key cookie: each tab keeps its own tokens, and opening a second tab does not sign the first one out", async () => {
  const ctx = await context();
  // Cookies blocked for the app's pages (third-party iframe, a strict privacy setting).
  await ctx.addInitScript(() => Object.defineProperty(Document.prototype, "cookie", { get: () => "", set: () => {}, configurable: true }));
  const { page, at, idToken } = await signIn(ctx, "wasm", "enc-no-cookie");
  assertNoSecretInClear((await atRest(page)).values, [at, idToken]);
  const second = await openApp(ctx, "wasm");
  assert.deepEqual(await second.evaluate(() => window.pca.getAllAccounts().length), 0, "another page's key cannot read them");
  await new Promise((r) => setTimeout(r, 500)); // the first tab hears of any removal
  assert.deepEqual(await silent(page), { ok: true, at, fromCache: true, user: "enc-no-cookie" });
  const entries = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("msal.3|")).length);
  assert.ok(entries >= 3, `the first tab's entries stay on disk (${entries})`);
  await ctx.close();
});

test("another tab's changes of one entry land in the order they were made, and never over this tab's own later write", async () => {
  const ctx = await context();
  const page = await openApp(ctx, "wasm");
  const snippet = readdirSync("pkg/snippets")[0];
  const r = await page.evaluate(async (path) => {
    const { encryptedStore } = await import(path);
    const store = encryptedStore("order-test-client");
    await store.load();
    const key = "msal.3|order-test|entry";
    const sealed = async (v) => store.encrypt(key, JSON.stringify({ v }));
    // Decryption takes a while (as on a busy page).
    const decrypt = crypto.subtle.decrypt.bind(crypto.subtle);
    crypto.subtle.decrypt = (...a) => new Promise((r) => setTimeout(r, 50)).then(() => decrypt(...a));
    // Another tab writes the entry, then removes it: two storage events, the first one's
    // decryption still running when the second is handled.
    localStorage.setItem(key, await sealed("theirs"));
    const first = store.refresh(key);
    await new Promise((r) => setTimeout(r, 0));
    localStorage.removeItem(key);
    await Promise.all([first, store.refresh(key)]);
    const afterRemoval = store.get(key);
    // Another tab's write is being decrypted when this tab writes the entry itself.
    localStorage.setItem(key, await sealed("theirs again"));
    const pending = store.refresh(key);
    store.set(key, JSON.stringify({ v: "mine" }));
    await pending;
    await store.flush();
    const mine = store.get(key);
    localStorage.removeItem(key);
    return { afterRemoval, mine };
  }, `/pkg/snippets/${snippet}/src/platform/browser/window.js`);
  assert.deepEqual(r, { afterRemoval: null, mine: JSON.stringify({ v: "mine" }) });
  await ctx.close();
});

test("msal 5's cross-tab events pass between the two libraries: each hears the other's sign-in", async () => {
  const ctx = await context();
  const pages = { wasm: await openApp(ctx, "wasm"), browser: await openApp(ctx, "browser") };
  for (const p of Object.values(pages)) {
    await p.evaluate(() => {
      window.heard = [];
      window.pca.addEventCallback((m) => { if (m.eventType === "msal:loginSuccess") window.heard.push(m.payload.username); });
      // A second user signs in while the provider has a session: its form is asked for.
      document.body.insertAdjacentHTML("beforeend", '<button id="another">another</button>');
      document.getElementById("another").onclick = () => { window.done = window.pca.loginPopup({ scopes: ["User.Read"], prompt: "login" }).then(() => true); };
    });
  }
  for (const [from, to] of [["wasm", "browser"], ["browser", "wasm"]]) {
    await popupSignIn(pages[from], "#another", `events-${from}`);
    await pages[from].waitForFunction(() => window.done);
    await pages[to].waitForFunction((login) => window.heard.includes(login), `events-${from}`, { timeout: 5000 });
  }
  assert.deepEqual(await pages.wasm.evaluate(() => window.heard), ["events-wasm", "events-browser"]);
  assert.deepEqual(await pages.browser.evaluate(() => window.heard), ["events-wasm", "events-browser"]);
  // The msal-browser tab sets the active account, then clears it (its removal goes on msal's
  // cache channel too): the msal-wasm tab hears one ACTIVE_ACCOUNT_CHANGED for each.
  const settle = () => new Promise((done) => setTimeout(done, 500));
  await pages.browser.evaluate(() => window.pca.setActiveAccount(null));
  await settle();
  await pages.wasm.evaluate(() => {
    window.activeHeard = 0;
    window.pca.addEventCallback((m) => { if (m.eventType === "msal:activeAccountChanged") window.activeHeard += 1; });
  });
  // (Either signed-in account: the accounts' order is not fixed.)
  const chosen = await pages.browser.evaluate(() => {
    const account = window.pca.getAllAccounts()[0];
    window.pca.setActiveAccount(account);
    return account.username;
  });
  await settle();
  const set = await pages.wasm.evaluate(() => [window.activeHeard, window.pca.getActiveAccount()?.username ?? null]);
  await pages.browser.evaluate(() => window.pca.setActiveAccount(null));
  await settle();
  const cleared = await pages.wasm.evaluate(() => [window.activeHeard, window.pca.getActiveAccount()]);
  assert.deepEqual({ set, cleared }, { set: [1, chosen], cleared: [2, null] });
  await ctx.close();
});

test("an msal-browser 5 tab beside a msal-wasm tab keeps the accounts and tokens the msal-wasm tab writes (msal's msal.broadcast.cache)", async () => {
  const ctx = await context();
  const msal = await openApp(ctx, "browser");
  await popupSignIn(msal, "#login", "tab-one");
  await msal.waitForFunction(() => window.last !== null);
  const wasm = await openApp(ctx, "wasm");
  await wasm.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<button id="another">another</button>');
    document.getElementById("another").onclick = () => { window.done = window.pca.loginPopup({ scopes: ["User.Read"], prompt: "login" }).then(() => true); };
  });
  await popupSignIn(wasm, "#another", "tab-two");
  await wasm.waitForFunction(() => window.done);
  // msal reads its in-memory copy of the storage: told of the new entries, it lists them; not
  // told, it unlists the account and deletes its ID and refresh tokens as missing. (It takes
  // each entry into memory asynchronously, decrypting it: an msal tab that reads the cache in
  // that moment treats the entry as missing, whichever library wrote it. The msal tab here
  // reads once it is idle again.)
  await new Promise((r) => setTimeout(r, 1000));
  const users = (p) => p.evaluate(() => window.pca.getAllAccounts().map((a) => a.username).sort());
  assert.deepEqual(await users(msal), ["tab-one", "tab-two"]);
  const fresh = await openApp(ctx, "wasm");
  assert.deepEqual(await users(fresh), ["tab-one", "tab-two"]);
  // And msal serves tab-two's token from the cache msal-wasm wrote.
  const hit = await msal.evaluate(async () => {
    const account = window.pca.getAllAccounts().find((a) => a.username === "tab-two");
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    return r.fromCache;
  });
  assert.equal(hit, true);
  await ctx.close();
});

test("msal-browser 5 and msal-wasm on one page, one client id: msal's sign-in and the refresh token it rotates reach msal-wasm without a reload (msal's msal.broadcast.cache)", async () => {
  const ctx = await context();
  const page = await openApp(ctx, "browser");
  await page.evaluate(async (authority) => {
    const msal = await import("/pkg/index.js");
    window.ours = new msal.PublicClientApplication({
      auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host], redirectUri: location.origin + "/redirect.html" },
      cache: { cacheLocation: "localStorage" },
      system: { protocolMode: "OIDC" },
    });
    await window.ours.initialize();
  }, env.idp.oidcAuthority);
  assert.deepEqual(await page.evaluate(() => window.ours.getAllAccounts()), []);
  await popupSignIn(page, "#login", "one-page");
  await page.waitForFunction(() => window.last !== null);
  // No storage event reaches the page that wrote: msal's channel message is what tells.
  await page.waitForFunction(() => window.ours.getAllAccounts().some((a) => a.username === "one-page"), null, { timeout: 5000 });
  // msal renews, rotating the refresh token; msal-wasm's renewal then presents the new one
  // (the provider revokes the grant when a used refresh token comes back).
  await env.idp.reset();
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const first = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
    await new Promise((done) => setTimeout(done, 1000));
    try {
      const ours = await window.ours.acquireTokenSilent({ scopes: ["User.Read"], account: window.ours.getAllAccounts()[0], forceRefresh: true });
      return { msal: first.fromCache, ours: ours.fromCache };
    } catch (e) {
      return { error: e.errorCode || String(e) };
    }
  });
  assert.deepEqual(r, { msal: false, ours: false });
  // (A spent one would be refused, then a hidden frame would sign in again: no revocation, no
  // frame.)
  const counted = await env.idp.counters();
  assert.deepEqual([counted.revoked, counted.authorize], [0, 0]);
  // msal's active account, cleared and set on this page: msal-wasm's follows, with one
  // ACTIVE_ACCOUNT_CHANGED for each change (no storage event reaches the page; msal's event
  // does), none when msal sets the same one again.
  const active = await page.evaluate(async () => {
    let heard = 0;
    window.ours.addEventCallback((e) => { if (e.eventType === "msal:activeAccountChanged") heard += 1; });
    const settle = () => new Promise((done) => setTimeout(done, 300));
    const seen = () => [window.ours.getActiveAccount()?.username ?? null, heard];
    window.pca.setActiveAccount(null);
    await settle();
    const cleared = seen();
    window.pca.setActiveAccount(window.pca.getAllAccounts()[0]);
    await settle();
    const set = seen();
    window.pca.setActiveAccount(window.pca.getAllAccounts()[0]);
    await settle();
    return { cleared, set, again: seen() };
  });
  assert.deepEqual(active, { cleared: [null, 1], set: ["one-page", 2], again: ["one-page", 2] });
  await ctx.close();
});

test("an app framed by another site whose third-party cookies are blocked (Chromium's default here) keeps its cache key across reloads: the key cookie is a partitioned one (CHIPS)", async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  const framed = `${env.web.origin}/blank.html`;
  await page.goto(`${env.web.origin.replace("//127.0.0.1:", "//localhost:")}/frame.html?src=${encodeURIComponent(framed)}`);
  const snippet = readdirSync("pkg/snippets")[0];
  const load = async () => {
    const frame = page.frames().find((f) => f.url() === framed);
    await frame.waitForLoadState();
    return frame.evaluate(async (path) => {
      const { encryptedStore } = await import(path);
      const store = encryptedStore("framed-client");
      await store.load();
      const key = "msal.3|framed|entry";
      const before = store.get(key);
      store.set(key, JSON.stringify({ v: "kept" }));
      await store.flush();
      return { id: store.id, before: before && JSON.parse(before).v, cookie: document.cookie.includes("msal.cache.encryption") };
    }, `/pkg/snippets/${snippet}/src/platform/browser/window.js`);
  };
  const first = await load();
  await page.reload();
  const second = await load();
  assert.equal(first.cookie, true, "the key cookie was stored");
  assert.equal(second.id, first.id, "the same key after a reload");
  assert.equal(second.before, "kept", "the entry sealed before the reload is read");
  await ctx.close();
});
