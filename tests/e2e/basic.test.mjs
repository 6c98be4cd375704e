// End-to-end: the built npm package in headless Chromium against the local OpenID provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TENANT_ID, loginHintFor } from "../idp/server.mjs";
import { useEnv } from "./env.mjs";
import { countChannelMessages, fillStorage, launchBrowser, popupSignIn, storageDiff, storageSnapshot, waitFor } from "./helpers.mjs";

const env = useEnv({ redirectPaths: ["/blank.html", "/routed-app.html"] });

async function signedInPage(login, mode = "entra") {
  const page = await env.open(mode);
  await popupSignIn(page, "#popup", login);
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => (window.last.ok ? { ok: true } : { ok: false, code: window.last.code }));
  assert.deepEqual(last, { ok: true });
  return page;
}

test("popup sign-in, then acquireTokenSilent from the cache with no token request", async () => {
  const page = await signedInPage("alice");
  const login = await page.evaluate(() => {
    const r = window.last.result;
    return { name: r.account.name, username: r.account.username, hasAt: r.accessToken.length > 10, fromCache: r.fromCache, expires: r.expiresOn instanceof Date };
  });
  assert.deepEqual(login, { name: "Test User alice", username: "alice", hasAt: true, fromCache: false, expires: true });
  await env.idp.reset();
  const silent = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    const msal5 = ["requestId", "cloudGraphHostName", "msGraphHost", "fromPlatformBroker"].map((k) => [k, r[k], window.last.result[k]]);
    return { fromCache: r.fromCache, same: r.accessToken === window.last.result.accessToken, scopes: r.scopes, msal5 };
  });
  // msal 5's fields, with its values: no request id from the cache (nor, here, from the
  // network: the provider does not expose the header to CORS), no broker, no instance-aware
  // sign-in.
  assert.deepEqual(silent.msal5, [["requestId", "", ""], ["cloudGraphHostName", "", ""], ["msGraphHost", "", ""], ["fromPlatformBroker", false, false]]);
  assert.equal(silent.fromCache, true);
  assert.equal(silent.same, true);
  assert.ok(silent.scopes.includes("User.Read"));
  assert.equal((await env.idp.counters()).token, 0, "a cache hit must not call the token endpoint");
  await page.context().close();
});

test("Entra mode: homeAccountId is uid.utid from client_info; ID token claims are exposed", async () => {
  const page = await signedInPage("bob");
  const a = await page.evaluate(() => {
    const acc = window.pca.getAllAccounts()[0];
    return { home: acc.homeAccountId, local: acc.localAccountId, tenant: acc.tenantId, tid: acc.idTokenClaims.tid, oid: acc.idTokenClaims.oid, n: window.pca.getAllAccounts().length };
  });
  assert.equal(a.n, 1);
  assert.equal(a.home, `${a.oid}.${env.idp.tenantId}`);
  assert.equal(a.local, a.oid);
  assert.equal(a.tenant, env.idp.tenantId);
  assert.equal(a.tid, env.idp.tenantId);
  await page.context().close();
});

test("generic OIDC mode: homeAccountId is the sub claim", async () => {
  const page = await signedInPage("carol", "oidc");
  const a = await page.evaluate(() => {
    const acc = window.pca.getAllAccounts()[0];
    return { home: acc.homeAccountId, sub: acc.idTokenClaims.sub, type: acc.authorityType };
  });
  assert.equal(a.home, a.sub);
  assert.equal(a.type, "Generic");
  await page.context().close();
});

test("generic OIDC mode: logoutRedirect names the client, so the provider ends its session and comes back to the app", async () => {
  // An OpenID provider (node-oidc-provider here, Keycloak 18+) refuses a post_logout_redirect_uri
  // from a client that does not name itself: the user stayed on its error page, signed in there.
  const page = await signedInPage("olaf", "oidc");
  await env.idp.reset();
  await page.evaluate(() => { window.beforeLogout = true; window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0] }); });
  await waitFor("the provider's end-session request", async () => (await env.idp.counters()).log.find((e) => e.route === "end_session"));
  await page.waitForFunction(() => window.beforeLogout === undefined && document.body.dataset.ready === "1", null, { timeout: 15000 });
  assert.equal(new URL(page.url()).origin, env.web.origin);
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  await page.context().close();
});

test("redirect sign-in, handleRedirectPromise redeems it and cleans the URL", async () => {
  const page = await env.open("entra");
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "dave");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, name: window.redirect.result && window.redirect.result.account.name, scopes: window.redirect.result && window.redirect.result.scopes, href: location.href, accounts: window.pca.getAllAccounts().length, active: window.pca.getActiveAccount() && window.pca.getActiveAccount().username }));
  assert.equal(r.ok, true);
  assert.equal(r.name, "Test User dave");
  assert.ok(r.scopes.includes("api.read"));
  assert.ok(!/code=|state=/.test(r.href), `URL still carries the response: ${r.href}`);
  assert.equal(r.accounts, 1);
  assert.equal(r.active, "dave");
  // A reload finds no response and the account is still cached (sessionStorage, same tab).
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  assert.deepEqual(await page.evaluate(() => [window.redirect.ok, window.redirect.result, window.pca.getAllAccounts().length]), [true, null, 1]);
  await page.context().close();
});

test("two handleRedirectPromise calls at once, one with the hash (an app's own beside msal-angular's): one redemption, one set of events, the same result for both", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    if (!location.hash.includes("code=")) return;
    window.skipHandleRedirect = true;
    // (Once: the harness may hand its client over more than once.)
    window.beforeInit = (msal, pca) => { if (window.events) return; window.events = []; pca.addEventCallback((e) => window.events.push(e.eventType)); };
  });
  await page.goto(env.harness("entra", "sessionStorage"));
  await page.waitForSelector("body[data-ready='1']");
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "dora");
  await env.idp.reset();
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  const r = await page.evaluate(async () => {
    const hash = location.hash;
    const stay = { navigateToLoginRequestUrl: false };
    const calls = [window.pca.handleRedirectPromise(stay), window.pca.handleRedirectPromise({ ...stay, hash })];
    const [a, b] = await Promise.all(calls.map((p) => p.then((x) => x && x.accessToken, (e) => e.errorCode)));
    return { same: a === b, token: !!a, ends: window.events.filter((t) => t === "msal:handleRedirectEnd").length, successes: window.events.filter((t) => t === "msal:acquireTokenSuccess").length };
  });
  assert.deepEqual(r, { same: true, token: true, ends: 1, successes: 1 });
  assert.equal((await env.idp.counters()).byGrant.authorization_code, 1);
  await ctx.close();
});

test("a page without history.replaceState (Office.js sets it to null): the redirect response is cleared from the fragment, as msal's clearHash", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => { history.replaceState = null; });
  await page.goto(env.harness("entra", "sessionStorage"));
  await page.waitForSelector("body[data-ready='1']");
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "dave");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("body[data-ready='1']");
  await page.waitForFunction(() => window.redirect && window.redirect.ok !== undefined);
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, user: window.redirect.result && window.redirect.result.account.username, hash: location.hash, replaceState: history.replaceState }));
  assert.deepEqual(r, { ok: true, user: "dave", hash: "", replaceState: null });
  // BrowserUtils' own hash helpers work there too (msal: location.hash only).
  const u = await page.evaluate(() => {
    location.hash = "#code=abc&state=xyz";
    window.msal.BrowserUtils.clearHash(window);
    const cleared = location.hash;
    window.msal.BrowserUtils.replaceHash(`${location.origin}/other#/route`);
    return { cleared, replaced: location.hash, path: location.pathname };
  });
  assert.deepEqual(u, { cleared: "", replaced: "#/route", path: "/" });
  await ctx.close();
});

test("a tampered state in the redirect URL is rejected, stores nothing, and is cleaned up", async () => {
  const page = await env.open("entra");
  const before = await storageSnapshot(page);
  // Start a real redirect (the request and lock are saved), then come back with a forged
  // response whose state has the right shape but is not ours.
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await env.idp.reset();
  const forged = Buffer.from(JSON.stringify({ id: "00000000-0000-4000-8000-000000000000", meta: { interactionType: "redirect" } })).toString("base64url");
  await page.goto(`${env.web.origin}/#code=forged-code&state=${forged}`);
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ redirect: window.redirect, href: location.href, accounts: window.pca.getAllAccounts().length }));
  assert.equal(r.redirect.ok, false);
  assert.equal(r.redirect.code, "state_mismatch");
  assert.equal(r.redirect.name, "ClientAuthError");
  assert.ok(!r.href.includes("forged-code"), "the forged code must be removed from the URL");
  assert.equal(r.accounts, 0);
  // Storage is as it was before the redirect started: no request state, no interaction lock
  // (the discovery document its start fetched is kept, as msal keeps it).
  const diff = storageDiff(before, await storageSnapshot(page));
  diff.session.added = diff.session.added.filter((k) => !k.includes(".authority-metadata."));
  assert.deepEqual(diff, {
    local: { added: [], removed: [], changed: [] },
    session: { added: [], removed: [], changed: [] },
  });
  assert.equal((await env.idp.counters()).token, 0, "a forged response must never reach the token endpoint");
  // The next sign-in works without any clean-up by the user.
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "eve");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.redirect.ok && window.redirect.result.account.username), "eve");
  await page.context().close();
});

// Runs `body` on the app's page in a browser with its back/forward cache (Playwright starts
// Chromium without it). A page that fetched a no-store response is not cached: the static
// files are served as a typical host does (no-cache), and the endpoints come from the
// configuration, as Entra's discovery document is cacheable where the local provider's is
// no-store.
async function inCachingBrowser(body) {
  const browser = env.watch(await launchBrowser("chromium", { backForwardCache: true }));
  env.web.setCache(true);
  try {
    const doc = await (await fetch(`${env.idp.entraAuthority}/v2.0/.well-known/openid-configuration`)).text();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(env.harness("entra", "sessionStorage", 300, { auth: JSON.stringify({ authorityMetadata: doc }) }));
    await page.waitForSelector("body[data-ready='1']");
    await body(page);
    await context.close();
  } finally {
    env.web.setCache(false);
    await browser.close();
  }
}

test("back from the provider's page to the cached page: RESTORE_FROM_BFCACHE, user_cancelled, and the next sign-in runs, as msal", async () => {
  await inCachingBrowser(async (page) => {
    // A second instance of the app's client on the page (as micro-frontends make) redirects:
    // the back button ends its call, and only its own; the first instance hears nothing.
    await page.evaluate(async () => {
      window.seen = [];
      window.firstHeard = [];
      window.pca.addEventCallback((m) => window.firstHeard.push(m.eventType));
      const second = new window.msal.PublicClientApplication(window.pca.getConfiguration());
      await second.initialize();
      second.addEventCallback((m) => window.seen.push([m.eventType, m.correlationId || "", m.error ? m.error.errorCode : ""]));
      second.loginRedirect({ scopes: ["api.read"], correlationId: "back-1" }).then(() => (window.outcome = "resolved"), (e) => (window.outcome = [e.errorCode, e.correlationId]));
    });
    await page.waitForSelector("#login");
    await page.goBack({ waitUntil: "commit" });
    // Restored, not reloaded: the page's own state (the list above) is still there.
    await page.waitForFunction(() => window.seen && window.outcome !== undefined, null, { timeout: 5000 });
    assert.deepEqual(await page.evaluate(() => window.outcome), ["user_cancelled", "back-1"]);
    assert.deepEqual(await page.evaluate(() => window.seen), [
      ["msal:acquireTokenStart", "back-1", ""],
      ["msal:restoreFromBFCache", "back-1", ""],
      ["msal:acquireTokenFailure", "back-1", "user_cancelled"],
    ]);
    assert.deepEqual(await page.evaluate(() => window.firstHeard), []);
    // The interaction is over: the next sign-in is not refused with interaction_in_progress.
    await popupSignIn(page, "#popup", "bfcache");
    await page.waitForFunction(() => window.last !== null);
    assert.equal(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "bfcache");
  });
});

test("back from the provider's sign-out page to the cached page: the sign-out here stands, the call fails with user_cancelled at once, and the next sign-in runs", async () => {
  await inCachingBrowser(async (page) => {
    await popupSignIn(page, "#popup", "bfout");
    await page.waitForFunction(() => window.last !== null);
    // A fresh document (the sign-in's no-store token response keeps a page out of the cache).
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    await page.evaluate(() => {
      window.seen = [];
      window.pca.addEventCallback((m) => window.seen.push([m.eventType, m.error ? m.error.errorCode : ""]));
      const account = window.pca.getAllAccounts()[0];
      // No post-logout page: the provider's own "signed out" page stays.
      window.pca.logoutRedirect({ account, postLogoutRedirectUri: null, correlationId: "out-1" }).then(() => (window.outcome = "resolved"), (e) => (window.outcome = [e.errorCode, e.correlationId]));
    });
    await page.waitForSelector("#signed-out");
    await page.goBack({ waitUntil: "commit" });
    await page.waitForFunction(() => window.seen && window.outcome !== undefined, null, { timeout: 5000 });
    assert.deepEqual(await page.evaluate(() => window.outcome), ["user_cancelled", "out-1"]);
    assert.deepEqual(await page.evaluate(() => window.seen), [
      ["msal:logoutStart", ""],
      ["msal:logoutSuccess", ""],
      ["msal:logoutFailure", "user_cancelled"],
      ["msal:logoutEnd", ""],
    ]);
    assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
    await popupSignIn(page, "#popup", "bfin");
    await page.waitForFunction(() => window.last !== null && (!window.last.ok || window.last.result.account.username === "bfin"));
    assert.equal(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "bfin");
  });
});

test("a prompt msal does not name (OpenID Connect's list, a provider's own) goes to the provider as given, as msal sends it", async () => {
  const page = await env.open("entra");
  const url = await page.evaluate(async () => {
    let seen = null;
    await window.pca.loginRedirect({ scopes: ["User.Read"], prompt: "login consent", onRedirectNavigate: (u) => { seen = u; return false; } });
    return seen;
  });
  assert.equal(new URL(url).searchParams.get("prompt"), "login consent");
  await page.context().close();
});

test("a navigation client whose navigation fails: the redirect call and the sign-out fail with what it threw, as msal rethrows it, and end their interaction (the next one runs); it is given system.redirectNavigationTimeout", async () => {
  const page = await env.open("entra", "sessionStorage", undefined, 300, { system: JSON.stringify({ redirectNavigationTimeout: 1234 }) });
  const r = await page.evaluate(async () => {
    window.thrown = new TypeError("no navigation here");
    window.pca.setNavigationClient({ navigateInternal: async () => true, navigateExternal: async (url, options) => { window.timeout = options.timeout; throw window.thrown; } });
    window.events.length = 0;
    const outcome = (p) => p.then(() => "ok", (e) => (e === window.thrown ? "the app's error" : e.errorCode));
    const first = await outcome(window.pca.loginRedirect({ scopes: ["User.Read"] }));
    const signOut = await outcome(window.pca.logoutRedirect());
    // A plain value too (a router's rejection with a string).
    window.thrown = "navigation refused";
    const plain = await outcome(window.pca.loginRedirect({ scopes: ["User.Read"] }));
    const plainSignOut = await outcome(window.pca.logoutRedirect());
    const again = await outcome(window.pca.loginRedirect({ scopes: ["User.Read"], onRedirectNavigate: () => false }));
    return { first, signOut, plain, plainSignOut, again, events: window.events, timeout: window.timeout };
  });
  const failed = ["msal:acquireTokenStart", "msal:acquireTokenFailure:undefined", "msal:logoutStart", "msal:logoutFailure:undefined", "msal:logoutEnd"];
  assert.deepEqual(r, {
    timeout: 1234,
    first: "the app's error",
    signOut: "the app's error",
    plain: "the app's error",
    plainSignOut: "the app's error",
    again: "ok",
    events: [...failed, ...failed, "msal:acquireTokenStart"],
  });
  await page.context().close();
});

test("the default NavigationClient fails with timed_out (failed_to_redirect) when the page stays, as msal 5: the redirect and the sign-out end", async () => {
  const page = await env.open("entra", "sessionStorage", undefined, 300, { system: JSON.stringify({ redirectNavigationTimeout: 300 }) });
  const r = await page.evaluate(async () => {
    const { NavigationClient } = window.msal;
    // A navigation that leaves the page where it is (as a beforeunload prompt answered "stay").
    class Stays extends NavigationClient {
      navigateExternal(url, options) { return NavigationClient.defaultNavigateWindow(`${location.pathname}${location.search}#stay`, options); }
    }
    window.pca.setNavigationClient(new Stays());
    // (With the call's correlation id, as msal stamps the navigation's error.)
    const outcome = (p, cid) => p.then(() => "ok", (e) => `${e.name}:${e.errorCode}:${e.subError}${e.correlationId === cid ? "" : `:${e.correlationId}`}`);
    window.events.length = 0;
    const signIn = await outcome(window.pca.loginRedirect({ scopes: ["User.Read"], correlationId: "c-in" }), "c-in");
    const signInEvents = window.events.splice(0);
    const signOut = await outcome(window.pca.logoutRedirect({ correlationId: "c-out" }), "c-out");
    const signOutEvents = window.events.splice(0);
    // Both ended their interaction: the next one is not refused.
    const next = await outcome(window.pca.loginRedirect({ scopes: ["User.Read"], onRedirectNavigate: () => false }), undefined);
    return { signIn, signInEvents, signOut, signOutEvents, next };
  });
  assert.deepEqual(r, {
    signIn: "BrowserAuthError:timed_out:failed_to_redirect",
    signInEvents: ["msal:acquireTokenStart", "msal:acquireTokenFailure:timed_out"],
    signOut: "BrowserAuthError:timed_out:failed_to_redirect",
    signOutEvents: ["msal:logoutStart", "msal:logoutFailure:timed_out", "msal:logoutEnd"],
    next: "ok",
  });
  await page.context().close();
});

test("acquireTokenSilent with no account and no active one fails with no_account_error before any event, as msal", async () => {
  let page = await env.open("entra");
  const r = await page.evaluate(async () => {
    window.events.length = 0;
    const code = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], correlationId: "no-account-cid" }).then(() => "ok", (e) => `${e.name}:${e.errorCode}:${e.correlationId}|${e.errorMessage}|${e.message}`);
    // Also a request that skips the cache (msal checks the account first): no hidden frame
    // without hints, no event.
    const skipping = [{ cacheLookupPolicy: 5 }, { forceRefresh: true }, { claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}' }, { cacheLookupPolicy: 3 }];
    const others = [];
    for (const extra of skipping) others.push(await window.pca.acquireTokenSilent({ scopes: ["User.Read"], ...extra }).then(() => "ok", (e) => e.errorCode));
    return { code, others, events: window.events, frames: document.querySelectorAll("iframe").length };
  });
  // The request's correlation id on the error, as msal stamps it on every rejection; the
  // message is msal 5's for the code (the package's wasm keeps no sentences of its own).
  const link = "See https://aka.ms/msal.js.errors#no_account_error for details";
  assert.deepEqual(r, { code: `BrowserAuthError:no_account_error:no-account-cid|${link}|no_account_error: ${link}`, others: Array(4).fill("no_account_error"), events: [], frames: 0 });
  await page.context().close();
});

test("a second interactive call while one runs fails with interaction_in_progress", async () => {
  const page = await env.open("entra");
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#popup-twice")]);
  await page.waitForFunction(() => window.second !== undefined);
  const second = await page.evaluate(() => window.second);
  assert.deepEqual(second, { ok: false, name: "BrowserAuthError", code: "interaction_in_progress", isBrowserAuthError: true });
  // As msal: the refused calls send no event (a FAILURE would set msal-react's inProgress to
  // none while the first popup is still open).
  const logout = await page.evaluate(() => window.pca.logoutPopup().then(() => "ok", (e) => e.errorCode));
  assert.equal(logout, "interaction_in_progress");
  const events = await page.evaluate(() => window.events.slice());
  assert.deepEqual(events.filter((e) => /acquireToken|logout/.test(e)), ["msal:acquireTokenStart"], JSON.stringify(events));
  // The user closes the popup once the provider's page is up (closed before, it may as well be
  // severed by COOP: the wait goes on until the timeout, as msal v5's).
  await popup.waitForSelector("#login");
  await page.waitForTimeout(1200);
  await popup.close();
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => window.last.code), "user_cancelled");
  await page.context().close();
});

test("clearCache() lets go of the interaction lock as msal's: the app's retry after interaction_in_progress signs in", async () => {
  const page = await env.open("entra");
  const [first] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.first = window.pca.loginPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode); }),
  ]);
  await first.waitForSelector("#login");
  // The recovery apps write: interaction_in_progress, clearCache(), sign in again.
  const r = await page.evaluate(async () => {
    const refused = await window.pca.loginPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode);
    await window.pca.clearCache();
    return { refused, status: sessionStorage.getItem("msal.interaction.status") };
  });
  assert.deepEqual(r, { refused: "interaction_in_progress", status: null });
  const [second] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.second = window.pca.loginPopup({ scopes: ["User.Read"] }).then((x) => x.account.username, (e) => e.errorCode); }),
  ]);
  await second.waitForSelector("#login");
  await second.fill("#login", "owen");
  await Promise.all([second.waitForEvent("close", { timeout: 15000 }), second.click("#submit").catch(() => {})]);
  assert.equal(await page.evaluate(() => window.second), "owen");
  // The retry's end let go of the lock (the popup left behind ends with its window or its
  // timeout, and does not release a later lock: tests/flow.rs).
  assert.equal(await page.evaluate(() => sessionStorage.getItem("msal.interaction.status")), null);
  await page.context().close();
});

test("a popup closed at once (or severed by COOP) is logged under the request's correlation id while the bridge is waited for", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  await page.evaluate(() => {
    window.lines = [];
    window.pca.setLogger(new window.msal.Logger({ logLevel: window.msal.LogLevel.Verbose, loggerCallback: (level, message) => window.lines.push(message) }));
    // The user is not back in this window: on a loaded machine the popup may have shown the
    // provider's page for a second before it closes, and with the focus here that is the user
    // closing it (user_cancelled at once, no wait to log).
    document.hasFocus = () => false;
  });
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.pca.acquireTokenPopup({ scopes: ["User.Read"], correlationId: "cid-reach" }).catch(() => {}); }),
  ]);
  // Closed once it is at the provider, where the library waits for it (closed while still on
  // about:blank, on a loaded machine before the library sent it on, it is a popup that did not
  // open: user_cancelled, nothing to wait for).
  await popup.waitForURL((u) => u.protocol.startsWith("http"), { timeout: 20000 });
  await popup.close();
  await page.waitForFunction(() => window.lines.some((m) => m.includes("out of reach")));
  const lines = await page.evaluate(() => window.lines.filter((m) => m.includes("out of reach")));
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.match(lines[0], /\[cid-reach\]/);
  await ctx.close();
});

test("logoutRedirect takes the interaction lock at once, as msal: a second sign-out or a popup started right after is refused before any event", async () => {
  const page = await signedInPage("lou");
  const r = await page.evaluate(async () => {
    window.events.length = 0;
    let navigate;
    const held = new Promise((resolve) => { navigate = resolve; });
    // The first sign-out waits in its navigation (a router's navigation client).
    window.pca.setNavigationClient({ navigateExternal: () => held, navigateInternal: () => Promise.resolve(true) });
    // As msal: START comes before the local sign-out; SUCCESS carries the state it sent.
    let accountsAtStart, sentState;
    window.pca.addEventCallback((m) => {
      if (m.eventType === "msal:logoutStart") accountsAtStart = window.pca.getAllAccounts().length;
      if (m.eventType === "msal:logoutSuccess") sentState = typeof m.payload.state === "string" && m.payload.state.length > 20;
    });
    const first = window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0] });
    const second = await window.pca.logoutRedirect().then(() => "ok", (e) => e.errorCode);
    const popup = await window.pca.acquireTokenPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode);
    navigate(true);
    await first;
    return { second, popup, events: window.events.filter((e) => /logout|acquireToken/i.test(e)), accountsAtStart, sentState };
  });
  assert.deepEqual(r, {
    second: "interaction_in_progress",
    popup: "interaction_in_progress",
    events: ["msal:logoutStart", "msal:logoutSuccess"],
    accountsAtStart: 1,
    sentState: true,
  });
  await page.context().close();
});

test("acquireTokenRedirect takes the interaction lock at once, as msal: a sign-in or sign-out started in the same tick is refused before any event", async () => {
  const page = await signedInPage("rex");
  const r = await page.evaluate(async () => {
    window.events.length = 0;
    let navigate;
    const held = new Promise((resolve) => { navigate = resolve; });
    // The first redirect waits in its navigation (a router's navigation client).
    window.pca.setNavigationClient({ navigateExternal: () => held, navigateInternal: () => Promise.resolve(true) });
    const first = window.pca.acquireTokenRedirect({ scopes: ["User.Read"] });
    // No await between the calls: the first has not reached its first await yet.
    const outcome = (p) => Promise.race([p.then(() => "ok", (e) => e.errorCode), new Promise((r) => setTimeout(() => r("still running"), 3000))]);
    const second = outcome(window.pca.loginRedirect({ scopes: ["User.Read"] }));
    const logout = outcome(window.pca.logoutRedirect());
    const refused = { second: await second, logout: await logout };
    navigate(true);
    await first;
    return { ...refused, events: window.events.filter((e) => /logout|acquireToken|login/i.test(e)) };
  });
  assert.deepEqual(r, { second: "interaction_in_progress", logout: "interaction_in_progress", events: ["msal:acquireTokenStart"] });
  await page.context().close();
});

test("logoutRedirect goes through the provider's end-session endpoint, clears the account's cache and returns to the app", async () => {
  const page = await env.open("entra");
  const before = await storageSnapshot(page);
  await popupSignIn(page, "#popup", "frank");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 1);
  const traces = await page.evaluate(() => {
    const r = window.last.result;
    return [r.account.homeAccountId, r.account.localAccountId, r.account.username, r.accessToken, r.idToken];
  });
  await env.idp.reset();
  // The page that starts the logout marks itself, so the return is a new document.
  await page.evaluate(() => { window.beforeLogout = true; window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0] }); });
  const ended = await waitFor("the provider's end-session request", async () => (await env.idp.counters()).log.find((e) => e.route === "end_session"));
  assert.equal(ended.post_logout_redirect_uri, `${env.web.origin}/`);
  assert.equal(ended.pocd, "1", "msal 5's popup origin check, on end-session requests too");
  await page.waitForFunction(() => window.beforeLogout === undefined && document.body.dataset.ready === "1");
  assert.equal(new URL(page.url()).origin, env.web.origin);
  // As msal (clearHash keeps the query): the sign-out's state, returned in the query, stays
  // there for the app to read.
  assert.ok(new URL(page.url()).searchParams.get("state"), page.url());
  assert.equal((await env.idp.counters()).endSession, 1);
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  // The account's entries are gone: no key or value in storage names the account or holds
  // one of its tokens, and nothing that was there before the sign-in went missing.
  const after = await storageSnapshot(page);
  for (const area of ["local", "session"]) {
    for (const [key, value] of Object.entries(after[area])) {
      assert.ok(!traces.some((t) => key.includes(t) || value.includes(t)), `${area} ${key} still names the account: ${value.slice(0, 120)}`);
    }
    assert.deepEqual(storageDiff(before, after)[area].removed, [], area);
  }
  await page.context().close();
});

test("a redirect sign-in started on the page a redirect sign-out returned to (its state still in the query) completes there, once", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "gina");
  await page.waitForFunction(() => window.last !== null);
  await page.evaluate(() => { window.beforeLogout = true; window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0] }); });
  await page.waitForFunction(() => window.beforeLogout === undefined && document.body.dataset.ready === "1", null, { timeout: 15000 });
  const back = page.url();
  assert.ok(new URL(back).searchParams.get("state"), back);
  let loads = 0;
  page.on("load", () => { loads += 1; });
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["api.read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "gina");
  await page.click("#submit");
  await page.waitForFunction(() => window.redirect && document.body.dataset.ready === "1" && !location.hash.includes("code="), null, { timeout: 15000 });
  // (A page that kept going back to itself would still be loading: give it the time to.)
  await new Promise((r) => setTimeout(r, 1000));
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, code: window.redirect.code, user: window.redirect.result && window.redirect.result.account.username, accounts: window.pca.getAllAccounts().length }));
  assert.deepEqual(r, { ok: true, code: undefined, user: "gina", accounts: 1 });
  assert.ok(loads <= 4, `${loads} page loads`);
  await page.context().close();
});

test("auth.azureCloudOptions name the authority over a request's authority, as msal's generateAuthority (a request's own azureCloudOptions win)", async () => {
  const ctx = await env.browser.newContext();
  // The clouds' discovery documents, answered here (no test reaches the internet).
  await ctx.route(/^https:\/\/login\.(microsoftonline\.(us|com)|chinacloudapi\.cn)\//, (route) => {
    const u = new URL(route.request().url());
    const base = `${u.origin}/${u.pathname.split("/")[1]}`;
    const doc = { issuer: `${base}/v2.0`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token`, end_session_endpoint: `${base}/oauth2/v2.0/logout`, jwks_uri: `${base}/discovery/v2.0/keys` };
    return route.fulfill({ contentType: "application/json", headers: { "access-control-allow-origin": "*" }, body: JSON.stringify(doc) });
  });
  const page = await env.open("entra", "sessionStorage", ctx);
  const urls = await page.evaluate(async () => {
    const c = window.pca.getConfiguration();
    const made = (cloud) => new window.msal.PublicClientApplication({
      auth: { clientId: c.auth.clientId, authority: "https://login.microsoftonline.com/t1", azureCloudOptions: cloud },
    });
    const seen = async (cloud, request) => {
      const pca = made(cloud);
      await pca.initialize();
      let url = "";
      await pca.loginRedirect({ scopes: ["User.Read"], ...request, onRedirectNavigate: (u) => { url = u; return false; } });
      return url.split("/oauth2/")[0];
    };
    const us = { azureCloudInstance: "https://login.microsoftonline.us", tenant: "t2" };
    const common = { authority: "https://login.microsoftonline.com/common" };
    const out = [await seen(us, common)];
    sessionStorage.clear();
    out.push(await seen(us, { ...common, azureCloudOptions: { azureCloudInstance: "https://login.chinacloudapi.cn", tenant: "t3" } }));
    sessionStorage.clear();
    out.push(await seen(undefined, common));
    sessionStorage.clear();
    // (msal's `requestAzureCloudOptions || config…`: a null is none.)
    out.push(await seen(us, { ...common, azureCloudOptions: null }));
    return out;
  });
  // (login.chinacloudapi.cn is an alias of China's cloud: as msal, its authority moves to the
  // cloud's network host, login.partner.microsoftonline.cn, and msal's endpoints there.)
  assert.deepEqual(urls, ["https://login.microsoftonline.us/t2", "https://login.partner.microsoftonline.cn/t3", "https://login.microsoftonline.com/common", "https://login.microsoftonline.us/t2"]);
  await ctx.close();
});

test("onRedirectNavigate returning false stops the navigation and keeps the sign-in for the app to finish, as msal", async () => {
  let page = await env.open("entra");
  const r = await page.evaluate(async () => {
    let seen = "";
    // A Verbose app sees the redirect start and stop under its correlation id (as msal's lines).
    const lines = [];
    window.pca.setLogger(new window.msal.Logger({ logLevel: window.msal.LogLevel.Verbose, loggerCallback: (level, message) => lines.push(message) }));
    await window.pca.loginRedirect({ scopes: ["User.Read"], correlationId: "cid-stays", onRedirectNavigate: (url) => { seen = url; return false; } });
    // Still under way: a second interaction is refused, as msal's.
    const again = await window.pca.loginRedirect({ scopes: ["User.Read"], onRedirectNavigate: () => false }).then(() => "ok", (e) => e.errorCode);
    return { seen, href: location.href, again, lines: lines.filter((m) => m.includes("[cid-stays]")) };
  });
  assert.ok(r.lines.some((m) => /leaving for the authorize request/.test(m)) && r.lines.some((m) => /onRedirectNavigate returned false/.test(m)), JSON.stringify(r.lines));
  assert.ok(r.seen.startsWith(`${env.idp.entraAuthority}/oauth2/v2.0/authorize?`), r.seen);
  assert.ok(r.seen.includes("code_challenge_method=S256") && r.seen.includes("client_info=1"));
  assert.equal(r.href, env.harness("entra"));
  assert.equal(r.again, "interaction_in_progress");
  // The app takes the URL elsewhere (msal's browser-extension pattern: another window), and
  // hands the response it got back to handleRedirectPromise.
  const app = new URL(env.harness("entra")).origin;
  const elsewhere = await page.context().newPage();
  await elsewhere.route((u) => u.origin === app, (route) => route.fulfill({ contentType: "text/html", body: "<p>answered</p>" }));
  await elsewhere.goto(r.seen);
  await elsewhere.fill("#login", "olga");
  await Promise.all([elsewhere.waitForURL((u) => u.origin === app), elsewhere.click("#submit")]);
  const answered = new URL(elsewhere.url());
  const response = answered.hash || `#${answered.search.slice(1)}`;
  assert.match(response, /code=/);
  await elsewhere.close();
  const done = await page.evaluate(async (hash) => {
    const result = await window.pca.handleRedirectPromise(hash);
    const next = await window.pca.loginRedirect({ scopes: ["User.Read"], onRedirectNavigate: () => false }).then(() => "ok", (e) => e.errorCode);
    return { user: result && result.account.username, token: !!(result && result.accessToken), accounts: window.pca.getAllAccounts().length, next };
  }, response);
  assert.deepEqual(done, { user: "olga", token: true, accounts: 1, next: "ok" });
  await page.context().close();
  // A custom NavigationClient receives the navigation instead of the browser.
  page = await env.open("entra");
  const nav = await page.evaluate(async () => {
    const calls = [];
    window.pca.setNavigationClient({ navigateExternal: async (url) => { calls.push(url); return false; }, navigateInternal: async () => false });
    await window.pca.acquireTokenRedirect({ scopes: ["User.Read"] });
    return calls.length;
  });
  assert.equal(nav, 1);
  await page.context().close();
});

test("events fire in msal v5's order with v5's payloads, each with the call's correlationId", async () => {
  const page = await env.open("entra");
  await page.evaluate(() => {
    window.events.length = 0;
    window.messages = [];
    window.payloads = [];
    const { EventType } = window.msal;
    window.pca.addEventCallback((e) => window.messages.push({ type: e.eventType, correlationId: e.correlationId, window: !!(e.payload && e.payload.popupWindow) }));
    // v5: LOGIN_SUCCESS carries the new AccountInfo, so the usual callback sets it active.
    window.pca.addEventCallback((e) => {
      window.payloads.push({ type: e.eventType, interaction: e.interactionType, user: e.payload.username, at: typeof e.timestamp });
      window.pca.setActiveAccount(e.payload);
    }, [EventType.LOGIN_SUCCESS]);
  });
  await popupSignIn(page, "#popup", "rita");
  await page.waitForFunction(() => window.last !== null);
  const events = await page.evaluate(() => window.events);
  assert.deepEqual(events, ["msal:acquireTokenStart", "msal:popupOpened", "msal:acquireTokenSuccess", "msal:loginSuccess", "msal:activeAccountChanged"]);
  // A filtered callback sees only its event type, with the account as payload.
  assert.deepEqual(await page.evaluate(() => window.payloads), [{ type: "msal:loginSuccess", interaction: "popup", user: "rita", at: "number" }]);
  assert.equal(await page.evaluate(() => window.pca.getActiveAccount() && window.pca.getActiveAccount().username), "rita");
  const messages = await page.evaluate(() => window.messages);
  const ids = new Set(messages.slice(0, 4).map((m) => m.correlationId));
  assert.equal(ids.size, 1, JSON.stringify(messages));
  assert.equal(await page.evaluate(() => window.last.result.correlationId), [...ids][0], "the result carries the events' correlationId");
  assert.equal(messages[1].window, true, "POPUP_OPENED carries the popup window");
  // Signing in again as the same account is no new login: no LOGIN_SUCCESS.
  await page.evaluate(() => { window.events.length = 0; });
  const sso = await page.evaluate(async () => {
    let start;
    const id = window.pca.addEventCallback((e) => { start = { message: e.correlationId, payload: e.payload.correlationId }; }, [window.msal.EventType.ACQUIRE_TOKEN_START]);
    const r = await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "rita", redirectUri: location.origin + "/redirect.html" });
    window.pca.removeEventCallback(id);
    return { start, result: r.correlationId };
  });
  assert.deepEqual(await page.evaluate(() => window.events), ["msal:acquireTokenStart", "msal:acquireTokenSuccess"]);
  // As msal: the START payload is the request with the correlationId the call made.
  assert.deepEqual(sso.start, { message: sso.result, payload: sso.result });
  await page.context().close();
});

test("InteractionStatus follows events as in v5: startup, none, acquireToken, none", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  // Track the status from the first event on, as msal-react does.
  await page.addInitScript(() => {
    window.statusTrail = [];
    window.beforeInit = (msal, pca) => {
      let status = msal.InteractionStatus.Startup;
      window.statusTrail.push(status);
      pca.addEventCallback((m) => {
        const next = msal.EventMessageUtils.getInteractionStatusFromEvent(m, status);
        if (next && next !== status) window.statusTrail.push((status = next));
      });
    };
  });
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  await popupSignIn(page, "#popup", "sam");
  await page.waitForFunction(() => window.last !== null);
  // A load with nothing to handle fires no HANDLE_REDIRECT events (v5); msal-react's provider
  // leaves startup when handleRedirectPromise resolves (the harness resolved it before the
  // sign-in, and this trail follows events only).
  assert.deepEqual(await page.evaluate(() => window.statusTrail), ["startup", "acquireToken", "none"]);
  await ctx.close();
});

test("every account getter carries msal 5's loginHint/upn/kmsi; clearCache of the active account sends ACTIVE_ACCOUNT_CHANGED", async () => {
  // A work account that stays signed in: its ID token has Entra's login_hint and upn claims
  // and signin_state ["kmsi"].
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "hilde@contoso.com", { kmsi: true });
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(async () => {
    const pick = (a) => a && { loginHint: a.loginHint, upn: a.upn, kmsi: a.kmsi };
    const fromResult = pick(window.last.result.account);
    window.pca.setActiveAccount(window.pca.getAllAccounts()[0]);
    const silent = await window.pca.acquireTokenSilent({ scopes: ["User.Read"] });
    const out = { fromResult, all: pick(window.pca.getAllAccounts()[0]), active: pick(window.pca.getActiveAccount()), silent: pick(silent.account) };
    window.events.length = 0;
    await window.pca.clearCache();
    out.events = window.events.slice();
    out.active = [out.active, window.pca.getActiveAccount()];
    return out;
  });
  assert.deepEqual(r.fromResult, { loginHint: loginHintFor("hilde@contoso.com"), upn: "hilde@contoso.com", kmsi: true });
  assert.deepEqual([r.all, r.active[0], r.silent], [r.fromResult, r.fromResult, r.fromResult]);
  assert.equal(r.active[1], null);
  assert.deepEqual(r.events, ["msal:activeAccountChanged"]);
  // As msal 5: every setActiveAccount call says so, also one that changes nothing.
  const events = await page.evaluate(() => {
    window.events.length = 0;
    const [account] = window.pca.getAllAccounts();
    for (const a of [account, account, null, null]) window.pca.setActiveAccount(a);
    return window.events.slice();
  });
  assert.deepEqual(events, Array(4).fill("msal:activeAccountChanged"));
  // Each with a correlation id of its own, as msal's setActiveAccount.
  const cids = await page.evaluate(() => {
    const seen = [];
    const id = window.pca.addEventCallback((m) => seen.push(m.correlationId), ["msal:activeAccountChanged"]);
    window.pca.setActiveAccount(null);
    window.pca.setActiveAccount(null);
    window.pca.removeEventCallback(id);
    return seen;
  });
  assert.equal(cids.length, 2);
  assert.ok(cids.every((c) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(c)) && cids[0] !== cids[1], JSON.stringify(cids));
  await page.context().close();
});

test("a blocked popup fails at once with popup_window_error (as msal 5, whatever window.open did) and frees the lock", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const original = window.open;
    const out = [];
    window.open = () => null;
    out.push(await window.pca.loginPopup(window.popupRequest).then(() => "ok", (e) => `${e.name}:${e.errorCode}`));
    window.open = () => { throw new Error("blocked"); };
    out.push(await window.pca.loginPopup(window.popupRequest).then(() => "ok", (e) => `${e.name}:${e.errorCode}`));
    // Each failure released the lock: a third attempt fails the same way, not as in progress.
    window.open = () => null;
    out.push(await window.pca.loginPopup(window.popupRequest).then(() => "ok", (e) => `${e.name}:${e.errorCode}`));
    window.open = original;
    return out;
  });
  assert.deepEqual(r, ["BrowserAuthError:popup_window_error", "BrowserAuthError:popup_window_error", "BrowserAuthError:popup_window_error"]);
  await page.context().close();
});

test("a sign-out whose popup is blocked signs out here, then fails with popup_window_error, with msal 5's events", async () => {
  const page = await signedInPage("blocked-logout");
  const r = await page.evaluate(async () => {
    window.pca.setActiveAccount(window.pca.getAllAccounts()[0]);
    window.events.length = 0;
    const original = window.open;
    window.open = () => null;
    const outcome = await window.pca.logoutPopup({ account: window.pca.getActiveAccount() }).then(() => "ok", (e) => `${e.name}:${e.errorCode}`);
    // The lock went with the failure: the next interaction is not refused as in progress.
    const again = await window.pca.loginPopup(window.popupRequest).then(() => "ok", (e) => e.errorCode);
    window.open = original;
    return { outcome, events: window.events.slice(0, 5), accounts: window.pca.getAllAccounts().length, again };
  });
  assert.equal(r.outcome, "BrowserAuthError:popup_window_error");
  assert.deepEqual(r.events, ["msal:logoutStart", "msal:activeAccountChanged", "msal:logoutSuccess", "msal:logoutFailure:popup_window_error", "msal:logoutEnd"]);
  assert.equal(r.accounts, 0);
  assert.equal(r.again, "popup_window_error");
  // Without an account (msal's samples' logoutPopup({ postLogoutRedirectUri })): the same
  // events, LOGOUT_SUCCESS among them, as msal sends it before it opens the window.
  const bare = await signedInPage("blocked-logout-bare");
  const events = await bare.evaluate(async () => {
    window.events.length = 0;
    const original = window.open;
    window.open = () => null;
    await window.pca.logoutPopup({ postLogoutRedirectUri: "/" }).catch(() => {});
    window.open = original;
    return window.events.filter((e) => e.startsWith("msal:logout"));
  });
  assert.deepEqual(events, ["msal:logoutStart", "msal:logoutSuccess", "msal:logoutFailure:popup_window_error", "msal:logoutEnd"]);
  await page.context().close();
  await bare.context().close();
});

test("blocked Web Storage falls back to memory with a warning, and sign-in still works", async () => {
  const ctx = await env.browser.newContext();
  await ctx.addInitScript(() => {
    for (const name of ["localStorage", "sessionStorage"]) {
      Object.defineProperty(window, name, { configurable: true, get() { throw new DOMException("storage is disabled", "SecurityError"); } });
    }
  });
  const page = await ctx.newPage();
  await page.goto(env.harness("entra", "localStorage"));
  await page.waitForSelector("body[data-ready='1']");
  await popupSignIn(page, "#popup", "uma");
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const silent = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    return { ok: window.last.ok, user: account && account.username, fromCache: silent.fromCache, warned: window.logs.some(([l, m]) => l === 1 && /memory/.test(m)) };
  });
  assert.deepEqual(r, { ok: true, user: "uma", fromCache: true, warned: true });
  await ctx.close();
});

test("system.wasmUrl loads the engine from an explicit location", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  const fetched = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm") || r.url().includes(".wasm?")) fetched.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  await page.goto(`${env.web.origin}/redirect.html`);
  const r = await page.evaluate(async (authority) => {
    const msal = await import("/pkg/index.js");
    const pca = new msal.PublicClientApplication({
      auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host] },
      system: { wasmUrl: "/pkg/msal_wasm_bg.wasm?from=config" },
    });
    await pca.initialize();
    return pca.getAllAccounts().length;
  }, env.idp.entraAuthority);
  assert.equal(r, 0);
  assert.deepEqual(fetched, ["/pkg/msal_wasm_bg.wasm?from=config"]);
  await ctx.close();
});

test("the engine's request leaves inside the constructor, before the app's next statement (not after its top-level code)", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/redirect.html`);
  const r = await page.evaluate(async (authority) => {
    const msal = await import("/pkg/index.js");
    const asked = [];
    const fetch = window.fetch;
    window.fetch = (input, init) => { asked.push(String(input && input.url ? input.url : input)); return fetch(input, init); };
    const pca = new msal.PublicClientApplication({ auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host] } });
    const inConstructor = asked.map((u) => new URL(u).pathname);
    await pca.initialize();
    window.fetch = fetch;
    return { inConstructor, accounts: pca.getAllAccounts().length };
  }, env.idp.entraAuthority);
  assert.deepEqual(r, { inConstructor: ["/pkg/msal_wasm_bg.wasm"], accounts: 0 });
  await ctx.close();
});

// The provider registers exact redirect URIs (as Entra): a URI with the page's query, or a
// relative one, would be refused, and the sign-in would never come back.
// The app without a configured redirect URI, loaded at a plain /?x=1 (the harness keeps its
// configuration in sessionStorage), the provider's counters reset.
async function appAtRootWithoutRedirectUri() {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx, 300, { redirect: "none" });
  await page.goto(`${env.web.origin}/?x=1`);
  await page.waitForSelector("body[data-ready='1']");
  await env.idp.reset();
  return { ctx, page };
}

test("no redirectUri configured: a page at /?x=1 sends redirect_uri=<origin>/ and signs in", async () => {
  const { ctx, page } = await appAtRootWithoutRedirectUri();
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.pca.loginPopup({ scopes: ["User.Read"] }).then((r) => (window.last = { ok: true, result: r }), (e) => (window.last = { ok: false, code: e.errorCode })); }),
  ]);
  await popup.waitForSelector("#login");
  assert.deepEqual((await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.redirect_uri), [`${env.web.origin}/`]);
  // msal 5's popup origin check passes on a top-level page nobody opened: pocd=1.
  assert.deepEqual((await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.pocd), ["1"]);
  await popup.fill("#login", "xavi");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "xavi");
  await ctx.close();
});

test("no redirectUri configured: the page the client was constructed on is the redirect URI, not the route the app moved to before initialize() (msal-react initializes in an effect)", async () => {
  const { ctx, page } = await appAtRootWithoutRedirectUri();
  await page.evaluate(async () => {
    const c = window.pca.getConfiguration();
    window.second = new window.msal.PublicClientApplication({ auth: { clientId: c.auth.clientId, authority: c.auth.authority, knownAuthorities: c.auth.knownAuthorities } });
    // A router's redirect runs before the provider's effect calls initialize().
    history.replaceState(null, "", "/dashboard");
    await window.second.initialize();
  });
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.second.loginPopup({ scopes: ["User.Read"] }).catch(() => {}); }),
  ]);
  await popup.waitForSelector("#login");
  assert.deepEqual((await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.redirect_uri), [`${env.web.origin}/`]);
  assert.equal(await page.evaluate(() => window.second.getConfiguration().auth.redirectUri), `${env.web.origin}/`);
  await ctx.close();
});

test("redirectUri: \"/redirect.html\" is sent as an absolute URL and signs in", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx, 300, { redirect: "/redirect.html" });
  await env.idp.reset();
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.pca.loginPopup({ scopes: ["User.Read"] }).then((r) => (window.last = { ok: true, result: r }), (e) => (window.last = { ok: false, code: e.errorCode })); }),
  ]);
  await popup.waitForSelector("#login");
  assert.deepEqual((await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.redirect_uri), [`${env.web.origin}/redirect.html`]);
  await popup.fill("#login", "yara");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "yara");
  await ctx.close();
});

test("a popup that lands on a plain page (no bridge script) is read by the poller alone", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  // Nothing may arrive over the bridge channel: count what the page's BroadcastChannels get.
  await countChannelMessages(page);
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.pca.loginPopup({ scopes: ["User.Read"], redirectUri: location.origin + "/blank.html" }).then((r) => (window.last = { ok: true, result: r }), (e) => (window.last = { ok: false, code: e.errorCode })); }),
  ]);
  await popup.waitForSelector("#login");
  await popup.fill("#login", "zeke");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(() => ({ user: window.last.ok ? window.last.result.account.username : window.last.code, bridge: window.bridgeMessages }));
  assert.deepEqual(r, { user: "zeke", bridge: 0 });
  await ctx.close();
});

test("system.enableLegacyPolling, as msal 5's (msal 4's poller): no popup timeout, a popup closed at the provider is user_cancelled at once, a page of this origin without a response is hash_empty_error", async () => {
  const ctx = await env.browser.newContext();
  // A bridge timeout shorter than the user takes: the legacy poller has none.
  const page = await env.open("entra", "sessionStorage", ctx, 300, { system: JSON.stringify({ enableLegacyPolling: true, popupBridgeTimeout: 1500 }) });
  const start = (prompt, landing = "/blank.html") => page.evaluate(([p, l]) => {
    window.last = null;
    window.pca.acquireTokenPopup({ scopes: ["User.Read"], prompt: p, redirectUri: location.origin + l })
      .then((r) => (window.last = { ok: true, user: r.account.username }), (e) => (window.last = { ok: false, code: e.errorCode }));
  }, [prompt, landing]);
  // The user signs in at the popup (after `ms`): the call's outcome.
  const signIn = async (popup, ms = 0) => {
    await popup.waitForSelector("#login");
    await page.waitForTimeout(ms);
    await popup.fill("#login", "lior");
    await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
    await page.waitForFunction(() => window.last !== null);
    return page.evaluate(() => window.last);
  };
  let [popup] = await Promise.all([page.waitForEvent("popup"), start("login")]);
  assert.deepEqual(await signIn(popup, 2500), { ok: true, user: "lior" });
  // Closed as soon as the provider's page shows (without the option: the bridge is waited for
  // until the timeout, since the popup may as well have been severed by COOP).
  [popup] = await Promise.all([page.waitForEvent("popup"), start("login")]);
  await popup.waitForSelector("#login");
  await popup.close();
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => window.last), { ok: false, code: "user_cancelled" });
  // Back on this origin at a page without the response (code on the redirect page removed it).
  [popup] = await Promise.all([page.waitForEvent("popup"), start("login")]);
  await popup.waitForSelector("#login");
  await popup.goto(`${env.web.origin}/blank.html`).catch(() => {});
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => window.last), { ok: false, code: "hash_empty_error" });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("msal.interaction.status")), null, "the lock is free");
  // A redirect page that sends the answer over the bridge and closes itself at once (an msal 4
  // app's own page, loading the package): the answer is taken, not user_cancelled.
  [popup] = await Promise.all([page.waitForEvent("popup"), start("login", "/redirect.html")]);
  assert.deepEqual(await signIn(popup), { ok: true, user: "lior" });
  // The app's page unloads (a reload) while a popup is open: the popup closes with it, as msal's.
  [popup] = await Promise.all([page.waitForEvent("popup"), start("login")]);
  await popup.waitForSelector("#login");
  await Promise.all([popup.waitForEvent("close", { timeout: 10000 }), page.reload()]);
  await ctx.close();
});

test("a redirect sign-in comes back to an app whose router rewrites the address before handleRedirectPromise runs: the response kept when the package was evaluated is redeemed", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/routed-app.html?idp=${encodeURIComponent(env.idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.redirected), null);
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "rhea");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("body[data-ready='1']");
  assert.deepEqual(await page.evaluate(() => window.redirected), { user: "rhea" });
  assert.equal(new URL(page.url()).hash, "", "the router's address, without the response");
  // Nothing is left for a later load: a reload finds no response and no error.
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.redirected), null);
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.endsWith(".urlHash")).length), 0);
  await ctx.close();
});

test("a redirect sign-in started from a hash route, back to an app whose router rewrote the address: the route comes back", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/routed-app.html?idp=${encodeURIComponent(env.idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']");
  await page.evaluate(() => { location.hash = "#/orders?id=5"; window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "rufus");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("body[data-ready='1']");
  assert.deepEqual(await page.evaluate(() => [window.redirected, location.hash]), [{ user: "rufus" }, "#/orders?id=5"]);
  await ctx.close();
});

test("responseMode query: a redirect sign-in from a hash route returns to the start page, query cleaned and route kept; a popup too", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx, undefined, { auth: JSON.stringify({ OIDCOptions: { responseMode: "query" } }) });
  const start = await page.evaluate(() => { location.hash = "#/orders?id=5"; return location.href; });
  const landed = [];
  page.on("framenavigated", (f) => { if (f === page.mainFrame() && f.url().startsWith(env.web.origin)) landed.push(f.url()); });
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "quinn");
  await page.click("#submit");
  await page.waitForURL((u) => u.href === start);
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, user: window.redirect.result && window.redirect.result.account.username, href: location.href }));
  assert.deepEqual(r, { ok: true, user: "quinn", href: start });
  assert.ok(landed.some((u) => /^\?code=/.test(new URL(u).search) && !new URL(u).hash.includes("code=")), `the response came in the query: ${landed}`);
  // A popup (the provider's session answers at once) reads its response from the query too.
  const popup = await page.evaluate(() => window.pca.acquireTokenPopup({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] })
    .then((r) => [r.account.username, r.fromCache], (e) => e.errorCode));
  assert.deepEqual(popup, ["quinn", false]);
  await ctx.close();
});

test("ssoSilent to a plain page in a tab whose timers run late (a background tab): the frame's answer is read when it loads", async (t) => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  await popupSignIn(page, "#popup", "wren");
  await page.waitForFunction(() => window.last !== null);
  // Forget the tokens but keep the provider's session cookie; then the hidden frame's 30 ms poll
  // fires a minute late, as a background tab's timers do. No bridge script on the plain page.
  await page.evaluate(() => window.pca.clearCache());
  await page.evaluate(() => {
    const every = window.setInterval.bind(window);
    window.setInterval = (fn, ms, ...rest) => every(fn, ms === 30 ? 60000 : ms, ...rest);
  });
  const started = Date.now();
  const r = await page.evaluate(() =>
    window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "wren", redirectUri: location.origin + "/blank.html" })
      .then((res) => ({ ok: true, user: res.account.username }), (e) => ({ ok: false, code: e.errorCode })));
  const elapsed = Date.now() - started;
  t.diagnostic(`ssoSilent with the frame poll a minute late: ${elapsed} ms`);
  assert.deepEqual(r, { ok: true, user: "wren" });
  assert.ok(elapsed < 20000, `the frame's answer was read after ${elapsed} ms`);
  await ctx.close();
});

// The redirect bridge as the redirect page of a redirect (what v5's docs recommend): it keeps
// the response and takes the browser back to the page the sign-in started from.
test("loginRedirect to the redirect bridge page comes back to the start page and completes there", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  const start = page.url();
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"], redirectUri: "/redirect.html" }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "bree");
  await page.click("#submit");
  await page.waitForFunction(() => window.redirect !== undefined && document.body.dataset.ready === "1");
  assert.equal(page.url(), start, "back on the start page, with no response in the address");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, user: window.redirect.ok && window.redirect.result && window.redirect.result.account.username, code: window.redirect.code }));
  assert.deepEqual(r, { ok: true, user: "bree", code: undefined });
  await ctx.close();
});

test("logoutRedirect through the redirect bridge sends state, returns to the site's home page and leaves nothing blocking", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  assert.notEqual(page.url(), `${env.web.origin}/`, "the sign-out starts on another page than the home page");
  await popupSignIn(page, "#popup", "cleo");
  await page.waitForFunction(() => window.last !== null);
  await env.idp.reset();
  await page.evaluate(() => {
    window.beforeLogout = true;
    window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0], postLogoutRedirectUri: "/redirect.html", state: "app-state" });
  });
  const ended = await waitFor("the provider's end-session request", async () => (await env.idp.counters()).log.find((e) => e.route === "end_session"));
  // (No logout_hint: the account's ID token has no login_hint claim.)
  const { params, ...rest } = ended;
  assert.deepEqual(rest, { route: "end_session", prefix: `/${TENANT_ID}`, post_logout_redirect_uri: `${env.web.origin}/redirect.html`, state: true, logout_hint: false, pocd: "1", app_state: "app-state" });
  assert.deepEqual([params.state, params.post_logout_redirect_uri, params.logout_hint], ["<set>", rest.post_logout_redirect_uri, undefined]);
  await page.waitForFunction(() => window.beforeLogout === undefined && window.redirect !== undefined && document.body.dataset.ready === "1");
  // As msal 5's bridge: a sign-out keeps no start page, so the browser goes to the home page.
  assert.equal(page.url(), `${env.web.origin}/`, "the bridge took the browser to the site's home page");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, result: window.redirect.result, accounts: window.pca.getAllAccounts().length }));
  assert.deepEqual(r, { ok: true, result: null, accounts: 0 });
  // The sign-out is over: the next interactive call is not refused.
  await popupSignIn(page, "#popup", "cleo");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => (window.last.ok ? "ok" : window.last.code)), "ok");
  await ctx.close();
});

test("the library's own log lines carry the correlation id of the call they are about, as msal's", async () => {
  const page = await signedInPage("corrie");
  const lines = await page.evaluate(async () => {
    window.logs.length = 0;
    await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true, correlationId: "cid-of-the-call" });
    await new Promise((r) => setTimeout(r, 20));
    return window.logs.map(([, m]) => m);
  });
  const skip = lines.find((m) => m.includes("acquireTokenSilent: the request skips the cached access token"));
  assert.ok(skip && skip.includes(" : [cid-of-the-call] : msal-wasm@"), JSON.stringify(lines));
  await page.context().close();
});

test("msal's support switch: sessionStorage msal.browser.log.level sends the log to the console at that level, over the app's callback", async () => {
  const page = await env.open("entra");
  await page.evaluate(() => sessionStorage.setItem("msal.browser.log.level", "Verbose"));
  const lines = [];
  page.on("console", (m) => { if (m.text().includes("msal-wasm@")) lines.push([m.type(), m.text()]); });
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  await page.waitForTimeout(100);
  const app = await page.evaluate(() => window.logs.length);
  assert.equal(app, 0, "the app's callback hears nothing");
  assert.ok(lines.some(([type, text]) => type === "debug" && text.includes(" : Verbose - ")), JSON.stringify(lines.slice(0, 5)));
  assert.ok(!lines.some(([, text]) => text.includes(" : Trace - ")), "nothing below the level");
  await page.context().close();
});

test("getConfiguration returns the defaults filled in and the app's own objects; options msal-wasm does not act on are warned about once", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async (authority) => {
    const lines = [];
    const loggerCallback = (level, message) => lines.push([level, message]);
    const pca = new window.msal.PublicClientApplication({
      auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host], supportsNestedAppAuth: true },
      system: { allowPlatformBroker: true, loggerOptions: { logLevel: window.msal.LogLevel.Warning, loggerCallback } },
    });
    // Before initialize(), as msal 5: every section is there (msal-angular's guard reads
    // system.allowRedirectInIframe), with the facade's own defaults.
    const early = pca.getConfiguration();
    const before = {
      iframe: !!early.system.allowRedirectInIframe, timeout: early.system.redirectNavigationTimeout,
      navigation: early.system.navigationClient instanceof window.msal.NavigationClient, appName: early.telemetry.application.appName,
      clientId: early.auth.clientId, sameCallback: early.system.loggerOptions.loggerCallback === loggerCallback,
      same: pca.getConfiguration() === early,
    };
    await pca.initialize();
    const c = pca.getConfiguration();
    return {
      before,
      // msal returns its own object: the same one on every call (one per side of initialize() here).
      sameAfter: pca.getConfiguration() === c && c !== early,
      timeout: c.system.redirectNavigationTimeout,
      navigation: c.system.navigationClient instanceof window.msal.NavigationClient,
      cacheLocation: c.cache.cacheLocation,
      popupBridgeTimeout: c.system.popupBridgeTimeout,
      navigate: c.auth.navigateToLoginRequestUrl,
      sameCallback: c.system.loggerOptions.loggerCallback === loggerCallback,
      clientId: c.auth.clientId,
      // msal's defaults of options msal-wasm does not act on, or acts on as msal by default.
      msalDefaults: [c.auth.originCheck, c.auth.popupRelayProtocolVersion, c.system.navigatePopups, c.system.enableLegacyPolling, c.system.nativeBrokerHandshakeTimeout,
        c.experimental.iframeTimeoutTelemetry, typeof c.telemetry.client.startMeasurement],
      warnings: lines.filter(([level]) => level === window.msal.LogLevel.Warning).map(([, m]) => m),
    };
  }, env.idp.entraAuthority);
  assert.deepEqual(r.before, { iframe: false, timeout: 30000, navigation: true, appName: "", clientId: "msal-wasm-test-client", sameCallback: true, same: true });
  assert.equal(r.sameAfter, true);
  assert.deepEqual([r.timeout, r.navigation], [30000, true]);
  assert.equal(r.cacheLocation, "sessionStorage");
  assert.equal(r.popupBridgeTimeout, 60000);
  assert.equal(r.navigate, undefined, "msal 5 has no auth.navigateToLoginRequestUrl");
  assert.equal(r.sameCallback, true);
  assert.equal(r.clientId, "msal-wasm-test-client");
  assert.deepEqual(r.msalDefaults, [true, 1, true, false, 2000, false, "function"]);
  assert.equal(r.warnings.filter((w) => /brokering/.test(w)).length, 1, JSON.stringify(r.warnings));
  assert.equal(r.warnings.filter((w) => /nested app/.test(w)).length, 1, JSON.stringify(r.warnings));
  await page.context().close();
});

test("system.networkClient sends the discovery and token requests (msal's INetworkModule); its failures are msal's", async () => {
  const page = await signedInPage("carol");
  await env.idp.reset();
  const r = await page.evaluate(async () => {
    const calls = [], lines = [];
    // msal's INetworkModule over fetch, as an app's proxy-aware or instrumented client is.
    const answer = async (resp) => ({ status: resp.status, headers: Object.fromEntries(resp.headers), body: await resp.json() });
    const networkClient = {
      sendGetRequestAsync: (url, o) => (calls.push(["GET", new URL(url).pathname]), fetch(url, { headers: o.headers }).then(answer)),
      sendPostRequestAsync: (url, o) => (calls.push(["POST", new URL(url).pathname, typeof o.body, o.correlationId]), fetch(url, { method: "POST", headers: o.headers, body: o.body }).then(answer)),
    };
    networkClient.self = networkClient; // circular, as a wrapper holding a framework's HTTP client
    const { auth, cache } = window.pca.getConfiguration();
    const logger = { logLevel: window.msal.LogLevel.Warning, loggerCallback: (level, message) => lines.push(message) };
    const make = (client, cacheLocation = cache.cacheLocation) =>
      new window.msal.PublicClientApplication({ auth, cache: { cacheLocation }, system: { networkClient: client, loggerOptions: logger } });
    const pca = make(networkClient);
    await pca.initialize();
    const account = pca.getAllAccounts()[0];
    const renewed = await pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true, correlationId: "net-cid" });
    // No stored discovery document: the first request fetches it (its token request fails).
    const fresh = make({ ...networkClient, sendPostRequestAsync: () => Promise.reject(new Error("not sent")) }, "memoryStorage");
    await fresh.initialize();
    await fresh.acquireTokenByCode({ code: "not-a-code", scopes: ["User.Read"] }).catch(() => {});
    const failure = async (client) => {
      const p = make(client);
      await p.initialize();
      return p.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then(() => "resolved", (e) => [e.name, e.errorCode].concat(e.subError ? [e.subError] : []));
    };
    const thrown = await failure({ ...networkClient, sendPostRequestAsync: () => Promise.reject(new TypeError("proxy down")) });
    const own = await failure({ ...networkClient, sendPostRequestAsync: () => Promise.reject(new window.msal.BrowserAuthError("proxy_refused", "refused", "policy")) });
    const shaped = await failure({ ...networkClient, sendPostRequestAsync: () => Promise.reject({ errorCode: "proxy_refused" }) });
    const base = await failure({ ...networkClient, sendPostRequestAsync: () => Promise.reject(new window.msal.AuthError("proxy_down", "", "x")) });
    // (A claims challenge the app's client reports, with the server's details.)
    const challenge = await (async () => {
      const p = make({ ...networkClient, sendPostRequestAsync: () => Promise.reject(new window.msal.InteractionRequiredAuthError("interaction_required", "", "mfa", "", "ts-1", "trace-1", "claims-1", "50076")) });
      await p.initialize();
      return p.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).catch((e) => [e.name, e.errorCode, e.claims, e.traceId, e.timestamp, e.errorNo]);
    })();
    const sync = await failure({ ...networkClient, sendPostRequestAsync: () => { throw new Error("not now"); } });
    // No status, headers as a Map, the body as text: msal reads the body all the same.
    const loose = make({ ...networkClient, sendPostRequestAsync: (url, o) => fetch(url, { method: "POST", headers: o.headers, body: o.body })
      .then(async (r) => ({ headers: new Map(r.headers), body: await r.text() })) });
    await loose.initialize();
    const looseResult = await loose.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then((x) => x.fromCache, (e) => e.errorCode);
    // A client that never answers is given up after networkTimeout.
    const hung = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: cache.cacheLocation },
      system: { networkTimeout: 300, networkClient: { ...networkClient, sendPostRequestAsync: () => new Promise(() => {}) } } });
    await hung.initialize();
    const timedOut = await hung.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then(() => "resolved", (e) => [e.errorCode, e.subError]);
    return {
      calls, thrown, own, shaped, base, challenge, sync, looseResult, timedOut,
      renewed: [renewed.fromCache, renewed.accessToken !== window.last.result.accessToken, renewed.account.username],
      warned: lines.filter((m) => /network client/.test(m)),
      same: pca.getConfiguration().system.networkClient === networkClient,
    };
  });
  assert.deepEqual(r.renewed, [false, true, "carol"]);
  // msal's options: the body, the headers and the call's correlation id.
  assert.deepEqual(r.calls.filter((c) => c[0] === "POST").map(([m, path, body, cid]) => [m, path.endsWith("/oauth2/v2.0/token"), body, cid]), [["POST", true, "string", "net-cid"]]);
  assert.ok(r.calls.some(([m, path]) => m === "GET" && path.endsWith("/.well-known/openid-configuration")), JSON.stringify(r.calls));
  assert.equal((await env.idp.counters()).token, 2, "the renewals went to the provider through the app's clients");
  // As msal: an AuthError the client throws is the call's error (its class and code); anything
  // else it throws, or a plain object shaped like one, is ClientAuthError network_error.
  assert.deepEqual(r.thrown, ["ClientAuthError", "network_error"]);
  assert.deepEqual(r.own, ["BrowserAuthError", "proxy_refused", "policy"]);
  assert.deepEqual(r.shaped, ["ClientAuthError", "network_error"]);
  assert.deepEqual(r.base, ["AuthError", "proxy_down"]);
  assert.deepEqual(r.challenge, ["InteractionRequiredAuthError", "interaction_required", "claims-1", "trace-1", "ts-1", "50076"]);
  assert.deepEqual(r.sync, ["ClientAuthError", "network_error"]);
  assert.equal(r.looseResult, false);
  assert.deepEqual(r.timedOut, ["post_request_failed", "timed_out"]);
  assert.deepEqual(r.warned, []);
  assert.equal(r.same, true);
  await page.context().close();
});

test("initialize({ correlationId }) sends its events with the app's correlation id, as msal", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const { auth } = window.pca.getConfiguration();
    const pca = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: "memoryStorage" } });
    const seen = [];
    pca.addEventCallback((m) => seen.push([m.eventType, m.correlationId]));
    await pca.initialize({ correlationId: "init-cid" });
    return seen;
  });
  assert.deepEqual(r, [["msal:initializeStart", "init-cid"], ["msal:initializeEnd", "init-cid"]]);
  await page.context().close();
});

test("setLogger with a more detailed logger: the library's lines at its level reach it, as msal", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const { auth } = window.pca.getConfiguration();
    const pca = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: "memoryStorage" } }); // Info, the default
    await pca.initialize();
    const lines = [];
    pca.setLogger(new window.msal.Logger({ logLevel: window.msal.LogLevel.Trace, loggerCallback: (level, message) => lines.push([level, message]) }));
    await pca.handleRedirectPromise();
    await new Promise((res) => setTimeout(res, 0));
    return lines.filter(([level]) => level === window.msal.LogLevel.Trace).map(([, m]) => m);
  });
  assert.ok(r.some((m) => /handleRedirectPromise: no response/.test(m)), JSON.stringify(r));
  await page.context().close();
});

test("two clients on one page: each one's log lines reach its own logger, whichever initialized last", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async (authority) => {
    const make = (clientId, lines) => new window.msal.PublicClientApplication({
      auth: { clientId, authority, knownAuthorities: [new URL(authority).host] },
      system: { loggerOptions: { logLevel: window.msal.LogLevel.Trace, loggerCallback: (level, message) => lines.push(message) } },
    });
    const a = [], b = [];
    const first = make("msal-wasm-test-client", a), second = make("second-client", b);
    await first.initialize();
    await second.initialize();
    a.length = 0;
    b.length = 0;
    // The first client's handleRedirectPromise logs that there is nothing to handle.
    await first.handleRedirectPromise();
    return { a: a.filter((m) => m.includes("handleRedirectPromise")).length, b: b.length };
  }, env.idp.entraAuthority);
  assert.ok(r.a > 0, JSON.stringify(r));
  assert.equal(r.b, 0, JSON.stringify(r));
  await page.context().close();
});

test("a logger callback that calls back into the client works, also for a line logged while the cache is being written", async () => {
  // A result from another browser, hydrated into a page whose sessionStorage is full: the write
  // is refused and logged (a warning) in the middle of the cache's update.
  const source = await signedInPage("lou");
  const result = await source.evaluate(() => { const r = window.last.result; return { ...r, expiresOn: r.expiresOn.getTime(), extExpiresOn: r.extExpiresOn && r.extExpiresOn.getTime() }; });
  await source.context().close();
  const page = await env.open("entra");
  assert.ok((await fillStorage(page, "sessionStorage")) > 0, "sessionStorage is full");
  const r = await page.evaluate(async ([authority, result]) => {
    const nested = [], lines = [];
    let pca = null;
    const loggerCallback = (level, message) => {
      lines.push(message);
      try { pca.getAllAccounts(); nested.push("ok"); } catch (e) { nested.push(String(e && (e.errorCode || e.message || e))); }
    };
    pca = new window.msal.PublicClientApplication({
      auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host] },
      system: { loggerOptions: { logLevel: window.msal.LogLevel.Trace, loggerCallback } },
    });
    await pca.initialize();
    await pca.hydrateCache({ ...result, expiresOn: new Date(result.expiresOn), extExpiresOn: result.extExpiresOn && new Date(result.extExpiresOn) });
    await new Promise((r) => setTimeout(r, 50));
    return {
      failed: nested.filter((x) => x !== "ok"), calls: nested.length, warned: lines.some((m) => /quota|full/.test(m)),
      accounts: pca.getAllAccounts().map((a) => a.username),
    };
  }, [env.idp.entraAuthority, result]);
  assert.ok(r.warned, "the refused write was logged");
  assert.deepEqual(r.failed, [], "a call from the logger failed");
  assert.ok(r.calls > 0);
  assert.deepEqual(r.accounts, ["lou"]);
  await page.context().close();
});

// msal processes the response whenever navigateInternal's answer is falsy: a router's client
// often returns nothing at all.
for (const answer of [false, undefined]) test(`a navigation client that stays on the page (an SPA router's, returning ${answer}): the redirect sign-in completes in that handleRedirectPromise call`, async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript((answer) => {
    window.internal = 0;
    window.beforeInit = (msal, pca) => pca.setNavigationClient({
      navigateInternal: async (url) => { window.internal++; history.replaceState(null, "", url); return answer; },
      navigateExternal: async (url) => { location.assign(url); return true; },
    });
  }, answer);
  await page.goto(env.harness("entra", "sessionStorage", 300, {}));
  await page.waitForSelector("body[data-ready='1']");
  const start = new URL(page.url());
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "spa-router");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForFunction(() => window.redirect !== undefined && window.redirect !== null);
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, user: window.redirect.result && window.redirect.result.account.username, internal: window.internal }));
  assert.deepEqual(r, { ok: true, user: "spa-router", internal: 1 });
  assert.equal(new URL(page.url()).search, start.search, "the router took the page back to where the sign-in started");
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 1);
  await ctx.close();
});

test("handleRedirectPromise as msal 5: events with the sign-in's correlation id, and every later call gets the first call's result", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.beforeInit = (msal, pca) => {
      window.trail = [];
      pca.addEventCallback((m) => window.trail.push([m.eventType, m.correlationId]));
    };
  });
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  // A load with nothing to handle: no events; a hash given by the app is no sign-in either.
  assert.deepEqual(await page.evaluate(async () => [await window.pca.handleRedirectPromise("#code=x&state=y"), window.trail.filter(([t]) => t.includes("Redirect"))]), [null, []]);
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"], correlationId: "redirect-cid" }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "memo");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(async () => {
    await new Promise((res) => setTimeout(res, 50));
    const again = await window.pca.handleRedirectPromise();
    return { user: window.redirect.result.account.username, same: again === window.redirect.result, trail: window.trail.filter(([t]) => !t.startsWith("msal:initialize")) };
  });
  // The page's own setActiveAccount call: a correlation id of its own.
  const [type, cid] = r.trail.pop();
  assert.equal(type, "msal:activeAccountChanged");
  assert.match(cid, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  assert.deepEqual(r, {
    user: "memo",
    same: true,
    trail: [
      ["msal:handleRedirectStart", "redirect-cid"],
      ["msal:acquireTokenSuccess", "redirect-cid"],
      ["msal:loginSuccess", "redirect-cid"],
      ["msal:handleRedirectEnd", "redirect-cid"],
    ],
  });
  await ctx.close();
});

// msal 5 reads navigateToLoginRequestUrl from handleRedirectPromise's options only; v4's
// auth.navigateToLoginRequestUrl is ignored (with a warning): here it says the opposite.
for (const navigate of [true, false]) {
  test(`handleRedirectPromise({ navigateToLoginRequestUrl: ${navigate} }): a redirect sign-in completes ${navigate ? "back on the page it started from" : "on the redirect page itself"}`, async () => {
    const extra = { redirectOptions: JSON.stringify({ navigateToLoginRequestUrl: navigate }), auth: JSON.stringify({ navigateToLoginRequestUrl: !navigate }) };
    const page = await env.open("entra", "sessionStorage", undefined, 300, extra);
    const start = new URL(page.url());
    assert.notEqual(start.search, "", "the start page is not the redirect page (its query differs)");
    await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
    await page.waitForSelector("#login");
    await page.fill("#login", `nav-${navigate}`);
    await page.click("#submit");
    await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code=") && (navigate ? u.search === start.search : true));
    await page.waitForSelector("body[data-ready='1']");
    assert.equal(await page.evaluate(() => window.redirect.ok && window.redirect.result && window.redirect.result.account.username), `nav-${navigate}`);
    assert.equal(new URL(page.url()).search, navigate ? start.search : "");
    await page.context().close();
  });
}

test("clearCache before initialize() works, as in msal: the client initializes first, then clears the persisted cache", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "cleo");
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(async () => {
    const { auth } = window.pca.getConfiguration();
    const config = { auth: { clientId: auth.clientId, authority: auth.authority, knownAuthorities: auth.knownAuthorities }, cache: { cacheLocation: "sessionStorage" } };
    const fresh = new window.msal.PublicClientApplication(config);
    const cleared = await fresh.clearCache().then(() => "ok", (e) => e.errorCode);
    const later = new window.msal.PublicClientApplication(config);
    await later.initialize();
    return { cleared, accounts: later.getAllAccounts().length };
  });
  assert.deepEqual(r, { cleared: "ok", accounts: 0 });
  await page.context().close();
});

test("a redirect whose way back to the start page fails leaves no request, response or lock behind, and rethrows the navigation's error as it is, as msal", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.beforeInit = (msal, pca) => {
      pca.setNavigationClient({
        // (A plain value, while a performance callback measures the redirect.)
        navigateInternal: async () => { throw "the router refused"; },
        navigateExternal: async (url) => { location.assign(url); return true; },
      });
      pca.addPerformanceCallback(() => {});
    };
  });
  await page.goto(env.harness("entra", "sessionStorage", 300, {}));
  await page.waitForSelector("body[data-ready='1']");
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "rita");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForFunction(() => window.redirect !== undefined && window.redirect !== null);
  const r = await page.evaluate(async () => ({
    ok: window.redirect.ok,
    thrown: window.redirectError,
    left: Object.keys(sessionStorage).filter((k) => /interaction|request\.params|urlHash/.test(k)),
  }));
  assert.deepEqual(r, { ok: false, thrown: "the router refused", left: [] });
  await ctx.close();
});

test("performance callbacks hear msal's root measurements: a popup, a silent call, both halves of a redirect; removed, they hear nothing", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.beforeInit = (msal, pca) => {
      const seen = JSON.parse(sessionStorage.getItem("perf.seen") || "[]");
      window.perfId = pca.addPerformanceCallback((events) => {
        for (const e of events) seen.push([e.name, e.success, typeof e.durationMs, typeof e.correlationId, e.authenticationScheme]);
        sessionStorage.setItem("perf.seen", JSON.stringify(seen));
      });
    };
  });
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  await popupSignIn(page, "#popup", "perla");
  await page.waitForFunction(() => window.last !== null);
  await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] }));
  await page.evaluate(() => { window.pca.acquireTokenRedirect({ scopes: ["User.Read"], prompt: "login" }); });
  await page.waitForSelector("#login");
  await page.fill("#login", "perla");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForFunction(() => window.redirect && window.redirect.ok && window.redirect.result);
  const seen = await page.evaluate(() => JSON.parse(sessionStorage.getItem("perf.seen")).filter(([name]) => name !== "initializeClientApplication"));
  // (msal 5.31 names the scheme of the calls that prepare a token request; the redirect's
  // second half reads its request back.)
  assert.deepEqual(seen, [
    ["acquireTokenPopup", true, "number", "string", "Bearer"],
    ["acquireTokenSilent", true, "number", "string", "Bearer"],
    ["acquireTokenPreRedirect", true, "number", "string", "Bearer"],
    ["acquireTokenRedirect", true, "number", "string", null],
  ]);
  const after = await page.evaluate(async () => {
    window.pca.removePerformanceCallback(window.perfId);
    sessionStorage.setItem("perf.seen", "[]");
    await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true });
    return JSON.parse(sessionStorage.getItem("perf.seen"));
  });
  assert.deepEqual(after, []);
  await ctx.close();
});

test("getAccount as msal 5: a filter of keys it does not match on finds the first account; one of empty values, or of a tested field with a value of another type, none", async () => {
  const page = await signedInPage("gina");
  const r = await page.evaluate(() => {
    const name = (a) => (a ? a.username : null);
    return [
      name(window.pca.getAccount({ accountId: "from-an-old-sample" })), name(window.pca.getAccount({ username: "", sid: null })), name(window.pca.getAccount({})),
      // A field msal tests, with a value of another type: msal matches nothing.
      name(window.pca.getAccount({ homeAccountId: 123 })), window.pca.getAllAccounts({ isHomeTenant: "true" }).length, window.pca.getAllAccounts({ isHomeTenant: true }).length,
    ];
  });
  assert.deepEqual(r, ["gina", null, null, null, 0, 1]);
  await page.context().close();
});

test("msal's BrowserPerformanceClient as telemetry.client: each call's event carries msal's root fields, and a silent call that joins one in flight (a cache hit's too) is measured as deduped", async () => {
  const page = await signedInPage("fiona");
  const r = await page.evaluate(async () => {
    const config = window.pca.getConfiguration();
    const cfg = { auth: config.auth, cache: config.cache, telemetry: { application: { appName: "contoso", appVersion: "1.2" } } };
    const client = new window.msal.BrowserPerformanceClient(cfg);
    const pca = new window.msal.PublicClientApplication({ ...cfg, telemetry: { ...cfg.telemetry, client } });
    await pca.initialize();
    const events = [];
    const id = pca.addPerformanceCallback((es) => events.push(...es));
    const account = pca.getAllAccounts()[0];
    const hit = await pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    // (Two identical cache hits at once, with no event callback: the second joins the first.)
    const [c, d] = await Promise.all([0, 1].map(() => pca.acquireTokenSilent({ scopes: ["User.Read"], account })));
    const [a, b] = await Promise.all([0, 1].map(() => pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true })));
    const silent = events.filter((e) => e.name === "acquireTokenSilent");
    const pick = (e) => ({
      success: e.success, status: e.status, fromCache: e.fromCache, deduped: e.deduped, cacheLookupPolicy: e.cacheLookupPolicy,
      sizes: e.accessTokenSize > 0 && e.idTokenSize > 0, accountType: e.accountType, clientId: e.clientId === config.auth.clientId,
      authority: e.authority === config.auth.authority, app: `${e.appName}@${e.appVersion}`, library: e.libraryName,
      guid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.eventId), visibility: e.startPageVisibility,
      duration: typeof e.durationMs,
    });
    return {
      id: typeof id,
      events: silent.map(pick),
      correlationIds: silent.map((e) => e.correlationId).join() === [hit, c, d, a, b].map((x) => x.correlationId).join() || silent.map((e) => e.correlationId),
      removed: pca.removePerformanceCallback(id),
    };
  });
  const common = { success: true, status: 2, cacheLookupPolicy: undefined, sizes: true, accountType: "AAD", clientId: true, authority: true, app: "contoso@1.2", library: "msal-wasm", guid: true, visibility: "visible", duration: "number" };
  assert.deepEqual(r, {
    id: "string",
    events: [
      { ...common, fromCache: true, deduped: false },
      { ...common, fromCache: true, deduped: false },
      { ...common, fromCache: true, deduped: true },
      // The call that went to the network ends first, then the one that joined it (msal's
      // joined call ends first: the order of the two events is not msal's).
      { ...common, fromCache: false, deduped: false },
      { ...common, fromCache: false, deduped: true },
    ],
    correlationIds: true,
    removed: true,
  });
  // telemetry.application goes to the provider as msal sends it (x-app-name, x-app-ver).
  const refreshed = (await env.idp.counters()).log.filter((e) => e.route === "token").at(-1);
  assert.deepEqual([refreshed.grant_type, refreshed.app], ["refresh_token", "contoso@1.2"]);
  await page.context().close();
});

test("the app's telemetry.client measures instead (as msal): it hears each call's start and end and holds the performance callbacks", async () => {
  const page = await signedInPage("telma");
  const r = await page.evaluate(async () => {
    const log = [];
    const client = {
      startMeasurement: (name, correlationId) => {
        log.push(["start", name, typeof correlationId]);
        return { end: (event, error) => { log.push(["end", name, event.success, error ? error.errorCode : null, !!error]); return null; }, discard() {}, add() {}, increment() {}, event: {} };
      },
      addPerformanceCallback: () => "app-client-id",
      removePerformanceCallback: (id) => id === "app-client-id",
    };
    const config = window.pca.getConfiguration();
    const pca = new window.msal.PublicClientApplication({ auth: config.auth, cache: config.cache, telemetry: { client } });
    await pca.initialize();
    const id = pca.addPerformanceCallback(() => {});
    const account = pca.getAllAccounts()[0];
    await pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
    Object.assign(window, { tpca: pca, tlog: log });
    return { id, removed: pca.removePerformanceCallback(id) };
  });
  // The token endpoint unreachable: the next renewal fails.
  await page.route((url) => url.pathname.endsWith("/oauth2/v2.0/token"), (route) => route.abort("connectionreset"));
  r.failed = await page.evaluate(() => window.tpca.acquireTokenSilent({ scopes: ["User.Read"], account: window.tpca.getAllAccounts()[0], forceRefresh: true }).then(() => "ok", (e) => e.errorCode));
  r.log = await page.evaluate(() => window.tlog.filter(([, name]) => name === "acquireTokenSilent"));
  assert.deepEqual(r, {
    id: "app-client-id",
    removed: true,
    failed: "post_request_failed",
    log: [
      ["start", "acquireTokenSilent", "string"],
      ["end", "acquireTokenSilent", true, null, false],
      ["start", "acquireTokenSilent", "string"],
      ["end", "acquireTokenSilent", false, "post_request_failed", true],
    ],
  });
  await page.context().close();
});

test("calls refused before their work are measured as msal's preflight ends them, with the request's account type; no_account_error is not", async () => {
  const page = await signedInPage("perry");
  const r = await page.evaluate(async () => {
    const perf = [];
    const watch = (pca) => pca.addPerformanceCallback((events) => events.forEach((e) => perf.push([e.name, e.success, e.errorCode, e.accountType, e.correlationId])));
    const code = (p) => p.then(() => "ok", (e) => e.errorCode);
    const account = window.pca.getAllAccounts()[0];
    const id = watch(window.pca);
    // The same callback registered again (an effect run twice) keeps its id: one event each.
    const again = watch(window.pca);
    const policy = await code(window.pca.acquireTokenSilent({ scopes: ["api://other/.default"], account, cacheLookupPolicy: window.msal.CacheLookupPolicy.AccessToken, correlationId: "c-policy" }));
    // A call identical to one in flight joins it: both fail, each measured with the account.
    const joined = await Promise.all(["c-first", "c-joined"].map((correlationId) => code(window.pca.acquireTokenSilent({ scopes: ["api://nowhere/x"], account, correlationId }))));
    window.pca.setActiveAccount(null);
    const noAccount = await code(window.pca.acquireTokenSilent({ scopes: ["User.Read"], correlationId: "c-none" }));
    const fresh = new window.msal.PublicClientApplication({ auth: { clientId: "perf-app" } });
    watch(fresh);
    const early = await Promise.all([
      code(fresh.acquireTokenSilent({ scopes: ["User.Read"], account, correlationId: "c-early" })),
      code(fresh.ssoSilent({ scopes: ["User.Read"], correlationId: "c-sso" })),
    ]);
    return { same: id === again, policy, joined, noAccount, early, perf };
  });
  assert.equal(r.same, true);
  assert.deepEqual([r.policy, r.joined, r.noAccount, r.early], ["token_refresh_required", ["invalid_scope", "invalid_scope"], "no_account_error", ["uninitialized_public_client_application", "uninitialized_public_client_application"]]);
  assert.deepEqual(r.perf, [
    ["acquireTokenSilent", false, "token_refresh_required", "AAD", "c-policy"],
    ["acquireTokenSilent", false, "invalid_scope", "AAD", "c-first"],
    ["acquireTokenSilent", false, "invalid_scope", "AAD", "c-joined"],
    ["acquireTokenSilent", false, "uninitialized_public_client_application", "AAD", "c-early"],
    ["ssoSilent", false, "uninitialized_public_client_application", undefined, "c-sso"],
  ]);
  await page.context().close();
});

test("createNestablePublicClientApplication in a nested-app-auth host (a Teams tab): the standard client, from the app's factory with the correlation id, and a warning that says so", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => { window.nestedAppAuthBridge = { addEventListener() {}, postMessage() {} }; });
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(async () => {
    const warnings = [];
    const starts = [];
    let made = 0;
    const config = { auth: { clientId: "nestable-app" }, system: { loggerOptions: { logLevel: window.msal.LogLevel.Warning, loggerCallback: (level, message) => warnings.push(message) } } };
    const pca = await window.msal.createNestablePublicClientApplication(config, "nest-cid", undefined, (c) => {
      made += 1;
      const p = new window.msal.PublicClientApplication(c);
      p.addEventCallback((e) => { if (e.eventType === window.msal.EventType.INITIALIZE_START) starts.push(e.correlationId); });
      return p;
    });
    return { made, starts, accounts: pca.getAllAccounts().length, warned: warnings.some((m) => m.includes("no nested app authentication")) };
  });
  assert.deepEqual(r, { made: 1, starts: ["nest-cid"], accounts: 0, warned: true });
  // A host that sets its bridge up lazily (msal awaits window.__initializeNestedAppAuth first).
  const lazy = await page.evaluate(async () => {
    delete window.nestedAppAuthBridge;
    window.__initializeNestedAppAuth = async () => {};
    const warnings = [];
    const config = { auth: { clientId: "nestable-lazy" }, system: { loggerOptions: { logLevel: window.msal.LogLevel.Warning, loggerCallback: (level, message) => warnings.push(message) } } };
    await window.msal.createNestablePublicClientApplication(config);
    return warnings.some((m) => m.includes("no nested app authentication"));
  });
  assert.equal(lazy, true);
  await ctx.close();
});

test("clients the app drops are collected, and their page listeners go with them (the wasm keeps no reference to a client)", async () => {
  const page = await env.open("entra");
  const cdp = await page.context().newCDPSession(page);
  const listeners = async () => {
    const { result } = await cdp.send("Runtime.evaluate", { expression: "window" });
    const { listeners: all } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    return all.filter((l) => ["storage", "visibilitychange", "pageshow", "online"].includes(l.type)).length;
  };
  const before = await listeners();
  await page.evaluate(async () => {
    window.collected = 0;
    window.registry = new FinalizationRegistry(() => { window.collected += 1; });
    for (let i = 0; i < 10; i++) {
      // Half with a localStorage cache (a cross-tab channel, which keeps its callbacks as msal's:
      // one that holds the client would keep it) and a callback.
      const local = i % 2 === 1;
      const pca = new window.msal.PublicClientApplication({ auth: { clientId: `dropped-${i}` }, cache: { cacheLocation: local ? "localStorage" : "sessionStorage" } });
      await pca.initialize();
      if (local) pca.addEventCallback((e) => { window.heard = e.eventType; });
      window.registry.register(pca, i);
    }
  });
  assert.ok((await listeners()) > before, "the clients listened to the page");
  await waitFor("the dropped clients to be collected", async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    return (await page.evaluate(() => window.collected)) === 10;
  }, { timeout: 15000, interval: 250 });
  await waitFor("their page listeners to go", async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    return (await listeners()) === before;
  }, { timeout: 15000, interval: 250 });
  await page.context().close();
});

test("a redirect sign-in whose page comes back without a response is measured as msal's: a failed acquireTokenRedirect with no_server_response", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.beforeInit = (msal, pca) => {
      window.perf = [];
      pca.addPerformanceCallback((events) => events.forEach((e) => window.perf.push([e.name, e.success, e.errorCode])));
    };
  });
  const start = env.harness("entra", "sessionStorage");
  await page.goto(start);
  await page.waitForSelector("body[data-ready='1']");
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  // The user goes to the app's address again instead of signing in.
  await page.goto(start);
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ redirect: window.redirect, perf: window.perf.filter(([n]) => n.includes("Redirect")), inProgress: Object.keys(sessionStorage).filter((k) => k.includes("interaction")).length }));
  assert.deepEqual(r, { redirect: { ok: true, result: null }, perf: [["acquireTokenRedirect", false, "no_server_response"]], inProgress: 0 });
  await ctx.close();
});

test("a redirect that fails before the page leaves ends its interaction, with its error code in the performance measurement (an onRedirectNavigate that throws, a navigation that fails)", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const perf = [];
    window.pca.addPerformanceCallback((events) => events.forEach((e) => perf.push([e.name, e.success, e.errorCode])));
    const code = (p) => p.then(() => "ok", (e) => e.errorCode || e.message);
    const threw = await code(window.pca.acquireTokenRedirect({ scopes: ["User.Read"], onRedirectNavigate: () => { throw new Error("the app's callback"); } }));
    const lockAfterThrow = Object.keys(sessionStorage).filter((k) => k.includes("interaction")).length;
    window.pca.setNavigationClient({ navigateInternal: async () => true, navigateExternal: async () => { throw new window.msal.BrowserAuthError("no_network_connectivity", "offline"); } });
    const failed = await code(window.pca.acquireTokenRedirect({ scopes: ["User.Read"] }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { threw, lockAfterThrow, failed, perf: perf.filter(([n]) => n.includes("Redirect")) };
  });
  assert.deepEqual(r, {
    threw: "the app's callback",
    lockAfterThrow: 0,
    failed: "no_network_connectivity",
    perf: [
      ["acquireTokenPreRedirect", false, undefined],
      ["acquireTokenPreRedirect", true, undefined],
      ["acquireTokenRedirect", false, "no_network_connectivity"],
    ],
  });
  await page.context().close();
});

test("an account's data boundary comes from Entra's client_info (xms_tdbr), as msal 5: on the account, in the stored entry and on the performance event", async () => {
  const read = (page) => page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const events = [];
    const id = window.pca.addPerformanceCallback((es) => events.push(...es));
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
    window.pca.removePerformanceCallback(id);
    const stored = Object.keys(sessionStorage).filter((k) => k.startsWith("msal.3|") && k.split("|").length === 4).map((k) => JSON.parse(sessionStorage.getItem(k)).dataBoundary);
    // getAllAccounts' copies keep every field of the account and of its tenant profiles.
    const same = JSON.stringify([...account.tenantProfiles.values()]) === JSON.stringify([...r.account.tenantProfiles.values()]) && account.dataBoundary === r.account.dataBoundary;
    return { account: account.dataBoundary, stored, event: events.find((e) => e.name === "acquireTokenSilent")?.dataBoundary, same };
  });
  const eu = await signedInPage("eu-erik");
  assert.deepEqual(await read(eu), { account: "EU", stored: ["EU"], event: "EU", same: true });
  await eu.context().close();
  // Entra says nothing for other tenants: msal sets none.
  const other = await signedInPage("erik");
  assert.deepEqual(await read(other), { account: undefined, stored: [undefined], event: undefined, same: true });
  await other.context().close();
});

test("an event callback that throws is logged and swallowed: the call resolves, and the callbacks after it still hear every event (msal rejects the call)", async () => {
  const page = await signedInPage("theo");
  const r = await page.evaluate(async () => {
    window.logs.length = 0;
    const heard = [];
    const bad = window.pca.addEventCallback(() => { throw new Error("the app's bug"); });
    const good = window.pca.addEventCallback((m) => heard.push(m.eventType));
    const account = window.pca.getAllAccounts()[0];
    const token = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then((x) => typeof x.accessToken, (e) => e.errorCode);
    window.pca.removeEventCallback(bad);
    window.pca.removeEventCallback(good);
    return { token, heard, logged: window.logs.filter(([level, m]) => level === 0 && m.includes("event callback threw: Error: the app's bug")).length };
  });
  assert.equal(r.token, "string");
  assert.deepEqual(r.heard, ["msal:acquireTokenStart", "msal:acquireTokenFromNetworkStart", "msal:acquireTokenSuccess"]);
  assert.equal(r.logged, 3, "one error line per event");
  // A popup call frees the interaction lock before its last event (msal frees it after, and
  // refuses the callback's call with interaction_in_progress): a callback's next interaction
  // starts (here its popup is blocked too).
  const next = await page.evaluate(async () => {
    const open = window.open;
    window.open = () => null;
    let inner;
    const id = window.pca.addEventCallback((m) => {
      if (m.eventType === "msal:acquireTokenFailure" && !inner) inner = window.pca.acquireTokenPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode);
    });
    const outer = await window.pca.acquireTokenPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode);
    const both = [outer, await inner];
    window.pca.removeEventCallback(id);
    window.open = open;
    return both;
  });
  assert.deepEqual(next, ["popup_window_error", "popup_window_error"]);
  await page.context().close();
});
