// End-to-end: the package bundled as a classic script (an IIFE, as older build setups make
// it, with no import.meta.url) signs in with no extra configuration when the wasm is served
// next to the bundle, and otherwise fails in initialize() with an error that names the fix.
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
  for (const sub of ["app", "nowasm"]) {
    mkdirSync(join(dir, sub), { recursive: true });
    await build({ entryPoints: ["pkg/index.js"], bundle: true, format: "iife", globalName: "msal", outfile: join(dir, sub, "bundle.js"), logLevel: "silent" });
  }
  copyFileSync("pkg/msal_wasm_bg.wasm", join(dir, "app", "msal_wasm_bg.wasm"));
  copyFileSync("pkg/redirect-bridge.js", join(dir, "app", "redirect-bridge.js"));
  copyFileSync("pkg/errors.js", join(dir, "app", "errors.js"));
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
  writeFileSync(join(dir, "app", "index.html"), page("app"));
  writeFileSync(join(dir, "nowasm", "index.html"), page("nowasm"));
  writeFileSync(join(dir, "redirect.html"), `<!doctype html><script type="module">import { broadcastResponseToMainFrame } from "/app/redirect-bridge.js"; broadcastResponseToMainFrame();</script>`);
});
const env = useEnv({ roots: { "/": dir } });

test("a classic-script bundle finds the wasm next to itself and signs in", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/app/index.html`);
  assert.equal(await page.evaluate((a) => window.start(a), env.idp.entraAuthority), "ok");
  await popupSignIn(page, "#popup", "iris");
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => window.last), { ok: true, user: "iris" });
  await ctx.close();
});

test("without the wasm next to it, initialize() fails and names the fix", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${env.web.origin}/nowasm/index.html`);
  const r = await page.evaluate((a) => window.start(a), env.idp.entraAuthority);
  assert.match(r, /^BrowserAuthError:wasm_load_failed:/);
  assert.match(r, /system\.wasmUrl/);
  await ctx.close();
});

test("a failed wasm download fails initialize(); the next initialize() downloads it again and works", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  let requests = 0;
  await page.route("**/msal_wasm_bg.wasm", (route) => (++requests === 1 ? route.abort("connectionreset") : route.continue()));
  await page.goto(`${env.web.origin}/app/index.html`);
  const first = await page.evaluate((a) => window.start(a), env.idp.entraAuthority);
  assert.match(first, /^BrowserAuthError:wasm_load_failed:/);
  assert.equal(await page.evaluate(() => window.pca.initialize().then(() => "ok", (e) => e.errorCode)), "ok");
  assert.equal(requests, 2);
  await popupSignIn(page, "#popup", "ivo");
  await page.waitForFunction(() => window.last !== null);
  assert.deepEqual(await page.evaluate(() => window.last), { ok: true, user: "ivo" });
  await ctx.close();
});
