// One browser, one static server and one OpenID provider per test file.
import { startIdp } from "../idp/server.mjs";
import { startStatic } from "../serve.mjs";
import { launchBrowser } from "./helpers.mjs";

export async function startEnv(idpOptions = {}) {
  const web = await startStatic({ roots: { "/": ["tests/e2e/www", "www"], "/pkg/": "pkg" } });
  const idp = await startIdp({ port: 0, spaOrigins: [web.origin], ...idpOptions });
  const browser = await launchBrowser();
  const env = {
    web,
    idp,
    browser,
    harness(mode = "entra", cache = "sessionStorage", offset = 300) {
      const authority = mode === "oidc" ? idp.oidcAuthority : idp.entraAuthority;
      return `${web.origin}/?idp=${encodeURIComponent(authority)}&mode=${mode}&cache=${cache}&offset=${offset}`;
    },
    async open(mode, cache, context, offset) {
      const ctx = context || (await browser.newContext());
      const page = await ctx.newPage();
      await page.goto(env.harness(mode, cache, offset));
      await page.waitForSelector("body[data-ready='1']");
      return page;
    },
    async close() {
      await browser.close();
      await idp.close();
      await web.close();
    },
  };
  return env;
}

// A page of a fresh browser context, signed in by popup as `login`.
export async function signedInPage(env, login, { mode = "entra", cache = "sessionStorage", offset, context } = {}) {
  const { popupSignIn } = await import("./helpers.mjs");
  const page = await env.open(mode, cache, context, offset);
  await popupSignIn(page, "#popup", login);
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => (window.last.ok ? "ok" : window.last.code));
  if (last !== "ok") throw new Error(`popup sign-in failed: ${last}`);
  return page;
}
