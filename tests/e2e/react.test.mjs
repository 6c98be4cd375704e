// End-to-end: the real @azure/msal-react 5 (from npm) over msal-wasm, in an app built by Vite
// with @azure/msal-browser aliased to the package (examples/react): MsalProvider, useMsal's
// inProgress, useIsAuthenticated, useAccount, useMsalAuthentication (popup and redirect),
// MsalAuthenticationTemplate, AuthenticatedTemplate; sign-in, a silent token used on an API,
// reload, sign-out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { useEnv } from "./env.mjs";
import { waitFor } from "./helpers.mjs";

assert.ok(existsSync("examples/react/dist/index.html"), "build the example first: vite build --config examples/react/vite.config.js");
const env = useEnv({ roots: { "/": "examples/react/dist" } });

const url = (mode) => `${env.web.origin}/?idp=${encodeURIComponent(env.idp.entraAuthority)}&mode=${mode}`;
const status = async (page) => JSON.parse(await page.textContent("#status"));
const profile = (page) => page.waitForFunction(() => {
  const p = document.getElementById("profile");
  return p && p.textContent !== "loading" ? p.textContent : null;
}).then((h) => h.jsonValue());

async function signIn(popup, login) {
  await popup.waitForSelector("#login");
  await popup.fill("#login", login);
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
}

test("MsalProvider, hooks and templates through popup sign-in, a silent token on an API, reload and popup sign-out", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url("buttons"));
  await page.waitForFunction(() => JSON.parse(document.getElementById("status").textContent).inProgress === "none");
  assert.deepEqual(await status(page), { inProgress: "none", accounts: 0, isAuthenticated: false, user: null });
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "none"]);
  assert.equal(await page.textContent("#signed-out"), "signed out");

  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#login")]);
  await signIn(popup, "rosa");
  await page.waitForFunction(() => JSON.parse(document.getElementById("status").textContent).isAuthenticated);
  assert.deepEqual(await status(page), { inProgress: "none", accounts: 1, isAuthenticated: true, user: "rosa" });
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "none", "acquireToken", "none"]);
  // The app's LOGIN_SUCCESS callback made the new account active, as v5 apps expect.
  assert.deepEqual(JSON.parse(await profile(page)), { user: "rosa", fromCache: true });

  // A reload keeps the sign-in (localStorage) and serves the token from the cache.
  await env.idp.reset();
  await page.reload();
  await page.waitForFunction(() => JSON.parse(document.getElementById("status").textContent).isAuthenticated);
  assert.deepEqual(JSON.parse(await profile(page)), { user: "rosa", fromCache: true });
  assert.equal((await env.idp.counters()).token, 0);

  // Sign-out in a popup: inProgress goes through logout, the templates switch back.
  const [out] = await Promise.all([page.waitForEvent("popup"), page.click("#logout")]);
  if (!out.isClosed()) await out.waitForEvent("close");
  await page.waitForFunction(() => !JSON.parse(document.getElementById("status").textContent).isAuthenticated);
  assert.ok((await page.evaluate(() => window.trail)).includes("logout"));
  assert.equal(await page.textContent("#signed-out"), "signed out");
  await ctx.close();
});

test("useMsalAuthentication with a popup signs in when nobody is, then a silent token works", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  const popupOpened = page.waitForEvent("popup");
  await page.goto(url("auto-popup"));
  await signIn(await popupOpened, "pavel");
  await page.waitForFunction(() => document.getElementById("auto").textContent.startsWith("result"));
  assert.equal(await page.textContent("#auto"), "result pavel");
  assert.deepEqual(JSON.parse(await profile(page)), { user: "pavel", fromCache: true });
  await ctx.close();
});

test("MsalAuthenticationTemplate with a redirect signs in, comes back and renders its children", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url("template-redirect"));
  await page.waitForSelector("#login");
  await page.fill("#login", "ravi");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  assert.deepEqual(JSON.parse(await profile(page)), { user: "ravi", fromCache: true });
  const s = await status(page);
  assert.deepEqual(s, { inProgress: "none", accounts: 1, isAuthenticated: true, user: "ravi" });
  // MsalProvider's status on the way back, from our events (msal's getInteractionStatusFromEvent).
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "handleRedirect", "none"]);
  assert.ok(!/code=|state=/.test(page.url()), page.url());
  await ctx.close();
});

test("useMsalAuthentication with a redirect signs in and returns the result on the page it started from", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url("auto-redirect"));
  await page.waitForSelector("#login");
  await page.fill("#login", "rune");
  await page.click("#submit");
  await waitFor("the app back with the result", async () => {
    if (!page.url().startsWith(env.web.origin)) return false;
    return page.evaluate(() => (document.getElementById("auto") || {}).textContent === "result rune").catch(() => false);
  });
  assert.deepEqual(JSON.parse(await profile(page)), { user: "rune", fromCache: true });
  await ctx.close();
});

// msal-react's newer samples: the app awaits initialize() and handleRedirectPromise() itself,
// then renders MsalProvider inside React.StrictMode, which runs every effect twice (so
// MsalProvider calls handleRedirectPromise twice more, and useMsalAuthentication's sign-in
// effect runs twice).
const strictUrl = (mode) => `${url(mode)}&strict=1`;

test("StrictMode, initialize() before MsalProvider: a redirect's result goes to the app's own handleRedirectPromise, once", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await env.idp.reset();
  await page.goto(strictUrl("template-redirect"));
  await page.waitForSelector("#login");
  await page.fill("#login", "stella");
  await page.click("#submit");
  await page.waitForURL((u) => u.origin === env.web.origin);
  assert.deepEqual(JSON.parse(await profile(page)), { user: "stella", fromCache: true });
  assert.equal(await page.evaluate(() => window.appRedirect), "stella");
  assert.equal(await page.evaluate(() => window.logins), 1);
  assert.deepEqual(await status(page), { inProgress: "none", accounts: 1, isAuthenticated: true, user: "stella" });
  assert.equal((await env.idp.counters()).token, 1);

  // A reload: the app sets the cached account active before rendering; no request is made.
  await env.idp.reset();
  await page.reload();
  assert.deepEqual(JSON.parse(await profile(page)), { user: "stella", fromCache: true });
  assert.equal(await page.evaluate(() => window.appRedirect), null);
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "none"]);
  assert.equal((await env.idp.counters()).token, 0);
  await ctx.close();
});

test("StrictMode: useMsalAuthentication's doubled effect opens one popup and signs in once", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  const popups = [];
  page.on("popup", (p) => popups.push(p));
  const popupOpened = page.waitForEvent("popup");
  await page.goto(strictUrl("auto-popup"));
  await signIn(await popupOpened, "sven");
  await page.waitForFunction(() => document.getElementById("auto").textContent !== "pending");
  assert.equal(await page.textContent("#auto"), "result sven");
  assert.deepEqual(JSON.parse(await profile(page)), { user: "sven", fromCache: true });
  assert.equal(popups.length, 1);
  assert.equal(await page.evaluate(() => window.logins), 1);
  await ctx.close();
});

test("MsalAuthenticationTemplate with a redirect at B2C: \"Forgot your password?\" renders its errorComponent with AADB2C90118, and the template does not sign in again", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await env.idp.reset();
  await page.goto(`${env.web.origin}/?idp=${encodeURIComponent(env.idp.b2cAuthorities.b2c_1_signin)}&mode=template-redirect`);
  await page.waitForSelector("#forgot");
  await page.click("#forgot");
  await page.waitForURL((u) => u.origin === env.web.origin);
  await page.waitForSelector("#template-error");
  assert.equal(await page.textContent("#template-error"), "access_denied AADB2C90118: The user has forgotten their password.");
  assert.ok(!/code=|state=|error=/.test(page.url()), page.url());
  // No loop back to the provider: one authorize request, and none after a while.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await env.idp.counters()).authorize, 1);
  assert.deepEqual(await status(page), { inProgress: "none", accounts: 0, isAuthenticated: false, user: null });
  await ctx.close();
});

test("a second tab's MsalProvider follows the first's sign-in and sign-out (localStorage): accounts, isAuthenticated and useAccount, without a reload", async () => {
  const ctx = await env.browser.newContext();
  const [a, b] = [await ctx.newPage(), await ctx.newPage()];
  for (const p of [a, b]) {
    await p.goto(url("buttons"));
    await p.waitForFunction(() => JSON.parse(document.getElementById("status").textContent).inProgress === "none");
  }
  const [popup] = await Promise.all([a.waitForEvent("popup"), a.click("#login")]);
  await signIn(popup, "sven");
  await b.waitForFunction(() => JSON.parse(document.getElementById("status").textContent).user === "sven", null, { timeout: 10000 });
  assert.deepEqual(await status(b), { inProgress: "none", accounts: 1, isAuthenticated: true, user: "sven" });
  const [out] = await Promise.all([a.waitForEvent("popup"), a.click("#logout")]);
  if (!out.isClosed()) await out.waitForEvent("close");
  await b.waitForFunction(() => !JSON.parse(document.getElementById("status").textContent).isAuthenticated, null, { timeout: 10000 });
  assert.deepEqual(await status(b), { inProgress: "none", accounts: 0, isAuthenticated: false, user: null });
  assert.equal(await b.textContent("#signed-out"), "signed out");
  await ctx.close();
});
