// End-to-end: logoutPopup, acquireTokenByCode, offline behaviour, the seed pattern.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { startEnv, signedInPage } from "./env.mjs";

let env;
before(async () => { env = await startEnv(); });
after(async () => { await env.close(); });

test("logoutPopup signs out in a popup and clears the account's cache", async () => {
  const page = await signedInPage(env, "nora");
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => { window.loggedOut = window.pca.logoutPopup({ account: window.pca.getAllAccounts()[0] }).then(() => "done", (e) => e.errorCode); }),
  ]);
  assert.equal(await page.evaluate(() => window.loggedOut), "done");
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 5000 });
  assert.equal(await page.evaluate(() => window.pca.getAllAccounts().length), 0);
  assert.ok((await page.evaluate(() => window.events)).includes("msal:logoutSuccess"));
  // The provider session is gone too: silent SSO now needs interaction.
  const sso = await page.evaluate(() => window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "nora", redirectUri: location.origin + "/redirect.html" }).then(() => "ok", (e) => e.errorCode));
  assert.equal(sso, "login_required");
  await page.context().close();
});

test("acquireTokenByCode redeems a code obtained outside the library", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  // Play a back-end that ran the authorize step itself, with its own PKCE pair.
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redirectUri = `${env.web.origin}/code-landing`;
  const authorize = new URL(`${env.idp.entraAuthority}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ client_id: env.idp.clientId, response_type: "code", redirect_uri: redirectUri, scope: "openid profile offline_access User.Read", code_challenge: challenge, code_challenge_method: "S256", state: "s", response_mode: "query" })) authorize.searchParams.set(k, v);
  await page.goto(authorize.href);
  await page.fill("#login", "otto");
  await Promise.all([page.waitForURL((u) => u.pathname === "/code-landing"), page.click("#submit")]);
  const code = new URL(page.url()).searchParams.get("code");
  assert.ok(code);
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  const r = await page.evaluate(async ({ code, verifier, redirectUri }) => {
    const res = await window.pca.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri, scopes: ["User.Read"] });
    return { name: res.account.name, fromCache: res.fromCache, accounts: window.pca.getAllAccounts().length };
  }, { code, verifier, redirectUri });
  assert.deepEqual(r, { name: "Test User otto", fromCache: false, accounts: 1 });
  const missing = await page.evaluate(() => window.pca.acquireTokenByCode({ code: "", scopes: [] }).then(() => "ok", (e) => e.errorCode));
  assert.equal(missing, "auth_code_required");
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
  await page.context().setOffline(false);
  const online = await page.evaluate(() => window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.pca.getAllAccounts()[0], forceRefresh: true }).then((r) => r.fromCache, (e) => e.errorCode));
  assert.equal(online, false);
  await page.context().close();
});

test("the msal-browser pattern runs unchanged: silent, fall back to popup, call an API", async () => {
  const page = await signedInPage(env, "quinn");
  // Make the silent path fail with interaction_required so the fallback runs.
  await page.evaluate(() => window.pca.clearCache());
  await env.idp.reset();
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(async (userinfo) => {
      const { InteractionRequiredAuthError } = window.msal;
      async function getToken(scopes) {
        const account = window.pca.getActiveAccount() ?? window.pca.getAllAccounts()[0];
        try {
          return await window.pca.acquireTokenSilent({ scopes, account });
        } catch (e) {
          if (e instanceof InteractionRequiredAuthError || e.errorCode === "no_account_error") {
            return window.pca.acquireTokenPopup({ scopes, redirectUri: location.origin + "/redirect.html" });
          }
          throw e;
        }
      }
      window.pattern = getToken(["User.Read"]).then(async (r) => {
        const res = await fetch(userinfo, { headers: { Authorization: `Bearer ${r.accessToken}` } });
        return { status: res.status, body: await res.json() };
      });
    }, `${env.idp.entraAuthority}/oidc/userinfo`),
  ]);
  // The provider session is still there, so the popup completes without the form.
  await popup.waitForEvent("close");
  const out = await page.evaluate(() => window.pattern);
  assert.equal(out.status, 200);
  assert.equal(out.body.preferred_username, "quinn");
  await page.context().close();
});
