// One app bundled twice, over msal-wasm (/wasm/: @azure/msal-browser aliased to the package)
// and over the real @azure/msal-browser 5 (/msal/), each folder with the popup's redirect page
// (the library's own redirect bridge), served beside the local provider over https (msal-browser
// refuses an http authority): the e2e tests that hold msal-wasm to msal-browser's behaviour.
import { after, before } from "node:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { useEnv } from "./env.mjs";

export const LIBS = ["wasm", "msal"];

// name: the temp folder's; app: the app's entry; button: the id of the page's one button;
// the rest: useEnv's options (https: the app over https too).
export function useSideBySide({ name, app, button, ...envOptions }) {
  const dir = mkdtempSync(join(tmpdir(), `msal-wasm-${name}-`));
  before(async () => {
    for (const lib of LIBS) {
      const out = join(dir, lib);
      mkdirSync(out);
      const alias = lib === "wasm"
        ? { "@azure/msal-browser/redirect-bridge": resolve("pkg/redirect-bridge.js"), "@azure/msal-browser": resolve("pkg/index.js") }
        : {};
      for (const [entry, file] of [[app, "app.js"], ["tests/e2e/side-by-side/redirect.js", "redirect.js"]]) {
        await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", outfile: join(out, file), logLevel: "silent", alias });
      }
      if (lib === "wasm") copyFileSync("pkg/msal_wasm_bg.wasm", join(out, "msal_wasm_bg.wasm"));
      writeFileSync(join(out, "index.html"), `<!doctype html><meta charset="utf-8"><button id="${button}">${button}</button><script type="module" src="app.js"></script>`);
      writeFileSync(join(out, "redirect.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="redirect.js"></script>`);
      // A passive redirect page (no script: msal 5's system.enableLegacyPolling reads its address).
      writeFileSync(join(out, "passive.html"), `<!doctype html><meta charset="utf-8"><title>passive</title>`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return useEnv({ idp: { https: true }, roots: { "/": dir }, redirectPaths: LIBS.flatMap((l) => [`/${l}/`, `/${l}/redirect.html`, `/${l}/passive.html`]), ...envOptions });
}
