import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../pkg/", import.meta.url));
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

// "msal-wasm" resolves to the package built into pkg/ (an app would `npm install msal-wasm`).
export default defineConfig({
  root: here("."),
  resolve: { alias: [{ find: /^msal-wasm(\/.*)?$/, replacement: `${pkg}$1` }] },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: { input: { main: here("index.html"), redirect: here("redirect.html") } },
  },
});
