// End-to-end: the package as a classic script — the shipped script-tag build
// (msal-wasm.min.js, global `msal`; the bridge page with msal-wasm-redirect-bridge.min.js,
// global `msalRedirectBridge`, as msal's samples load theirs), and an IIFE an app's bundler
// makes (no import.meta.url) — signs in with no extra configuration when the wasm is served
// next to the script, and otherwise fails in initialize() with an error that names the fix.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { useEnv } from "./env.mjs";
import { popupSignIn } from "./helpers.mjs";

const dir = mkdtempSync(join(tmpdir(), "msal-wasm-iife-"));
before(async () => {
  for (const sub of ["app", "nowasm", "bundled"]) mkdirSync(join(dir, sub), { recursive: true });
  for (const sub of ["app", "nowasm"]) copyFileSync("pkg/msal-wasm.min.js", join(dir, sub, "bundle.js"));
  await build({ entryPoints: ["pkg/index.js"], bundle: true, format: "iife", globalName: "msal", outfile: join(dir, "bundled", "bundle.js"), logLevel: "silent" });
  for (const sub of ["app", "bundled"]) copyFileSync("pkg/msal_wasm_bg.wasm", join(dir, sub, "msal_wasm_bg.wasm"));
  copyFileSync("pkg/msal-wasm-redirect-bridge.min.js", join(dir, "msal-wasm-redirect-bridge.min.js"));
  const page = (sub) => `<!doctype html><meta charset="utf-8"><button id="popup">popup</button>
<script src="/${sub}/bundle.js"></script>
<script>
  window.last = null;
  window.start = (authority) => {
    window.pca = new msal.PublicClientApplication({
      auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host], redirectUri: "/redirect.html" },
      system: { loggerOptions: { logLevel: 4, loggerCallback: (level, message) => console.debug(message) } },
    });
    return window.pca.initialize().then(() => "ok", (e) => e.name + ":" + e.errorCode + ":" + e.message);
  };
  document.getElementById("popup").onclick = () => window.pca.loginPopup({ scopes: ["User.Read"] }).then((r) => (window.last = { ok: true, user: r.account.username }), (e) => (window.last = { ok: false, code: e.errorCode }));
</script>`;
  // (Each page is one level above its script: the wasm is found next to the script, not the page.)
  for (const sub of ["app", "nowasm", "bundled"]) writeFileSync(join(dir, `${sub}.html`), page(sub));
  writeFileSync(join(dir, "redirect.html"), `<!doctype html><script src="/msal-wasm-redirect-bridge.min.js"></script><script>msalRedirectBridge.broadcastResponseToMainFrame();</script>`);
});
const env = useEnv({ roots: { "/": dir } });

for (const [sub, what] of [["app", "the shipped script-tag build"], ["bundled", "an app's own IIFE bundle"]]) {
  test(`${what} finds the wasm next to itself and signs in, through the script-tag bridge`, async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${env.web.origin}/${sub}.html`);
    assert.equal(await page.evaluate((a) => window.start(a), env.idp.entraAuthority), "ok");
    await popupSignIn(page, "#popup", "iris");
    await page.waitForFunction(() => window.last !== null);
    assert.deepEqual(await page.evaluate(() => window.last), { ok: true, user: "iris" });
    await ctx.close();
  });
}

test("without the wasm next to it, initialize() fails and names the fix, in its rejection and in the app's logger (msal-react's MsalProvider drops the rejection)", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  const logged = [];
  page.on("console", (m) => logged.push(m.text()));
  await page.goto(`${env.web.origin}/nowasm.html`);
  const r = await page.evaluate((a) => window.start(a), env.idp.entraAuthority);
  assert.match(r, /^BrowserAuthError:wasm_load_failed:/);
  assert.match(r, /system\.wasmUrl/);
  assert.ok(logged.some((l) => / : Error - initialize failed: wasm_load_failed: .*system\.wasmUrl/.test(l)), logged.join("\n"));
  await ctx.close();
});

test("a wasm download that fails on the way is tried twice more within initialize(); one that keeps failing fails it, and the next initialize() downloads again; a 404 is not tried again", async () => {
  // msal-react's MsalProvider stays in "startup" for good after a failed initialize(): a
  // connection reset once must not fail it.
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  let requests = 0;
  await page.route("**/msal_wasm_bg.wasm", (route) => (++requests === 1 ? route.abort("connectionreset") : route.continue()));
  await page.goto(`${env.web.origin}/app.html`);
  assert.equal(await page.evaluate((a) => window.start(a), env.idp.entraAuthority), "ok");
  assert.equal(requests, 2);
  await popupSignIn(page, "#popup", "ivo");
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => window.last), { ok: true, user: "ivo" });
  await ctx.close();
  // A server that answers 503 three times: initialize() fails after 3 requests, with the
  // status; the next initialize() downloads it again.
  const busy = await env.browser.newContext();
  const second = await busy.newPage();
  let tries = 0;
  await second.route("**/msal_wasm_bg.wasm", (route) => (++tries <= 3 ? route.fulfill({ status: 503, body: "busy" }) : route.continue()));
  await second.goto(`${env.web.origin}/app.html`);
  const first = await second.evaluate((a) => window.start(a), env.idp.entraAuthority);
  assert.match(first, /^BrowserAuthError:wasm_load_failed:.* 503 .*3 tries failed on the network or at the server/);
  assert.equal(tries, 3);
  assert.equal(await second.evaluate(() => window.pca.initialize().then(() => "ok", (e) => e.errorCode)), "ok");
  assert.equal(tries, 4);
  await busy.close();
  // A 404 is where the file is, not the network: one request, and the fix named.
  const missing = await env.browser.newContext();
  const third = await missing.newPage();
  let asked = 0;
  await third.route("**/msal_wasm_bg.wasm", (route) => (++asked, route.fulfill({ status: 404, body: "not found" })));
  await third.goto(`${env.web.origin}/app.html`);
  const gone = await third.evaluate((a) => window.start(a), env.idp.entraAuthority);
  assert.match(gone, /^BrowserAuthError:wasm_load_failed:.* 404 .*system\.wasmUrl/);
  assert.equal(asked, 1);
  await missing.close();
});

test("the script-tag bridge runs on a classic page: msalRedirectBridge rejects a page without a response and cleans its address", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/redirect.html?foo=1`);
  await page.waitForFunction(() => document.title === "Microsoft Authentication" && location.search === "");
  assert.equal(page.url(), `${env.web.origin}/redirect.html`);
  await ctx.close();
});
