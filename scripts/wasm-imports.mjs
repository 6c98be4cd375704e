// Lists a wasm module's imports as module.name, one per line.
import { readFileSync } from "node:fs";
const mod = new WebAssembly.Module(readFileSync(process.argv[2]));
for (const i of WebAssembly.Module.imports(mod)) console.log(`${i.module}.${i.name}`);
