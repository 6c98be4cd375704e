// End-to-end, differential: one app (tests/e2e/differential/app.js) bundled over msal-wasm and
// over @azure/msal-browser 5, run through the same steps against the same provider; each step's
// outcome (result or error), the events it raised and the storage it left must be msal's, with
// values that differ on every run (tokens, ids, times) replaced by their kind.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { useEnv } from "./env.mjs";
import { waitFor } from "./helpers.mjs";

const LIBS = ["wasm", "msal"];
const dir = mkdtempSync(join(tmpdir(), "msal-wasm-differential-"));
before(async () => {
  for (const lib of LIBS) {
    const out = join(dir, lib);
    mkdirSync(out);
    const alias = lib === "wasm"
      ? { "@azure/msal-browser/redirect-bridge": resolve("pkg/redirect-bridge.js"), "@azure/msal-browser": resolve("pkg/index.js") }
      : {};
    await build({ entryPoints: ["tests/e2e/differential/app.js"], bundle: true, format: "esm", platform: "browser", outfile: join(out, "app.js"), logLevel: "silent", alias });
    await build({ entryPoints: ["tests/e2e/identity/redirect.js"], bundle: true, format: "esm", platform: "browser", outfile: join(out, "redirect.js"), logLevel: "silent", alias });
    if (lib === "wasm") copyFileSync("pkg/msal_wasm_bg.wasm", join(out, "msal_wasm_bg.wasm"));
    writeFileSync(join(out, "index.html"), `<!doctype html><meta charset="utf-8"><button id="go">go</button><script type="module" src="app.js"></script>`);
    writeFileSync(join(out, "redirect.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="redirect.js"></script>`);
  }
});
// The provider over https (msal-browser refuses an http authority), its certificate trusted.
const env = useEnv({ idp: { https: true }, roots: { "/": dir }, redirectPaths: LIBS.flatMap((l) => [`/${l}/`, `/${l}/redirect.html`]) });

async function open(lib, cache) {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  const q = new URLSearchParams({ authority: env.idp.entraAuthority, cache });
  await page.goto(`${env.web.origin}/${lib}/?${q}`);
  const start = await page.evaluate(() => window.ready);
  return { ctx, page, start };
}

// A step from a click (it may open a popup, where `login` signs in when the form shows).
async function clicked(page, fn, login) {
  await page.evaluate((f) => { document.getElementById("go").dataset.fn = f; }, fn.toString());
  const onPopup = (popup) => {
    popup.waitForSelector("#login", { timeout: 10000 })
      .then(() => popup.fill("#login", login))
      .then(() => popup.click("#submit", { noWaitAfter: true }))
      .catch((e) => { if (!popup.isClosed()) throw e; });
  };
  page.on("popup", onPopup);
  await page.click("#go");
  const o = await waitFor("the step's outcome", () => page.evaluate(() => window.outcome), { timeout: 20000 });
  page.off("popup", onPopup);
  return o;
}
const step = (page, fn) => page.evaluate((f) => window.step(new Function("pca", "msal", `return (${f})(pca, msal);`)), fn.toString());

const STEPS = [
  ["no account yet", (p) => p.getAllAccounts()],
  ["silent without an account", (p) => p.acquireTokenSilent({ scopes: ["User.Read"] })],
  ["ssoSilent without a session", (p) => p.ssoSilent({ scopes: ["User.Read"], loginHint: "rosa" })],
  ["loginPopup", (p) => p.loginPopup({ scopes: ["User.Read"] }), "click"],
  ["accounts", (p) => ({ all: p.getAllAccounts(), active: p.getActiveAccount(), byName: p.getAccount({ username: "rosa" }), nobody: p.getAccount({ username: "nobody" }) })],
  ["setActiveAccount", (p) => p.setActiveAccount(p.getAllAccounts()[0])],
  ["silent from the cache", (p) => p.acquireTokenSilent({ scopes: ["User.Read"] })],
  ["silent, another scope", (p) => p.acquireTokenSilent({ scopes: ["api.read"] })],
  ["silent, forceRefresh", (p) => p.acquireTokenSilent({ scopes: ["User.Read"], forceRefresh: true })],
  ["silent, claims", (p) => p.acquireTokenSilent({ scopes: ["User.Read"], claims: JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } }) })],
  ["silent, an unknown scope", (p) => p.acquireTokenSilent({ scopes: ["api://nowhere/x"] })],
  ["silent, cacheLookupPolicy AccessToken, nothing cached", (p, m) => p.acquireTokenSilent({ scopes: ["api.write"], cacheLookupPolicy: m.CacheLookupPolicy.AccessToken })],
  ["silent, an account not in the cache", (p) => p.acquireTokenSilent({ scopes: ["User.Read"], account: { ...p.getActiveAccount(), homeAccountId: "nobody.nowhere", localAccountId: "nobody" } })],
  ["two popups at once", (p) => Promise.allSettled([p.acquireTokenPopup({ scopes: ["api.write"] }), p.acquireTokenPopup({ scopes: ["api.write"] })]), "click"],
  ["ssoSilent", (p) => p.ssoSilent({ scopes: ["User.Read"], loginHint: p.getActiveAccount().username })],
  ["logoutPopup", (p) => p.logoutPopup({ account: p.getActiveAccount() }), "click"],
  ["accounts after logout", (p) => ({ all: p.getAllAccounts(), active: p.getActiveAccount() })],
];

async function run(lib, cache) {
  const { ctx, page, start } = await open(lib, cache);
  const seen = { start };
  for (const [name, fn, how] of STEPS) {
    seen[name] = how === "click" ? await clicked(page, fn, "rosa") : await step(page, fn);
  }
  await ctx.close();
  return seen;
}

// A redirect sign-in and a redirect renewal: what handleRedirectPromise gives back on return.
async function runRedirect(lib, cache) {
  const { ctx, page, start } = await open(lib, cache);
  const seen = { start };
  const back = async (name, fn) => {
    await page.evaluate((f) => { document.getElementById("go").dataset.fn = f; }, fn.toString());
    await page.click("#go");
    await page.waitForSelector("#login");
    await page.fill("#login", "ravi");
    await page.click("#submit");
    // Back on the redirect URI, then on the page the sign-in started from (its query kept).
    await waitFor("the start page back", async () => page.url().startsWith(`${env.web.origin}/${lib}/?`) && (await page.evaluate(() => !!window.ready).catch(() => false)), { timeout: 20000 });
    seen[name] = await page.evaluate(() => window.ready);
    seen[`${name}, url`] = page.url().replace(env.web.origin, "").replace(`/${lib}/`, "/<lib>/").replace(/authority=[^&]*/, "authority=…");
  };
  await back("loginRedirect", (p) => p.loginRedirect({ scopes: ["User.Read"], redirectUri: `${location.origin}${location.pathname}` }));
  seen["silent after the redirect"] = await step(page, (p) => p.acquireTokenSilent({ scopes: ["User.Read"], account: p.getAllAccounts()[0] }));
  await back("acquireTokenRedirect, prompt login", (p) => p.acquireTokenRedirect({ scopes: ["api.read"], account: p.getAllAccounts()[0], prompt: "login", redirectUri: `${location.origin}${location.pathname}` }));
  seen["handleRedirectPromise again"] = await step(page, (p) => p.handleRedirectPromise());
  await ctx.close();
  return seen;
}

// The differences the README gives, taken out of both sides before the comparison:
// - storage: msal's telemetry-only `msal.version` key and accounts' `cachedByApiId`; a refresh
//   token's `realm` (msal leaves it out; both read either); msal-wasm's discovery document;
// - events: ACQUIRE_TOKEN_NETWORK_START's payload (msal's: the request as it completed it) and
//   LOGOUT_START's (msal's: the request completed with what it sends); a silent call's
//   ACQUIRE_TOKEN_SUCCESS payload's `state` (msal's: "" where the result's is the request's).
function known(seen) {
  const out = structuredClone(seen);
  for (const o of Object.values(out)) {
    if (!o || typeof o !== "object" || !o.storage) continue;
    for (const k of Object.keys(o.storage)) {
      if (/msal\.version$|authority-metadata/.test(k)) delete o.storage[k];
      else if (typeof o.storage[k] === "string") o.storage[k] = o.storage[k].replace(/(^|,)cachedByApiId(?=,|$)/, "").replace(/^,/, "");
      if (/\|refreshtoken\|/.test(k)) o.storage[k] = o.storage[k].replace(",realm,", ",");
    }
    for (const e of o.events || []) {
      if (e.eventType === "msal:acquireTokenFromNetworkStart" || e.eventType === "msal:logoutStart") e.payload = "<request>";
      if (e.eventType === "msal:acquireTokenSuccess" && e.interactionType === "silent" && e.payload) delete e.payload.state;
    }
  }
  return out;
}

// DIFFERENTIAL_OUT=DIR writes both sides of each test to DIR, to read a failure whole.
function compare(wasm, msal, label) {
  const [w, m] = [known(wasm), known(msal)];
  if (process.env.DIFFERENTIAL_OUT) writeFileSync(join(process.env.DIFFERENTIAL_OUT, `differential-${label}.json`), JSON.stringify({ wasm: w, msal: m }, null, 1));
  for (const name of Object.keys(msal)) {
    assert.deepEqual(w[name], m[name], name);
  }
}

test("popup sign-in, silent calls, errors, ssoSilent and sign-out: msal's outcomes, events and storage (sessionStorage)", async () => {
  compare(await run("wasm", "sessionStorage"), await run("msal", "sessionStorage"), "popup-session");
});

test("the same with a localStorage cache", async () => {
  compare(await run("wasm", "localStorage"), await run("msal", "localStorage"), "popup-local");
});

test("redirect sign-in and renewal: handleRedirectPromise's result, events and storage, as msal's", async () => {
  compare(await runRedirect("wasm", "sessionStorage"), await runRedirect("msal", "sessionStorage"), "redirect");
});
