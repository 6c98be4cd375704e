import type { INavigationClient } from "./index";
/**
 * Call on the redirect page of popups, hidden iframes and redirects: a popup's or a frame's
 * response goes to the waiting window; a redirect's response is kept and the browser goes back
 * to the page the interaction started from (through `navigationClient` when given).
 */
export function broadcastResponseToMainFrame(navigationClient?: INavigationClient): Promise<boolean>;
