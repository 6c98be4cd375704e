// Entry for the redirect page of popups, hidden iframes and redirects (msal-browser's redirect
// bridge):
//   import { broadcastResponseToMainFrame } from "msal-wasm/redirect-bridge";
//   broadcastResponseToMainFrame();
// Kept free of the wasm module so the bridge page loads instantly.
//
// A popup's or a frame's response goes to the waiting page over BroadcastChannel(<state id>)
// (it works when COOP cut window.opener). A redirect's response (a sign-in, or a sign-out's
// return) is kept in sessionStorage and the browser goes back to the page the interaction
// started from, whose handleRedirectPromise completes it. The storage keys are the Rust
// client's (src/client/interaction.rs: the interaction lock, and the client's `urlHash` stash
// and `request.origin` start page).
export function broadcastResponseToMainFrame(navigationClient) {
  // The part that carries the state (a provider may add a fragment such as `#_=_` to a query
  // response).
  const response = [window.location.hash, window.location.search].find((s) => /[#?&]state=/.test(s)) || "";
  const m = /[#?&]state=([^&]*)/.exec(response);
  if (!m) return Promise.resolve(false);
  let state = null;
  try {
    const lib = decodeURIComponent(m[1]).split("|")[0].replace(/-/g, "+").replace(/_/g, "/");
    state = JSON.parse(atob(lib + "===".slice((lib.length + 3) % 4)));
  } catch (_) {
    state = null;
  }
  if (!state || typeof state.id !== "string" || !state.id) {
    window.history.replaceState(null, "", window.location.pathname);
    return Promise.resolve(false);
  }
  if (state.meta && state.meta.interactionType === "redirect") {
    let start = "";
    try {
      const status = JSON.parse(window.sessionStorage.getItem("msal.interaction.status") || "null");
      const clientId = status && typeof status.clientId === "string" ? status.clientId : "";
      if (clientId) {
        window.sessionStorage.setItem(`msal.${clientId}.urlHash`, response);
        start = window.sessionStorage.getItem(`msal.${clientId}.request.origin`) || "";
      }
    } catch (_) { /* storage blocked: go home; the app signs in again */ }
    // Only ever back to a page of this origin (sessionStorage is writable by any script here).
    let url = `${window.location.origin}/`;
    try {
      const u = new URL(start, window.location.href);
      if (start && u.origin === window.location.origin && /^https?:$/.test(u.protocol)) url = u.href;
    } catch (_) { /* not a URL: go home */ }
    if (navigationClient && typeof navigationClient.navigateInternal === "function") {
      return Promise.resolve(navigationClient.navigateInternal(url, { noHistory: true, apiId: 865, timeout: 30000 })).then(() => true);
    }
    window.location.replace(url);
    return Promise.resolve(true);
  }
  try {
    const channel = new BroadcastChannel(state.id);
    channel.postMessage({ v: 1, payload: response });
    channel.close();
  } catch (_) {
    return Promise.resolve(false); // no BroadcastChannel: the response stays for the opener to read
  }
  window.history.replaceState(null, "", window.location.pathname);
  try { window.close(); } catch (_) { /* not a popup */ }
  return Promise.resolve(true);
}
