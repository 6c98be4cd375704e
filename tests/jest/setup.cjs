// What an msal-browser app's Jest setup adds to jsdom (msal-browser needs WebCrypto and
// TextEncoder; jsdom has neither): the same for both libraries.
const { webcrypto } = require("node:crypto");
const { TextEncoder, TextDecoder } = require("node:util");
Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true });
Object.assign(globalThis, { TextEncoder, TextDecoder });
