// End-to-end on a cross-origin-isolated page (COOP: same-origin + COEP: require-corp on every
// page of the app): the sign-in popup is severed from the page as soon as it reaches the
// provider, so the response can only come back through the redirect bridge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "./env.mjs";

const env = useEnv({ isolate: true });

test("popup sign-in and a silent call on a cross-origin-isolated page, through the redirect bridge", async () => {
  const ctx = await env.browser.newContext();
  const page = await env.open("entra", "sessionStorage", ctx);
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, "the page is cross-origin isolated");
  // Count what arrives over the page's BroadcastChannels (the bridge's channel among them).
  await page.evaluate(() => {
    window.bridgeMessages = 0;
    const Channel = window.BroadcastChannel;
    window.BroadcastChannel = class extends Channel {
      constructor(name) {
        super(name);
        this.addEventListener("message", () => { window.bridgeMessages += 1; });
      }
    };
  });
  const [popup] = await Promise.all([ctx.waitForEvent("page"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  // COOP severed the popup from the page: the page cannot see it, nor it the page.
  assert.equal(await page.evaluate(() => window.lastPopup === null || window.lastPopup.closed), true);
  await popup.fill("#login", "iso");
  await Promise.all([popup.waitForEvent("close"), popup.click("#submit")]);
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
  assert.equal((await env.idp.counters()).byGrant.refresh_token, 1, "the refresh went to the provider (CORS under COEP)");
  await ctx.close();
});
