// A temporary app project whose node_modules holds msal-wasm (this repository's pkg/, linked), as
// an app that installed the package has it: bundlers and test runners resolve it through its
// package.json ("exports", "sideEffects") there. `fn(dir)` runs in it; the project goes after.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export async function inProject(name, fn) {
  const dir = mkdtempSync(join(tmpdir(), `msal-wasm-${name}-`));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(resolve("pkg"), join(dir, "node_modules", "msal-wasm"), "dir");
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
