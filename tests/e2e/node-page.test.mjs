// A test runner's page under Node (Vitest's or Jest's jsdom, happy-dom): the package is loaded
// from disk, where fetch takes no file URL, so the wasm is read from the file. No browser here:
// the page is the handful of globals such an environment gives.
import { test } from "node:test";
import assert from "node:assert/strict";

test("under Node with a jsdom-like page (Vitest): initialize() reads the wasm from disk and the client works", async () => {
  const store = () => {
    const m = new Map();
    return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), key: (i) => [...m.keys()][i] ?? null, get length() { return m.size; }, clear: () => m.clear() };
  };
  Object.assign(globalThis, {
    window: globalThis,
    location: new URL("http://localhost:3000/"),
    sessionStorage: store(),
    localStorage: store(),
    document: { cookie: "", currentScript: null, addEventListener() {}, removeEventListener() {}, visibilityState: "visible" },
    history: { replaceState() {} },
    addEventListener() {},
    removeEventListener() {},
    // (jsdom has none; Node's would keep this process alive.)
    BroadcastChannel: class { postMessage() {} close() {} addEventListener() {} removeEventListener() {} },
  });
  const msal = await import("../../pkg/index.js");
  const pca = new msal.PublicClientApplication({ auth: { clientId: "c", authority: "https://login.microsoftonline.com/common" } });
  await pca.initialize();
  assert.deepEqual([pca.getAllAccounts().length, await pca.handleRedirectPromise()], [0, null]);
  const e = await pca.acquireTokenSilent({ scopes: ["User.Read"] }).catch((x) => x);
  assert.equal(e.errorCode, "no_account_error");
});
