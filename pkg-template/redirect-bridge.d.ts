import type { INavigationClient } from "./index";
/**
 * Call on the redirect page of popups, hidden iframes and redirects: a popup's or a frame's
 * response goes to the waiting window; a redirect's response is kept and the browser goes back
 * to the page the sign-in started from, or after a sign-out to the site's home page (through
 * `navigationClient` when given). Rejects with msal's codes on a page without a response:
 * `empty_response`, `no_state_in_hash`, `invalid_state`, `unable_to_parse_state`.
 */
export function broadcastResponseToMainFrame(navigationClient?: INavigationClient): Promise<boolean>;
