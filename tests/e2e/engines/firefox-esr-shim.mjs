// Firefox ESR through playwright-core's WebDriver BiDi client, without editing node_modules.
//
// playwright-core 1.65 sends the BiDi command `emulation.setMediaFeaturesOverride` for every new
// context and page; Firefox ESR 153 does not know it yet and answers "unknown command", which
// fails newContext(). This wraps the WebSocket class bundled in playwright-core (its `ws`, at
// runtime, in this process only) so that that one answer to that one command becomes an empty
// success: the media features (prefers-color-scheme, ...) stay the browser's defaults, which the
// tests never read. Every other message passes unchanged, and with a Firefox that knows the
// command nothing changes at all. Remove when playwright's `moz-firefox` channel and ESR agree.
import { createRequire } from "node:module";

const TOLERATED = ["emulation.setMediaFeaturesOverride"];

export function installFirefoxEsrShim() {
  const require = createRequire(import.meta.url);
  const { ws } = require("playwright-core/lib/utilsBundle");
  if (ws.prototype.msalWasmEsrShim) return;
  ws.prototype.msalWasmEsrShim = true;
  const pending = new WeakMap(); // socket -> ids of the tolerated commands sent on it
  const send = ws.prototype.send;
  ws.prototype.send = function (data, ...rest) {
    try {
      const m = JSON.parse(String(data));
      if (m && TOLERATED.includes(m.method)) {
        if (!pending.has(this)) pending.set(this, new Set());
        pending.get(this).add(m.id);
      }
    } catch (_) { /* not JSON: not ours to look at */ }
    return send.call(this, data, ...rest);
  };
  const emit = ws.prototype.emit;
  ws.prototype.emit = function (event, data, ...rest) {
    const ids = pending.get(this);
    if (event === "message" && ids && ids.size) {
      try {
        const m = JSON.parse(String(data));
        if (ids.delete(m.id) && m.type === "error" && m.error === "unknown command") {
          data = Buffer.from(JSON.stringify({ type: "success", id: m.id, result: {} }));
        }
      } catch (_) { /* not JSON */ }
    }
    return emit.call(this, event, data, ...rest);
  };
}
