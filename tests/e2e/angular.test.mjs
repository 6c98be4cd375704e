// End-to-end: @azure/msal-angular's MsalService and MsalBroadcastService (from npm) drive
// msal-wasm through handleRedirectObservable, loginPopup and acquireTokenSilent, with the
// broadcast service's inProgress$ following v5's statuses; its MsalGuard and MsalInterceptor
// sign in by popup and put the token on the app's protected requests, and by redirect (the
// guard's sign-in back to the guarded page, the interceptor's renewal back to the page it left).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { useEnv } from "./env.mjs";
import { popupSignIn, waitFor } from "./helpers.mjs";

const dir = mkdtempSync(join(tmpdir(), "msal-wasm-angular-"));
before(async () => {
  await build({
    entryPoints: ["tests/e2e/angular/app.js"], bundle: true, format: "esm", outfile: join(dir, "app.js"), logLevel: "silent",
    alias: { "@azure/msal-browser": resolve("pkg/index.js") },
  });
  copyFileSync("pkg/msal_wasm_bg.wasm", join(dir, "msal_wasm_bg.wasm"));
  copyFileSync("pkg/redirect-bridge.js", join(dir, "redirect-bridge.js"));
  copyFileSync("pkg/errors.js", join(dir, "errors.js"));
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><button id="login">login</button><script type="module" src="/app.js"></script>`);
  writeFileSync(join(dir, "redirect.html"), `<!doctype html><script type="module">import { broadcastResponseToMainFrame } from "/redirect-bridge.js"; broadcastResponseToMainFrame();</script>`);
});
const env = useEnv({ roots: { "/": dir } });

// MsalGuard by redirect on a page with no account: the guard starts loginRedirect, the user
// signs in at the provider, and the browser comes back to the guarded route's address
// (redirectStartPage), where the app's handleRedirectObservable has settled.
async function guardSignsInByRedirect(page, guarded) {
  await page.evaluate((url) => { window.canActivateByRedirect(url); }, guarded);
  await page.waitForSelector("#login");
  await page.fill("#login", "ajay");
  await page.click("#submit");
  await waitFor("the guarded page back, ready", async () =>
    page.url() === `${env.web.origin}${guarded}` && (await page.evaluate(() => document.body.dataset.ready === "1" && window.ready).catch(() => false)));
}

// The app in a page of a new context, once its handleRedirectObservable has settled.
async function openApp() {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/?idp=${encodeURIComponent(env.idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.ready), "ready");
  return { ctx, page };
}

test("MsalService signs in by popup and gets a token silently over msal-wasm; inProgress$ follows", async () => {
  const { ctx, page } = await openApp();
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "none"]);
  // The popup opens from the click, through the service's observable.
  await page.evaluate(() => { document.getElementById("login").onclick = () => { window.loggedIn = window.login(); }; });
  await popupSignIn(page, "#login", "ajay");
  assert.equal(await page.evaluate(() => window.loggedIn), "ajay");
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "none", "acquireToken", "none"]);
  await env.idp.reset();
  assert.deepEqual(await page.evaluate(() => window.silent()), { fromCache: true, user: "ajay" });
  assert.equal((await env.idp.counters()).token, 0);
  await ctx.close();
});

test("MsalGuard signs the user in by popup, then MsalInterceptor puts the cached token on protected requests only", async () => {
  const { ctx, page } = await openApp();
  // The guard, from a click (its popup must open inside one): no account, so it signs in.
  await page.evaluate(() => { document.getElementById("login").onclick = () => { window.activated = window.canActivate(); }; });
  await popupSignIn(page, "#login", "ajay");
  assert.equal(await page.evaluate(() => window.activated), true);
  assert.equal(await page.evaluate(() => window.service.instance.getActiveAccount().username), "ajay");
  // Signed in: the guard lets the route through without a popup, and stops a route that would
  // show the response's code.
  assert.equal(await page.evaluate(() => window.canActivate("/profile")), true);
  assert.deepEqual(await page.evaluate(() => window.canActivate("/#code=abc", "code=abc")), { urlTree: "" });
  // The interceptor: the cached token on a protected request, none on another; no token request.
  await env.idp.reset();
  const token = await page.evaluate(() => window.silentToken());
  assert.match(token, /^\S{20,}$/);
  assert.equal(await page.evaluate(() => window.intercept(`${window.api}me`)), `Bearer ${token}`);
  assert.equal(await page.evaluate(() => window.intercept(`${location.origin}/public/data`)), null);
  assert.equal((await env.idp.counters()).token, 0);
  // Without an account the silent call fails and the interceptor asks by popup (from a click;
  // the provider's session is gone too, so it shows its sign-in page).
  await page.evaluate(() => window.service.instance.clearCache());
  await ctx.clearCookies();
  await page.evaluate(() => { document.getElementById("login").onclick = () => { window.intercepted = window.intercept(`${window.api}me`); }; });
  await popupSignIn(page, "#login", "ajay");
  const header = await page.evaluate(() => window.intercepted);
  assert.match(header, /^Bearer \S{20,}$/);
  assert.notEqual(header, `Bearer ${token}`);
  assert.equal((await env.idp.counters()).token, 1);
  await ctx.close();
});

test("by redirect, as Microsoft's Angular samples: MsalGuard signs in and comes back to the guarded page, whose handleRedirectObservable has the result; MsalInterceptor renews by redirect", async () => {
  const { ctx, page } = await openApp();
  await env.idp.reset();
  // The guarded route's address: the guard sends the user back to it (redirectStartPage).
  // The provider answers to redirect.html (the bridge), which takes the browser back to the
  // guarded page; there the app's handleRedirectObservable redeems the code.
  const guarded = `/?idp=${encodeURIComponent(env.idp.entraAuthority)}&route=profile`;
  await guardSignsInByRedirect(page, guarded);
  // (The result's scopes: every consented scope of the resource, as Entra lists them.)
  assert.equal(await page.evaluate(() => window.ready), "result ajay openid profile User.Read api.read api.write");
  assert.equal(await page.evaluate(() => window.service.instance.getActiveAccount()?.username), "ajay", "LOGIN_SUCCESS set it");
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "handleRedirect", "none"]);
  assert.equal(await page.evaluate((url) => window.canActivateByRedirect(url), guarded), true);
  assert.equal((await env.idp.counters()).token, 1);

  // Signed out here (the provider's session stays): the interceptor's silent call fails, so it
  // renews by redirect, from the page the request was made on, without showing a form.
  await page.evaluate(() => window.service.instance.clearCache());
  await env.idp.reset();
  const back = page.url();
  // (Not awaited in the page: its navigation can come before the call's "none". The page that
  // comes back is a new document, without the mark.)
  await page.evaluate(() => { window.left = true; window.interceptByRedirect(`${window.api}files`); });
  await waitFor("the page back from the provider, ready", async () =>
    page.url() === back && (await page.evaluate(() => !window.left && document.body.dataset.ready === "1" && window.ready).catch(() => false)));
  assert.equal(await page.evaluate(() => sessionStorage.getItem("app.sent")), null, "no request went out before the renewal");
  assert.equal(await page.evaluate(() => window.ready), "result ajay openid profile api.read User.Read api.write");
  assert.equal((await env.idp.counters()).token, 1);
  // The interceptor now puts the cached token on the request, without another token request.
  const header = await page.evaluate(() => window.interceptByRedirect(`${window.api}files`));
  assert.match(header, /^Bearer \S{20,}$/);
  assert.equal((await env.idp.counters()).token, 1);
  await ctx.close();
});

test("MsalService with the Location Angular injects (it hands the address's fragment to handleRedirectPromise) and an app page as the redirect URI: MsalGuard's redirect sign-in comes back to the guarded page, with a clean address", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/?idp=${encodeURIComponent(env.idp.entraAuthority)}&ngLocation=1`);
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.ready), "ready");
  await env.idp.reset();
  // The provider answers to "/" (the response in its fragment); as msal, the response leaves
  // the address and the browser goes back to the guarded page, which redeems it.
  const guarded = "/?route=profile";
  await guardSignsInByRedirect(page, guarded);
  assert.equal(await page.evaluate(() => window.ready), "result ajay openid profile User.Read api.read api.write");
  assert.equal(page.url(), `${env.web.origin}${guarded}`);
  assert.deepEqual(await page.evaluate(() => window.trail), ["startup", "handleRedirect", "none"]);
  assert.equal((await env.idp.counters()).token, 1);
  await ctx.close();
});
