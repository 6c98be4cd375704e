// End-to-end: logoutPopup, acquireTokenByCode, offline behaviour, the seed pattern.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { signedInPage, useEnv } from "./env.mjs";
import { clickClosing, popupSignIn, waitFor } from "./helpers.mjs";

// The back-end of the acquireTokenByCode test redirects to its own landing page.
const env = useEnv({ redirectPaths: ["/code-landing"] });

test("logoutPopup signs out in a popup and clears the account's cache", async () => {
  const page = await signedInPage(env, "nora");
  const home = await page.evaluate(() => {
    window.pca.addEventCallback((m) => {
      if (m.eventType === "msal:logoutStart") window.startPayload = m.payload;
      if (m.eventType === "msal:logoutSuccess") window.logoutPayload = m.payload;
    });
    return window.pca.getAllAccounts()[0].homeAccountId;
  });
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.loggedOut = window.pca.logoutPopup({ account: window.pca.getAllAccounts()[0] }).then(() => "done", (e) => e.errorCode); }),
  ]);
  assert.equal(await page.evaluate(() => window.loggedOut), "done");
  // As msal: its processed logout request is the payload of START and SUCCESS (one object):
  // the request, its correlation id, the absolute post-logout page (this page without its query
  // and fragment, msal's default), the origin check, and the library state it sent.
  const payload = await page.evaluate(() => {
    const p = window.logoutPayload;
    const state = JSON.parse(atob(p.state.split("|")[0].replace(/-/g, "+").replace(/_/g, "/")));
    return p && {
      home: p.account.homeAccountId, cid: typeof p.correlationId, same: p === window.startPayload,
      post: p.postLogoutRedirectUri === location.origin + location.pathname, pocd: p.popupOriginCheckDone, type: state.meta.interactionType,
    };
  });
  assert.deepEqual(payload, { home, cid: "string", same: true, post: true, pocd: true, type: "popup" });
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 5000 });
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  assert.ok((await page.evaluate(() => window.events)).includes("msal:logoutSuccess"));
  // The provider session is gone too: silent SSO now needs interaction.
  const sso = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "nora", redirectUri: location.origin + "/redirect.html" }).then(() => "ok", (e) => e.errorCode));
  assert.equal(sso, "login_required");
  await page.context().close();
});

test("logoutPopup with mainWindowRedirectUri: POPUP_OPENED with the window, and the main window navigates before LOGOUT_END, as msal (a navigation client that answers a plain value, as msal awaits it)", async () => {
  const page = await signedInPage(env, "nelly");
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => {
      window.order = [];
      window.pca.setNavigationClient({
        // (Not async: a plain app's; msal awaits whatever it answers.)
        navigateInternal: (url) => { window.order.push("navigate " + new URL(url).pathname); return false; },
        navigateExternal: async () => true,
      });
      window.pca.addEventCallback((m) => {
        if (m.eventType.startsWith("msal:logout")) window.order.push(m.eventType);
        if (m.eventType === "msal:popupOpened") window.order.push(m.eventType + (m.payload.popupWindow === window.lastPopup ? " (the popup)" : ""));
      });
      window.loggedOut = window.pca.logoutPopup({ account: window.pca.getAllAccounts()[0], mainWindowRedirectUri: "/signed-out" }).then(() => "done", (e) => e.errorCode);
    }),
  ]);
  await page.waitForFunction(() => window.order.includes("msal:logoutEnd"), null, { timeout: 20000 });
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 5000 });
  assert.deepEqual(await page.evaluate(() => window.order), ["msal:logoutStart", "msal:logoutSuccess", "msal:popupOpened (the popup)", "navigate /signed-out", "msal:logoutEnd"]);
  assert.equal(await page.evaluate(() => window.loggedOut), "done");
  await page.context().close();
});

test("logoutRedirect without an account sends no LOGOUT_SUCCESS (msal sends it only for a named account)", async () => {
  const page = await signedInPage(env, "nils");
  const events = await page.evaluate(async () => {
    window.events.length = 0;
    await window.pca.logoutRedirect({ onRedirectNavigate: () => false });
    return window.events.filter((e) => e.startsWith("msal:logout"));
  });
  assert.deepEqual(events, ["msal:logoutStart", "msal:logoutEnd"]);
  await page.context().close();
});

test("logoutPopup at a generic provider without an end-session endpoint sends LOGOUT_SUCCESS only for a named account, as msal (and as our logoutRedirect)", async () => {
  const page = await env.open("oidc");
  const events = await page.evaluate(async (authority) => {
    const c = window.pca.getConfiguration();
    // The provider's endpoints without end_session_endpoint (Google's discovery has none).
    const doc = { issuer: authority, authorization_endpoint: `${authority}/auth`, token_endpoint: `${authority}/token`, jwks_uri: `${authority}/jwks` };
    const pca = new window.msal.PublicClientApplication({
      auth: { clientId: c.auth.clientId, authority, protocolMode: "OIDC", authorityMetadata: JSON.stringify(doc) },
    });
    await pca.initialize();
    const seen = [];
    pca.addEventCallback((e) => seen.push(e.eventType));
    await pca.logoutPopup();
    seen.push("|");
    await pca.logoutPopup({ account: { homeAccountId: "sub-1", environment: new URL(authority).host, tenantId: "", username: "u", localAccountId: "sub-1" } });
    return seen.filter((e) => e === "|" || e.startsWith("msal:logout") || e.startsWith("msal:popup"));
  }, env.idp.oidcAuthority);
  assert.deepEqual(events, ["msal:logoutStart", "msal:logoutEnd", "|", "msal:logoutStart", "msal:logoutSuccess", "msal:logoutEnd"]);
  await page.context().close();
});

test("a sign-out refused for its authority after the account was removed tells the listeners the active account went, as msal", async () => {
  // msal clears the account (ACTIVE_ACCOUNT_CHANGED) before it builds the end-session client,
  // which refuses an untrusted authority; the app's listeners must not keep showing the account.
  const page = await signedInPage(env, "nora");
  const [code, events, active] = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    window.pca.setActiveAccount(account);
    window.events.length = 0;
    const code = await window.pca.logoutRedirect({ account, authority: "https://evil.example/tenant" }).then(() => "ok", (e) => e.errorCode);
    return [code, window.events.filter((e) => e.startsWith("msal:logout") || e.startsWith("msal:activeAccount")), window.pca.getActiveAccount()];
  });
  assert.equal(code, "untrusted_authority");
  assert.deepEqual(events.map((e) => e.split(":").slice(0, 2).join(":")), ["msal:logoutStart", "msal:activeAccountChanged", "msal:logoutFailure", "msal:logoutEnd"]);
  assert.equal(active, null);
  await page.context().close();
});

// What a back-end does before it redeems a code itself: the authorize step in `page`, signed in
// as `login`, with a PKCE pair of its own.
async function backEndCode(page, login) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redirectUri = `${env.web.origin}/code-landing`;
  const authorize = new URL(`${env.idp.entraAuthority}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ client_id: env.idp.clientId, response_type: "code", redirect_uri: redirectUri, scope: "openid profile offline_access User.Read", code_challenge: challenge, code_challenge_method: "S256", state: "s", response_mode: "query" })) authorize.searchParams.set(k, v);
  await page.goto(authorize.href);
  await page.fill("#login", login);
  await Promise.all([page.waitForURL((u) => u.pathname === "/code-landing"), page.click("#submit")]);
  const code = new URL(page.url()).searchParams.get("code");
  assert.ok(code);
  return { code, verifier, redirectUri };
}

test("acquireTokenByCode redeems a code obtained outside the library", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  // Play a back-end that ran the authorize step itself, with its own PKCE pair.
  const { code, verifier, redirectUri } = await backEndCode(page, "otto");
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  await env.idp.reset();
  // Two calls for the code at once (React StrictMode runs an effect twice) share its one
  // redemption, as msal: a code is good once.
  const r = await page.evaluate(async ({ code, verifier, redirectUri }) => {
    const request = { code, codeVerifier: verifier, redirectUri, scopes: ["User.Read"] };
    const [res, again] = await Promise.all([window.pca.acquireTokenByCode(request), window.pca.acquireTokenByCode({ ...request })]);
    return { name: res.account.name, fromCache: res.fromCache, accounts: window.pca.getAllAccounts().length, same: again.accessToken === res.accessToken };
  }, { code, verifier, redirectUri });
  assert.deepEqual(r, { name: "Test User otto", fromCache: false, accounts: 1, same: true });
  assert.equal((await env.idp.counters()).token, 1, "one token request for the code");
  // As msal: no LOGIN_SUCCESS for a code redeemed here; msal 5's code for a missing code.
  const events = await page.evaluate(() => window.events.filter((e) => /acquireToken|login/.test(e)));
  assert.deepEqual(events, ["msal:acquireTokenStart", "msal:acquireTokenStart", "msal:acquireTokenSuccess"]);
  const missing = await page.evaluate(() => window.pca.acquireTokenByCode({ code: "", scopes: [] }).then(() => "ok", (e) => e.errorCode));
  assert.equal(missing, "auth_code_or_nativeAccountId_required");
  // A shared redemption that fails: one FAILURE per caller (msal 5.31 sends one more, from its
  // shared redemption's own catch: START, FAILURE, FAILURE for a lone call; README).
  const failed = await page.evaluate(async () => {
    window.events.length = 0;
    const request = { code: "not-a-code-of-this-provider", scopes: ["User.Read"] };
    const all = await Promise.allSettled([window.pca.acquireTokenByCode(request), window.pca.acquireTokenByCode({ ...request })]);
    return { all: all.map((x) => x.status), events: window.events.filter((e) => /acquireToken/.test(e)).map((e) => e.split(":").slice(0, 2).join(":")) };
  });
  assert.deepEqual(failed, {
    all: ["rejected", "rejected"],
    events: ["msal:acquireTokenStart", "msal:acquireTokenStart", "msal:acquireTokenFailure", "msal:acquireTokenFailure"],
  });
  await ctx.close();
});

test("offline: no_network_connectivity, then success once back online", async () => {
  const page = await signedInPage(env, "pia");
  await page.context().setOffline(true);
  const offline = await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true, cacheLookupPolicy: 2 }).then(() => "ok", (e) => e.errorCode));
  assert.equal(offline, "no_network_connectivity");
  // The cached token is still served while offline.
  const cached = await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] }).then((r) => r.fromCache, (e) => e.errorCode));
  assert.equal(cached, true);
  // A hidden frame offline shows the browser's error page: the same error, not interaction
  // required (msal-react's hook would send the user to a sign-in the browser cannot show), and
  // no 5-minute back-off of frames once back online.
  const sso = () => window.pca.ssoSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0] }).then((r) => r.fromCache, (e) => [e.errorCode, e instanceof window.msal.InteractionRequiredAuthError]);
  assert.deepEqual(await page.evaluate(sso), ["no_network_connectivity", false]);
  await page.context().setOffline(false);
  const online = await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true }).then((r) => r.fromCache, (e) => e.errorCode));
  assert.equal(online, false);
  assert.equal(await page.evaluate(sso), false);
  await page.context().close();
});

test("the msal-browser pattern runs unchanged: silent fails with InteractionRequiredAuthError, popup, call an API", async () => {
  // The user has not consented to api.write: the sign-in's token is for the other scopes of
  // the default resource (the provider lists them all, as Entra), so the silent call for it
  // needs the network.
  await env.idp.setConfig({ consentRequired: ["api.write"] });
  let page;
  try {
    page = await signedInPage(env, "quinn");
  } finally {
    await env.idp.setConfig({ consentRequired: [] });
  }
  // The refresh token is refused (grant revoked) and the provider has no session for the
  // hidden iframe: every silent way fails, so the silent call fails with interaction required.
  await page.context().clearCookies();
  await env.idp.reset();
  await env.idp.failNext({ status: 400, body: { error: "invalid_grant", error_description: "AADSTS50173: the grant was revoked", error_codes: [50173] } });
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(async (userinfo) => {
      const { InteractionRequiredAuthError } = window.msal;
      window.caught = null;
      async function getToken(scopes) {
        const account = window.pca.getActiveAccount() ?? window.pca.getAllAccounts()[0];
        try {
          return await window.pca.acquireTokenSilent({ scopes, account });
        } catch (e) {
          if (e instanceof InteractionRequiredAuthError) {
            window.caught = e.errorCode;
            return window.pca.acquireTokenPopup({ scopes, account, redirectUri: location.origin + "/redirect.html" });
          }
          throw e;
        }
      }
      // api.write is not cached.
      window.pattern = getToken(["api.write"]).then(async (r) => {
        const res = await fetch(userinfo, { headers: { Authorization: `Bearer ${r.accessToken}` } });
        return { status: res.status, body: await res.json(), scopes: r.scopes };
      }, (e) => ({ failed: e.errorCode }));
    }, `${env.idp.entraAuthority}/oidc/userinfo`),
  ]);
  // No provider session any more: the popup shows the sign-in form.
  await popup.waitForSelector("#login");
  await popup.fill("#login", "quinn");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
  const out = await page.evaluate(() => window.pattern);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.equal(out.body.preferred_username, "quinn");
  assert.ok(out.scopes.includes("api.write"), JSON.stringify(out.scopes));
  // The branch taken was the InteractionRequiredAuthError one, after the refresh token and the
  // iframe were both tried.
  assert.ok(["invalid_grant", "login_required", "interaction_required"].includes(await page.evaluate(() => window.caught)), await page.evaluate(() => window.caught));
  const c = await env.idp.counters();
  assert.equal(c.byGrant.refresh_token, 1, "the refresh token was tried");
  assert.ok(c.log.some((e) => e.route === "authorize" && e.prompt === "none"), "the hidden iframe was tried");
  await page.context().close();
});

test("msal v5's resource, extraParameters and storeInCache reach the provider and the cache; enforceResourceParameter", async () => {
  const page = await signedInPage(env, "rita");
  const bodies = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().includes("/token")) bodies.push(new URLSearchParams(r.postData() || "")); });
  const silent = (extra) => page.evaluate((extra) => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], ...extra })
    .then((r) => ({ fromCache: r.fromCache, token: r.accessToken }), (e) => ({ error: e.errorCode })), extra);
  const mcp = "https://mcp.example/";
  const renewed = await silent({ forceRefresh: true, resource: mcp, extraParameters: { x_test: "1", scope: "hijack" } });
  assert.equal(renewed.fromCache, false, JSON.stringify(renewed));
  const sent = bodies.at(-1);
  assert.equal(sent.get("resource"), mcp);
  assert.equal(sent.get("x_test"), "1");
  assert.ok(sent.get("scope").includes("User.Read"), "extraParameters never replace the library's own");
  const stored = () => page.evaluate(() => {
    const out = [];
    for (const s of [sessionStorage, localStorage]) for (let i = 0; i < s.length; i++) if (s.key(i).includes("|accesstoken|")) out.push(s.getItem(s.key(i)));
    return out;
  });
  const [entry] = await stored();
  assert.equal(JSON.parse(entry).resource, mcp, "the cached access token keeps its resource");
  // The same resource (or none) is served from the cache; another one is renewed.
  assert.equal((await silent({ resource: mcp })).token, renewed.token);
  assert.equal((await silent({})).fromCache, true);
  const other = await silent({ resource: "https://other.example/" });
  assert.equal(other.fromCache, false);
  assert.equal(bodies.at(-1).get("resource"), "https://other.example/");
  // storeInCache: the result carries the token, the cache keeps the one it had.
  const before = await stored();
  const unstored = await silent({ forceRefresh: true, storeInCache: { accessToken: false } });
  assert.ok(unstored.token && unstored.token !== other.token);
  assert.deepEqual(await stored(), before);
  // attributeTokens: sent sorted to the token endpoint, and their token kept apart under
  // msal's key (its hash segment computed by msal-browser's hashString for this partition).
  const plain = await silent({});
  const attributed = await silent({ attributeTokens: ["b.jwt", "a.jwt"] });
  assert.equal(attributed.fromCache, false, JSON.stringify(attributed));
  assert.equal(bodies.at(-1).get("attribute_tokens"), "a.jwt b.jwt");
  const keys = await page.evaluate(() => Object.keys(sessionStorage).concat(Object.keys(localStorage)).filter((k) => k.includes("|accesstoken|")));
  assert.ok(keys.some((k) => k.endsWith("||5eygqyy83asoz9zzkxqni5s-ld4ljzwhpuf83hetuow")), JSON.stringify(keys));
  assert.equal((await silent({ attributeTokens: ["a.jwt", "b.jwt"] })).token, attributed.token);
  assert.equal((await silent({})).token, plain.token, "a request without them never gets their token");
  // A silent request's state comes back with the result, from the cache too, and none when it
  // names none (msal 5: `state: request.state`), from the network and the memo too.
  const state = await page.evaluate(async () => {
    const ask = (extra) => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], ...extra }).then((r) => `${r.fromCache} ${r.state}`);
    return [await ask({ state: "app-state" }), await ask({}), await ask({}), await ask({ forceRefresh: true }), await ask({ forceRefresh: true, state: "s2" })];
  });
  assert.deepEqual(state, ["true app-state", "true undefined", "true undefined", "false undefined", "false s2"]);
  // enforceResourceParameter, as msal's: only an MCP app needs the resource, named once.
  const enforce = (isMcp, request) => page.evaluate(([isMcp, request]) => {
    try { window.msal.enforceResourceParameter(isMcp, request); return "ok"; } catch (e) { return `${e.name}:${e.errorCode}`; }
  }, [isMcp, request]);
  assert.equal(await enforce(false, {}), "ok");
  assert.equal(await enforce(true, { resource: mcp }), "ok");
  assert.equal(await enforce(true, {}), "ClientAuthError:resource_parameter_required");
  assert.equal(await enforce(true, { resource: mcp, extraQueryParameters: { resource: mcp } }), "ClientAuthError:misplaced_resource_parameter");
  await page.context().close();
});

test("popups as msal v5's: overrideInteractionInProgress ends a stuck popup, popupWindowParent, extraScopesToConsent", async () => {
  const page = await env.open("entra", "sessionStorage");
  const bodies = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().includes("/token")) bodies.push(new URLSearchParams(r.postData() || "")); });
  // A first popup nobody finishes.
  const [first] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.first = window.pca.loginPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode); }),
  ]);
  await first.waitForSelector("#login");
  const again = () => page.evaluate(() => window.pca.loginPopup({ scopes: ["User.Read"] }).then(() => "ok", (e) => e.errorCode));
  assert.equal(await again(), "interaction_in_progress");
  // Taking over: the first popup closes and its request fails; the second signs in, opened
  // from the window the app names, and asks consent for another API's scope as well.
  const [second] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => {
      window.second = window.pca.loginPopup({
        scopes: ["User.Read"], overrideInteractionInProgress: true, popupWindowParent: window, extraScopesToConsent: ["api.write"],
      }).then((r) => r.account.username, (e) => e.errorCode);
    }),
  ]);
  assert.equal(await page.evaluate(() => window.first), "interaction_in_progress_cancelled");
  if (!first.isClosed()) await first.waitForEvent("close", { timeout: 5000 });
  await second.waitForSelector("#login");
  await second.fill("#login", "owen");
  await Promise.all([second.waitForEvent("close", { timeout: 15000 }), second.click("#submit").catch(() => {})]);
  assert.equal(await page.evaluate(() => window.second), "owen");
  // Consent is asked for api.write too; the code is redeemed for the request's scopes (msal).
  assert.equal(bodies.length, 1);
  assert.ok(!bodies[0].get("scope").includes("api.write"), bodies[0].get("scope"));
  const authorize = (await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.scope);
  assert.ok(authorize.at(-1).split(" ").includes("api.write"), JSON.stringify(authorize));
  assert.ok(!authorize.at(-2).split(" ").includes("api.write"), JSON.stringify(authorize));
  // The lock was the second's, and is free again.
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 1);
  await page.context().close();
});

test("httpMethod POST: the authorize request is a form posted in a popup, a hidden frame and a redirect", async () => {
  const page = await env.open("entra", "sessionStorage");
  const methods = async () => (await env.idp.counters()).log.filter((e) => e.route === "authorize").map((e) => e.method);
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.posted = window.pca.loginPopup({ scopes: ["User.Read"], httpMethod: "POST" }).then((r) => r.account.username, (e) => e.errorCode); }),
  ]);
  await popup.waitForSelector("#login");
  await popup.fill("#login", "pia");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
  assert.equal(await page.evaluate(() => window.posted), "pia");
  assert.equal((await methods()).at(-1), "POST");
  // As msal 5: no POPUP_OPENED for a POST's popup.
  assert.deepEqual(await page.evaluate(() => window.events.filter((e) => /popupOpened|acquireTokenS/.test(e))), ["msal:acquireTokenStart", "msal:acquireTokenSuccess"]);
  const sso = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "pia", httpMethod: "POST" }).then((r) => r.account.username, (e) => e.errorCode));
  assert.equal(sso, "pia");
  assert.equal((await methods()).at(-1), "POST");
  // A redirect: the page posts the form and leaves; handleRedirectPromise redeems the answer.
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"], httpMethod: "POST", prompt: "login" }); });
  await page.waitForSelector("#login");
  assert.equal((await methods()).at(-1), "POST");
  await page.fill("#login", "pia");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin && !u.hash.includes("code="));
  await page.waitForSelector("body[data-ready='1']");
  assert.deepEqual(await page.evaluate(() => [window.redirect.ok, window.redirect.result && window.redirect.result.account.username]), [true, "pia"]);
  await page.context().close();
});

test("a POST hidden frame whose provider answers after 3 s signs in: the frame's own blank page, loaded before the form goes, is not the provider's page that never answers", async () => {
  const page = await signedInPage(env, "pam");
  // The provider holds the posted authorize request for 3 s (the 2 s settle bound would cut a
  // provider's page short, but no page of the provider has loaded yet).
  let held = 0;
  await page.route((u) => u.pathname.endsWith("/authorize"), async (route) => {
    if (route.request().method() === "POST") {
      held += 1;
      await new Promise((r) => setTimeout(r, 3000));
    }
    await route.continue();
  });
  const r = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "pam", httpMethod: "POST" })
    .then((x) => x.account.username, (e) => `${e.errorCode}/${e.subError}`));
  assert.equal(r, "pam");
  // (The frame did post, and its answer was held.)
  assert.equal(held, 1);
  await page.context().close();
});

test("a POST redirect whose page stays (its form blocked) fails with timed_out after redirectNavigationTimeout and lets go of the lock, as msal", async () => {
  const page = await env.open("entra", "sessionStorage", undefined, 300, { system: JSON.stringify({ redirectNavigationTimeout: 500 }) });
  const r = await page.evaluate(async () => {
    HTMLFormElement.prototype.submit = function () {}; // a CSP form-action, say: the page stays
    window.events.length = 0;
    const started = performance.now();
    const outcome = await window.pca.loginRedirect({ scopes: ["User.Read"], httpMethod: "POST" }).then(() => "resolved", (e) => `${e.errorCode}/${e.subError}`);
    return { outcome, ms: Math.round(performance.now() - started), events: window.events.filter((e) => /acquireToken/.test(e)) };
  });
  assert.equal(r.outcome, "timed_out/failed_to_redirect");
  assert.ok(r.ms >= 450, `waited for the navigation timeout: ${r.ms} ms`);
  assert.deepEqual(r.events, ["msal:acquireTokenStart", "msal:acquireTokenFailure:timed_out"]);
  // The lock went with it: the next sign-in starts (and leaves the page for the provider).
  await page.evaluate(() => { window.pca.loginRedirect({ scopes: ["User.Read"] }); });
  await page.waitForSelector("#login");
  await page.context().close();
});

test("loadExternalTokens stores a back-end's token response (refresh token included) for silent calls", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  // A back-end runs the authorize step and redeems the code itself (as a SPA code: with the
  // app's origin), then hands the whole token response to the page.
  const { code, verifier, redirectUri } = await backEndCode(page, "lena");
  const token = await fetch(`${env.idp.entraAuthority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { origin: env.web.origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: env.idp.clientId, grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier, scope: "openid profile offline_access User.Read", client_info: "1" }),
  });
  const response = await token.json();
  assert.equal(token.status, 200, JSON.stringify(response));
  assert.ok(response.refresh_token && response.id_token && response.access_token);

  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  await env.idp.reset();
  const config = { auth: { clientId: env.idp.clientId, authority: env.idp.entraAuthority, knownAuthorities: [new URL(env.idp.entraAuthority).host] }, cache: { cacheLocation: "sessionStorage" } };
  const r = await page.evaluate(async ({ config, response }) => {
    const loaded = await window.msal.loadExternalTokens(config, { scopes: ["User.Read"], state: "st-1", correlationId: "cid-1" }, response);
    // The page's client of this app and cache stored them: it serves them at once.
    const account = window.pca.getAllAccounts()[0];
    const silent = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    const refreshed = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
    const bad = await window.msal.loadExternalTokens(config, { scopes: ["User.Read"] }, { token_type: "Bearer" }).then(() => null, (e) => [e.name, e.errorCode]);
    const noExpiry = await window.msal.loadExternalTokens(config, { scopes: ["User.Read"] }, { access_token: "x", token_type: "Bearer" }).then(() => null, (e) => e.errorCode);
    // msal's options.expiresOn (seconds) replaces expires_in; a response without an access
    // token gives msal's result without one.
    const until = await window.msal.loadExternalTokens(config, { scopes: ["User.Read"] }, response, { expiresOn: 4102444800 });
    const idOnly = await window.msal.loadExternalTokens(config, { scopes: ["User.Read"] }, { id_token: response.id_token, client_info: response.client_info });
    // No client of the page uses localStorage: a client of the loader's own stores them there,
    // and a client made later finds them.
    const local = { ...config, cache: { cacheLocation: "localStorage" } };
    await window.msal.loadExternalTokens(local, { scopes: ["User.Read"] }, response);
    const later = new window.msal.PublicClientApplication(local);
    await later.initialize();
    const fromLocal = await later.acquireTokenSilent({ scopes: ["User.Read"], account: later.getAllAccounts()[0] });
    // Of two clients of that app and cache (an older one left by a hot reload), the newer
    // stores them, and so lists the account at once.
    await later.clearCache();
    const newest = new window.msal.PublicClientApplication(local);
    await newest.initialize();
    await window.msal.loadExternalTokens(local, { scopes: ["User.Read"] }, response);
    const newestLists = newest.getAllAccounts().length;
    // An access token alone, for an account the app hands over and the cache lacks: as msal,
    // the account is stored as given and the token is served for it.
    const authority = new URL(config.auth.authority);
    const given = { homeAccountId: "uid-x.tid", environment: authority.host, tenantId: authority.pathname.split("/")[1], localAccountId: "uid-x", username: "xena@contoso.com", name: "Xena" };
    const fromGiven = await window.msal.loadExternalTokens(config, { scopes: ["Xena.Read"], account: given }, { access_token: "at-xena", token_type: "Bearer", expires_in: 3600, scope: "Xena.Read" });
    const xena = window.pca.getAllAccounts().find((a) => a.homeAccountId === given.homeAccountId);
    const xenaHit = await window.pca.acquireTokenSilent({ scopes: ["Xena.Read"], account: xena }).then((t) => [t.accessToken, t.fromCache], (e) => e.errorCode);
    return {
      given: [fromGiven.account.username, xena && xena.name, xenaHit],
      local: { fromCache: fromLocal.fromCache, same: fromLocal.accessToken === response.access_token, newestLists },
      loaded: { name: loaded.account.name, fromCache: loaded.fromCache, same: loaded.accessToken === response.access_token, expires: loaded.expiresOn instanceof Date, state: loaded.state, correlationId: loaded.correlationId },
      silent: { fromCache: silent.fromCache, same: silent.accessToken === response.access_token },
      refreshed: { fromCache: refreshed.fromCache, other: refreshed.accessToken !== response.access_token },
      bad, noExpiry,
      until: until.expiresOn.getTime(),
      idOnly: [idOnly.accessToken, idOnly.expiresOn, idOnly.extExpiresOn, idOnly.scopes, idOnly.tokenType, idOnly.account.name],
    };
  }, { config, response });
  // msal's result of a load: fromCache, the request's state and correlation id.
  assert.deepEqual(r.loaded, { name: "Test User lena", fromCache: true, same: true, expires: true, state: "st-1", correlationId: "cid-1" });
  assert.deepEqual(r.silent, { fromCache: true, same: true });
  assert.deepEqual(r.refreshed, { fromCache: false, other: true });
  assert.deepEqual(r.bad, ["BrowserAuthError", "unable_to_load_token"]);
  assert.equal(r.noExpiry, "unable_to_load_token");
  assert.equal(r.until, 4102444800000);
  assert.deepEqual(r.idOnly, ["", null, undefined, [], "", "Test User lena"]);
  assert.deepEqual(r.local, { fromCache: true, same: true, newestLists: 1 });
  assert.deepEqual(r.given, ["xena@contoso.com", "Xena", ["at-xena", true]]);
  const c = await env.idp.counters();
  assert.equal(c.token, 1, "one token request: the forced refresh, with the loaded refresh token");
  await ctx.close();
});

// A token response for `login`, as a back-end redeems it (in a context of its own).
async function backEndTokens(login) {
  const ctx = await env.browser.newContext();
  const { code, verifier, redirectUri } = await backEndCode(await ctx.newPage(), login);
  await ctx.close();
  const token = await fetch(`${env.idp.entraAuthority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { origin: env.web.origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: env.idp.clientId, grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier, scope: "openid profile offline_access User.Read", client_info: "1" }),
  });
  assert.equal(token.status, 200);
  return token.json();
}

test("a silent call during which another account signs in sends no LOGIN_SUCCESS (only sign-ins do, as msal)", async () => {
  const [first, second] = [await backEndTokens("quiet-1"), await backEndTokens("quiet-2")];
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  const config = { auth: { clientId: env.idp.clientId, authority: env.idp.entraAuthority, knownAuthorities: [new URL(env.idp.entraAuthority).host] }, cache: { cacheLocation: "sessionStorage" } };
  const load = (response) => page.evaluate(({ config, response }) => window.msal.loadExternalTokens(config, { scopes: ["User.Read"] }, response).then(() => window.pca.getAllAccounts().length), { config, response });
  assert.equal(await load(first), 1);
  // The silent call's token request waits until the second account is in the cache.
  let release, sent;
  const held = new Promise((r) => { release = r; });
  const posted = new Promise((r) => { sent = r; });
  await page.route((u) => u.pathname.endsWith("/oauth2/v2.0/token"), async (route) => { sent(); await held; await route.continue(); });
  await page.evaluate(() => {
    window.trail = [];
    window.pca.addEventCallback((m) => window.trail.push(m.eventType));
    const account = window.pca.getAllAccounts()[0];
    window.done = window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true }).then((r) => r.account.username, (e) => e.errorCode);
  });
  await posted;
  assert.equal(await load(second), 2);
  release();
  assert.equal(await page.evaluate(() => window.done), "quiet-1");
  const trail = await page.evaluate(() => window.trail);
  assert.ok(trail.includes("msal:acquireTokenSuccess") && !trail.includes("msal:loginSuccess"), JSON.stringify(trail));
  await ctx.close();
});

// The state of a response the provider sent to a popup (msal's library state, base64url JSON).
const popupState = () => Buffer.from(JSON.stringify({ id: "11111111-1111-4111-8111-111111111111", meta: { interactionType: "popup" } })).toString("base64url");

test("a popup's response landing on a page of the app whose query starts with a bare flag (?embedded) still answers the waiting page", async () => {
  // The response is read from the hash and from the query apart, as msal reads them: the app's
  // own query in front of a hash response must not hide it (COOP may have cut the popup off
  // from its opener, which then only hears this answer).
  const context = await env.browser.newContext();
  const waiting = await context.newPage();
  await waiting.goto(`${env.web.origin}/blank.html`);
  const heard = waiting.evaluate(() => new Promise((resolve) => {
    const c = new BroadcastChannel("11111111-1111-4111-8111-111111111111");
    c.onmessage = (e) => resolve(e.data && e.data.payload);
    setTimeout(() => resolve(null), 10000);
  }));
  const landing = await context.newPage();
  await landing.goto(env.harness("entra").replace("/?", "/?embedded&") + `#code=c&state=${popupState()}`);
  const payload = await heard;
  assert.ok(payload && payload.includes("code=c"), `the waiting page heard: ${payload}`);
  await context.close();
});

test("msal's preflight errors: the page a popup response loaded, a hidden frame's, a redirect in a frame or with a memory cache", async () => {
  // The error of each call (all of them, or those named), and the events they sent.
  const errors = (target, only) => target.evaluate(async (only) => {
    window.events.length = 0;
    const r = { scopes: ["User.Read"] };
    const calls = {
      silent: () => window.pca.acquireTokenSilent({ ...r, account: { homeAccountId: "x" } }),
      popup: () => window.pca.acquireTokenPopup(r),
      sso: () => window.pca.ssoSilent(r),
      redirect: () => window.pca.acquireTokenRedirect(r),
      logout: () => window.pca.logoutRedirect({ onRedirectNavigate: () => false }),
      held: () => window.pca.acquireTokenRedirect({ ...r, onRedirectNavigate: () => false }),
    };
    const out = {};
    for (const name of only || Object.keys(calls)) out[name] = await calls[name]().then(() => "ok", (e) => `${e.name}:${e.errorCode}`);
    out.events = window.events.filter((e) => !e.startsWith("msal:initialize"));
    return out;
  }, only);
  const context = await env.browser.newContext();
  // The app's page loaded in a popup by the provider's response (msal: block_nested_popups).
  const page = await context.newPage();
  await page.goto(env.harness("entra") + `#code=c&state=${popupState()}`);
  await page.waitForSelector("body[data-ready='1']");
  // msal 5's BrowserUtils.isInPopup says so from the address alone (no opener needed).
  assert.equal(await page.evaluate(() => window.opener === null && window.msal.BrowserUtils.isInPopup()), true);
  const nested = "BrowserAuthError:block_nested_popups";
  assert.deepEqual(await errors(page, ["silent", "popup", "sso", "redirect", "logout"]), { silent: nested, popup: nested, sso: nested, redirect: nested, logout: nested, events: [] });

  // The app in a frame: no redirect (redirect_in_iframe); with a response in its address, a
  // hidden frame of msal's (block_iframe_reload).
  await page.goto(`${env.web.origin}/blank.html`);
  const framed = async (url) => {
    await page.evaluate((src) => {
      document.body.innerHTML = "";
      const f = document.createElement("iframe");
      f.src = src;
      document.body.appendChild(f);
    }, url);
    const frame = await (await page.waitForSelector("iframe")).contentFrame();
    await frame.waitForSelector("body[data-ready='1']");
    return frame;
  };
  const inFrame = await errors(await framed(env.harness("entra")), ["redirect", "logout", "silent"]);
  const inIframe = "BrowserAuthError:redirect_in_iframe";
  // (An account the cache lacks: msal's hidden frame, with no provider session here.)
  assert.deepEqual(inFrame, {
    redirect: inIframe, logout: inIframe, silent: "InteractionRequiredAuthError:login_required",
    events: ["msal:acquireTokenStart", "msal:acquireTokenFromNetworkStart", "msal:acquireTokenFailure:login_required"],
  }, "silent calls run in a frame");
  // Unless the configuration allows it (msal's allowRedirectInIframe).
  const allowed = await errors(await framed(env.harness("entra", "sessionStorage", 300, { system: JSON.stringify({ allowRedirectInIframe: true }) })), ["logout", "held"]);
  // (The sign-out first: a redirect whose navigation onRedirectNavigate stopped stays under way, as msal's.)
  assert.deepEqual([allowed.logout, allowed.held], ["ok", "ok"]);
  const reload = "BrowserAuthError:block_iframe_reload";
  const hiddenFrame = await framed(env.harness("entra") + `#code=c&state=${popupState()}`);
  assert.equal(await hiddenFrame.evaluate(() => window.msal.BrowserUtils.isInPopup()), false, "a frame is no popup");
  const hidden = await errors(hiddenFrame, ["silent", "popup", "sso", "redirect", "logout"]);
  assert.deepEqual(hidden, { silent: reload, popup: reload, sso: reload, redirect: reload, logout: reload, events: [] });
  const blocked = (frame) => frame.evaluate(() => { try { window.msal.BrowserUtils.blockReloadInHiddenIframes(); return false; } catch (e) { return e.errorCode; } });
  assert.equal(await blocked(hiddenFrame), "block_iframe_reload");
  // An app's own routes and queries in a frame (a Teams tab) are no response, as msal reads them
  // (msal-angular's guard calls blockReloadInHiddenIframes and refuses the route when it throws).
  for (const route of ["#/orders?state=open", "#/login?error=expired", "?route=x&state=CA"]) {
    assert.equal(await blocked(await framed(env.harness("entra") + (route.startsWith("?") ? "&" + route.slice(1) : route))), false, route);
  }

  // A memory cache would not survive a redirect (msal: in_mem_redirect_unavailable).
  await page.goto(env.harness("entra", "memoryStorage"));
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.msal.BrowserUtils.isInPopup()), false);
  const memory = await errors(page, ["redirect", "logout"]);
  const unavailable = "BrowserConfigurationAuthError:in_mem_redirect_unavailable";
  assert.deepEqual(memory, { redirect: unavailable, logout: unavailable, events: [] });
  assert.ok(await page.evaluate(() => window.pca.acquireTokenRedirect({ scopes: ["x"] }).catch((e) => e instanceof window.msal.BrowserConfigurationAuthError)));
  await context.close();
});

test("msal's event payloads and refusals: loginPopup's START carries its correlation id and the OIDC scopes; an MCP app's silent, popup, ssoSilent and byCode requests without their resource fail before any event", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  const login = await page.evaluate(async () => {
    const seen = [];
    window.pca.addEventCallback((m) => seen.push([m.eventType, m.payload]));
    window.open = () => null; // a blocked popup: the call fails after START
    const code = await window.pca.loginPopup().then(() => "ok", (e) => e.errorCode);
    const start = seen.find(([t]) => t === "msal:acquireTokenStart");
    return { code, start: start && { scopes: start[1].scopes, cid: typeof start[1].correlationId } };
  });
  assert.deepEqual(login, { code: "popup_window_error", start: { scopes: ["openid", "profile", "offline_access"], cid: "string" } });
  await page.goto(env.harness("entra", "sessionStorage", 300, { auth: JSON.stringify({ isMcp: true }) }));
  await page.waitForSelector("body[data-ready='1']");
  const silent = await page.evaluate(async () => {
    const seen = [];
    window.pca.addEventCallback((m) => seen.push(m.eventType));
    const account = { homeAccountId: "uid.utid", environment: location.host, tenantId: "utid", username: "", localAccountId: "uid" };
    const code = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then(() => "ok", (e) => e.errorCode);
    // As msal's preflight: a popup, ssoSilent and acquireTokenByCode without the resource fail
    // before any event, window or request.
    const opened = [];
    window.open = (...a) => (opened.push(a[0]), null);
    const refused = [];
    for (const call of [() => window.pca.loginPopup({ scopes: ["User.Read"] }), () => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "x" }), () => window.pca.acquireTokenByCode({ scopes: ["User.Read"] })]) {
      refused.push(await call().then(() => "ok", (e) => e.errorCode));
    }
    return { code, seen, refused, opened };
  });
  assert.deepEqual(silent, { code: "resource_parameter_required", seen: [], refused: Array(3).fill("resource_parameter_required"), opened: [] });
  await ctx.close();
});

test("system.navigatePopups: false (PWAs, hosts that refuse about:blank): the popup opens at the authorize URL of an authority whose endpoints were not known yet, and signs in", async () => {
  // Where the first window.open goes, for a generic provider on a fresh page: by default the
  // popup opens on about:blank while the discovery document is fetched (as msal 5).
  const firstOpen = async (system) => {
    const page = await env.open("oidc", "sessionStorage", undefined, undefined, { system: JSON.stringify(system) });
    // (With the option, initialize() fetches the endpoints in the background: as a user's
    // click comes after it.)
    if (system.navigatePopups === false) {
      await waitFor("the discovery document", () => page.evaluate(() => Object.keys(sessionStorage).some((k) => k.includes(".authority-metadata."))));
    }
    await page.evaluate(() => {
      const open = window.open;
      window.opened = [];
      window.open = function (url, ...rest) { window.opened.push(String(url)); return open.call(this, url, ...rest); };
    });
    await popupSignIn(page, "#popup", "nina");
    await page.waitForFunction(() => window.last !== null);
    const r = await page.evaluate(() => ({ ok: window.last.ok, first: window.opened[0] }));
    await page.context().close();
    return r;
  };
  const off = await firstOpen({ navigatePopups: false });
  assert.equal(off.ok, true);
  assert.ok(off.first.startsWith(new URL(env.idp.oidcAuthority).origin) && off.first.includes("response_type=code"), off.first);
  assert.deepEqual(await firstOpen({}), { ok: true, first: "about:blank" });
});
