// The popup's redirect page: hands the response to the opener through the library's bridge.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame().catch((e) => {
  document.body.textContent = String((e && e.errorCode) || e);
});
