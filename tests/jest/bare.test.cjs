// The same app test with jsdom as it comes (no TextEncoder, TextDecoder): importing the
// library, its constants and building the client must not fail (apps import msal in files
// their other tests load).
const { writeFileSync } = require("node:fs");

test("the library loads where jsdom has no TextEncoder or TextDecoder", async () => {
  delete globalThis.TextEncoder;
  delete globalThis.TextDecoder;
  const msal = require("@azure/msal-browser");
  const seen = { status: msal.InteractionStatus.Startup, text: [typeof TextEncoder, typeof TextDecoder] };
  const pca = new msal.PublicClientApplication({ auth: { clientId: "00000000-0000-0000-0000-000000000001" } });
  await pca.initialize();
  seen.accounts = pca.getAllAccounts();
  writeFileSync(process.env.JEST_OUT.replace(/\.json$/, ".bare.json"), JSON.stringify(seen));
  expect(seen.accounts).toEqual([]);
});
