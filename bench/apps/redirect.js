// The popup's redirect page: hands the response to the opener through the library's
// redirect bridge ("msal-lib" is @azure/msal-browser or msal-wasm, chosen at bundle time).
import { broadcastResponseToMainFrame } from "msal-lib/redirect-bridge";

Promise.resolve()
  .then(() => broadcastResponseToMainFrame())
  .catch((e) => {
    document.title = "bridge failed";
    document.body.textContent = String((e && e.errorCode) || e);
  });
