// One browser, one static server and one OpenID provider per test file.
import { startIdp } from "../idp/server.mjs";
import { startStatic } from "../serve.mjs";
import { launchBrowser } from "./helpers.mjs";

export async function startEnv(idpOptions = {}) {
  const web = await startStatic({ roots: { "/": "tests/e2e/www", "/pkg/": "pkg" } });
  const idp = await startIdp({ port: 0, spaOrigins: [web.origin], ...idpOptions });
  const browser = await launchBrowser();
  const env = {
    web,
    idp,
    browser,
    harness(mode = "entra", cache = "sessionStorage") {
      const authority = mode === "oidc" ? idp.oidcAuthority : idp.entraAuthority;
      return `${web.origin}/?idp=${encodeURIComponent(authority)}&mode=${mode}&cache=${cache}`;
    },
    async open(mode, cache, context) {
      const ctx = context || (await browser.newContext());
      const page = await ctx.newPage();
      await page.goto(env.harness(mode, cache));
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
