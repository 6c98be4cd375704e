import type { INavigationClient } from "./index.js";
/**
 * Call on the redirect page of popups, hidden iframes and redirects: a popup's or a frame's
 * response goes to the waiting window; a redirect's response is kept and the browser goes back
 * to the page the sign-in started from, or after a sign-out to the site's home page (through
 * `navigationClient` when given). Rejects with msal's codes on a page without a response:
 * `empty_response`, `no_state_in_hash`, `invalid_state`, `unable_to_parse_state`. Resolves
 * `false` when it sent nothing: no `BroadcastChannel` (the opener's poll reads the address), or
 * a state whose channel is not a request's (not a GUID: a crafted link).
 */
export function broadcastResponseToMainFrame(navigationClient?: INavigationClient): Promise<boolean>;
/** The response in this page's address; msal's errors (`empty_response`, `no_state_in_hash`, `invalid_state`, `unable_to_parse_state`) when there is none. */
export function parseAuthResponseFromUrl(): {
  params: URLSearchParams; payload: string; urlHash: string; urlQuery: string; hasResponseInHash: boolean; hasResponseInQuery: boolean;
  libraryState: { id: string; meta: Record<string, string> };
};
/** The address of `contentWindow` (default: this window) without its query and hash. */
export function clearAuthResponseFromUrl(contentWindow?: Window, keepQuery?: boolean, keepHash?: boolean): void;
