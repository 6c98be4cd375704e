// WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver driving MiniBrowser, under a private
// Xvfb) through selenium-webdriver, W3C WebDriver classic: WebKitGTK 2.50's driver has no
// WebDriver BiDi (a session asking for `webSocketUrl` is refused), and playwright drives only its
// own patched WebKit builds, not this one.
//
// The e2e scenarios are written against playwright's Browser/BrowserContext/Page; this module
// gives the small part of that interface the core matrix uses, over WebDriver:
//   browser.newContext({ignoreHTTPSErrors}) / close()  a context is one WebDriver session (one
//                                                  MiniBrowser with its own ephemeral profile)
//   context.newPage() / pages() / close() / waitForEvent("page") / on("page")
//   page.goto / reload / url / evaluate / waitForFunction / waitForSelector / waitForURL /
//        click (noWaitAfter) / fill / waitForEvent("popup" | "close") / close / isClosed / context / on
//   page.frames() (awaited: resolved asynchronously here), and on a frame url / evaluate /
//        waitForFunction / waitForSelector / waitForLoadState / click / fill
// WebDriver talks to one window at a time: every command switches to its page's window first,
// and the commands of a context run one after the other (a queue). A page's evaluate therefore
// does not run while another page's evaluate waits: scenarios that need tabs to work at the
// same moment start the work in each tab and then wait for it (see matrix/core.test.mjs).
// Not available here, and not used by the matrix: console events (WebDriver classic has no log
// endpoint in WebKitWebDriver; the token sweep still reads the harness's own log lines), init
// scripts, playwright's clock, offline mode, request interception.
import { spawn } from "node:child_process";
import { Builder, By, Capabilities } from "selenium-webdriver";
import remote from "selenium-webdriver/remote/index.js";
import portprober from "selenium-webdriver/net/portprober.js";

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = process.env.MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

// A private X server on a free display (Xvfb picks it and writes it to fd 3): WebKitGTK needs a
// display, and without one WebKitWebDriver's new-session request hangs.
async function startXvfb() {
  const child = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  const display = await new Promise((ok, ko) => {
    let buf = "";
    child.stdio[3].on("data", (d) => { buf += d; if (buf.includes("\n")) ok(":" + buf.trim()); });
    child.once("exit", (code) => ko(new Error(`Xvfb exited with ${code}: ${err}`)));
    setTimeout(() => ko(new Error(`Xvfb reported no display in 10 s: ${err}`)), 10000).unref();
  });
  return {
    display,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const gone = new Promise((ok) => child.once("exit", ok));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

export async function launchWebKit() {
  return new WdBrowser(await startDriver());
}

// Xvfb and WebKitWebDriver: the driver's URL and how to stop both.
async function startDriver() {
  const xvfb = await startXvfb();
  let service;
  try {
    const port = await portprober.findFreePort();
    service = new remote.DriverService(WEBKIT_DRIVER, {
      port,
      hostname: "127.0.0.1",
      args: [`--port=${port}`, "--host=127.0.0.1"],
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: "ignore",
    });
    const url = await service.start(15000);
    return {
      url,
      async stop() {
        await service.kill().catch(() => {});
        await xvfb.stop();
      },
    };
  } catch (e) {
    if (service) await service.kill().catch(() => {});
    await xvfb.stop();
    throw e;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// How long one WebDriver command may take: longer than the session's own script and page-load
// timeouts (30 s), which end every command that waits on the page. A command that outlives it
// means the driver itself stopped answering; it runs one session's commands one after the
// other, so nothing sent after it would ever be answered either (seen twice in CI, each time
// holding the whole step until its 600 s timeout). Such a failure names the command and carries
// DRIVER_HUNG, so scripts/node-test.mjs can tell it from a test's own failure.
const COMMAND_DEADLINE = 60000;
export const DRIVER_HUNG = "[webdriver: no answer]";
// The mark of a wait whose page stopped answering the driver's scripts (seen once in CI, in
// WebKitGTK, on a page whose popup had just signed out); scripts/node-test.mjs runs the file
// once more for it too, and says so.
export const PAGE_HUNG = "[webdriver: the page gave no answer]";

// `promise`, or a rejection naming `what` once `ms` have passed.
function deadline(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${DRIVER_HUNG} ${what}: WebKitWebDriver gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function poll(what, check, timeout = 10000, interval = 50) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    // A page that hangs (a web process spinning) never answers the driver: fail at the
    // deadline, naming the wait, instead of hanging the whole run.
    let timer;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${PAGE_HUNG} ${what}: no answer from the page within ${timeout + 5000}ms`)), Math.max(0, deadline - Date.now()) + 5000);
    });
    try {
      last = await Promise.race([check(), hung]);
    } finally {
      clearTimeout(timer);
    }
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`Timeout ${timeout}ms exceeded waiting for ${what}`);
    await sleep(interval);
  }
}

class Emitter {
  constructor() { this.listeners = new Map(); }
  on(event, fn) { (this.listeners.get(event) || this.listeners.set(event, []).get(event)).push(fn); return this; }
  emit(event, value) { for (const fn of this.listeners.get(event) || []) fn(value); }
}

class WdBrowser {
  constructor(driver) {
    this.driver = driver; // { url, stop }
    this.contexts = new Set();
    this.stale = false; // a session of this driver stopped answering: start a new driver
  }

  // options.ignoreHTTPSErrors: the session accepts self-signed certificates (the provider's).
  async newContext(options = {}) {
    // WebKitWebDriver runs one session at a time: a context a failed test left open is ended
    // first (its test has failed already; the sweep ran after it). Scenarios never need two
    // contexts at once.
    for (const ctx of [...this.contexts]) await ctx.close();
    if (this.stale) {
      await this.driver.stop();
      this.driver = await startDriver();
      this.stale = false;
    }
    const caps = new Capabilities({
      browserName: "MiniBrowser",
      // Both or neither: a binary without --automation starts a MiniBrowser that never connects.
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
      ...(options.ignoreHTTPSErrors ? { acceptInsecureCerts: true } : {}),
    });
    let driver;
    try {
      driver = await deadline(new Builder().usingServer(this.driver.url).withCapabilities(caps).build(), COMMAND_DEADLINE, "new session");
      await deadline(driver.manage().setTimeouts({ script: 30000, pageLoad: 30000 }), COMMAND_DEADLINE, "set timeouts");
    } catch (e) {
      this.stale = true;
      throw e;
    }
    const ctx = new WdContext(this, driver, await driver.getWindowHandle());
    this.contexts.add(ctx);
    return ctx;
  }

  version() { return "WebKitGTK"; }

  async close() {
    try {
      for (const ctx of [...this.contexts]) await ctx.close();
    } finally {
      await this.driver.stop();
    }
  }
}

class WdContext extends Emitter {
  constructor(browser, driver, firstHandle) {
    super();
    this.browser = browser;
    this.driver = driver;
    this.spare = firstHandle; // the session's first window, handed out by the first newPage()
    this.current = firstHandle;
    this.byHandle = new Map();
    this.queue = Promise.resolve();
    this.closed = false;
    this.hung = null; // the error of the command the driver never answered
  }

  // Runs `fn(driver)` with `handle`'s window current, after every command queued before it.
  // Once a command has gone unanswered, every later one fails at once with its error.
  run(handle, fn) {
    const next = this.queue.then(async () => {
      if (this.closed) throw new Error("Target page, context or browser has been closed");
      if (this.hung) throw this.hung;
      const command = async () => {
        if (handle && this.current !== handle) {
          await this.driver.switchTo().window(handle);
          this.current = handle;
        }
        return fn(this.driver);
      };
      try {
        return await deadline(command(), COMMAND_DEADLINE, `a command (${String(fn).slice(0, 60)})`);
      } catch (e) {
        if (String(e.message).startsWith(DRIVER_HUNG)) {
          this.hung = e;
          this.browser.stale = true;
        }
        throw e;
      }
    });
    this.queue = next.catch(() => {});
    return next;
  }

  pages() { return [...this.byHandle.values()].filter((p) => !p.closed); }

  adopt(handle) {
    const page = new WdPage(this, handle);
    this.byHandle.set(handle, page);
    this.emit("page", page);
    return page;
  }

  async newPage() {
    if (this.spare) {
      const handle = this.spare;
      this.spare = null;
      return this.adopt(handle);
    }
    const handle = await this.run(null, async (d) => {
      await d.switchTo().newWindow("tab");
      return d.getWindowHandle();
    });
    this.current = handle;
    return this.adopt(handle);
  }

  // The window handles of the session; pages whose window is gone are marked closed, windows
  // nobody has seen yet (popups, window.open tabs) become pages.
  async sync() {
    const handles = await this.run(null, (d) => d.getAllWindowHandles());
    for (const [h, p] of this.byHandle) if (!handles.includes(h)) p.closed = true;
    const fresh = handles.filter((h) => !this.byHandle.has(h) && h !== this.spare);
    return fresh.map((h) => this.adopt(h));
  }

  async waitForEvent(event, { timeout = 10000 } = {}) {
    if (event !== "page") throw new Error(`waitForEvent(${event}) is not available over WebDriver`);
    return poll("a new page", async () => (await this.sync())[0], timeout);
  }

  async clearCookies() {
    throw new Error("clearCookies() is not available over WebDriver classic for every origin");
  }

  async close() {
    if (this.closed) return;
    this.browser.contexts.delete(this);
    await this.queue;
    this.closed = true;
    for (const p of this.byHandle.values()) p.closed = true;
    // A session whose driver stopped answering is left to the driver's restart.
    if (!this.hung) await deadline(this.driver.quit(), COMMAND_DEADLINE, "end session").catch(() => { this.browser.stale = true; });
  }
}

// The function's source and its argument, run in the page; a promise is awaited. Errors come
// back as values and are rethrown here (WebDriver would otherwise report them as text only).
const EVALUATE = `
  const [src, arg, done] = arguments;
  let fn;
  try { fn = (0, eval)("(" + src + ")"); } catch (e) { done({ threw: String(e) }); return; }
  Promise.resolve().then(() => (typeof fn === "function" ? fn(arg) : fn)).then(
    (value) => done({ value: value === undefined ? null : value, undef: value === undefined }),
    (e) => done({ threw: String(e) + (e && e.stack ? " at " + e.stack : "") }),
  );`;

// What a page and a frame share: every command runs through `run(fn)`, which the page and the
// frame each point at their own browsing context.
class WdTarget extends Emitter {
  // `fn`: a function, or the source of one (an expression's source is evaluated as is).
  async evaluate(fn, arg) {
    const src = typeof fn === "function" ? fn.toString() : String(fn);
    const r = await this.run((d) => d.executeAsyncScript(EVALUATE, src, arg === undefined ? null : arg));
    if (r && r.threw !== undefined) throw new Error(`page.evaluate: ${r.threw}`);
    return r.undef ? undefined : r.value;
  }

  async waitForFunction(fn, arg, { timeout = 30000 } = {}) {
    const src = typeof fn === "function" ? fn.toString() : `() => (${fn})`;
    return poll(`waitForFunction ${src.slice(0, 80)}`, async () => {
      try {
        return await this.evaluate(`async (a) => await (${src})(a)`, arg);
      } catch (e) {
        // A navigation under way: the page's script context is gone for a moment.
        if (this.isClosed()) throw e;
        return false;
      }
    }, timeout);
  }

  waitForLoadState() {
    return this.waitForFunction(() => document.readyState === "complete");
  }

  waitForSelector(selector, { timeout = 30000 } = {}) {
    return this.waitForFunction((s) => !!document.querySelector(s), selector, { timeout });
  }

  // options.noWaitAfter: the click is the page's last act (it submits a form whose answer
  // closes the window), so it is dispatched by the page itself after the command has returned.
  // WebDriver's own click waits for the navigation it started, in a window that is then
  // closing under it: a wait that WebKitGTK's driver is not known to end.
  click(selector, options = {}) {
    if (options.noWaitAfter) {
      return this.run((d) => d.executeScript(
        "const el = document.querySelector(arguments[0]); if (!el) throw new Error('no element matches ' + arguments[0]); setTimeout(() => el.click(), 0);",
        selector,
      ));
    }
    return this.run(async (d) => d.findElement(By.css(selector)).click());
  }

  fill(selector, value) {
    return this.run(async (d) => {
      const el = await d.findElement(By.css(selector));
      await el.clear();
      await el.sendKeys(value);
    });
  }
}

// An iframe of a page (its `index` among the page's frames), reached by switching to it for
// each command and back to the page after.
class WdFrame extends WdTarget {
  constructor(page, index) {
    super();
    this.page = page;
    this.index = index;
  }

  run(fn) {
    return this.page.run(async (d) => {
      await d.switchTo().frame(this.index);
      try {
        return await fn(d);
      } finally {
        await d.switchTo().defaultContent();
      }
    });
  }

  isClosed() { return this.page.isClosed(); }
  url() { return this.run((d) => d.executeScript("return location.href")); }
}

class WdPage extends WdTarget {
  constructor(ctx, handle) {
    super();
    this.ctx = ctx;
    this.handle = handle;
    this.closed = false;
  }

  run(fn) {
    if (this.closed) return Promise.reject(new Error("Target page, context or browser has been closed"));
    return this.ctx.run(this.handle, fn).catch(async (e) => {
      if (/no such window|NoSuchWindow/i.test(`${e.name} ${e.message}`)) {
        this.closed = true;
        throw new Error(`Target page, context or browser has been closed (${e.message})`);
      }
      throw e;
    });
  }

  context() { return this.ctx; }
  isClosed() { return this.closed; }
  url() { return this.run((d) => d.getCurrentUrl()); }
  goto(url) { return this.run((d) => d.get(url)); }
  reload() { return this.run((d) => d.navigate().refresh()); }

  // The page and its frames (its iframes, not theirs), as playwright's page.frames(), but
  // resolved asynchronously: callers await it (awaiting playwright's array is harmless).
  async frames() {
    const n = await this.run((d) => d.executeScript("return window.frames.length"));
    return [this, ...Array.from({ length: n }, (_, i) => new WdFrame(this, i))];
  }

  async waitForURL(predicate, { timeout = 30000 } = {}) {
    const test = typeof predicate === "function" ? predicate : (u) => u.href === String(predicate);
    await poll("the URL", async () => test(new URL(await this.url())), timeout);
  }

  async waitForEvent(event, { timeout = 10000 } = {}) {
    if (event === "popup") return this.ctx.waitForEvent("page", { timeout });
    if (event === "close") {
      await poll("the page to close", async () => { await this.ctx.sync(); return this.closed; }, timeout);
      return this;
    }
    throw new Error(`waitForEvent(${event}) is not available over WebDriver`);
  }

  async close() {
    if (this.closed) return;
    await this.run((d) => d.close());
    this.closed = true;
    this.ctx.current = null;
  }
}
