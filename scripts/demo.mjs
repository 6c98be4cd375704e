// The demo: starts the local OpenID provider and the demo SPA (www/ + pkg/), prints the URL.
//   node scripts/demo.mjs              serve until Ctrl-C
//   node scripts/demo.mjs --headless   sign in by popup in headless Chromium, get a token
//                                      silently, print the account and expiry, stop, exit 0
import { startIdp } from "../tests/idp/server.mjs";
import { STRICT_CSP, startStatic } from "../tests/serve.mjs";
import { launchBrowser, popupSignIn } from "../tests/e2e/helpers.mjs";

const headless = process.argv.includes("--headless");
let step = "starting";
const progress = (what) => {
  step = what;
  if (headless) console.error(`demo: ${what}`);
};
if (headless) {
  // Never hang a CI run: the whole headless sign-in takes a few seconds. Exit code 75 (and
  // only it) tells scripts/test.sh that the watchdog fired, which it retries once.
  setTimeout(() => {
    console.error(`headless demo: no progress for 120 s (stuck at: ${step})`);
    process.exit(75);
  }, 120_000).unref();
}
const port = Number(process.env.DEMO_PORT || (headless ? 0 : 8080));

progress("starting the static server");
// The demo runs under a strict Content-Security-Policy (see the README): the package needs
// only 'wasm-unsafe-eval'.
const web = await startStatic({ port, roots: { "/": "www", "/pkg/": "pkg" }, csp: STRICT_CSP });
progress("starting the OpenID provider");
const idp = await startIdp({ port: Number(process.env.IDP_PORT || 0), spaOrigins: [web.origin] });
const url = `${web.origin}/?idp=${encodeURIComponent(idp.entraAuthority)}`;
console.log(`demo SPA:      ${url}`);
console.log(`OpenID provider: ${idp.entraAuthority} (any login name, no password)`);

async function stop(code) {
  await idp.close();
  await web.close();
  process.exit(code);
}

if (!headless) {
  console.log("Ctrl-C to stop.");
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
} else {
  let browser;
  try {
    progress("launching Chromium");
    browser = await launchBrowser();
    const page = await browser.newPage();
    const violations = [];
    page.on("console", (m) => { if (/Content Security Policy|Trusted Type/i.test(m.text())) violations.push(m.text()); });
    progress("loading the demo");
    await page.goto(url);
    await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    progress("signing in by popup");
    await popupSignIn(page, "#login-popup", "ada.lovelace");
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("signed in"), null, { timeout: 15000 });
    progress("getting a token silently and calling userinfo");
    await page.click("#token");
    await page.waitForFunction(() => document.getElementById("token-out").dataset.expires, null, { timeout: 15000 });
    await page.click("#userinfo");
    await page.waitForFunction(() => document.getElementById("userinfo-out").textContent.includes("sub"), null, { timeout: 15000 });
    const userinfo = JSON.parse(await page.textContent("#userinfo-out"));
    const name = JSON.parse(await page.textContent("#account")).name;
    const expires = await page.getAttribute("#token-out", "data-expires");
    console.log(`signed in: ${name}`);
    console.log(`access token expires: ${expires}`);
    console.log(`userinfo (Bearer access token): sub=${userinfo.sub} preferred_username=${userinfo.preferred_username}`);
    if (violations.length) throw new Error(`the page broke its Content-Security-Policy: ${violations.join(" | ")}`);
    console.log(`Content-Security-Policy: ${STRICT_CSP} (no violation)`);
    progress("stopping");
    await browser.close();
    await stop(0);
  } catch (e) {
    console.error("headless demo failed:", e);
    if (browser) await browser.close().catch(() => {});
    await stop(1);
  }
}
