// The core matrix on a cross-origin-isolated app (COOP: same-origin + COEP: require-corp on
// every page): the sign-in popup is severed from the page once it reaches the provider, so the
// response comes back only through the redirect bridge (BroadcastChannel). In every engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "../env.mjs";
import { clickClosing, countChannelMessages } from "../helpers.mjs";

const env = useEnv({ isolate: true });

test("popup sign-in on a cross-origin-isolated page comes back through the redirect bridge", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, "the page is cross-origin isolated");
  await countChannelMessages(page);
  // A severed popup is not the page's popup: it is found as a new page of the context.
  const [popup] = await Promise.all([ctx.waitForEvent("page"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  assert.equal(await page.evaluate(() => window.lastPopup === null || window.lastPopup.closed), true, "COOP severed the popup from the page");
  await popup.fill("#login", "iso");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(() => ({ user: window.last.ok ? window.last.result.account.username : window.last.code, bridge: window.bridgeMessages }));
  assert.deepEqual(r, { user: "iso", bridge: 1 });
  await env.idp.reset();
  const silent = await page.evaluate(async () => {
    const account = window.pca.getAllAccounts()[0];
    const hit = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
    const renewed = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
    return { hit: hit.fromCache, same: hit.accessToken === window.last.result.accessToken, renewed: renewed.fromCache, changed: renewed.accessToken !== hit.accessToken };
  });
  assert.deepEqual(silent, { hit: true, same: true, renewed: false, changed: true });
  assert.equal((await env.idp.counters()).token, 1, "the refresh reached the provider (CORS under COEP)");
  await ctx.close();
});
