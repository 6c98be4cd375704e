// The package's runtime exports against @azure/msal-browser's (the version in package.json):
// every name msal-browser exports exists here with the same kind, and every constant object
// holds msal's values, except the names README.md lists under "Not yet" with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const msal = await import("@azure/msal-browser");
const ours = await import("../../pkg/index.js");

// The names under README's "### Not yet (msal-browser exports)" heading, one `name` per bullet.
function notYet() {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.split("### Not yet (msal-browser exports)")[1];
  assert.ok(section, "README.md has the \"Not yet (msal-browser exports)\" section");
  const body = section.split(/\n#{2,3} /)[0];
  const names = new Map();
  for (const line of body.split("\n").filter((l) => l.startsWith("- "))) {
    const reason = line.split(":").slice(1).join(":").trim();
    for (const m of line.split(":")[0].matchAll(/`([A-Za-z_]+)`/g)) names.set(m[1], reason);
  }
  return names;
}

test("every runtime export of msal-browser exists with the same kind, or is listed as not yet with a reason", () => {
  const listed = notYet();
  const missing = [];
  for (const name of Object.keys(msal)) {
    if (listed.has(name)) {
      assert.ok(listed.get(name).length > 10, `${name} is listed without a reason`);
      assert.equal(name in ours, false, `${name} is listed as not yet but exists: take it off the list`);
      continue;
    }
    if (!(name in ours)) missing.push(name);
    else assert.equal(typeof ours[name], typeof msal[name], `${name}: ${typeof ours[name]} here, ${typeof msal[name]} in msal-browser`);
  }
  assert.deepEqual(missing, [], "msal-browser exports these and msal-wasm lacks them");
});

test("the subpath entries msal-wasm has export msal-browser's names", async () => {
  for (const [sub, file] of [["redirect-bridge", "redirect-bridge.js"], ["popup-relay", "popup-relay.js"]]) {
    const theirs = await import(`@azure/msal-browser/${sub}`);
    const mine = await import(`../../pkg/${file}`);
    for (const name of Object.keys(theirs)) assert.equal(typeof mine[name], typeof theirs[name], `${sub}: ${name}`);
  }
  const pkg = JSON.parse(readFileSync("pkg/package.json", "utf8"));
  assert.deepEqual(Object.keys(pkg.exports).filter((k) => k !== "./msal_wasm_bg.wasm").sort(), [".", "./popup-relay", "./redirect-bridge"]);
});

test("constant objects hold msal-browser's keys and values", () => {
  const constants = [
    "ApiId", "AuthErrorCodes", "AuthenticationScheme", "AzureCloudInstance", "BrowserAuthErrorCodes", "BrowserCacheLocation",
    "BrowserConfigurationAuthErrorCodes", "BrowserRootPerformanceEvents", "CacheLookupPolicy", "ClientAuthErrorCodes",
    "ClientConfigurationErrorCodes", "InteractionRequiredAuthErrorCodes", "InteractionStatus", "InteractionType", "JsonWebTokenTypes",
    "LogLevel", "OIDC_DEFAULT_SCOPES", "PromptValue", "ProtocolMode", "ResponseMode", "WrapperSKU",
  ];
  for (const name of constants) {
    assert.deepEqual({ ...ours[name] }, { ...msal[name] }, name);
  }
  // EventType: all of v5's, plus the two cross-tab events of v3/v4.
  const extra = Object.keys(ours.EventType).filter((k) => !(k in msal.EventType));
  assert.deepEqual(extra.sort(), ["ACCOUNT_ADDED", "ACCOUNT_REMOVED"]);
  for (const [k, v] of Object.entries(msal.EventType)) assert.equal(ours.EventType[k], v, k);
  assert.equal(ours.DEFAULT_IFRAME_TIMEOUT_MS, msal.DEFAULT_IFRAME_TIMEOUT_MS);
});

test("the PublicClientApplication and the stand-ins have msal-browser's methods", () => {
  const methods = (cls) => Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== "constructor");
  const skip = new Set(["waitForPopupResponse", "waitForIframeResponse"]); // v5 hooks for custom popup/iframe bridges
  const lacking = methods(msal.PublicClientApplication).filter((m) => !skip.has(m) && typeof ours.PublicClientApplication.prototype[m] !== "function");
  assert.deepEqual(lacking, []);
  assert.deepEqual(Object.keys(ours.stubbedPublicClientApplication).sort(), Object.keys(msal.stubbedPublicClientApplication).sort());
  const loggerMethods = methods(msal.Logger).filter((m) => typeof ours.Logger.prototype[m] !== "function");
  assert.deepEqual(loggerMethods, []);
  // msal's Logger as wrapper libraries use it: clone keeps the callback, level and PII setting.
  const lines = [];
  const logger = new ours.Logger({ logLevel: ours.LogLevel.Verbose, loggerCallback: (level, message, pii) => lines.push([level, pii, message]) }, "app", "1");
  const clone = logger.clone("@azure/msal-react", "5.7.1");
  clone.verbose("shown", "cid");
  clone.trace("hidden", "cid");
  clone.infoPii("hidden too", "cid");
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0].slice(0, 2), [ours.LogLevel.Verbose, false]);
  assert.match(lines[0][2], /\[cid\] : @azure\/msal-react@5\.7\.1 : Verbose - shown$/);
});

test("BrowserUtils.createGuid makes distinct version-4 GUIDs, past its pool's refills", () => {
  const ids = Array.from({ length: 500 }, () => ours.BrowserUtils.createGuid());
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
});

test("error classes are built as msal 5's: (errorCode, correlationId, ...) with the same fields, and extend as msal-react's ReactAuthError does", () => {
  const fields = (e) => ({ name: e.name, errorCode: e.errorCode, correlationId: e.correlationId, errorMessage: e.errorMessage, subError: e.subError, message: e.message, isError: e instanceof Error });
  const cases = [
    ["AuthError", ["code_a", "cid-1", "what happened", "sub"]],
    ["AuthError", ["code_b"]],
    ["BrowserAuthError", ["user_cancelled", "cid-2", "sub"]],
    ["BrowserConfigurationAuthError", ["storage_not_supported", "cid-3", "why"]],
    ["ClientAuthError", ["state_mismatch", "cid-4", "more"]],
    ["ClientConfigurationError", ["invalid_cloud_discovery_metadata", "cid-5"]],
    ["ServerError", ["invalid_grant", "cid-6", "AADSTS70000: bad", "bad_token", "70000", 400]],
    ["InteractionRequiredAuthError", ["login_required", "cid-7", "sign in", "basic_action", "2026-01-01", "trace-1", "claims-1", "50058"]],
  ];
  for (const [cls, args] of cases) {
    const theirs = new msal[cls](...args), mine = new ours[cls](...args);
    assert.deepEqual(fields(mine), fields(theirs), cls);
    assert.ok(mine instanceof ours.AuthError, cls);
  }
  const ir = (m) => { const e = new m.InteractionRequiredAuthError("login_required", "c", "m", "s", "t", "tr", "cl", "n"); return [e.timestamp, e.traceId, e.claims, e.errorNo]; };
  assert.deepEqual(ir(ours), ir(msal));
  const se = (m) => { const e = new m.ServerError("x", "c", "m", "s", "70000", 400); return [e.errorNo, e.status]; };
  assert.deepEqual(se(ours), se(msal));
  // msal-react's ReactAuthError: super(errorCode, correlationId, errorMessage).
  class ReactAuthError extends ours.AuthError {
    constructor(code, correlationId, message) { super(code, correlationId, message); this.name = "ReactAuthError"; }
  }
  const r = new ReactAuthError("invalid_interaction_type", "cid-8", "Invalid interaction type provided.");
  assert.deepEqual([r.errorCode, r.correlationId, r.errorMessage], ["invalid_interaction_type", "cid-8", "Invalid interaction type provided."]);
});

test("StubPerformanceClient answers as msal's: every method, the same ids and no callbacks", () => {
  const theirs = new msal.StubPerformanceClient();
  const mine = new ours.StubPerformanceClient();
  const methods = (o) => Object.getOwnPropertyNames(Object.getPrototypeOf(o)).filter((n) => n !== "constructor");
  assert.deepEqual(methods(theirs).filter((n) => typeof mine[n] !== "function"), [], "methods msal's stub has and ours lacks");
  const answers = (c) => [c.generateId(), c.addPerformanceCallback(() => {}), c.removePerformanceCallback("x"), c.endMeasurement(), c.startMeasurement("m", "cid").event.eventId, c.startMeasurement("m", "cid").event.status];
  assert.deepEqual(answers(mine), answers(theirs));
});

test("BrowserPerformanceClient measures as msal's: the same root event for the same calls", () => {
  // (msal's client reads document.visibilityState and window.crypto; this runs in Node.)
  const hadDocument = "document" in globalThis, hadWindow = "window" in globalThis;
  if (!hadDocument) globalThis.document = { visibilityState: "visible" };
  if (!hadWindow) globalThis.window = { crypto: globalThis.crypto };
  try {
    const config = { auth: { clientId: "cid", authority: "https://login.microsoftonline.com/tid/" }, telemetry: { application: { appName: "app", appVersion: "1.0" } } };
    const account = { homeAccountId: "h", idTokenClaims: { tid: "9188040d-6c67-4c5b-b112-36a304b66dad" } };
    const run = (m) => {
      const c = new m.BrowserPerformanceClient(config);
      const events = [];
      const callback = (es) => events.push(...es);
      const id = c.addPerformanceCallback(callback);
      // Registered again (a component's effect run twice): the same id, one call per event.
      const again = c.addPerformanceCallback(callback);
      const root = c.startMeasurement("acquireTokenSilent", "corr-1");
      root.add({ cacheLookupPolicy: 2, "ext.source": "cache", "ext.bad": {} });
      root.increment({ visibilityChangeCount: 1, "ext.hops": 2 });
      root.increment({ visibilityChangeCount: 1 });
      c.startMeasurement("refreshTokenClientAcquireToken", "corr-1").end({ success: false }, new m.ServerError("invalid_grant", "corr-1", "m", "s", "70000"));
      root.end({ success: true, fromCache: false }, undefined, account);
      const failed = c.startMeasurement("ssoSilent", "corr-2");
      failed.end({ success: false }, new m.InteractionRequiredAuthError("login_required", "corr-2", "m", "sub"));
      const dropped = c.startMeasurement("acquireTokenPopup", "corr-3");
      dropped.discard();
      const removed = c.removePerformanceCallback(id);
      return { removed, same: again === id, guid: /^[0-9a-f-]{36}$/.test(id), events };
    };
    // What the two may differ in: ids, times, the library's name, msal's call tree and log
    // codes, and the network and online readings (none in Node).
    const skip = new Set(["eventId", "startTimeMs", "durationMs", "libraryName", "libraryVersion", "context", "logs", "networkEffectiveType", "networkRtt", "startOnlineStatus"]);
    const comparable = (r) => ({
      ...r,
      events: r.events.map((e) => Object.fromEntries(Object.entries(e).filter(([k, v]) => !skip.has(k) && v !== undefined)
        .map(([k, v]) => [k, k === "ext" ? Object.fromEntries(Object.entries(v).map(([x, n]) => [x, x.endsWith("DurationMs") ? typeof n : n])) : v]))),
    });
    assert.deepEqual(comparable(run(ours)), comparable(run(msal)));
  } finally {
    if (!hadDocument) delete globalThis.document;
    if (!hadWindow) delete globalThis.window;
  }
});

test("outside a browser (server-side rendering), a client answers as msal-browser's: initialize resolves, no accounts, no redirect, token calls fail with non_browser_environment", () => {
  // Each library in a Node process of its own (msal-browser's client keeps its process alive),
  // which prints what each call gave.
  const script = `
    // (Node 18 has no global crypto without a flag: Next.js and Angular servers on it.)
    if (process.argv[2] === "no-crypto") delete globalThis.crypto;
    const lib = await import(process.argv[1]);
    const pca = new lib.PublicClientApplication({ auth: { clientId: "ssr-client" } });
    const events = [];
    pca.addEventCallback((m) => events.push(m.eventType));
    const settle = (p) => Promise.resolve().then(p).then((v) => ({ value: v === undefined ? "undefined" : v }), (e) => ({ code: e.errorCode, name: e.name }));
    const out = { before: await settle(() => pca.acquireTokenSilent({ scopes: ["User.Read"] })) };
    out.redirectBefore = await settle(() => pca.handleRedirectPromise());
    // Not awaited: a redirect handled at once (an unhandled rejection would end the server).
    const init = pca.initialize();
    out.redirectAtOnce = await settle(() => pca.handleRedirectPromise());
    out.init = await settle(() => init);
    out.setActive = await settle(() => pca.setActiveAccount(null));
    out.external = await settle(() => lib.loadExternalTokens({ auth: { clientId: "ssr-client" } }, { scopes: ["User.Read"] }, { access_token: "a", token_type: "Bearer", expires_in: 3600 }, {}));
    out.events = events;
    out.callbackId = pca.addEventCallback(() => {});
    out.accounts = pca.getAllAccounts();
    out.account = pca.getAccount({ username: "a" });
    out.active = pca.getActiveAccount();
    out.redirect = await settle(() => pca.handleRedirectPromise());
    out.clearCache = await settle(() => pca.clearCache());
    out.loadDpopNonce = await settle(() => pca.loadDpopNonce("https://api.example/", "n"));
    for (const call of ["acquireTokenSilent", "acquireTokenPopup", "acquireTokenRedirect", "ssoSilent", "loginPopup", "loginRedirect", "logoutRedirect", "logoutPopup"]) {
      out[call] = await settle(() => pca[call]({ scopes: ["User.Read"] }));
    }
    out.performanceCallback = await settle(() => pca.addPerformanceCallback(() => {}));
    out.removePerformanceCallback = await settle(() => pca.removePerformanceCallback("none"));
    out.hydrateCache = await settle(() => pca.hydrateCache({ account: { homeAccountId: "h", environment: "e", tenantId: "t", username: "u", localAccountId: "l" }, idToken: \`e30.\${Buffer.from('{"sub":"s","tid":"t"}').toString("base64url")}.c2ln\`, idTokenClaims: { sub: "s", tid: "t" }, accessToken: "a", scopes: ["User.Read"], expiresOn: new Date(Date.now() + 3600000), tenantId: "t", correlationId: "c", fromCache: false, tokenType: "Bearer", uniqueId: "l", authority: "https://login.microsoftonline.com/t/" }, { scopes: ["User.Read"] }));
    console.log(JSON.stringify(out));
    process.exit(0);`;
  const outcome = (entry, crypto = "crypto") => JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, entry, crypto], { encoding: "utf8", timeout: 30000 }));
  const theirs = outcome(import.meta.resolve("@azure/msal-browser"));
  assert.equal(theirs.acquireTokenSilent.code, "non_browser_environment", "msal-browser's own answer");
  assert.deepEqual(outcome(new URL("../../pkg/index.js", import.meta.url).href), theirs);
  assert.deepEqual(outcome(import.meta.resolve("@azure/msal-browser"), "no-crypto"), theirs, "msal-browser needs no crypto there");
  assert.deepEqual(outcome(new URL("../../pkg/index.js", import.meta.url).href, "no-crypto"), theirs);
});

test("the .d.ts types each constant table with its runtime names and values (a misspelt code does not compile)", () => {
  const dts = readFileSync("pkg-template/index.d.ts", "utf8");
  for (const name of ["ApiId", "BrowserRootPerformanceEvents", "AuthErrorCodes", "BrowserAuthErrorCodes", "BrowserConfigurationAuthErrorCodes", "ClientAuthErrorCodes", "ClientConfigurationErrorCodes", "InteractionRequiredAuthErrorCodes"]) {
    const body = dts.match(new RegExp(`export declare const ${name}: \\{([^}]*)\\};`));
    assert.ok(body, `${name} is declared with its names`);
    const typed = Object.fromEntries([...body[1].matchAll(/readonly (\w+): ("[^"]*"|\d+);/g)].map((m) => [m[1], JSON.parse(m[2])]));
    assert.deepEqual(typed, { ...ours[name] }, name);
  }
});

test("an error whose sentence the package's wasm drops has a code msal's pages document (msal 5's default message links to it); any other keeps its sentence (Kept)", () => {
  const msalCodes = new Set();
  for (const pkg of ["msal-common", "msal-browser"]) {
    const dir = `node_modules/@azure/${pkg}/src/error`;
    for (const f of readdirSync(dir).filter((f) => f.endsWith("Codes.ts"))) {
      for (const m of readFileSync(`${dir}/${f}`, "utf8").matchAll(/=\s*"([A-Za-z_]+)"/g)) msalCodes.add(m[1]);
    }
  }
  assert.ok(msalCodes.has("no_account_error") && msalCodes.size > 100, `read msal's code tables: ${msalCodes.size}`);
  const consts = new Map([...readFileSync("src/error.rs", "utf8").matchAll(/pub const ([A-Z_0-9]+): &str = "([^"]+)"/g)].map((m) => [m[1], m[2]]));
  const dropped = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) { if (!["tests", "frameworks"].includes(e.name)) walk(p); continue; }
      if (!e.name.endsWith(".rs") || e.name === "tests.rs") continue;
      // (The file up to its inline unit tests.) A code followed at once by a sentence is one
      // the terse build drops (`codes::X, "..."`, `AuthError::config("x", "...")`); so may be
      // one whose message is a helper's parameter (`AuthError::client(codes::X, why)`).
      const text = readFileSync(p, "utf8").split(/#\[cfg\(test\)\]\s*mod tests\s*\{/)[0];
      const code = (c) => consts.get(c) ?? c;
      for (const m of text.matchAll(/codes::([A-Z_0-9]+),\s*"/g)) dropped.push([p, code(m[1])]);
      for (const m of text.matchAll(/AuthError::(?:new|config|client|browser)\(\s*(?:ErrorKind::\w+,\s*)?(?:"(\w+)"|codes::([A-Z_0-9]+)),\s*("|[a-z_][a-z_0-9]*\s*[,)])/g)) {
        if (m[1] || m[3] !== '"') dropped.push([p, code(m[1] || m[2])]);
      }
    }
  };
  walk("src");
  assert.ok(dropped.length > 50, `found the errors: ${dropped.length}`);
  const undocumented = dropped.filter(([, code]) => !msalCodes.has(code)).map(([p, code]) => `${p}: ${code}`);
  assert.deepEqual(undocumented, [], "wrap these sentences in Kept(...)");
});
