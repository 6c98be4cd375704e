// End-to-end: the Vite-built example app (examples/vite/dist) signs in and gets a token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inProject } from "./project.mjs";
import { startIdp } from "../idp/server.mjs";
import { startStatic } from "../serve.mjs";
import { launchBrowser, popupSignIn } from "./helpers.mjs";

let web, idp, browser;
before(async () => {
  assert.ok(existsSync("examples/vite/dist/index.html"), "build the example first: vite build --config examples/vite/vite.config.js");
  web = await startStatic({ roots: { "/": "examples/vite/dist" } });
  idp = await startIdp({ port: 0, spaOrigins: [web.origin] });
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
  await idp.close();
  await web.close();
});

test("the Vite build signs in by popup and gets a token from the cache", async () => {
  const page = await browser.newPage();
  await page.goto(`${web.origin}/?idp=${encodeURIComponent(idp.entraAuthority)}`);
  await page.waitForSelector("body[data-ready='1']");
  await popupSignIn(page, "#login", "vera");
  await page.waitForFunction(() => document.getElementById("status").textContent === "signed in as vera");
  await idp.reset();
  await page.click("#token");
  await page.waitForFunction(() => document.getElementById("out").textContent.length > 0);
  const out = JSON.parse(await page.textContent("#out"));
  assert.equal(out.fromCache, true);
  assert.ok(Date.parse(out.expiresOn) > Date.now());
  assert.equal((await idp.counters()).token, 0);
  await page.close();
});

test("a Vite build keeps a page that only imports the package (its evaluation answers the popup's opener)", async () => {
  // The package declares its side effects: with "sideEffects": false a bundler drops a bare
  // `import "msal-wasm"` from an installed package, and a popup landing on such a page (a
  // redirect URI that is a page of the app) never answers.
  await inProject("vite", async (dir) => {
    writeFileSync(join(dir, "index.html"), '<script type="module" src="./main.js"></script>');
    writeFileSync(join(dir, "main.js"), 'import "msal-wasm";\n');
    const { build } = await import("vite");
    await build({ root: dir, logLevel: "silent", configFile: false, build: { outDir: join(dir, "dist"), target: "es2022" } });
    const assets = join(dir, "dist", "assets");
    const js = readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(assets, f), "utf8")).join("\n");
    // (The rest is tree-shaken: what runs at evaluation stays, the answer over BroadcastChannel.)
    assert.ok(js.includes("BroadcastChannel"), `the package is gone from the page's bundle (${js.length} B of JS)`);
  });
});

// Vite's dev server pre-bundles a dependency into node_modules/.vite/deps, away from its .wasm
// (vitejs/vite#8427). The package, installed as a real directory: as the app's default config
// would, initialize() fails with a message that names the fix; each fix works.
test("vite dev: a pre-bundled package fails initialize() naming the fix; optimizeDeps.exclude and a ?url wasmUrl each work", async () => {
  const { createServer } = await import("vite");
  const { mkdtempSync, mkdirSync, cpSync, writeFileSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const root = mkdtempSync(join(tmpdir(), "msal-wasm-vite-dev-"));
  cpSync("pkg", join(root, "node_modules", "msal-wasm"), { recursive: true, dereference: true });
  writeFileSync(join(root, "index.html"), '<!doctype html><script type="module" src="/main.js"></script>');
  const run = async (main, config) => {
    writeFileSync(join(root, "main.js"), main);
    rmSync(join(root, "node_modules", ".vite"), { recursive: true, force: true });
    const server = await createServer({ root, configFile: false, logLevel: "silent", server: { port: 0, host: "127.0.0.1" }, ...config });
    await server.listen();
    const page = await browser.newPage();
    try {
      await page.goto(server.resolvedUrls.local[0]);
      await page.waitForFunction(() => document.body && document.body.dataset.result, null, { timeout: 60000 });
      return await page.evaluate(() => document.body.dataset.result);
    } finally {
      await page.close();
      await server.close();
    }
  };
  const app = (wasmUrl) => `${wasmUrl ? 'import wasmUrl from "msal-wasm/msal_wasm_bg.wasm?url";\n' : ""}import { PublicClientApplication } from "msal-wasm";
const pca = new PublicClientApplication({ auth: { clientId: "c", authority: "https://login.microsoftonline.com/common" }${wasmUrl ? ", system: { wasmUrl }" : ""} });
pca.initialize().then(() => (document.body.dataset.result = "ok"), (e) => (document.body.dataset.result = e.errorCode + ": " + e.errorMessage));`;
  try {
    const failed = await run(app(false), {});
    assert.match(failed, /^wasm_load_failed: .*optimizeDeps\.exclude/, failed);
    assert.equal(await run(app(false), { optimizeDeps: { exclude: ["msal-wasm"] } }), "ok");
    assert.equal(await run(app(true), {}), "ok");
    // A library written for msal-browser (msal-react, msal-angular) with @azure/msal-browser
    // aliased to the package: with msal-wasm alone excluded, the dev server bundles a second
    // copy into the library's pre-bundle, and its `instanceof InteractionRequiredAuthError`
    // misses the app's errors; with both names excluded there is one copy.
    const lib = join(root, "node_modules", "msal-wrapper");
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, "package.json"), JSON.stringify({ name: "msal-wrapper", type: "module", main: "index.js" }));
    writeFileSync(join(lib, "index.js"), 'import { InteractionRequiredAuthError } from "@azure/msal-browser";\nexport const interactionRequired = (e) => e instanceof InteractionRequiredAuthError;\n');
    const wrapped = `import { PublicClientApplication, InteractionRequiredAuthError } from "msal-wasm";
import { interactionRequired } from "msal-wrapper";
const pca = new PublicClientApplication({ auth: { clientId: "c", authority: "https://login.microsoftonline.com/common" } });
pca.initialize().then(() => (document.body.dataset.result = interactionRequired(new InteractionRequiredAuthError("login_required")) ? "one copy" : "two copies"), (e) => (document.body.dataset.result = e.errorCode));`;
    const aliased = (exclude) => ({ resolve: { alias: { "@azure/msal-browser": "msal-wasm" } }, optimizeDeps: { exclude } });
    assert.equal(await run(wrapped, aliased(["msal-wasm"])), "two copies");
    assert.equal(await run(wrapped, aliased(["msal-wasm", "@azure/msal-browser"])), "one copy");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
