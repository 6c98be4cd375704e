// End-to-end: DPoP (RFC 9449) against oidc-provider with DPoP on, whose userinfo endpoint is
// the API (it checks the proof, `ath` and the token's key binding). Sign-in binds the tokens to
// an unextractable key kept in IndexedDB; silent calls serve and renew them with that key; the
// API takes the token only with a proof by that key; nonce challenges are answered; the key
// survives a reload, is shared by a second tab, and goes at sign-out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { useEnv } from "./env.mjs";
import { popupSignIn } from "./helpers.mjs";

const env = useEnv();

async function openApp(ctx, cache = "localStorage", page = undefined) {
  page = page || await ctx.newPage();
  const q = new URLSearchParams({ authority: env.idp.entraAuthority, api: env.idp.endpoints.entra.userinfo, cache });
  await page.goto(`${env.web.origin}/dpop.html?${q}`);
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 20000 });
  return page;
}

async function signIn(page, login) {
  await popupSignIn(page, "#login", login);
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => window.last);
  assert.equal(last.ok, true, JSON.stringify(last));
  return last;
}

const silent = (page, extra = {}) => page.evaluate(async (extra) => {
  try {
    const r = await window.pca.acquireTokenSilent({ ...window.dpop, account: window.pca.getActiveAccount(), ...extra });
    return { ok: true, at: r.accessToken, proof: r.dpopProof, tokenType: r.tokenType, fromCache: r.fromCache };
  } catch (e) {
    return { ok: false, code: e.errorCode || String(e), message: e.errorMessage };
  }
}, extra);

// The JOSE header and claims of a proof.
function decode(proof) {
  const [h, c] = proof.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
  return { header: h, claims: c };
}

// The keys in msal's key store, as the page sees them: ids, and whether the private key exports.
const keyStore = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open("msal.db", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("msal.db.keys");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const req = open.result.transaction("msal.db.keys").objectStore("msal.db.keys").getAll();
    req.onsuccess = async () => {
      const out = [];
      for (const r of req.result) {
        let exported = true;
        try { await crypto.subtle.exportKey("jwk", r.privateKey); } catch (_) { exported = false; }
        out.push({ keyId: r.keyId, type: r.tokenBindingKeyType, extractable: r.privateKey.extractable, exported });
      }
      open.result.close();
      resolve(out);
    };
  };
}));

test("a DPoP sign-in binds the tokens to an unextractable key; the API takes them only with its proofs", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx);
  const first = await signIn(page, "dpop-user");
  assert.equal(first.tokenType, "DPoP");
  const { header, claims } = decode(first.proof);
  assert.equal(header.typ, "dpop+jwt");
  assert.equal(header.alg, "ES256");
  assert.equal(header.jwk.d, undefined);
  assert.equal(claims.htm, "GET");
  assert.equal(claims.htu, env.idp.endpoints.entra.userinfo);
  assert.ok(claims.ath && claims.jti && claims.iat);
  const keys = await keyStore(page);
  assert.equal(keys.length, 1);
  assert.deepEqual({ type: keys[0].type, extractable: keys[0].extractable, exported: keys[0].exported }, { type: "dpop", extractable: false, exported: false });

  // The API: the token with its proof, yes; the token alone as Bearer or DPoP, no.
  let r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [first.at, first.proof]);
  assert.equal(r.status, 200, JSON.stringify(r));
  r = await page.evaluate((at) => window.callApi({ authorization: `Bearer ${at}` }), first.at);
  assert.equal(r.status, 401);
  r = await page.evaluate((at) => window.callApi({ authorization: `DPoP ${at}` }), first.at);
  assert.equal(r.status, 400, "no proof: invalid_request");
  // A proof by another key (made here, in the page) for the same token: refused.
  r = await page.evaluate(async ([at, proof]) => {
    const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const [, claims] = proof.split(".");
    const header = b64(new TextEncoder().encode(JSON.stringify({ typ: "dpop+jwt", alg: "ES256", jwk: { kty, crv, x, y } })));
    const input = `${header}.${claims}`;
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(input));
    return window.callApi({ authorization: `DPoP ${at}`, dpop: `${input}.${b64(sig)}` });
  }, [first.at, first.proof]);
  assert.equal(r.status, 401);

  // Silent: the cached DPoP token, a fresh proof each time, no token request.
  await env.idp.reset();
  const a = await silent(page);
  const b = await silent(page);
  assert.equal(a.ok && b.ok, true, JSON.stringify([a, b]));
  assert.equal(a.at, first.at);
  assert.equal(a.fromCache, true);
  assert.notEqual(decode(a.proof).claims.jti, decode(b.proof).claims.jti);
  assert.equal(env.idp.counters().token, 0);
  r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [b.at, b.proof]);
  assert.equal(r.status, 200);

  // Renewal with the refresh token, bound to the same key (the provider binds a public
  // client's refresh token and refuses it with another key or none).
  const renewed = await silent(page, { forceRefresh: true });
  assert.equal(renewed.ok, true, JSON.stringify(renewed));
  assert.equal(renewed.fromCache, false);
  assert.notEqual(renewed.at, first.at);
  assert.deepEqual(decode(renewed.proof).header.jwk, header.jwk);
  assert.equal(env.idp.counters().byGrant.refresh_token, 1);
  r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [renewed.at, renewed.proof]);
  assert.equal(r.status, 200);

  // A Bearer request never gets the DPoP token (nor the reverse).
  const bearer = await page.evaluate(async () => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getActiveAccount() });
    return { at: r.accessToken, tokenType: r.tokenType, proof: r.dpopProof };
  });
  assert.equal(bearer.tokenType, "Bearer");
  assert.notEqual(bearer.at, renewed.at);
  assert.equal(bearer.proof, undefined);
  const again = await silent(page);
  assert.equal(again.tokenType, "DPoP");
  assert.notEqual(again.at, bearer.at);
  await ctx.close();
});

test("nonce challenges are answered, at the token endpoint and at the API; the refresh token is useless without the key", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx, "sessionStorage");
  await signIn(page, "dpop-nonce-user");
  env.idp.setConfig({ dpopRequireNonce: true });
  try {
    // A new page knows no nonce yet: its first proof is challenged (use_dpop_nonce), and it
    // retries once with the nonce; the next request carries the latest nonce at once.
    await page.reload();
    await page.waitForSelector("body[data-ready='1']", { state: "attached" });
    await env.idp.reset();
    const renewed = await silent(page, { forceRefresh: true });
    assert.equal(renewed.ok, true, JSON.stringify(renewed));
    assert.equal(renewed.fromCache, false);
    assert.equal(env.idp.counters().byGrant.refresh_token, 2, "challenged, then the retry");
    const next = await silent(page, { forceRefresh: true });
    assert.equal(next.ok, true, JSON.stringify(next));
    assert.equal(env.idp.counters().byGrant.refresh_token, 3, "the nonce at once");
    // The API wants a nonce too: the app asks for a proof with it.
    const renewedAt = next.at;
    let r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [renewedAt, next.proof]);
    assert.equal(r.status, 401);
    assert.match(r.challenge, /use_dpop_nonce/);
    assert.ok(r.nonce, "the API sends its nonce (CORS-exposed)");
    const proof = await page.evaluate(([at, nonce, url]) => window.pca.generateDpopProof({ accessToken: at, method: "GET", url, nonce }), [renewedAt, r.nonce, env.idp.endpoints.entra.userinfo]);
    assert.equal(decode(proof).claims.nonce, r.nonce);
    r = await page.evaluate(([at, p]) => window.callApi({ authorization: `DPoP ${at}`, dpop: p }), [renewedAt, proof]);
    assert.equal(r.status, 200, JSON.stringify(r));
  } finally {
    env.idp.setConfig({ dpopRequireNonce: false });
  }
  // The refresh token, taken out of the page's storage, is refused without a proof by its key.
  const rt = await page.evaluate(() => {
    for (const k of Object.keys(sessionStorage)) {
      try { const e = JSON.parse(sessionStorage.getItem(k)); if (e.credentialType === "RefreshToken") return e.secret; } catch (_) { /* not an entity */ }
    }
    return null;
  });
  assert.ok(rt, "the refresh token is in the session cache");
  // (Sent as a page of the app's origin would send it: Entra refuses a SPA's refresh token
  // without an Origin for that alone.)
  const res = await fetch(`${env.idp.entraAuthority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { origin: env.web.origin },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: rt, client_id: "msal-wasm-test-client", scope: "openid User.Read" }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, "invalid_grant");
  // A proof for a token this app does not hold: refused before any signing.
  const e = await page.evaluate(() => window.pca.generateDpopProof({ accessToken: "not-ours", method: "GET", url: window.api }).then(() => null, (e) => e.errorCode));
  assert.equal(e, "key_id_missing");
  await ctx.close();
});

test("msal 5.31: loadDpopNonce puts the API's nonce in the next proofs for its origin; identical DPoP calls share one renewal, each with a proof of its own", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx, "sessionStorage");
  const first = await signIn(page, "dpop-load-nonce-user");
  // Identical calls in flight: one token request, the same token, a proof each.
  await env.idp.reset();
  const [a, b, starts] = await page.evaluate(async () => {
    const starts = [];
    const id = window.pca.addEventCallback((m) => m.eventType === "msal:acquireTokenStart" && starts.push(m.correlationId));
    const both = await Promise.all([1, 2].map(() => window.pca.acquireTokenSilent({ ...window.dpop, account: window.pca.getActiveAccount(), forceRefresh: true })
      .then((r) => ({ at: r.accessToken, proof: r.dpopProof, tokenType: r.tokenType, correlationId: r.correlationId }))));
    window.pca.removeEventCallback(id);
    return [...both, starts];
  });
  assert.equal(env.idp.counters().byGrant.refresh_token, 1, "one renewal for both calls");
  assert.deepEqual(starts, [a.correlationId], "the call that joins sends no events (msal 5.31)");
  assert.equal(a.at, b.at);
  assert.equal(b.tokenType, "DPoP");
  assert.notEqual(a.correlationId, b.correlationId);
  assert.notEqual(decode(a.proof).claims.jti, decode(b.proof).claims.jti, "each call has its own proof");
  assert.deepEqual(decode(b.proof).header.jwk, decode(first.proof).header.jwk);
  for (const proof of [a.proof, b.proof]) {
    const r = await page.evaluate(([at, p]) => window.callApi({ authorization: `DPoP ${at}`, dpop: p }), [a.at, proof]);
    assert.equal(r.status, 200, JSON.stringify(r));
  }
  // A joining call whose own proof fails: its error carries its own correlation id.
  const failed = await page.evaluate(async () => {
    const sign = crypto.subtle.sign;
    let n = 0;
    crypto.subtle.sign = function (...args) { return ++n === 2 ? Promise.reject(new DOMException("refused", "OperationError")) : sign.apply(this, args); };
    try {
      const calls = [1, 2].map((i) => window.pca.acquireTokenSilent({ ...window.dpop, account: window.pca.getActiveAccount(), correlationId: `call-${i}` }));
      return (await Promise.allSettled(calls)).map((r) => (r.status === "fulfilled" ? ["ok", r.value.correlationId] : [r.reason.errorCode, r.reason.correlationId]));
    } finally {
      crypto.subtle.sign = sign;
    }
  });
  assert.deepEqual(failed[0], ["ok", "call-1"]);
  assert.notEqual(failed[1][0], "ok", JSON.stringify(failed));
  assert.equal(failed[1][1], "call-2");
  // msal's refusals, with the call's correlation id.
  const refused = await page.evaluate(async () => {
    const out = [];
    for (const [uri, nonce] of [["http://api.example/", "n"], ["https://user@api.example/", "n"], [42, "n"], ["https://api.example:70000/", "n"], ["https://api.example/", ""], ["https://api.example/", null]]) {
      out.push(await window.pca.loadDpopNonce(uri, nonce).then(() => "resolved", (e) => [e.name, e.errorCode, !!e.correlationId]));
    }
    return out;
  });
  const config = (code) => ["ClientConfigurationError", code, true];
  assert.deepEqual(refused, [config("invalid_dpop_htu"), config("invalid_dpop_htu"), config("invalid_dpop_htu"), config("invalid_dpop_htu"), config("invalid_dpop_nonce"), config("invalid_dpop_nonce")]);
  env.idp.setConfig({ dpopRequireNonce: true });
  try {
    const cached = await silent(page);
    let r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [cached.at, cached.proof]);
    assert.equal(r.status, 401);
    assert.ok(r.nonce, "the API sends its nonce");
    // The app hands the nonce over once; the next results' proofs carry it, with a measurement.
    const measured = await page.evaluate(async ([api, nonce]) => {
      const events = [];
      const id = window.pca.addPerformanceCallback((es) => events.push(...es));
      await window.pca.loadDpopNonce(api, nonce);
      await new Promise((resolve) => setTimeout(resolve, 50));
      window.pca.removePerformanceCallback(id);
      return events.map((e) => [e.name, e.success]);
    }, [env.idp.endpoints.entra.userinfo, r.nonce]);
    assert.deepEqual(measured, [["standardControllerLoadDpopNonce", true]]);
    const next = await silent(page);
    assert.equal(next.fromCache, true);
    assert.equal(decode(next.proof).claims.nonce, r.nonce);
    r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [next.at, next.proof]);
    assert.equal(r.status, 200, JSON.stringify(r));
    const made = await page.evaluate(([at, url]) => window.pca.generateDpopProof({ accessToken: at, method: "GET", url }), [next.at, env.idp.endpoints.entra.userinfo]);
    assert.equal(decode(made).claims.nonce, decode(next.proof).claims.nonce, "generateDpopProof without a nonce uses the kept one");
    // Another origin's proofs carry none.
    const elsewhere = await silent(page, { resourceRequestUri: "https://other.example/data" });
    assert.equal(elsewhere.ok, true, JSON.stringify(elsewhere));
    assert.equal(decode(elsewhere.proof).claims.nonce, undefined);
    assert.equal(decode(elsewhere.proof).claims.htu, "https://other.example/data");
    // `htu` is the URL as this browser's fetch sends it, which msal signs (`new URL(url).href`,
    // without query and fragment): a capital host, a space, `%2e%2e`, `|`, `^`, braces, a tab.
    const odd = "https://Other.Example/a b/%2e%2e/x|y^z/{1}\t?q=1#f";
    const sent = await silent(page, { resourceRequestUri: odd });
    assert.equal(sent.ok, true, JSON.stringify(sent));
    const fetched = await page.evaluate((u) => { const x = new URL(u); x.search = ""; x.hash = ""; return x.href; }, odd);
    assert.equal(decode(sent.proof).claims.htu, fetched);
    const proof = await page.evaluate(([at, url]) => window.pca.generateDpopProof({ accessToken: at, method: "GET", url }), [sent.at, odd]);
    assert.equal(decode(proof).claims.htu, fetched);
    // What the browser's URL parser refuses is refused before any signing, as msal's
    // `url_parse_error` (a port beyond 65535, `<` in the host).
    for (const bad of ["https://other.example:70000/x", "https://a<b.example/x"]) {
      const refused = await silent(page, { resourceRequestUri: bad });
      assert.deepEqual([refused.ok, refused.code], [false, "url_parse_error"], bad);
      const made = await page.evaluate(([at, url]) => window.pca.generateDpopProof({ accessToken: at, method: "GET", url }).then(() => "signed", (e) => e.errorCode), [sent.at, bad]);
      assert.equal(made, "url_parse_error", bad);
    }
    // msal's telemetry of it: whether a result's proof carries a nonce, and a nonce let go to
    // make room for a 51st origin.
    const fields = await page.evaluate(async () => {
      const events = [];
      const id = window.pca.addPerformanceCallback((es) => events.push(...es));
      for (const resourceRequestUri of [window.api, "https://other.example/data"]) {
        await window.pca.acquireTokenSilent({ ...window.dpop, account: window.pca.getActiveAccount(), resourceRequestUri });
      }
      for (let i = 0; i < 50; i++) await window.pca.loadDpopNonce(`https://r${i}.example/`, "n");
      await new Promise((resolve) => setTimeout(resolve, 50));
      window.pca.removePerformanceCallback(id);
      const loads = events.filter((e) => e.name === "standardControllerLoadDpopNonce").map((e) => (e.ext || {}).dpopNonceCacheEvictionCount);
      return [events.filter((e) => e.name === "acquireTokenSilent").map((e) => e.dpopNonceAppliedToProof), loads.length, loads.filter((n) => n !== undefined)];
    });
    // (The API's nonce, loaded above, and 50 more origins: the last of them makes the one eviction.)
    assert.deepEqual(fields, [[true, false], 50, [1]]);
  } finally {
    env.idp.setConfig({ dpopRequireNonce: false });
  }
  await ctx.close();
});

test("the key survives a reload and serves a second tab; sign-out removes it", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx);
  const first = await signIn(page, "dpop-tabs-user");
  const jwk = decode(first.proof).header.jwk;
  await env.idp.reset();
  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  const after = await silent(page);
  assert.equal(after.ok, true, JSON.stringify(after));
  assert.equal(after.at, first.at);
  assert.deepEqual(decode(after.proof).header.jwk, jwk);
  const second = await openApp(ctx);
  const other = await silent(second);
  assert.equal(other.ok, true, JSON.stringify(other));
  assert.deepEqual(decode(other.proof).header.jwk, jwk, "the second tab signs with the same key");
  let r = await second.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [other.at, other.proof]);
  assert.equal(r.status, 200);
  assert.equal(env.idp.counters().token, 0);
  assert.equal((await keyStore(page)).length, 1);
  // Sign-out (popup) removes the account's tokens and its key.
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.out = window.pca.logoutPopup({ account: window.pca.getActiveAccount(), postLogoutRedirectUri: "/redirect.html" }).then(() => "ok", (e) => e.errorCode); }),
  ]);
  await popup.waitForEvent("close", { timeout: 15000 }).catch(() => {});
  assert.equal(await page.evaluate(() => window.out), "ok");
  assert.deepEqual(await keyStore(page), [], "the key is gone");
  const gone = await second.evaluate(() => window.pca.getAllAccounts().length);
  assert.equal(gone, 0);
  await ctx.close();
});

test("without IndexedDB (site data blocked, a private mode), DPoP keys live in the page's memory, as msal's: sign-in, proofs and renewals work", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    // msal's database_unavailable: the open request fails.
    IDBFactory.prototype.open = function () {
      const request = { onerror: null, onsuccess: null, onupgradeneeded: null, error: new DOMException("blocked", "UnknownError") };
      setTimeout(() => request.onerror && request.onerror(new Event("error")), 0);
      return request;
    };
  });
  await openApp(ctx, "localStorage", page);
  const first = await signIn(page, "dpop-no-idb-user");
  assert.equal(first.tokenType, "DPoP");
  let r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [first.at, first.proof]);
  assert.equal(r.status, 200, JSON.stringify(r));
  const hit = await silent(page);
  assert.equal(hit.ok, true, JSON.stringify(hit));
  assert.deepEqual(decode(hit.proof).header.jwk, decode(first.proof).header.jwk, "signed by the key in memory");
  const renewed = await silent(page, { forceRefresh: true });
  assert.equal(renewed.ok, true, JSON.stringify(renewed));
  assert.notEqual(renewed.at, first.at);
  r = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [renewed.at, renewed.proof]);
  assert.equal(r.status, 200, JSON.stringify(r));
  // A redirect's next page would not find the key: it fails before leaving, as msal's, and
  // the interaction is free again (before: it left, and failed once the user had signed in).
  const redirect = await page.evaluate(() => Promise.race([
    window.pca.loginRedirect(window.dpop).then(() => "navigated", (e) => e.errorCode || String(e)),
    new Promise((r) => setTimeout(() => r("hung"), 10000)),
  ]));
  assert.equal(redirect, "crypto_key_not_found");
  assert.ok(page.url().startsWith(`${env.web.origin}/dpop.html`), page.url());
  assert.equal(await page.evaluate(() => sessionStorage.getItem("msal.interaction.status")), null, "no interaction held");
  await ctx.close();
});

test("a DPoP renewal that is not stored still carries its proof; a second sign-in of the same user leaves one key, and sign-out none", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx);
  await signIn(page, "dpop-unstored");
  const r = await silent(page, { forceRefresh: true, storeInCache: { accessToken: false } });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(decode(r.proof).claims.ath, createHash("sha256").update(r.at).digest("base64url"));
  const api = await page.evaluate(([at, proof]) => window.callApi({ authorization: `DPoP ${at}`, dpop: proof }), [r.at, r.proof]);
  assert.equal(api.status, 200, JSON.stringify(api));
  // Two calls for two resources that share one hidden-frame renewal: each its own proof.
  const uri = env.idp.endpoints.entra.userinfo;
  const both = await page.evaluate(async (uri) => {
    const base = { ...window.dpop, account: window.pca.getActiveAccount(), cacheLookupPolicy: 5 /* Skip: the hidden frame */ };
    const calls = [["GET", `${uri}?a=1`], ["POST", `${uri}/b`]].map(([m, u]) => window.pca.acquireTokenSilent({ ...base, resourceRequestMethod: m, resourceRequestUri: u }));
    return (await Promise.all(calls)).map((x) => x.dpopProof);
  }, uri);
  assert.deepEqual(both.map((p) => [decode(p).claims.htm, decode(p).claims.htu]), [["GET", uri], ["POST", `${uri}/b`]]);
  // The user signs in again (a new key binds the new tokens, which replace the old ones).
  await page.evaluate(() => { window.last = null; window.dpop = { ...window.dpop, prompt: "login" }; });
  await signIn(page, "dpop-unstored");
  // The first key went with the tokens it bound, as msal removes it (kept until sign-out, it
  // stayed for good once the page reloaded).
  assert.equal((await keyStore(page)).length, 1);
  // (Sign-out deletes every key no token uses.)
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.out = window.pca.logoutPopup({ account: window.pca.getActiveAccount(), postLogoutRedirectUri: "/redirect.html" }).then(() => "ok", (e) => e.errorCode); }),
  ]);
  await popup.waitForEvent("close", { timeout: 15000 }).catch(() => {});
  assert.equal(await page.evaluate(() => window.out), "ok");
  assert.deepEqual(await keyStore(page), []);
  await ctx.close();
});

test("msal's PoP: the token bound to an RSA key by req_cnf, handed out as a signed HTTP request the API verifies", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx);
  const resource = `${env.idp.origin}/__test/pop-resource`;
  await page.evaluate((resource) => {
    window.dpop = { scopes: ["User.Read"], authenticationScheme: "pop", resourceRequestMethod: "GET", resourceRequestUri: resource, shrNonce: "nonce-1", shrClaims: '{"app":"e2e"}' };
  }, resource);
  const first = await signIn(page, "pop-user");
  assert.equal(first.tokenType, "pop");
  const { header, claims } = decode(first.at);
  assert.equal(header.typ, "pop");
  assert.equal(header.alg, "RS256");
  assert.equal(claims.m, "GET");
  assert.equal(claims.u, new URL(resource).host);
  assert.equal(claims.p, "/__test/pop-resource");
  assert.equal(claims.nonce, "nonce-1");
  assert.equal(claims.client_claims, '{"app":"e2e"}');
  assert.equal(claims.cnf.jwk.kty, "RSA");
  assert.equal(claims.cnf.jwk.d, undefined);
  const inner = JSON.parse(Buffer.from(claims.at.split(".")[1], "base64url"));
  assert.ok(inner.cnf && inner.cnf.kid, "the access token is bound to the key (cnf.kid)");
  const keys = await keyStore(page);
  assert.ok(keys.some((k) => k.type === "shr" && !k.extractable && !k.exported), JSON.stringify(keys));

  const call = (auth, url = resource, method = "GET") => page.evaluate(async ([url, auth, method]) => {
    const r = await fetch(url, { method, headers: { authorization: auth } });
    return { status: r.status, body: await r.json() };
  }, [url, auth, method]);
  let r = await call(`PoP ${first.at}`);
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.equal(r.body.nonce, "nonce-1");
  // Signed for another method or another path: refused (the resource compares the path without
  // its outer slashes and ignoring case, as Entra's resources do).
  assert.deepEqual([(await call(`PoP ${first.at}`, resource, "POST")).body.error, (await call(`PoP ${first.at}`, `${resource}-2`)).body.error], ["m/u/p", "m/u/p"]);
  // The access token alone, or the signed request with its signature changed: refused.
  assert.equal((await call(`Bearer ${claims.at}`)).status, 401);
  const [h, c] = first.at.split(".");
  assert.equal((await call(`PoP ${h}.${c}.${Buffer.alloc(256, 1).toString("base64url")}`)).status, 401);

  // Silent: the cached token in a new signed request (a new GUID nonce without shrNonce); a
  // Bearer request gets a Bearer token, never the bound one.
  await env.idp.reset();
  const again = await page.evaluate(async (resource) => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getActiveAccount(), authenticationScheme: "pop", resourceRequestMethod: "GET", resourceRequestUri: resource });
    return { at: r.accessToken, tokenType: r.tokenType, fromCache: r.fromCache };
  }, resource);
  assert.equal(again.tokenType, "pop");
  assert.equal(again.fromCache, true);
  assert.equal(decode(again.at).claims.at, claims.at);
  assert.notEqual(decode(again.at).claims.nonce, "nonce-1");
  assert.equal(env.idp.counters().token, 0);
  r = await call(`PoP ${again.at}`);
  assert.equal(r.status, 200, JSON.stringify(r));
  // shrOptions.header: its typ replaces "pop"; an alg that is not the key's fails as msal's does.
  const shr = await page.evaluate(async (resource) => {
    const req = { scopes: ["User.Read"], account: window.pca.getActiveAccount(), authenticationScheme: "pop", resourceRequestMethod: "GET", resourceRequestUri: resource };
    const typed = await window.pca.acquireTokenSilent({ ...req, shrOptions: { header: { typ: "pop+app" } } });
    const wrongAlg = await window.pca.acquireTokenSilent({ ...req, shrOptions: { header: { alg: "ES256" } } }).then(() => null, (e) => [e.name, e.errorCode]);
    return { at: typed.accessToken, wrongAlg };
  }, resource);
  assert.deepEqual({ typ: decode(shr.at).header.typ, alg: decode(shr.at).header.alg, at: decode(shr.at).claims.at }, { typ: "pop+app", alg: "RS256", at: claims.at });
  assert.deepEqual(shr.wrongAlg, ["BrowserAuthError", "unsupported_token_binding_algorithm"]);
  const bearer = await page.evaluate(async () => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getActiveAccount() });
    return { at: r.accessToken, tokenType: r.tokenType };
  });
  assert.equal(bearer.tokenType, "Bearer");
  assert.notEqual(bearer.at, claims.at);
  // Renewed in a hidden frame (the provider's session; cacheLookupPolicy Skip goes there
  // directly, as a refresh token that no longer works does): one signed request of a new token.
  const framed = await page.evaluate(async (resource) => {
    try {
      const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getActiveAccount(), authenticationScheme: "pop", resourceRequestMethod: "GET", resourceRequestUri: resource, cacheLookupPolicy: 5 /* CacheLookupPolicy.Skip */ });
      return { ok: true, at: r.accessToken, tokenType: r.tokenType, fromCache: r.fromCache };
    } catch (e) {
      return { ok: false, code: e.errorCode || String(e) };
    }
  }, resource);
  assert.equal(framed.ok, true, JSON.stringify(framed));
  assert.equal(framed.tokenType, "pop");
  const renewed = decode(framed.at).claims;
  const renewedInner = JSON.parse(Buffer.from(renewed.at.split(".")[1], "base64url"));
  assert.ok(renewedInner.cnf && !renewedInner.at, "one signed request around the access token, not one wrapping another");
  assert.notEqual(renewed.at, claims.at);
  assert.equal((await call(`PoP ${framed.at}`)).status, 200);
  await ctx.close();
});

test("a signature covers the bytes it was asked for, even when the wasm's memory grows while the key is looked up", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/dpop.html?${new URLSearchParams({ authority: env.idp.entraAuthority, api: env.idp.endpoints.entra.userinfo })}`);
  const snippet = readdirSync("pkg/snippets")[0];
  const r = await page.evaluate(async (path) => {
    const w = await import(path);
    const [, , pair] = await w.makeKeyPair(false);
    await w.storeKeyPair("grow-test", pair);
    // The bytes as the wasm hands them over: a view into a memory that grows during the call.
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const view = new Uint8Array(memory.buffer, 0, 5);
    view.set([1, 2, 3, 4, 5]);
    const signing = w.signWithKey("grow-test", view);
    memory.grow(1);
    const signature = await signing;
    await w.removeKeyPair("grow-test");
    const raw = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const verify = (data) => crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, raw, data);
    return { detached: view.length === 0, signed: await verify(new Uint8Array([1, 2, 3, 4, 5])), empty: await verify(new Uint8Array()) };
  }, `/pkg/snippets/${snippet}/src/platform/browser/window.js`);
  assert.deepEqual(r, { detached: true, signed: true, empty: false });
  await ctx.close();
});

test("DPoP requests refused before they are sent leave no key behind: a renewal of a Bearer sign-in's refresh token makes none, and a hidden-frame sign-in's goes at the next clean-up (claims that are not JSON)", async () => {
  const ctx = await env.browser.newContext();
  const page = await openApp(ctx);
  await page.evaluate(() => { window.dpop = { scopes: ["User.Read"] }; }); // a Bearer sign-in
  const first = await signIn(page, "bearer-then-dpop");
  assert.equal(first.tokenType, "Bearer");
  assert.deepEqual(await keyStore(page), []);
  const dpop = { scopes: ["User.Read"], authenticationScheme: "DPoP", resourceRequestMethod: "GET", resourceRequestUri: await page.evaluate(() => window.api), claims: "not json" };
  const renewal = await silent(page, dpop);
  assert.equal(renewal.ok, false, JSON.stringify(renewal));
  assert.deepEqual(await keyStore(page), [], "the renewal made no key");
  // (The hidden frame's key is made before its request is built: it goes at the next clean-up,
  // here the app's clearCache.)
  const sso = await page.evaluate(async (req) => {
    try { await window.pca.ssoSilent(req); return { ok: true }; } catch (e) { return { ok: false, code: e.errorCode }; }
  }, dpop);
  assert.equal(sso.ok, false, JSON.stringify(sso));
  await page.evaluate(() => window.pca.clearCache());
  assert.deepEqual(await keyStore(page), []);
  await ctx.close();
});

test("a DPoP redirect sign-in the user abandons leaves no key behind (msal removes it)", async () => {
  const ctx = await env.browser.newContext();
  let page = await openApp(ctx);
  await Promise.all([
    page.waitForURL((u) => u.origin !== env.web.origin, { timeout: 20000 }),
    page.evaluate(() => { window.pca.loginRedirect(window.dpop); }),
  ]);
  // The user comes back to the app in the same tab without signing in (a bookmark, the
  // address bar).
  page = await openApp(ctx, "localStorage", page);
  const before = (await keyStore(page)).length;
  assert.equal(await page.evaluate(() => window.pca.handleRedirectPromise()), null);
  assert.deepEqual([before, (await keyStore(page)).length], [1, 0], "the redirect's key was made, then removed");
  assert.equal(await page.evaluate(() => window.pca.getActiveAccount()), null);
  await ctx.close();
});

test("a key store that refuses the key at once (iOS Safari's DataCloneError) fails the DPoP popup and redirect instead of hanging; the next sign-in runs", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    window.refuseKeys = true;
    IDBObjectStore.prototype.put = function (value, ...rest) {
      if (window.refuseKeys && value && value.privateKey) throw new DOMException("Failed to store the record", "DataCloneError");
      return put.call(this, value, ...rest);
    };
  });
  await openApp(ctx, "localStorage", page);
  const popups = [];
  ctx.on("page", (p) => p !== page && popups.push(p));
  await page.click("#login");
  await page.waitForFunction(() => window.last !== null, null, { timeout: 10000 });
  const failed = await page.evaluate(() => window.last);
  assert.equal(failed.ok, false, JSON.stringify(failed));
  for (const p of popups) if (!p.isClosed()) await p.waitForEvent("close", { timeout: 5000 });
  // A redirect fails too, without leaving the page.
  const redirect = await page.evaluate(() => Promise.race([
    window.pca.loginRedirect(window.dpop).then(() => "navigated", (e) => e.errorCode || String(e)),
    new Promise((r) => setTimeout(() => r("hung"), 10000)),
  ]));
  assert.equal(redirect, failed.code);
  assert.equal(page.url().startsWith(env.web.origin), true);
  // Nothing holds the interaction: a sign-in with a store that takes the key works.
  await page.evaluate(() => { window.refuseKeys = false; window.last = null; });
  await signIn(page, "dora");
  await ctx.close();
});
