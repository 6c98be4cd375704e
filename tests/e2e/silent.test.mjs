// End-to-end: silent renewal, concurrency, iframe SSO, server errors and storage behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signedInPage, useEnv } from "./env.mjs";
import { popupSignIn, waitFor } from "./helpers.mjs";
import { TENANT_ID, loginHintFor } from "../idp/server.mjs";

const env = useEnv();

// A context whose pages run on Playwright's clock: time flows as usual, and `expire` jumps it
// past the access tokens' lifetime (1 h) as a sleeping laptop does, so expiry needs no wait and
// "from cache" never races it.
async function clockedContext() {
  const ctx = await env.browser.newContext();
  await ctx.clock.install();
  return ctx;
}
const expire = (ctx) => ctx.clock.fastForward("01:00:05");

// The authorize and token requests the provider saw since its last reset, as "route grant|prompt".
const providerCalls = async () => (await env.idp.counters()).log.filter((e) => e.route === "authorize" || e.route === "token").map((e) => `${e.route} ${e.grant_type ?? e.prompt}`);

const silent = (page, extra = {}) =>
  page.evaluate(async (extra) => {
    try {
      const account = window.pca.getAllAccounts()[0];
      const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, ...extra });
      return { ok: true, fromCache: r.fromCache, at: r.accessToken, expiresOn: r.expiresOn.getTime() };
    } catch (e) {
      return { ok: false, name: e.name, code: e.errorCode, sub: e.subError, status: e.status, ir: e instanceof window.msal.InteractionRequiredAuthError, se: e instanceof window.msal.ServerError, isError: e instanceof Error };
    }
  }, extra);

test("an expired access token is renewed with the refresh token", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "gina", { context: ctx });
  const first = await silent(page);
  assert.equal(first.fromCache, true);
  await env.idp.reset();
  await expire(ctx);
  const renewed = await silent(page);
  assert.equal(renewed.ok, true);
  assert.equal(renewed.fromCache, false);
  assert.notEqual(renewed.at, first.at);
  const c = await env.idp.counters();
  assert.equal(c.token, 1);
  assert.equal(c.byGrant.refresh_token, 1);
  await ctx.close();
});

test("CacheLookupPolicy.AccessToken with an expired token fails with ClientAuthError token_refresh_required before any network event, as msal", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "petra", { context: ctx });
  await env.idp.reset();
  await expire(ctx);
  const r = await page.evaluate(async () => {
    window.events.length = 0;
    const account = window.pca.getAllAccounts()[0];
    const { CacheLookupPolicy, ClientAuthError, InteractionRequiredAuthError } = window.msal;
    try {
      await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, cacheLookupPolicy: CacheLookupPolicy.AccessToken, correlationId: "cid-access-token" });
      return "ok";
    } catch (e) {
      return { name: e.name, code: e.errorCode, client: e instanceof ClientAuthError, ir: e instanceof InteractionRequiredAuthError, cid: e.correlationId, events: window.events };
    }
  });
  assert.deepEqual(r, {
    name: "ClientAuthError", code: "token_refresh_required", client: true, ir: false, cid: "cid-access-token",
    events: ["msal:acquireTokenStart", "msal:acquireTokenFailure:token_refresh_required"],
  });
  assert.equal((await env.idp.counters()).token, 0);
  await ctx.close();
});

test("forceRefresh skips the cache and makes exactly one token request", async () => {
  const page = await signedInPage(env, "hank");
  await env.idp.reset();
  const r = await silent(page, { forceRefresh: true });
  assert.equal(r.ok, true);
  assert.equal(r.fromCache, false);
  assert.equal((await env.idp.counters()).token, 1);
  const cached = await silent(page);
  assert.equal(cached.fromCache, true);
  assert.equal(cached.at, r.at, "the refreshed token is what the cache serves next");
  await page.context().close();
});

test("scopes and flags as apps pass them by habit: a Set of scopes works, a string or a missing entry is named, forceRefresh \"true\" forces, as msal reads them", async () => {
  const page = await signedInPage(env, "scopy");
  await env.idp.reset();
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const call = (scopes) => window.pca.acquireTokenSilent({ scopes, account }).then((t) => [t.fromCache, t.scopes.includes("User.Read")], (e) => [e.name, e.errorCode]);
    return Promise.all([new Set(["User.Read"]), "User.Read", [undefined], ["User.Read", 7]].map(call));
  });
  const named = ["ClientConfigurationError", "empty_input_scopes_error"];
  assert.deepEqual(r, [[true, true], named, named, named]);
  const forced = await silent(page, { forceRefresh: "true" });
  assert.deepEqual([forced.ok, forced.fromCache], [true, false]);
  assert.equal((await env.idp.counters()).token, 1);
  await page.context().close();
});

test("identical silent calls in flight share one call, as msal: one set of events, each result and error with its own correlation id", async () => {
  const page = await signedInPage(env, "quinn");
  await env.idp.reset();
  const run = () => page.evaluate(async () => {
    const events = [];
    const id = window.pca.addEventCallback((m) => events.push(m.eventType));
    const account = window.pca.getAllAccounts()[0];
    const ids = ["c-1", "c-2", "c-3", "c-4"];
    const calls = ids.map((correlationId) => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true, correlationId })
      .then((r) => ["ok", r.correlationId, r.accessToken], (e) => [e.name, e.correlationId, e.errorCode]));
    const out = await Promise.all(calls);
    window.pca.removeEventCallback(id);
    return { out, events };
  });
  const ok = await run();
  assert.deepEqual(ok.out.map(([how, id]) => [how, id]), [["ok", "c-1"], ["ok", "c-2"], ["ok", "c-3"], ["ok", "c-4"]]);
  assert.equal(new Set(ok.out.map((o) => o[2])).size, 1, "one token for all");
  assert.deepEqual(ok.events, ["msal:acquireTokenStart", "msal:acquireTokenFromNetworkStart", "msal:acquireTokenSuccess"]);
  assert.equal((await env.idp.counters()).token, 1);
  await env.idp.failNext({ status: 500, body: { error: "server_error", error_description: "boom" } });
  const failed = await run();
  assert.deepEqual(failed.out, [["ServerError", "c-1", "server_error"], ["ServerError", "c-2", "server_error"], ["ServerError", "c-3", "server_error"], ["ServerError", "c-4", "server_error"]]);
  assert.deepEqual(failed.events, ["msal:acquireTokenStart", "msal:acquireTokenFromNetworkStart", "msal:acquireTokenFailure"]);
  await page.context().close();
});

test("identical cache hits in the same tick share one call, as msal: one START and one SUCCESS, msal's payloads, each caller its own result", async () => {
  const page = await signedInPage(env, "quincy");
  await env.idp.reset();
  // The first round reads the cache through the wasm, the second is served from the memo.
  for (const round of [1, 2]) {
    const r = await page.evaluate(async () => {
      const events = [];
      const id = window.pca.addEventCallback((m) => events.push(m));
      const account = window.pca.getAllAccounts()[0];
      const results = await Promise.all(["h-1", "h-2", "h-3"].map((correlationId) => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, correlationId })));
      window.pca.removeEventCallback(id);
      const later = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, correlationId: "h-4" });
      const success = events.find((m) => m.eventType === "msal:acquireTokenSuccess");
      return {
        events: events.map((m) => [m.eventType, m.correlationId]),
        startPayload: events[0].payload.correlationId,
        ids: results.map((x) => [x.correlationId, x.fromCache]),
        tokens: new Set(results.map((x) => x.accessToken)).size,
        payloadIsNotAResult: results.every((x) => x !== success.payload),
        later: later.correlationId,
      };
    });
    assert.deepEqual(r, {
      events: [["msal:acquireTokenStart", "h-1"], ["msal:acquireTokenSuccess", "h-1"]],
      startPayload: "h-1",
      ids: [["h-1", true], ["h-2", true], ["h-3", true]],
      tokens: 1,
      payloadIsNotAResult: true,
      later: "h-4",
    }, `round ${round}`);
  }
  assert.equal((await env.idp.counters()).token, 0);
  await page.context().close();
});

test("hydrateCache keeps the request's resource on the token, as msal: a silent call for that resource is served it", async () => {
  const page = await signedInPage(env, "hydra");
  await env.idp.reset();
  const r = await page.evaluate(async (tid) => {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const idToken = `${b64({ alg: "none" })}.${b64({ sub: "mcp-sub", oid: "mcp-oid", tid, preferred_username: "mcp" })}.sig`;
    const resource = "https://mcp.example/";
    const result = { idToken, accessToken: "hydrated-for-mcp", scopes: ["Tools.Read"], expiresOn: new Date(Date.now() + 3600e3), account: { homeAccountId: `mcp-oid.${tid}` } };
    await window.pca.hydrateCache(result, { scopes: ["Tools.Read"], resource });
    const account = window.pca.getAllAccounts().find((a) => a.username === "mcp");
    const x = await window.pca.acquireTokenSilent({ scopes: ["Tools.Read"], account, resource });
    return [x.accessToken, x.fromCache];
  }, TENANT_ID);
  assert.deepEqual(r, ["hydrated-for-mcp", true]);
  assert.equal((await env.idp.counters()).token, 0);
  await page.context().close();
});

test("hydrateCache takes a server's result as JSON gave it (dates as ISO strings) and keeps the account's dataBoundary; a date that is none is refused", async () => {
  // A server's AuthenticationResult through res.json(): msal throws a TypeError on the string
  // (getTime); storing it as expired would send the next silent call to the network unseen.
  const page = await signedInPage(env, "hydra-json");
  await env.idp.reset();
  const r = await page.evaluate(async (tid) => {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const idToken = `${b64({ alg: "none" })}.${b64({ sub: "json-sub", oid: "json-oid", tid, preferred_username: "json" })}.sig`;
    const fromServer = JSON.parse(JSON.stringify({ idToken, accessToken: "hydrated-from-json", scopes: ["Json.Read"], expiresOn: new Date(Date.now() + 3600e3), extExpiresOn: new Date(Date.now() + 7200e3), account: { homeAccountId: `json-oid.${tid}`, dataBoundary: "EU" } }));
    await window.pca.hydrateCache(fromServer, { scopes: ["Json.Read"] });
    const account = window.pca.getAllAccounts().find((a) => a.username === "json");
    const x = await window.pca.acquireTokenSilent({ scopes: ["Json.Read"], account });
    const refused = (extra) => window.pca.hydrateCache({ ...fromServer, ...extra }, { scopes: ["Json.Read"] }).then(() => "stored", (e) => `${e.name}: ${e.message}`);
    // Not a date, and seconds where ms are meant (a server's expires_on): both stored expired.
    const bad = [await refused({ expiresOn: "tomorrow-ish" }), await refused({ expiresOn: Math.floor(Date.now() / 1000) + 3600 }), await refused({ extExpiresOn: "soon" })];
    return [x.accessToken, x.fromCache, account.dataBoundary, bad];
  }, TENANT_ID);
  assert.deepEqual(r.slice(0, 3), ["hydrated-from-json", true, "EU"]);
  assert.deepEqual(r[3], ["TypeError: expiresOn is not a date", "TypeError: expiresOn is not a date", "TypeError: extExpiresOn is not a date"]);
  assert.equal((await env.idp.counters()).token, 0);
  await page.context().close();
});

test("hydrateCache before initialize() keeps the tokens (a server-rendered page hydrating at once, as msal's sessionStorage takes them)", async () => {
  const page = await env.open("entra");
  await env.idp.reset();
  const r = await page.evaluate(async ([authority, tid]) => {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const idToken = `${b64({ alg: "none" })}.${b64({ sub: "ssr-sub", oid: "ssr-oid", tid, preferred_username: "ssr" })}.sig`;
    const pca = new window.msal.PublicClientApplication({ auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host] } });
    const events = [];
    pca.addEventCallback((e) => events.push(e.eventType));
    const result = { idToken, accessToken: "hydrated-before-init", scopes: ["Ssr.Read"], expiresOn: new Date(Date.now() + 3600e3), account: { homeAccountId: `ssr-oid.${tid}` } };
    await pca.hydrateCache(result, { scopes: ["Ssr.Read"] });
    await pca.initialize();
    const account = pca.getAllAccounts().find((a) => a.username === "ssr");
    const x = await pca.acquireTokenSilent({ scopes: ["Ssr.Read"], account });
    return [x.accessToken, x.fromCache, events.filter((t) => /initialize/.test(t))];
  }, [env.idp.entraAuthority, TENANT_ID]);
  assert.deepEqual(r, ["hydrated-before-init", true, ["msal:initializeStart", "msal:initializeEnd"]]);
  assert.equal((await env.idp.counters()).token, 0);
  await page.context().close();
});

// 20 concurrent silent calls on an expired token (1 token request, one token for all):
// tests/e2e/matrix/core.test.mjs, in every engine.

test("ssoSilent signs in through a hidden iframe using the provider's session", async () => {
  const page = await signedInPage(env, "jack");
  // Forget the tokens but keep the provider's session cookie.
  await page.evaluate(() => window.pca.clearCache());
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  const r = await page.evaluate(async () => {
    // The frame as msal 5 makes it: Chrome's Local Network Access lets a frame reach a
    // provider on the local network (an intranet ADFS) only with `allow`.
    const frames = [];
    const seen = new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) {
        if (n.tagName === "IFRAME") frames.push(["allow", "sandbox", "class", "title"].map((a) => n.getAttribute(a)));
      }
    });
    seen.observe(document.documentElement, { childList: true, subtree: true });
    const res = await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "jack", redirectUri: location.origin + "/redirect.html" });
    seen.disconnect();
    return { name: res.account.name, iframes: document.querySelectorAll("iframe").length, frames };
  });
  assert.deepEqual(r, {
    name: "Test User jack",
    iframes: 0,
    frames: [["local-network-access *", "allow-scripts allow-same-origin allow-forms", "msalSilentIframe", "Microsoft Authentication"]],
  });
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 1);
  await page.context().close();
});

test("ssoSilent without a provider session fails with InteractionRequiredAuthError login_required", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    try {
      await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "nobody", redirectUri: location.origin + "/redirect.html" });
      return { ok: true };
    } catch (e) {
      return { ok: false, code: e.errorCode, ir: e instanceof window.msal.InteractionRequiredAuthError };
    }
  });
  assert.deepEqual(r, { ok: false, code: "login_required", ir: true });
  await page.context().close();
});

test("server errors become InteractionRequiredAuthError or ServerError with their codes", async () => {
  const page = await signedInPage(env, "kate");
  await env.idp.failNext({ status: 400, body: { error: "invalid_grant", error_description: "AADSTS50173: grant revoked", suberror: "bad_token", error_codes: [50173] } });
  const ir = await silent(page, { forceRefresh: true, cacheLookupPolicy: 2 });
  assert.equal(ir.ok, false);
  assert.equal(ir.ir, true);
  assert.equal(ir.isError, true);
  assert.equal(ir.name, "InteractionRequiredAuthError");
  assert.equal(ir.code, "invalid_grant");
  assert.equal(ir.sub, "bad_token");

  const page2 = await signedInPage(env, "kate2");
  await env.idp.failNext({ status: 500, body: { error: "server_error", error_description: "boom" } });
  const se = await silent(page2, { forceRefresh: true, cacheLookupPolicy: 2 });
  assert.deepEqual({ ok: se.ok, name: se.name, code: se.code, status: se.status, se: se.se, ir: se.ir }, { ok: false, name: "ServerError", code: "server_error", status: 500, se: true, ir: false });
  // A proxy's HTML error page: msal's BrowserAuthError failed_to_parse_response.
  const page3 = await signedInPage(env, "kate3");
  await env.idp.failNext({ status: 502, body: "<html><h1>502 Bad Gateway</h1></html>", headers: { "Content-Type": "text/html" } });
  const html = await silent(page3, { forceRefresh: true, cacheLookupPolicy: 2 });
  assert.deepEqual({ ok: html.ok, name: html.name, code: html.code, se: html.se, ir: html.ir }, { ok: false, name: "BrowserAuthError", code: "failed_to_parse_response", se: false, ir: false });
  // The connection breaks off in the middle of the body: msal's response.json() fails, so
  // failed_to_parse_response too (not a failed request: the answer came).
  await env.idp.failNext({ status: 200, body: { access_token: "x".repeat(400), token_type: "Bearer", expires_in: 3600 }, truncate: true });
  const cut = await silent(page3, { forceRefresh: true, cacheLookupPolicy: 2 });
  assert.deepEqual({ ok: cut.ok, name: cut.name, code: cut.code }, { ok: false, name: "BrowserAuthError", code: "failed_to_parse_response" });
  await page.context().close();
  await page2.context().close();
  await page3.context().close();
});

// A popup closed by the user (user_cancelled in under a second): tests/e2e/matrix/core.test.mjs,
// in every engine.

test("localStorage cache survives a reload; sessionStorage does not leak to a new tab", async () => {
  const ctx = await env.browser.newContext();
  const local = await signedInPage(env, "liam", { cache: "localStorage", context: ctx });
  await local.reload();
  await local.waitForSelector("body[data-ready='1']");
  assert.equal(await local.evaluate(() => window.pca.getAllAccounts().length), 1);
  assert.equal((await silent(local)).fromCache, true);

  const ctx2 = await env.browser.newContext();
  const session = await signedInPage(env, "mia", { cache: "sessionStorage", context: ctx2 });
  assert.equal(await session.evaluate(() => window.pca.getAllAccounts().length), 1);
  const tab2 = await ctx2.newPage();
  await tab2.goto(env.harness("entra", "sessionStorage"));
  await tab2.waitForSelector("body[data-ready='1']");
  assert.equal(await tab2.evaluate(() => window.pca.getAllAccounts().length), 0);
  await ctx.close();
  await ctx2.close();
});

test("CacheLookupPolicy.Skip goes straight to the hidden iframe", async () => {
  const page = await signedInPage(env, "tess");
  await env.idp.reset();
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const res = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, cacheLookupPolicy: window.msal.CacheLookupPolicy.Skip, redirectUri: location.origin + "/redirect.html" });
    return { fromCache: res.fromCache, user: res.account.username };
  });
  assert.deepEqual(r, { fromCache: false, user: "tess" });
  const c = await env.idp.counters();
  assert.equal(c.authorize, 1, "one authorize request (the iframe)");
  assert.equal(c.byGrant.authorization_code, 1);
  assert.equal(c.byGrant.refresh_token ?? 0, 0, "the refresh token was not used");
  await page.context().close();
});

test("acquireTokenSilent for an account the cache no longer has tries the hidden iframe with that account's hints, as msal", async () => {
  // A user whose ID token has no login_hint claim (Entra's is optional), then a work account
  // whose ID token has it: msal's order for prompt=none is that claim, else the session id.
  for (const login of ["uma", "uma@contoso.com"]) {
    const page = await signedInPage(env, login);
    await env.idp.reset();
    const r = await page.evaluate(async () => {
      // The app kept the account object; the tokens are gone (cleared, or another tab signed out).
      const account = window.pca.getAllAccounts()[0];
      await window.pca.clearCache();
      const res = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, redirectUri: location.origin + "/redirect.html" });
      return { fromCache: res.fromCache, user: res.account.username, accounts: window.pca.getAllAccounts().length, sid: account.idTokenClaims.sid, hint: account.idTokenClaims.login_hint ?? null };
    });
    assert.equal(typeof r.sid, "string", "the provider's ID token carries a session id");
    const hint = login.includes("@") ? loginHintFor(login) : null;
    assert.deepEqual(r, { fromCache: false, user: login, accounts: 1, sid: r.sid, hint });
    const authorize = (await env.idp.counters()).log.filter((e) => e.route === "authorize");
    assert.deepEqual(authorize.map((e) => [e.prompt, e.sid, e.login_hint]), [["none", hint ? null : r.sid, hint]], login);
    // Its sign-out names the user to the provider by that claim (logout_hint), as msal's.
    await page.evaluate(() => window.pca.logoutPopup({ account: window.pca.getAllAccounts()[0] }).catch(() => {}));
    const ended = await waitFor("the end-session request", async () => (await env.idp.counters()).log.find((e) => e.route === "end_session"));
    assert.equal(ended.logout_hint, hint !== null, login);
    await page.context().close();
  }
});

test("the browser holds other sessions at the provider (Entra's AADSTS16000 for a prompt=none request that names no user): every silent path names its user and succeeds; ssoSilent naming none fails with InteractionRequiredAuthError", async () => {
  for (const login of ["wes", "wes@contoso.com"]) {
    const page = await signedInPage(env, login);
    await env.idp.setConfig({ otherSessions: true });
    try {
      const r = await page.evaluate(async (login) => {
        const account = window.pca.getAllAccounts()[0];
        const req = { scopes: ["User.Read"], redirectUri: location.origin + "/redirect.html" };
        const run = (p) => p.then((x) => x.account.username, (e) => [e.errorCode, e instanceof window.msal.InteractionRequiredAuthError]);
        const out = {};
        out.skip = await run(window.pca.acquireTokenSilent({ ...req, account, cacheLookupPolicy: window.msal.CacheLookupPolicy.Skip }));
        out.account = await run(window.pca.ssoSilent({ ...req, account }));
        out.hint = await run(window.pca.ssoSilent({ ...req, loginHint: login }));
        out.sid = await run(window.pca.ssoSilent({ ...req, sid: account.idTokenClaims.sid }));
        await window.pca.clearCache();
        out.cleared = await run(window.pca.acquireTokenSilent({ ...req, account }));
        out.none = await run(window.pca.ssoSilent(req));
        return out;
      }, login);
      assert.deepEqual(r, { skip: login, account: login, hint: login, sid: login, cleared: login, none: ["interaction_required", true] }, login);
    } finally {
      await env.idp.setConfig({ otherSessions: false });
    }
    await page.context().close();
  }
});

test("a silent iframe that gets no answer fails early, then at once, with InteractionRequiredAuthError", async () => {
  const page = await signedInPage(env, "vic");
  await env.idp.setConfig({ silentNoResponse: true });
  try {
    const attempt = () => page.evaluate(async () => {
      const t0 = performance.now();
      try {
        await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "vic", redirectUri: location.origin + "/redirect.html" });
        return { ok: true };
      } catch (e) {
        return { ok: false, code: e.errorCode, sub: e.subError, ir: e instanceof window.msal.InteractionRequiredAuthError, ms: performance.now() - t0 };
      }
    });
    const first = await attempt();
    assert.deepEqual({ ok: first.ok, code: first.code, sub: first.sub, ir: first.ir }, { ok: false, code: "interaction_required", sub: "iframe_no_response", ir: true });
    assert.ok(first.ms < 5000, `first attempt took ${first.ms} ms (the iframe timeout is 10 s)`);
    await env.idp.reset();
    const second = await attempt();
    assert.equal(second.code, "interaction_required");
    // At once: no iframe this time (the counter below); the margin holds on a loaded machine.
    assert.ok(second.ms < 250, `second attempt took ${second.ms} ms`);
    assert.equal((await env.idp.counters()).authorize, 0, "no iframe was loaded the second time");
  } finally {
    await env.idp.setConfig({ silentNoResponse: false });
    await page.context().close();
  }
});

test("a silent frame through a slow federated hop (a page that goes on after 2.5 s): by default it fails fast; with iframeBridgeTimeout raised, as msal advises, it signs in", async () => {
  const sso = (page) => page.evaluate(async () => {
    const t0 = performance.now();
    try {
      const r = await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: window.pca.getAllAccounts()[0].username, redirectUri: location.origin + "/redirect.html" });
      return { ok: true, user: r.account.username, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, code: e.errorCode, sub: e.subError, ms: performance.now() - t0 };
    }
  });
  const fast = await signedInPage(env, "hal");
  const patient = await signedInPage(env, "ida", { extra: { system: JSON.stringify({ iframeBridgeTimeout: 15000 }) } });
  await env.idp.setConfig({ silentHopMs: 2500 });
  try {
    // The default trades this hop for a fast answer when third-party cookies are blocked.
    const cut = await sso(fast);
    assert.deepEqual([cut.ok, cut.code, cut.sub], [false, "interaction_required", "iframe_no_response"], JSON.stringify(cut));
    assert.ok(cut.ms < 5000, JSON.stringify(cut));
    const done = await sso(patient);
    assert.deepEqual([done.ok, done.user], [true, "ida"], JSON.stringify(done));
    assert.ok(done.ms >= 2500, JSON.stringify(done));
  } finally {
    await env.idp.setConfig({ silentHopMs: 0 });
    await fast.context().close();
    await patient.context().close();
  }
});

test("with iframeBridgeTimeout raised, a silent frame whose provider shows a page and never answers fails with InteractionRequiredAuthError at the timeout, not timed_out (msal's #8434: msal-react then never signs in)", async () => {
  const page = await signedInPage(env, "uma", { extra: { system: JSON.stringify({ iframeBridgeTimeout: 10500 }) } });
  await env.idp.setConfig({ silentNoResponse: true });
  try {
    const r = await page.evaluate(async () => {
      const t0 = performance.now();
      const account = window.pca.getAllAccounts()[0];
      try {
        await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: account.username, redirectUri: location.origin + "/redirect.html" });
        return { ok: true };
      } catch (e) {
        return { ok: false, name: e.name, code: e.errorCode, sub: e.subError, ir: e instanceof window.msal.InteractionRequiredAuthError, ms: performance.now() - t0 };
      }
    });
    assert.deepEqual([r.ok, r.name, r.code, r.sub, r.ir], [false, "InteractionRequiredAuthError", "interaction_required", "iframe_no_response", true], JSON.stringify(r));
    assert.ok(r.ms >= 10000, `it waited the app's timeout: ${JSON.stringify(r)}`);
    // A provider only slower than the app's timeout is asked again by the next call: no
    // 5-minute back-off, which the 2 s settle bound's answer (frames blocked here) starts.
    await env.idp.setConfig({ silentNoResponse: false });
    const again = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: window.pca.getAllAccounts()[0].username, redirectUri: location.origin + "/redirect.html" })
      .then((x) => x.account.username, (e) => `${e.errorCode}/${e.subError}`));
    assert.equal(again, "uma");
  } finally {
    await env.idp.setConfig({ silentNoResponse: false });
    await page.context().close();
  }
});

test("waking up (visibilitychange) renews tokens that expired while the page slept", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "wes", { context: ctx });
  await env.idp.reset();
  await expire(ctx);
  assert.equal((await env.idp.counters()).token, 0, "nothing renews while the page sleeps");
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await waitFor("one background renewal on wake", async () => (await env.idp.counters()).byGrant.refresh_token === 1);
  // Wait for the renewal to land in the cache (the request is counted when it arrives).
  await waitFor("the renewed token in the cache", () => page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], cacheLookupPolicy: 1 }).then((r) => r.fromCache, () => false)));
  const r = await page.evaluate(async () => {
    const res = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] });
    return res.fromCache;
  });
  assert.equal(r, true, "the next call is served from the renewed cache");
  assert.equal((await env.idp.counters()).token, 1);
  await ctx.close();
});

test("after a wake with many expired tokens, the app's call waits for one renewal at most, not for all of them", async () => {
  // Four tokens (the default resource's from the sign-in, for api.read too, and three APIs'),
  // the provider 400 ms slow: the wake renews them one at a time (one refresh token), and the
  // app's call goes next.
  const ctx = await clockedContext();
  const page = await signedInPage(env, "wanda", { context: ctx });
  const scopes = ["api.read", "api://msal-wasm-test-todo-api/ToDoList.Read", "api://msal-wasm-test-downstream/Data.Read", "api://msal-wasm-test-web/access_as_user"];
  await env.idp.reset();
  for (const scope of scopes) assert.equal((await silent(page, { scopes: [scope] })).ok, true, scope);
  assert.equal((await env.idp.counters()).byGrant.refresh_token, 3, "one token per resource");
  await env.idp.reset();
  await expire(ctx);
  let routed = 0;
  await page.route((u) => u.pathname.endsWith("/oauth2/v2.0/token"), async (route) => {
    routed += 1;
    // (The first one longer: the app's call is sure to ask while it is out.)
    await new Promise((r) => setTimeout(r, routed === 1 ? 1500 : 400));
    await route.continue();
  });
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await waitFor("the wake's first renewal is out", () => routed >= 1);
  const r = await silent(page, { scopes: [scopes[3]] });
  assert.equal(r.ok, true);
  await waitFor("every token renewed once", async () => (await env.idp.counters()).byGrant.refresh_token === 4);
  // In the provider's order of arrival (no clock): the app's scope went second, right after
  // the renewal that was out when it asked, not after all of them; and only once.
  const refreshed = (await env.idp.counters()).log.filter((e) => e.route === "token" && e.grant_type === "refresh_token").map((e) => e.scope.split(" ").find((s) => scopes.includes(s) || s === "User.Read"));
  assert.ok([0, 1].includes(refreshed.indexOf(scopes[3])), JSON.stringify(refreshed));
  await new Promise((r) => setTimeout(r, 800));
  assert.equal((await env.idp.counters()).byGrant.refresh_token, 4, "the app's token was not renewed again by the wake");
  await ctx.close();
});

test("a wake renews an expired token once: one the provider refused is not asked for again at every tab switch", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "wyn", { context: ctx });
  await env.idp.reset();
  await expire(ctx);
  await env.idp.failNext({ status: 400, body: { error: "invalid_grant", error_description: "AADSTS70043: the session expired", error_codes: [70043] } });
  for (let i = 0; i < 3; i++) {
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await new Promise((r) => setTimeout(r, 400));
  }
  assert.equal((await env.idp.counters()).token, 1, "one refused renewal, not one per wake");
  // The app's own call still renews it (the refresh token was kept).
  assert.equal((await silent(page)).ok, true);
  await ctx.close();
});

test("a wake's renewal that got no answer (offline) is asked again when the network is back", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "wilma", { context: ctx });
  await env.idp.reset();
  await expire(ctx);
  await ctx.setOffline(true);
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await new Promise((r) => setTimeout(r, 500));
  await ctx.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await waitFor("the renewal once back online", async () => (await env.idp.counters()).byGrant.refresh_token === 1);
  await ctx.close();
});

test("a wake leaves a PoP token to the app's next call: it is never renewed as a Bearer token", async () => {
  const ctx = await clockedContext();
  const page = await signedInPage(env, "wren", { context: ctx });
  // (Other scopes than the Bearer token's: renewed as Bearer, both renewals would share one
  // request.)
  const pop = { scopes: ["api.read"], authenticationScheme: "pop", resourceRequestMethod: "GET", resourceRequestUri: "https://api.example/" };
  assert.equal((await silent(page, pop)).ok, true);
  await env.idp.reset();
  await expire(ctx);
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await waitFor("the Bearer token's renewal", async () => (await env.idp.counters()).byGrant.refresh_token === 1);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await env.idp.counters()).byGrant.refresh_token, 1, "only the Bearer token was renewed");
  await ctx.close();
});

test("a PoP or DPoP request gets a token of its scheme, an SSH one fails with unsupported_authentication_scheme: never a Bearer token", async () => {
  const page = await signedInPage(env, "yuki");
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const out = [];
    const ask = (extra) => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, ...extra })
      .then((t) => `token ${t.tokenType}`, (e) => `${e.name}:${e.errorCode}${e.errorCode === "unsupported_authentication_scheme" ? `: ${e.errorMessage}` : ""}`);
    for (const authenticationScheme of ["pop", "DPoP", "ssh-cert"]) {
      out.push(await ask({ authenticationScheme, resourceRequestMethod: "GET", resourceRequestUri: "https://api.example/" }));
    }
    out.push(await ask({ authenticationScheme: "DPoP" }));
    return out;
  });
  assert.deepEqual(r, [
    "token pop",
    "token DPoP",
    // Where msal-wasm differs from msal, its sentence stays: msal's page for the code cannot say.
    "ClientConfigurationError:unsupported_authentication_scheme: msal-wasm issues Bearer, DPoP and pop tokens; ssh-cert is not supported",
    "ClientConfigurationError:dpop_missing_resource_context",
  ]);
  await page.context().close();
});

test("a generic provider's renewed token replaces the sign-in's: served after forceRefresh, and 20 callers at its expiry make 1 request", async () => {
  // A generic provider's access tokens are keyed by the authority's tenant segment; a renewal
  // must replace the sign-in's token there (it once stayed, and being longer-lived, was served).
  const page = await signedInPage(env, "olga", { mode: "oidc", cache: "localStorage", offset: 0 });
  env.idp.setConfig({ accessTokenTtl: 2 });
  try {
    const run = (force) => page.evaluate(async (force) => {
      const account = window.pca.getAllAccounts()[0];
      const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: force });
      return { at: r.accessToken, fromCache: r.fromCache };
    }, force);
    const renewed = await run(true);
    const next = await run(false);
    assert.deepEqual(next, { at: renewed.at, fromCache: true }, "the renewed token is what the cache serves");
    await new Promise((r) => setTimeout(r, 2300));
    await env.idp.reset();
    const results = await page.evaluate(async () => {
      const account = window.pca.getAllAccounts()[0];
      const calls = Array.from({ length: 20 }, () => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then((r) => r.accessToken, (e) => "ERR " + e.errorCode));
      return Promise.all(calls);
    });
    assert.equal(new Set(results).size, 1, results.join(","));
    assert.notEqual(results[0], renewed.at);
    assert.equal((await env.idp.counters()).token, 1);
  } finally {
    env.idp.setConfig({ accessTokenTtl: 3600 });
  }
  await page.context().close();
});

test("a generic provider refuses a refresh for a scope its refresh token was not issued for (RFC 6749 §6, as node-oidc-provider, Keycloak, Auth0): the silent call gets it through a hidden frame, and the refresh token stays", async () => {
  const page = await signedInPage(env, "oskar", { mode: "oidc" });
  await env.idp.reset();
  const more = await silent(page, { scopes: ["api.read"] });
  assert.deepEqual([more.ok, more.fromCache], [true, false], JSON.stringify(more));
  assert.deepEqual(await providerCalls(), ["token refresh_token", "authorize none", "token authorization_code"]);
  assert.equal((await env.idp.counters()).revoked, 0);
  // Served from the cache next. The refresh token is now the frame's, issued for api.read:
  // renewing the sign-in's scope takes a frame in turn (msal keeps one refresh token per
  // account), and no refresh token was revoked on the way.
  await env.idp.reset();
  const again = await silent(page, { scopes: ["api.read"] });
  const renewed = await silent(page, { forceRefresh: true });
  assert.deepEqual([again.ok, again.fromCache, renewed.ok, renewed.fromCache], [true, true, true, false], JSON.stringify([again, renewed]));
  assert.deepEqual(await providerCalls(), ["token refresh_token", "authorize none", "token authorization_code"]);
  assert.equal((await env.idp.counters()).revoked, 0);
  await page.context().close();
});

test("a generic provider whose session is now another user's (it knows none of msal's sid and login_hint checks): a silent renewal of the first account by hidden frame fails with login_required, and hands out no token of the other user", async () => {
  const page = await signedInPage(env, "alma", { mode: "oidc" });
  await page.evaluate(() => { window.last = null; window.popupRequest = { ...window.popupRequest, prompt: "login" }; });
  await popupSignIn(page, "#popup", "bert");
  await page.waitForFunction(() => window.last !== null);
  await env.idp.reset();
  const r = await page.evaluate(async () => {
    const alma = window.pca.getAllAccounts().find((a) => a.username === "alma");
    try {
      const x = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: alma, cacheLookupPolicy: window.msal.CacheLookupPolicy.Skip });
      return { ok: true, user: x.account.username };
    } catch (e) {
      return { ok: false, code: e.errorCode, ir: e instanceof window.msal.InteractionRequiredAuthError, accounts: window.pca.getAllAccounts().map((a) => a.username).sort() };
    }
  });
  assert.deepEqual(r, { ok: false, code: "login_required", ir: true, accounts: ["alma", "bert"] });
  // (The frame ran: the provider answered with the other user's code, which was redeemed.)
  assert.deepEqual((await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.prompt), ["none"]);
  assert.deepEqual(await providerCalls(), ["authorize none", "token authorization_code"]);
  // The first account's own tokens are still served.
  const cached = await page.evaluate(async () => {
    const alma = window.pca.getAllAccounts().find((a) => a.username === "alma");
    const x = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: alma });
    return [x.account.username, x.fromCache];
  });
  assert.deepEqual(cached, ["alma", true]);
  await page.context().close();
});

test("a scope the user has not consented to (Entra's AADSTS65001): the refresh token is refused for it and stays, no hidden frame is tried (as msal), ssoSilent's frame is refused too; the popup's consent lets the next silent call through", async () => {
  // (Not consented at the sign-in either: its token, for every consented scope of the
  // resource, as Entra's, is not for api.write.)
  await env.idp.setConfig({ consentRequired: ["api.write"] });
  let page;
  try {
    page = await signedInPage(env, "ulla");
    await env.idp.reset();
    const refused = await silent(page, { scopes: ["api.write"] });
    assert.deepEqual([refused.ok, refused.ir, refused.code, refused.sub], [false, true, "invalid_grant", "consent_required"], JSON.stringify(refused));
    // (msal's checkIfRefreshTokenErrorCanBeResolvedSilently: a refusal that needs the user.)
    assert.deepEqual(await providerCalls(), ["token refresh_token"]);
    // The refresh token was neither spent nor removed: another scope renews with it.
    const other = await silent(page, { forceRefresh: true });
    assert.deepEqual([other.ok, other.fromCache], [true, false]);
    // A hidden frame (prompt=none) is refused as well.
    const frame = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["api.write"], loginHint: "ulla" }).then(() => "ok", (e) => [e.errorCode, e instanceof window.msal.InteractionRequiredAuthError]));
    assert.deepEqual(frame, ["consent_required", true]);
    // The user consents in a popup (the provider's session answers it at once); then silent.
    const consented = await page.evaluate(() => window.pca.acquireTokenPopup({ scopes: ["api.write"] }).then((r) => r.scopes.includes("api.write"), (e) => e.errorCode));
    assert.equal(consented, true);
    await env.idp.reset();
    const after = await silent(page, { scopes: ["api.write"], forceRefresh: true });
    assert.deepEqual([after.ok, after.fromCache], [true, false]);
    assert.deepEqual(await providerCalls(), ["token refresh_token"]);
  } finally {
    await env.idp.setConfig({ consentRequired: [] });
  }
  await page.context().close();
});

test("a Conditional Access step-up, as Entra's: the API's claims challenge; the silent call with its claims fails with InteractionRequiredAuthError (its refresh token cannot satisfy it); the popup with them signs in again; the token then carries the context, from the cache too", async () => {
  const page = await signedInPage(env, "stella");
  const scopes = ["api://msal-wasm-test-todo-api/ToDoList.Read"];
  const resource = `${env.idp.origin}/__test/step-up-resource`;
  await env.idp.reset();
  const first = await page.evaluate(async ([scopes, resource]) => {
    const account = window.pca.getActiveAccount() ?? window.pca.getAllAccounts()[0];
    const { accessToken } = await window.pca.acquireTokenSilent({ scopes, account });
    const res = await fetch(resource, { headers: { Authorization: `Bearer ${accessToken}` } });
    // The app reads the challenge (msal leaves that to it) and asks again with its claims.
    const claims = atob(/claims="([^"]+)"/.exec(res.headers.get("WWW-Authenticate") ?? "")?.[1] ?? "");
    const silent = await window.pca.acquireTokenSilent({ scopes, account, claims }).then(
      (r) => ({ ok: true, fromCache: r.fromCache }),
      (e) => ({ code: e.errorCode, sub: e.subError, ir: e instanceof window.msal.InteractionRequiredAuthError, claims: e.claims }),
    );
    return { status: res.status, claims, silent };
  }, [scopes, resource]);
  assert.equal(first.status, 401);
  assert.deepEqual(JSON.parse(first.claims), { access_token: { acrs: { essential: true, value: "c1" } } });
  // (Entra's answer: invalid_grant with suberror basic_action, which msal takes as interaction required.)
  assert.deepEqual(first.silent, { code: "invalid_grant", sub: "basic_action", ir: true, claims: first.claims }, JSON.stringify(first.silent));
  // The refresh token was tried with the claims (no hidden frame: the refusal needs the user).
  assert.deepEqual(await providerCalls(), ["token refresh_token", "token refresh_token"]);
  const sent = (await env.idp.counters()).log.filter((e) => e.route === "token").map((e) => JSON.parse(e.claims ?? "{}").access_token?.acrs?.value ?? null);
  assert.deepEqual(sent, [null, "c1"]);
  // A hidden frame with them is refused as well (prompt=none: the context needs the user).
  const frame = await page.evaluate((claims) => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "stella", claims }).then(() => "ok", (e) => [e.errorCode, e instanceof window.msal.InteractionRequiredAuthError]), first.claims);
  assert.deepEqual(frame, ["interaction_required", true]);
  await env.idp.reset();
  // The popup: the provider's session is there, but the context needs the user (its sign-in
  // form, standing for the multi-factor step).
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(([scopes, claims]) => {
      window.stepUp = window.pca.acquireTokenPopup({ scopes, claims, account: window.pca.getAllAccounts()[0] });
    }, [scopes, first.claims]),
  ]);
  await popup.waitForSelector("#login");
  const asked = (await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => JSON.parse(e.claims ?? "{}").access_token?.acrs);
  assert.deepEqual(asked, [{ essential: true, value: "c1" }], "the popup's authorize request carries the claims");
  await popup.fill("#login", "stella");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
  const after = await page.evaluate(async ([scopes, resource, claims]) => {
    const use = async (p) => {
      const r = await p;
      const res = await fetch(resource, { headers: { Authorization: `Bearer ${r.accessToken}` } });
      return { status: res.status, acrs: (await res.json()).acrs ?? null, fromCache: r.fromCache };
    };
    const account = window.pca.getAllAccounts()[0];
    return {
      popup: await use(window.stepUp),
      // Silent with the claims: the refresh token now satisfies them.
      silent: await use(window.pca.acquireTokenSilent({ scopes, account, claims })),
      // Without them: the cached token is the stepped-up one (it replaced the first).
      cached: await use(window.pca.acquireTokenSilent({ scopes, account })),
    };
  }, [scopes, resource, first.claims]);
  assert.deepEqual(after, {
    popup: { status: 200, acrs: ["c1"], fromCache: false },
    silent: { status: 200, acrs: ["c1"], fromCache: false },
    cached: { status: 200, acrs: ["c1"], fromCache: true },
  });
  await page.context().close();
});
