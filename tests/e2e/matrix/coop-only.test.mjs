// The core matrix on an app that sends COOP: same-origin without COEP (common hardening): the page
// is not cross-origin isolated, yet the popup is severed from it as it reaches the provider and
// `closed` reads true while the user signs in. The response comes back through the redirect
// bridge, as on an isolated page (coop.test.mjs). In every engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "../env.mjs";
import { clickClosing, countChannelMessages } from "../helpers.mjs";

const env = useEnv({ isolate: "coop", redirectPaths: ["/router.html"] });

test("popup sign-in on a page with COOP but no COEP comes back through the redirect bridge", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, "COOP alone does not isolate the page");
  await countChannelMessages(page);
  const [popup] = await Promise.all([ctx.waitForEvent("page"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  assert.equal(await page.evaluate(() => window.lastPopup === null || window.lastPopup.closed), true, "COOP severed the popup from the page");
  // The user takes a while: the severed popup reads closed all along.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await page.evaluate(() => window.last), null, "the sign-in is still waiting");
  await popup.fill("#login", "coop-only");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
  await page.waitForFunction(() => window.last !== null);
  const r = await page.evaluate(() => ({ user: window.last.ok ? window.last.result.account.username : window.last.code, bridge: window.bridgeMessages }));
  assert.deepEqual(r, { user: "coop-only", bridge: 1 });
  await ctx.close();
});

// msal 5 asks for the redirect bridge as the popup's redirect URI; an app upgraded with its own
// page there (whose router then rewrites the address) would wait until popupBridgeTimeout: the
// severed popup cannot be read. The package on that page answers over the bridge channel.
test("a popup whose redirect URI is a page of the app (no bridge call, a router that rewrites the address) signs in on a page with COOP", async () => {
  const ctx = await env.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(env.harness("entra"));
  await page.waitForSelector("body[data-ready='1']");
  await countChannelMessages(page);
  await page.evaluate(() => { window.popupRequest = Object.assign({}, window.popupRequest, { redirectUri: `${location.origin}/router.html` }); });
  const [popup] = await Promise.all([ctx.waitForEvent("page"), page.click("#popup")]);
  await popup.waitForSelector("#login");
  await popup.fill("#login", "coop-router");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
  await page.waitForFunction(() => window.last !== null, null, { timeout: 15000 });
  const r = await page.evaluate(() => ({ user: window.last.ok ? window.last.result.account.username : window.last.code, bridge: window.bridgeMessages }));
  assert.deepEqual(r, { user: "coop-router", bridge: 1 });
  await ctx.close();
});
