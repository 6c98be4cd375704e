// End-to-end: @azure/identity's InteractiveBrowserCredential (from npm), what Azure SDK clients
// in a browser call getToken on, over msal-wasm and over @azure/msal-browser 5 side by side: the
// same app (tests/e2e/identity/app.js) bundled twice, once with @azure/msal-browser aliased to
// the package (/wasm/), once with the real one (/msal/). Each step's outcome must be msal's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DOWNSTREAM_API_CLIENT_ID, GUEST_TENANT_ID, TENANT_ID, TODO_API_CLIENT_ID } from "../idp/server.mjs";
import { waitFor } from "./helpers.mjs";
import { useSideBySide } from "./side-by-side.mjs";

// Two APIs (their tokens are JWTs that name the tenant and the scope), as an SDK's scopes are.
const TODO = `api://${TODO_API_CLIENT_ID}/ToDoList.Read`;
const DOWNSTREAM = `api://${DOWNSTREAM_API_CLIENT_ID}/Data.Read`;
const env = useSideBySide({ name: "identity", app: "tests/e2e/identity/app.js", button: "get" });

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
// What an SDK client sees of a getToken: the token's user, tenant and scopes, or the error.
function seen(r) {
  if (!r || r.error) return r;
  const c = claims(r.token);
  assert.equal(r.tokenType, "Bearer");
  assert.ok(r.expiresIn > 60, `expires in ${r.expiresIn} s`);
  return { sub: c.sub, tid: c.tid, scp: c.scp, refreshAfter: r.refreshAfter };
}

async function open(lib, style = "popup") {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  const q = new URLSearchParams({ origin: env.idp.origin, tenant: TENANT_ID, style });
  await page.goto(`${env.web.origin}/${lib}/?${q}`);
  await page.waitForFunction(() => window.ready);
  return { ctx, page };
}

// A getToken from a click; `login` signs in at the provider's page if a popup opens.
async function getToken(page, args, login) {
  await page.evaluate((a) => { document.getElementById("get").dataset.args = JSON.stringify(a); }, args);
  let popups = 0;
  // (A popup may close without showing the form: the provider's session signs the user in.)
  const failures = [];
  const onPopup = (popup) => {
    popups++;
    popup.waitForSelector("#login", { timeout: 10000 })
      .then(() => popup.fill("#login", login))
      .then(() => popup.click("#submit", { noWaitAfter: true }))
      .catch((e) => { if (!popup.isClosed() && !/has been closed/.test(e.message)) failures.push(e); });
  };
  page.on("popup", onPopup);
  const at = page.url();
  await page.click("#get");
  // The outcome, or the page gone (getToken navigated).
  const r = await waitFor("getToken's outcome", () => (page.url() !== at ? "navigated" : page.evaluate(() => window.result).catch(() => "navigated")), { timeout: 20000 });
  page.off("popup", onPopup);
  if (failures.length) throw failures[0];
  return r === "navigated" ? r : { ...seen(r), popups };
}

async function popupScenario(lib) {
  const steps = {};
  await env.idp.reset();
  const { ctx, page } = await open(lib);
  // No account: the credential signs in by popup, then takes the token silently.
  steps.first = await getToken(page, [[TODO]], "rosa");
  // Another scope: the refresh token, no popup.
  steps.other = await getToken(page, [[DOWNSTREAM]], "rosa");
  // The same scope again: the cache.
  steps.again = await getToken(page, [[TODO]], "rosa");
  // A guest tenant's token (multi-tenant apps: getToken's tenantId): the home account's refresh
  // token at the guest tenant's authority.
  steps.guest = await getToken(page, [[TODO], { tenantId: GUEST_TENANT_ID }], "rosa");
  // The AuthenticationRecord an app saves, then a new credential started from it.
  const record = JSON.parse(await page.evaluate((s) => window.authenticate([s]), TODO));
  steps.record = { username: record.username, tenantId: record.tenantId, authority: record.authority, homeAccountId: record.homeAccountId.split(".")[1] };
  await page.evaluate((r) => window.withRecord(JSON.stringify(r)), record);
  steps.fromRecord = await getToken(page, [[TODO]], "rosa");
  steps.counters = (await env.idp.counters()).byGrant;
  await ctx.close();
  return steps;
}

test("InteractiveBrowserCredential by popup: sign-in, other scopes, a guest tenant, an AuthenticationRecord, as over msal-browser", async () => {
  const wasm = await popupScenario("wasm");
  const { sub } = wasm.first;
  // (The provider grants an API's every consented scope, as Entra does.)
  assert.deepEqual(wasm.first, { sub, tid: TENANT_ID, scp: "ToDoList.Read ToDoList.ReadWrite", refreshAfter: "undefined", popups: 1 });
  assert.deepEqual(wasm.other, { sub, tid: TENANT_ID, scp: "Data.Read", refreshAfter: "undefined", popups: 0 });
  assert.deepEqual(wasm.again, { ...wasm.first, popups: 0 });
  assert.deepEqual(wasm.record, { username: "rosa", tenantId: TENANT_ID, authority: new URL(env.idp.origin).host, homeAccountId: TENANT_ID });
  // Two differences the README gives, both where msal-browser fails the credential:
  // - the guest tenant's token: msal looks the token up under the account's tenantId (the
  //   credential's account is the home tenant's), so it serves the home tenant's token to a call
  //   for the guest tenant; msal-wasm redeems the refresh token at the guest tenant.
  assert.deepEqual(wasm.guest, { ...wasm.first, tid: GUEST_TENANT_ID, popups: 0 });
  // - the AuthenticationRecord: the credential sets an active account whose localAccountId is
  //   the homeAccountId; msal's getActiveAccount then finds nobody and the credential signs in
  //   again by popup; msal-wasm finds the account by its home account and tenant.
  assert.deepEqual(wasm.fromRecord, { ...wasm.first, popups: 0 });
  assert.deepEqual(wasm.counters, { authorization_code: 1, refresh_token: 2 });

  const msal = await popupScenario("msal");
  assert.deepEqual(msal.guest, { ...wasm.first, popups: 0 });
  assert.deepEqual(msal.fromRecord, wasm.first);
  assert.deepEqual(msal.counters, { authorization_code: 2, refresh_token: 1 });
  const same = ({ guest, fromRecord, counters, ...rest }) => rest;
  assert.deepEqual(same(wasm), same(msal));
});

// loginStyle "redirect": getToken leaves for the provider; back on the app, a new credential's
// getToken hands the hash saved at load to handleRedirectPromise and gets the token silently.
async function redirectScenario(lib) {
  await env.idp.reset();
  const { ctx, page } = await open(lib, "redirect");
  await page.evaluate((s) => { document.getElementById("get").dataset.args = JSON.stringify([[s]]); }, TODO);
  await page.click("#get");
  await page.waitForSelector("#login");
  await page.fill("#login", "ravi");
  await page.click("#submit");
  await waitFor("the app back, ready", async () => page.url().startsWith(`${env.web.origin}/${lib}/`) && (await page.evaluate(() => window.ready).catch(() => false)));
  const steps = {};
  // The first getToken back on the app navigates to the page the sign-in started from (its
  // query kept: handleRedirectPromise's navigateToLoginRequestUrl), whose getToken ends it.
  steps.navigated = await getToken(page, [[TODO]], "ravi");
  await waitFor("the start page, ready", async () => page.url().includes("/?origin=") && (await page.evaluate(() => window.ready).catch(() => false)));
  steps.back = await getToken(page, [[TODO]], "ravi");

  // handleRedirectPromise again with the same saved hash: nothing redeemed twice.
  steps.again = await getToken(page, [[DOWNSTREAM]], "ravi");
  steps.url = page.url().replace(env.web.origin, "");
  steps.counters = (await env.idp.counters()).byGrant;
  await ctx.close();
  return steps;
}

test("InteractiveBrowserCredential by redirect: back on the app, getToken completes the sign-in silently, as over msal-browser", async () => {
  const wasm = await redirectScenario("wasm");
  const { sub } = wasm.back;
  assert.deepEqual(wasm.back, { sub, tid: TENANT_ID, scp: "ToDoList.Read ToDoList.ReadWrite", refreshAfter: "undefined", popups: 0 });
  assert.deepEqual(wasm.again, { sub, tid: TENANT_ID, scp: "Data.Read", refreshAfter: "undefined", popups: 0 });
  // Where the sign-in started, its query kept (the hash gone).
  assert.match(wasm.url, /^\/wasm\/\?origin=[^#]*&style=redirect$/);
  assert.equal(wasm.navigated, "navigated");
  assert.deepEqual(wasm.counters, { authorization_code: 1, refresh_token: 1 });
  const msal = await redirectScenario("msal");
  assert.deepEqual({ ...wasm, url: wasm.url.replace("/wasm/", "/msal/") }, msal);
});
