// Shared e2e helpers: Debian's Chromium through playwright-core, and the IdP's login form.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// Clicks `selector` on `page`, signs in as `login` in the popup that opens, and waits for the
// popup to close.
export async function popupSignIn(page, selector, login) {
  const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: 10000 }), page.click(selector)]);
  await popup.waitForSelector("#login", { timeout: 10000 });
  await popup.fill("#login", login);
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), popup.click("#submit")]);
}
