// End-to-end: requests that name their own authority (a guest tenant of the signed-in user, a
// B2C user flow) and msal v5's accounts per tenant profile, against the provider's guest tenant
// and B2C-style policies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { B2C_TENANT_ID, GUEST_TENANT_ID, TENANT_ID } from "../idp/server.mjs";
import { useEnv } from "./env.mjs";
import { popupSignIn, waitFor } from "./helpers.mjs";

const env = useEnv();

// Clicks the page's popup button with `request` merged into its popup request; resolves to the
// call's outcome.
async function popupWith(page, request) {
  await page.evaluate((r) => {
    window.last = null;
    window.popupRequest = Object.assign({}, window.popupRequest, r);
  }, request);
  await page.click("#popup");
  await page.waitForFunction(() => window.last !== null, null, { timeout: 15000 });
  return page.evaluate(() => {
    const l = window.last;
    if (!l.ok) return { ok: false, code: l.code };
    const r = l.result;
    return { ok: true, tenantId: r.tenantId, authority: r.authority, accountTenant: r.account.tenantId, home: r.account.homeAccountId, local: r.account.localAccountId, tid: r.idTokenClaims.tid, tfp: r.idTokenClaims.tfp };
  });
}

const accounts = (page) =>
  page.evaluate(() => window.pca.getAllAccounts().map((a) => ({ home: a.homeAccountId, tenant: a.tenantId, local: a.localAccountId, tid: a.idTokenClaims && a.idTokenClaims.tid })));

const routes = async () => (await env.idp.counters()).log.filter((e) => e.route === "authorize" || e.route === "token").map((e) => `${e.route} ${e.prefix}${e.grant_type ? ` ${e.grant_type}` : ""}`);

test("a guest tenant: a popup with its authority signs in there (SSO), then each tenant profile is an account with its own tokens", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "gina");
  await page.waitForFunction(() => window.last !== null);
  await env.idp.reset();

  // The provider session works in the guest tenant, as Entra's: the popup completes by itself.
  const guest = await popupWith(page, { authority: env.idp.guestAuthority });
  assert.equal(guest.ok, true, JSON.stringify(guest));
  assert.deepEqual(
    [guest.tenantId, guest.authority, guest.accountTenant, guest.tid],
    [GUEST_TENANT_ID, `${env.idp.guestAuthority}/`, GUEST_TENANT_ID, GUEST_TENANT_ID],
  );
  assert.deepEqual(await routes(), [`authorize /${GUEST_TENANT_ID}`, `token /${GUEST_TENANT_ID} authorization_code`]);

  // getAllAccounts: one AccountInfo per tenant profile of the one account.
  const all = await accounts(page);
  assert.equal(all.length, 2, JSON.stringify(all));
  assert.deepEqual(all.map((a) => [a.tenant, a.tid]), [[TENANT_ID, TENANT_ID], [GUEST_TENANT_ID, GUEST_TENANT_ID]]);
  assert.equal(all[0].home, all[1].home);
  assert.equal(all[1].home, guest.home);
  assert.notEqual(all[0].local, all[1].local, "a guest has its own object id");
  const profiles = await page.evaluate(() => Array.from(window.pca.getAllAccounts()[0].tenantProfiles.values(), (p) => [p.tenantId, p.username, p.isHomeTenant]));
  assert.deepEqual(profiles, [[TENANT_ID, "gina", true], [GUEST_TENANT_ID, "gina", false]]);
  const filtered = await page.evaluate((t) => window.pca.getAllAccounts({ tenantId: t }).map((a) => a.tenantId), GUEST_TENANT_ID);
  assert.deepEqual(filtered, [GUEST_TENANT_ID]);

  // Silent calls: each tenant profile's AccountInfo gets its tenant's token from the cache.
  await env.idp.reset();
  const silent = await page.evaluate(async () => {
    const [home, guestAccount] = window.pca.getAllAccounts();
    const g = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: guestAccount });
    const h = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: home });
    return { g: [g.tenantId, g.fromCache], h: [h.tenantId, h.fromCache], differ: g.accessToken !== h.accessToken };
  });
  assert.deepEqual(silent, { g: [GUEST_TENANT_ID, true], h: [TENANT_ID, true], differ: true });
  assert.equal((await env.idp.counters()).token, 0);

  // Renewing the guest token happens in the guest tenant, with the (multi-tenant) refresh token.
  const renewed = await page.evaluate(async () => {
    const guestAccount = window.pca.getAllAccounts()[1];
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: guestAccount, forceRefresh: true });
    return [r.tenantId, r.fromCache];
  });
  assert.deepEqual(renewed, [GUEST_TENANT_ID, false]);
  assert.deepEqual(await routes(), [`token /${GUEST_TENANT_ID} refresh_token`]);

  // Two calls without an account, the active profile switched between them: not one request
  // (msal's key has the account's tenant), each gets its tenant's token.
  const switched = await page.evaluate(async () => {
    const [home, guestAccount] = window.pca.getAllAccounts();
    window.pca.setActiveAccount(home);
    const a = window.pca.acquireTokenSilent({ scopes: ["User.Read"], forceRefresh: true });
    window.pca.setActiveAccount(guestAccount);
    const b = window.pca.acquireTokenSilent({ scopes: ["User.Read"], forceRefresh: true });
    return (await Promise.all([a, b])).map((r) => r.tenantId);
  });
  assert.deepEqual(switched, [TENANT_ID, GUEST_TENANT_ID]);

  // A popup for the guest profile without an authority (msal-react's fallback once the silent
  // call for it needs the user) signs in in the guest tenant, where that silent call looks.
  await env.idp.reset();
  await page.evaluate(() => { window.popupRequest = Object.assign({}, window.popupRequest, { authority: undefined, account: window.pca.getAllAccounts()[1] }); });
  const again = await popupWith(page, {});
  assert.deepEqual([again.ok, again.tenantId], [true, GUEST_TENANT_ID], JSON.stringify(again));
  assert.deepEqual(await routes(), [`authorize /${GUEST_TENANT_ID}`, `token /${GUEST_TENANT_ID} authorization_code`]);

  // After a reload the profiles are still there, and the active account keeps its tenant.
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  assert.equal((await accounts(page)).length, 2);
  const active = await page.evaluate(async () => {
    window.pca.setActiveAccount(window.pca.getAllAccounts()[1]);
    const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"] });
    return { active: window.pca.getActiveAccount().tenantId, token: r.tenantId, fromCache: r.fromCache };
  });
  assert.deepEqual(active, { active: GUEST_TENANT_ID, token: GUEST_TENANT_ID, fromCache: true });
  await page.context().close();
});

test("a redirect to the guest tenant is redeemed there when the page comes back", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "rhea");
  await page.waitForFunction(() => window.last !== null);
  await env.idp.reset();
  await page.evaluate((authority) => { window.pca.acquireTokenRedirect({ scopes: ["User.Read"], authority }); }, env.idp.guestAuthority);
  // The provider's session answers at once: the page comes back with the code and redeems it.
  const back = await waitFor("the redirect result", () =>
    page
      .evaluate(() => {
        const r = window.redirect;
        if (!r || document.body.dataset.ready !== "1") return null;
        if (!r.ok) return r;
        return r.result && { tenantId: r.result.tenantId, authority: r.result.authority };
      })
      .catch(() => null), // the page is navigating
    { timeout: 15000 },
  );
  assert.deepEqual(back, { tenantId: GUEST_TENANT_ID, authority: `${env.idp.guestAuthority}/` });
  assert.deepEqual(await routes(), [`authorize /${GUEST_TENANT_ID}`, `token /${GUEST_TENANT_ID} authorization_code`]);
  await page.context().close();
});

test("B2C: the password-reset policy is another authority on the same host, and signs in its own account", async () => {
  const { b2c_1_signin: signin, b2c_1_reset: reset } = env.idp.b2cAuthorities;
  const page = await env.open("entra", "sessionStorage", undefined, undefined, { idp: signin });
  const ctx = page.context();
  await popupSignIn(page, "#popup", "bea");
  await page.waitForFunction(() => window.last !== null);
  const first = await page.evaluate(() => [window.last.ok, window.last.ok && window.last.result.idTokenClaims.tfp]);
  assert.deepEqual(first, [true, "b2c_1_signin"]);

  // The app catches AADB2C90118 and starts the reset flow: another user flow, another account
  // (B2C's home account id carries the policy). The provider's B2C session signs in at once.
  const r = await popupWith(page, { authority: reset });
  assert.equal(r.ok, true, JSON.stringify(r));
  // (msal's result names the ID token's `tid`, which B2C's user flows do not issue.)
  assert.deepEqual([r.authority, r.tfp, r.tenantId], [`${reset}/`, "b2c_1_reset", ""]);
  const all = await accounts(page);
  assert.deepEqual(all.map((a) => a.home.split(".")[0].split("-").pop()).sort(), ["b2c_1_reset", "b2c_1_signin"]);
  assert.ok(all.every((a) => a.home.endsWith(`.${B2C_TENANT_ID}`)), JSON.stringify(all));

  // Silent calls with each account and its policy's authority: from the cache, that authority's.
  await env.idp.reset();
  const silent = await page.evaluate(async ([signinAuthority, resetAuthority]) => {
    const all = window.pca.getAllAccounts();
    const out = [];
    for (const [policy, authority] of [["b2c_1_signin", signinAuthority], ["b2c_1_reset", resetAuthority]]) {
      const account = all.find((a) => a.homeAccountId.includes(`-${policy}.`));
      const t = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, authority });
      out.push([t.authority, t.fromCache]);
    }
    return out;
  }, [signin, reset]);
  assert.deepEqual(silent, [[`${signin}/`, true], [`${reset}/`, true]]);
  assert.equal((await env.idp.counters()).token, 0);
  await ctx.close();
});

test("B2C's \"Forgot your password?\": the sign-in flow's AADB2C90118 error comes back as msal's ServerError, and the app's reset flow signs in (redirect, then popup)", async () => {
  const { b2c_1_signin: signin, b2c_1_reset: reset } = env.idp.b2cAuthorities;
  const page = await env.open("entra", "sessionStorage", undefined, undefined, { idp: signin });
  const ctx = page.context();

  // msal's B2C sample: loginRedirect, the user picks "Forgot your password?", B2C answers the
  // redirect URI with access_denied; handleRedirectPromise rejects with a ServerError whose
  // errorMessage the app searches for the code.
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#forgot");
  await page.click("#forgot");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("body[data-ready='1']");
  const failed = await page.evaluate(() => window.redirect);
  assert.equal(failed.ok, false);
  assert.deepEqual([failed.name, failed.code, failed.isServerError], ["ServerError", "access_denied", true]);
  assert.match(failed.message, /^AADB2C90118: The user has forgotten their password\./);
  // msal 5 names the failure ACQUIRE_TOKEN_FAILURE for a login as for a token (StandardController).
  assert.ok(await page.evaluate(() => window.events.includes("msal:acquireTokenFailure:access_denied")), JSON.stringify(await page.evaluate(() => window.events)));
  assert.ok(!/error=|state=|code=/.test(page.url()), page.url());
  assert.deepEqual(await page.evaluate(() => window.pca.getAllAccounts().length), 0);

  // The app then starts its reset user flow (another authority); nothing of the failed
  // interaction blocks it.
  await page.evaluate((authority) => { window.pca.loginRedirect({ scopes: ["User.Read"], authority }); }, reset);
  await page.waitForSelector("#login");
  assert.equal(await page.$("#forgot"), null);
  await page.fill("#login", "bea");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("body[data-ready='1']");
  const done = await page.evaluate(() => {
    const r = window.redirect;
    return r.ok ? [r.result.account.username, r.result.idTokenClaims.tfp, r.result.authority] : [r.code];
  });
  assert.deepEqual(done, ["bea", "b2c_1_reset", `${reset}/`]);

  // The same by popup: the popup closes on the error and the call rejects with it.
  await page.evaluate(() => { window.last = null; window.popupRequest = { ...window.popupRequest, prompt: "login" }; });
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#popup")]);
  await popup.waitForSelector("#forgot");
  await Promise.all([popup.waitForEvent("close"), popup.click("#forgot")]);
  await page.waitForFunction(() => window.last !== null);
  const viaPopup = await page.evaluate(() => {
    const e = window.last.error;
    return [window.last.ok, e && e.name, e && e.errorCode, e instanceof window.msal.ServerError, e && e.errorMessage.split("\r\n")[0]];
  });
  assert.deepEqual(viaPopup, [false, "ServerError", "access_denied", true, "AADB2C90118: The user has forgotten their password."]);
  await ctx.close();
});

test("B2C: a sign-in asking for OpenID scopes alone gets an ID token and no access token, and msal's result for it (accessToken \"\"); a silent call for them renews", async () => {
  const { b2c_1_signin: signin } = env.idp.b2cAuthorities;
  const page = await env.open("entra", "sessionStorage", undefined, undefined, { idp: signin });
  const ctx = page.context();
  // msal's B2C sample's login request.
  await page.evaluate(() => { window.popupRequest = { ...window.popupRequest, scopes: ["openid", "offline_access"] }; });
  await popupSignIn(page, "#popup", "olga");
  await page.waitForFunction(() => window.last !== null);
  const shape = (r) => [r.accessToken, r.idToken.split(".").length, r.scopes, r.expiresOn, r.tokenType, r.account.username, r.idTokenClaims.tfp, r.fromCache];
  const login = await page.evaluate((s) => (window.last.ok ? eval(s)(window.last.result) : window.last.code), shape.toString());
  assert.deepEqual(login, ["", 3, [], null, "", "olga", "b2c_1_signin", false]);
  const accessTokens = () => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("|accesstoken|")).length);
  assert.equal(await accessTokens(), 0);

  await env.idp.reset();
  const silent = await page.evaluate(async (s) => {
    const r = await window.pca.acquireTokenSilent({ scopes: ["openid"], account: window.pca.getAllAccounts()[0] });
    return eval(s)(r);
  }, shape.toString());
  assert.deepEqual(silent, ["", 3, [], null, "", "olga", "b2c_1_signin", false]);
  assert.equal((await env.idp.counters()).token, 1);
  assert.equal(await accessTokens(), 0);
  // An API's scope gets an access token, cached as usual.
  const api = await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] }).then((r) => [r.accessToken.length > 0, r.scopes.includes("User.Read")]));
  assert.deepEqual(api, [true, true]);
  assert.equal(await accessTokens(), 1);
  await ctx.close();
});

test("another cloud: a sign-in at a second known host is cached and listed under that host, as msal keys it; its tokens stay with its authority", async () => {
  // The provider answers on two hosts, 127.0.0.1 and localhost: two clouds, as a sovereign
  // cloud or a B2C custom domain beside the configured host.
  const configured = new URL(env.idp.entraAuthority);
  const other = new URL(env.idp.entraAuthority);
  other.hostname = "localhost";
  const otherAuthority = other.href;
  const page = await env.open("entra", "localStorage", undefined, 300, { auth: JSON.stringify({ knownAuthorities: [configured.host, other.host] }) });
  await popupSignIn(page, "#popup", "cleo");
  await page.waitForFunction(() => window.last !== null);
  await page.evaluate((authority) => { window.last = null; window.popupRequest = Object.assign({}, window.popupRequest, { authority }); }, otherAuthority);
  await popupSignIn(page, "#popup", "cleo");
  await page.waitForFunction(() => window.last !== null);
  const signedIn = await page.evaluate(() => window.last.ok ? [window.last.result.authority, window.last.result.account.environment] : window.last.code);
  assert.deepEqual(signedIn, [`${otherAuthority}/`, other.host]);

  // Both accounts are listed, each under its host (the same user: one homeAccountId), and the
  // storage keys them as msal does (homeAccountId-environment-realm).
  const listed = await page.evaluate(() => window.pca.getAllAccounts().map((a) => [a.environment, a.homeAccountId]));
  assert.deepEqual(listed.map(([e]) => e).sort(), [configured.host, other.host].sort());
  assert.equal(listed[0][1], listed[1][1]);
  const keys = await page.evaluate(() => Object.keys(localStorage).map((k) => k.split("|")).filter((k) => k.length === 4));
  for (const host of [configured.host, other.host]) {
    assert.ok(keys.some(([, home, env]) => home === listed[0][1] && env === host), `an account entry under ${host}: ${JSON.stringify(keys)}`);
  }
  assert.deepEqual(
    await page.evaluate((h) => window.pca.getAllAccounts({ environment: h }).map((a) => a.environment), other.host),
    [other.host],
  );

  // Silent calls: each account with its own cloud's authority, from the cache; the other
  // cloud's account with the configured authority is msal's authority_mismatch, before any
  // request. A renewal of the other cloud's token goes to that host's token endpoint.
  await env.idp.reset();
  const sent = [];
  page.on("request", (r) => { if (r.method() === "POST") sent.push(new URL(r.url()).host); });
  const silent = await page.evaluate(async ([host, authority]) => {
    const all = window.pca.getAllAccounts();
    const theirs = all.find((a) => a.environment === host);
    const ours = all.find((a) => a.environment !== host);
    const a = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: theirs, authority });
    const b = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: ours });
    const mismatch = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: theirs, forceRefresh: true }).then(() => "served", (e) => e.errorCode);
    const renewed = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: theirs, authority, forceRefresh: true });
    return { a: [a.fromCache, a.account.environment], b: [b.fromCache, b.account.environment], differ: a.accessToken !== b.accessToken, mismatch, renewed: [renewed.fromCache, renewed.account.environment] };
  }, [other.host, otherAuthority]);
  assert.deepEqual(silent, { a: [true, other.host], b: [true, configured.host], differ: true, mismatch: "authority_mismatch", renewed: [false, other.host] });
  assert.deepEqual(sent, [other.host], "one token request, to the other host");
  assert.equal((await env.idp.counters()).token, 1);

  // After a reload both accounts are still listed.
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 2);
  await page.context().close();
});

test("an authority on another host is refused with untrusted_authority, and nothing opens", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const opened = [];
    const open = window.open;
    window.open = (...a) => (opened.push(a[0]), open.apply(window, a));
    try {
      await window.pca.loginPopup({ scopes: ["User.Read"], authority: "https://login.evil.example/common" });
      return { ok: true };
    } catch (e) {
      return { code: e.errorCode, opened, inProgress: sessionStorage.getItem("msal.interaction.status") };
    }
  });
  assert.deepEqual(r, { code: "untrusted_authority", opened: [], inProgress: null });
  await page.context().close();
});

test("a logout with its own authority ends the session at that authority's end-session endpoint", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "lars");
  await page.waitForFunction(() => window.last !== null);
  await env.idp.reset();
  await page.evaluate((authority) => {
    window.beforeLogout = true;
    window.pca.logoutRedirect({ account: window.pca.getAllAccounts()[0], authority });
  }, env.idp.guestAuthority);
  const ended = await waitFor("the provider's end-session request", async () => (await env.idp.counters()).log.find((e) => e.route === "end_session"));
  assert.equal(ended.prefix, `/${GUEST_TENANT_ID}`);
  await page.waitForFunction(() => window.beforeLogout === undefined && document.body.dataset.ready === "1");
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  await page.context().close();
});

test("popups are named and placed as msal names and places them", async () => {
  const page = await env.open("entra");
  await popupSignIn(page, "#popup", "pia");
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(async ({ authority }) => {
    const opened = [];
    // A blocked popup (open returns null): the call fails, and what it asked for is kept.
    window.open = (...a) => (opened.push(a.slice(1)), null);
    const code = (p) => p.then(() => "ok", (e) => e.errorCode);
    const login = await code(window.pca.acquireTokenPopup({
      scopes: ["User.Read", "Mail.Read"], authority, correlationId: "cid-1",
      popupWindowAttributes: { popupSize: { width: 100000, height: 300 }, popupPosition: { top: 0, left: 7 } },
    }));
    const account = window.pca.getAllAccounts()[0];
    const logout = await code(window.pca.logoutPopup({ account, correlationId: "cid-2" }));
    const sx = window.screenLeft || window.screenX || 0, sy = window.screenTop || window.screenY || 0;
    const centred = `width=483, height=300, top=${Math.max(0, innerHeight / 2 - 300 + sy)}, left=7, scrollbars=yes`;
    return { login, logout, opened, centred, home: account.homeAccountId };
  }, { authority: env.idp.entraAuthority });
  const clientId = env.idp.clientId;
  assert.deepEqual([r.login, r.logout], ["popup_window_error", "popup_window_error"]);
  assert.deepEqual(r.opened[0], [`msal.${clientId}.User.Read-Mail.Read.${env.idp.entraAuthority}.cid-1`, r.centred]);
  assert.equal(r.opened[1][0], `msal.${clientId}.${r.home}.cid-2`);
  await page.context().close();
});

test("pocd: a popup opened from a popupWindowParent that fails msal's origin check does not claim it", async () => {
  const page = await env.open("entra");
  const r = await page.evaluate(async () => {
    const urls = [];
    const record = (url) => (urls.push(new URL(url).searchParams.get("pocd")), null);
    window.open = record;
    // A parent window of an opaque origin (a sandboxed frame's, as msal reads it).
    const opaque = { origin: "null", innerWidth: 800, innerHeight: 600, open: record };
    opaque.parent = opaque.top = opaque;
    const code = (p) => p.then(() => "ok", (e) => e.errorCode);
    // The endpoints first (a request fetches the discovery document): the popups then open on
    // their authorize URL, not on about:blank.
    await code(window.pca.acquireTokenByCode({ code: "not-a-code", scopes: ["User.Read"] }));
    const here = await code(window.pca.loginPopup({ scopes: ["User.Read"] }));
    const there = await code(window.pca.loginPopup({ scopes: ["User.Read"], popupWindowParent: opaque }));
    return { here, there, urls };
  });
  assert.deepEqual(r, { here: "popup_window_error", there: "popup_window_error", urls: ["1", null] });
  await page.context().close();
});
