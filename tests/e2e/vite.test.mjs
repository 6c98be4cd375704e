// End-to-end: the Vite-built example app (examples/vite/dist) signs in and gets a token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
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
