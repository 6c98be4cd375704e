// Jest (CommonJS, jsdom), as a Create React App project runs its tests: the package's CommonJS
// build under the real Jest, with @azure/msal-browser mapped to msal-wasm as an app switching
// would map it, against the same test with msal-browser itself. The app is a temporary project
// whose node_modules holds msal-wasm (this package, resolved through its "exports").
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { inProject } from "./project.mjs";

function runJest(dir, mapped) {
  const config = {
    testEnvironment: resolve("node_modules/jest-environment-jsdom"),
    modulePaths: [join(dir, "node_modules"), resolve("node_modules")],
    setupFiles: ["<rootDir>/setup.cjs"],
    testMatch: ["**/*.test.cjs"],
    ...(mapped ? { moduleNameMapper: { "^@azure/msal-browser$": "msal-wasm" } } : {}),
  };
  writeFileSync(join(dir, "jest.config.json"), JSON.stringify(config));
  const out = join(dir, mapped ? "msal-wasm.json" : "msal-browser.json");
  execFileSync(process.execPath, [resolve("node_modules/jest/bin/jest.js"), "--rootDir", dir, "--config", join(dir, "jest.config.json"), "--ci"], {
    cwd: dir, env: { ...process.env, JEST_OUT: out }, stdio: "pipe", timeout: 120000,
  });
  return { app: JSON.parse(readFileSync(out, "utf8")), bare: JSON.parse(readFileSync(out.replace(/\.json$/, ".bare.json"), "utf8")) };
}

test("under Jest (jsdom, CommonJS) an app's msal-react test runs on msal-wasm as on msal-browser", async () => {
  await inProject("jest", async (dir) => {
    for (const f of ["app.test.cjs", "bare.test.cjs", "setup.cjs"]) copyFileSync(join("tests/jest", f), join(dir, f));
    const ours = runJest(dir, true);
    const theirs = runJest(dir, false);
    assert.deepEqual(ours.app, {
      enums: ["none", "msal:loginSuccess", "sessionStorage"],
      heard: [2, 2],
      redirect: null,
      accounts: [],
      silent: [true, true, "no_account_error"],
      rendered: "none:0signed out",
    });
    assert.deepEqual(ours, theirs);
  });
});

test("a CommonJS TypeScript project (module node16) resolves the package's require types", async () => {
  await inProject("cts", async (dir) => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "commonjs" }));
    writeFileSync(join(dir, "app.cts"), [
      'import { PublicClientApplication, BrowserAuthErrorCodes } from "msal-wasm";',
      'import { broadcastResponseToMainFrame } from "msal-wasm/redirect-bridge";',
      'const pca: PublicClientApplication = new PublicClientApplication({ auth: { clientId: "c" } });',
      'const code: "user_cancelled" = BrowserAuthErrorCodes.userCancelled;',
      "void [pca, code, broadcastResponseToMainFrame];",
    ].join("\n"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "node16", moduleResolution: "node16", strict: true, noEmit: true, lib: ["ES2022", "DOM"], types: [] }, files: ["app.cts"] }));
    execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", dir], { stdio: "pipe", timeout: 60000 });
  });
});

test("a bundler's require() of the package gets the ES module (its wasm asset and loader), Node's gets the CommonJS build", async () => {
  // webpack, esbuild and Rollup resolve require() with the "module" condition; Node and Jest do
  // not. (index.cjs in a browser bundle would look for the wasm next to the bundle.)
  await inProject("require", async (dir) => {
    writeFileSync(join(dir, "app.cjs"), 'const { PublicClientApplication } = require("msal-wasm");\nconsole.log(PublicClientApplication.name);\n');
    const { build } = await import("esbuild");
    const r = await build({ entryPoints: [join(dir, "app.cjs")], bundle: true, write: false, metafile: true, platform: "browser", format: "esm", absWorkingDir: dir, logLevel: "silent" });
    const inputs = Object.keys(r.metafile.inputs).map((p) => p.split("/").pop());
    assert.ok(inputs.includes("index.js") && !inputs.includes("index.cjs"), inputs.join(", "));
    const out = execFileSync(process.execPath, ["-e", 'console.log(require.resolve("msal-wasm"))'], { cwd: dir }).toString().trim();
    assert.match(out, /index\.cjs$/);
  });
});
