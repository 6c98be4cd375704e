// Entry for the redirect page of popups and hidden iframes (msal-browser's redirect bridge):
//   import { broadcastResponseToMainFrame } from "msal-wasm/redirect-bridge";
//   broadcastResponseToMainFrame();
// Kept free of the wasm module so the bridge page loads instantly.
export function broadcastResponseToMainFrame() {
  const response = window.location.hash.length > 1 ? window.location.hash : window.location.search;
  const m = /[#?&]state=([^&]*)/.exec(response);
  if (!m) return Promise.resolve(false);
  let id = "";
  try {
    const lib = decodeURIComponent(m[1]).split("|")[0].replace(/-/g, "+").replace(/_/g, "/");
    id = JSON.parse(atob(lib + "===".slice((lib.length + 3) % 4))).id;
  } catch (_) {
    return Promise.resolve(false);
  }
  if (typeof id !== "string" || !id) return Promise.resolve(false);
  const channel = new BroadcastChannel(id);
  channel.postMessage({ v: 1, payload: response });
  channel.close();
  window.history.replaceState(null, "", window.location.pathname);
  try { window.close(); } catch (_) { /* not a popup */ }
  return Promise.resolve(true);
}
