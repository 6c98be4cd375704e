// The redirect page of popups, hidden frames and redirects: hands the response to the page
// that waits for it (an external script, so the page runs under a CSP without 'unsafe-inline').
import { broadcastResponseToMainFrame } from "/pkg/redirect-bridge.js";
broadcastResponseToMainFrame();
