import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../pkg/", import.meta.url));
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

// An @azure/msal-react app whose @azure/msal-browser is msal-wasm: the bundler alias is the
// whole switch (an app would alias it to the installed msal-wasm package the same way).
export default defineConfig({
  root: here("."),
  resolve: {
    alias: [
      { find: /^@azure\/msal-browser$/, replacement: `${pkg}index.js` },
      { find: /^msal-wasm\/redirect-bridge$/, replacement: `${pkg}redirect-bridge.js` },
    ],
  },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: { input: { main: here("index.html"), redirect: here("redirect.html") } },
  },
});
