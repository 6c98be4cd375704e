// The core e2e matrix: the flows an SPA lives on, written once and run in every engine
// (E2E_ENGINE=chromium|firefox|webkit, see ../helpers.mjs). The scenarios use only the part of
// playwright's Page that engines/webdriver.mjs also gives over WebDriver classic (WebKitGTK):
// goto, evaluate, click, fill, waitForSelector/Function/URL, waitForEvent("popup"/"close"),
// close, context().newPage/close. So, in every engine:
// - Interactive calls start from a click (a user gesture), as in an app: no engine may block
//   the popup, and none needs its popup blocker turned off.
// - Time is real: tokens expire because the provider issued them short-lived (accessTokenTtl),
//   never through a test clock (WebDriver has none).
// - Tabs that must work at the same moment are started one after the other and then awaited
//   (WebDriver runs one command at a time); the work itself overlaps in the browser.
// - Timings are measured in the page (performance.now()), not across the driver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "../env.mjs";
import { ENGINE, popupSignIn, silent, waitFor } from "../helpers.mjs";

const env = useEnv({ crossSite: true });

// Sets up `#run` on the page (created if missing) so that a click on it calls `body` (the source
// of a function of `pca`); the call's outcome lands in window.clicked.
async function onClick(page, body) {
  await page.evaluate((src) => {
    let b = document.getElementById("run");
    if (!b) {
      b = document.createElement("button");
      b.id = "run";
      b.textContent = "run";
      document.body.prepend(b);
    }
    window.clicked = null;
    const fn = (0, eval)(`(${src})`);
    b.onclick = () => {
      Promise.resolve().then(() => fn(window.pca)).then(
        (r) => (window.clicked = { ok: true, user: r && r.account ? r.account.username : null }),
        (e) => (window.clicked = { ok: false, code: e.errorCode || String(e), name: e.name }),
      );
    };
  }, body.toString());
}

async function openPage(ctx, { cache = "sessionStorage", offset = 300, origin } = {}) {
  const page = await ctx.newPage();
  await page.goto(env.harness("entra", cache, offset, {}, origin));
  await page.waitForSelector("body[data-ready='1']");
  return page;
}

async function signIn(page, login) {
  await popupSignIn(page, "#popup", login);
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => (window.last.ok ? "ok" : window.last.code));
  assert.equal(last, "ok", `popup sign-in as ${login}`);
}

// Access tokens issued while `fn` runs live `seconds` (the provider's setting, reset after).
async function withTokenLifetime(seconds, fn) {
  await env.idp.setConfig({ accessTokenTtl: seconds });
  try {
    return await fn();
  } finally {
    await env.idp.setConfig({ accessTokenTtl: 3600 });
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("popup sign-in, then a silent call served from the cache with 0 token requests", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await signIn(page, "alice");
  const r = await page.evaluate(() => ({ user: window.last.result.account.username, fromCache: window.last.result.fromCache, at: window.last.result.accessToken }));
  assert.deepEqual({ user: r.user, fromCache: r.fromCache }, { user: "alice", fromCache: false });
  await env.idp.reset();
  const hit = await silent(page);
  assert.deepEqual({ ok: hit.ok, fromCache: hit.fromCache, same: hit.at === r.at }, { ok: true, fromCache: true, same: true });
  assert.equal((await env.idp.counters()).token, 0, "a cache hit makes no token request");
  await ctx.close();
});

test("redirect sign-in: handleRedirectPromise redeems the response and cleans the URL", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await onClick(page, (pca) => pca.loginRedirect({ scopes: ["User.Read"] }));
  await page.click("#run");
  await page.waitForSelector("#login");
  await page.fill("#login", "dave");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(() => ({ ok: window.redirect.ok, code: window.redirect.code || null, user: window.redirect.result && window.redirect.result.account.username, href: location.href, accounts: window.pca.getAllAccounts().length }));
  assert.deepEqual({ ok: r.ok, code: r.code, user: r.user, accounts: r.accounts }, { ok: true, code: null, user: "dave", accounts: 1 });
  assert.ok(!/code=|state=/.test(r.href), `the URL still carries the response: ${r.href}`);
  await ctx.close();
});

test("an expired access token is renewed with the refresh token (1 request)", async () => {
  const ctx = await env.browser.newContext();
  // Offset 0: a token counts as expired only once it really has.
  const page = await openPage(ctx, { offset: 0 });
  await withTokenLifetime(2, async () => {
    await signIn(page, "gina");
    const first = await page.evaluate(() => window.last.result.accessToken);
    await sleep(2300);
    await env.idp.reset();
    const renewed = await silent(page);
    assert.deepEqual({ ok: renewed.ok, fromCache: renewed.fromCache, changed: renewed.at !== first }, { ok: true, fromCache: false, changed: true });
    const c = await env.idp.counters();
    assert.deepEqual({ token: c.token, rt: c.byGrant.refresh_token }, { token: 1, rt: 1 });
  });
  await ctx.close();
});

test("20 concurrent silent calls on an expired token: 1 token request, all get the same token", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx, { offset: 0 });
  await withTokenLifetime(2, async () => {
    await signIn(page, "iris");
    await sleep(2300);
    await env.idp.reset();
    const results = await page.evaluate(async () => {
      const account = window.pca.getAllAccounts()[0];
      const calls = Array.from({ length: 20 }, () => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then((r) => r.accessToken, (e) => "ERR " + e.errorCode));
      return Promise.all(calls);
    });
    assert.equal(results.filter((r) => !r.startsWith("ERR")).length, 20, results.join(","));
    assert.equal(new Set(results).size, 1, "all 20 callers get the same token");
    assert.equal((await env.idp.counters()).token, 1);
  });
  await ctx.close();
});

test("ssoSilent: a hidden iframe signs in with the provider's session (same site)", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await signIn(page, "jack");
  await page.evaluate(() => window.pca.clearCache());
  const r = await page.evaluate(async () => {
    const res = await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "jack", redirectUri: location.origin + "/redirect.html" });
    return { user: res.account.username, iframes: document.querySelectorAll("iframe").length, accounts: window.pca.getAllAccounts().length };
  });
  assert.deepEqual(r, { user: "jack", iframes: 0, accounts: 1 });
  await ctx.close();
});

// The provider's iframe on a page of another site is a third-party frame: its session cookie
// is not sent (the provider's cookies are SameSite=Lax here; with SameSite=None, Firefox's
// Total Cookie Protection partitions it and WebKit blocks it). The answer must be a prompt
// InteractionRequiredAuthError, never the 10 s iframe timeout.
test("ssoSilent from another site: the provider's cookie is not sent; login_required, fast", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx, { origin: env.crossSiteOrigin });
  await signIn(page, "kim");
  await page.evaluate(() => window.pca.clearCache());
  const attempt = () => page.evaluate(async () => {
    const t0 = performance.now();
    try {
      await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "kim", redirectUri: location.origin + "/redirect.html" });
      return { ok: true };
    } catch (e) {
      return { ok: false, code: e.errorCode, ir: e instanceof window.msal.InteractionRequiredAuthError, ms: performance.now() - t0 };
    }
  });
  const r = await attempt();
  assert.deepEqual({ ok: r.ok, code: r.code, ir: r.ir }, { ok: false, code: "login_required", ir: true });
  assert.ok(r.ms < 3000, `took ${r.ms} ms`);
  await ctx.close();
});

test("a silent iframe that gets no answer (third-party cookies blocked) fails with interaction_required, fast", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await signIn(page, "vic");
  await env.idp.setConfig({ silentNoResponse: true });
  try {
    const r = await page.evaluate(async () => {
      const t0 = performance.now();
      try {
        await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "vic", redirectUri: location.origin + "/redirect.html" });
        return { ok: true };
      } catch (e) {
        return { ok: false, code: e.errorCode, sub: e.subError, ms: performance.now() - t0 };
      }
    });
    assert.deepEqual({ ok: r.ok, code: r.code, sub: r.sub }, { ok: false, code: "interaction_required", sub: "iframe_no_response" });
    assert.ok(r.ms < 5000, `took ${r.ms} ms (the iframe timeout is 10 s)`);
  } finally {
    await env.idp.setConfig({ silentNoResponse: false });
  }
  await ctx.close();
});

test("logoutPopup signs out in a popup and clears the account", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await signIn(page, "nora");
  await env.idp.reset();
  await onClick(page, (pca) => pca.logoutPopup({ account: pca.getAllAccounts()[0] }));
  await page.click("#run");
  await page.waitForFunction(() => window.clicked !== null, undefined, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.clicked), { ok: true, user: null });
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  assert.ok((await page.evaluate(() => window.events)).includes("msal:logoutSuccess"));
  assert.equal((await env.idp.counters()).endSession, 1, "the popup went through the provider's end-session endpoint");
  await ctx.close();
});

test("logoutRedirect goes through the provider's end-session endpoint and returns signed out", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  await signIn(page, "frank");
  await env.idp.reset();
  await onClick(page, (pca) => { window.beforeLogout = true; return pca.logoutRedirect({ account: pca.getAllAccounts()[0] }); });
  await page.click("#run");
  await waitFor("the provider's end-session request", async () => (await env.idp.counters()).endSession === 1);
  await page.waitForFunction(() => window.beforeLogout === undefined && document.body.dataset.ready === "1");
  assert.equal(new URL(await page.url()).origin, env.web.origin);
  assert.deepEqual(await page.evaluate(() => [window.redirect.ok, window.pca.getAllAccounts().length]), [true, 0]);
  await ctx.close();
});

test("a popup closed by the user fails with user_cancelled in under a second", async () => {
  const ctx = await env.browser.newContext();
  const page = await openPage(ctx);
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  // As a user would: some time on the provider's page (the page saw the popup there, so its
  // closing is the user's, not COOP's).
  await new Promise((r) => setTimeout(r, 1200));
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    window.lastPopup.close();
    await new Promise((resolve) => { const poll = setInterval(() => { if (window.last) { clearInterval(poll); resolve(); } }, 1); });
    return { code: window.last.code, ms: window.last.at - t0 };
  });
  assert.equal(r.code, "user_cancelled");
  assert.ok(r.ms < 1000, `took ${r.ms} ms`);
  // The lock is free: the next sign-in works.
  await signIn(page, "una");
  await ctx.close();
});

// A later page of the sign-in (a federated provider's, a verification step) may send
// Cross-Origin-Opener-Policy: the popup then reads closed while the user is still in it. The
// focus tells the two apart: a browser gives it back to this window when the user closes the
// popup, and leaves it in the popup otherwise (every page of a headless browser reads as
// focused, so the page's hasFocus is set as a desktop browser would report it: window.focused).
// With the provider's COOP step on, opens a sign-in popup from a click, stays on the provider's
// first page for a while, goes on to its COOP page and waits until this page reads the popup
// closed; the sign-in must still be waiting. Returns the page and the popup.
async function cutOffMidSignIn(ctx) {
  const page = await openPage(ctx);
  await page.evaluate(() => { window.focused = false; document.hasFocus = () => window.focused; });
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  await new Promise((r) => setTimeout(r, 1200));
  await popup.fill("#login", "vera");
  await popup.click("#submit");
  await popup.waitForSelector("#continue");
  await waitFor("the popup to read closed (cut off)", () => page.evaluate(() => window.lastPopup.closed));
  // Longer than a closed popup's cancellation takes.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await page.evaluate(() => window.last), null, "cut off, not cancelled");
  return { page, popup };
}

test("a popup cut off by COOP on a later page of the sign-in is waited for, not cancelled: the sign-in completes through the bridge", async () => {
  await env.idp.setConfig({ coopStep: true });
  try {
    const ctx = await env.browser.newContext();
    const { page, popup } = await cutOffMidSignIn(ctx);
    await Promise.all([popup.waitForEvent("close", { timeout: 15000 }).catch(() => {}), popup.click("#continue", { noWaitAfter: true }).catch(() => {})]);
    await page.waitForFunction(() => window.last !== null, null, { timeout: 15000 });
    assert.deepEqual(await page.evaluate(() => (window.last.ok ? window.last.result.account.username : window.last.code)), "vera");
    await ctx.close();
  } finally {
    await env.idp.setConfig({ coopStep: false });
  }
});

test("a popup cut off in the middle of the sign-in, then closed by the user, ends with user_cancelled when the focus is back in the app (not at popupBridgeTimeout)", async () => {
  await env.idp.setConfig({ coopStep: true });
  try {
    const ctx = await env.browser.newContext();
    const { page, popup } = await cutOffMidSignIn(ctx);
    // The user closes it; the focus comes back to the app (Firefox and WebKit give it back
    // themselves, a headless Chromium does not: the page hears it here either way).
    const closedAt = await page.evaluate(() => performance.now());
    await popup.close();
    const r = await page.evaluate(async () => {
      window.focused = true;
      window.dispatchEvent(new Event("focus"));
      await new Promise((resolve) => { const poll = setInterval(() => { if (window.last) { clearInterval(poll); resolve(); } }, 5); });
      return { code: window.last.code, at: window.last.at };
    });
    assert.equal(r.code, "user_cancelled");
    assert.ok(r.at - closedAt < 2500, `took ${r.at - closedAt} ms`);
    // The lock is free: the next sign-in works.
    await env.idp.setConfig({ coopStep: false });
    await signIn(page, "una");
    await ctx.close();
  } finally {
    await env.idp.setConfig({ coopStep: false });
  }
});

test("3 tabs renew the same expired token: 1 token request, all 3 get it", async (t) => {
  const ctx = await env.browser.newContext();
  const a = await openPage(ctx, { cache: "localStorage", offset: 0 });
  await withTokenLifetime(3, async () => {
    await signIn(a, "tina");
    const b = await openPage(ctx, { cache: "localStorage", offset: 0 });
    const c = await openPage(ctx, { cache: "localStorage", offset: 0 });
    for (const p of [b, c]) assert.equal(await p.evaluate(() => window.pca.getAllAccounts().length), 1, "tabs share the localStorage cache");
    await waitFor("the token to expire", () => a.evaluate(() => window.last.result.expiresOn.getTime() < Date.now()), { timeout: 6000 });
    await env.idp.reset();
    for (const p of [a, b, c]) {
      await p.evaluate(() => {
        window.renewed = null;
        const account = window.pca.getAllAccounts()[0];
        window.pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then((r) => (window.renewed = { ok: true, at: r.accessToken }), (e) => (window.renewed = { ok: false, code: e.errorCode }));
      });
    }
    const results = [];
    for (const p of [a, b, c]) {
      try {
        await p.waitForFunction(() => window.renewed !== null, undefined, { timeout: 15000 });
      } catch (e) {
        const logs = await Promise.all([a, b, c].map((q) => q.evaluate(() => [document.visibilityState, window.renewed, window.logs.slice(-8).map(([, m]) => m.replace(/^.*: msal-wasm@[^:]*: /, ""))])));
        throw new Error(`${e.message}; the tabs: ${JSON.stringify(logs)}`);
      }
      results.push(await p.evaluate(() => window.renewed));
    }
    assert.deepEqual(results.map((r) => r.ok), [true, true, true], JSON.stringify(results));
    assert.equal(new Set(results.map((r) => r.at)).size, 1, "all three tabs got the same token");
    const n = (await env.idp.counters()).token;
    t.diagnostic(`3-tab renewal in ${ENGINE}: ${n} token request(s)`);
    assert.equal(n, 1, "exactly one token request across the three tabs");
  });
  await ctx.close();
});

test("sign-out in one tab is seen in another (localStorage), with the event", async () => {
  const ctx = await env.browser.newContext();
  const a = await openPage(ctx, { cache: "localStorage" });
  await signIn(a, "abe");
  const b = await openPage(ctx, { cache: "localStorage" });
  assert.equal(await b.evaluate(() => window.pca.getAllAccounts().length), 1);
  await b.evaluate(() => { window.events.length = 0; });
  await onClick(a, (pca) => pca.logoutPopup({ account: pca.getAllAccounts()[0] }));
  await a.click("#run");
  await a.waitForFunction(() => window.clicked !== null, undefined, { timeout: 15000 });
  await b.waitForFunction(() => window.pca.getAllAccounts().length === 0 && window.events.includes("msal:accountRemoved"));
  const r = await silent(b);
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: "no_account_error" });
  await ctx.close();
});
