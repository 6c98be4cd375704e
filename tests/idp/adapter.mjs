// In-memory storage adapter for oidc-provider, one store per startIdp() instance.
//
// oidc-provider's bundled MemoryAdapter keeps a module-global LRU capped at 1000
// entries (shared by every Provider in the process) and prints a warning; this one
// is per instance, unbounded, timer-free (expired entries are pruned lazily), and
// lets the test server peek at stored payloads (refresh tokens, grants).

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

// Entries outlive their nominal expiry a little so that oidc-provider itself can
// report "expired" (it looks tokens up with ignoreExpiration) instead of "not found".
const GRACE_MS = 60_000;

export class MemoryStore {
  items = new Map(); // key -> { payload, expiresAt }
  grants = new Map(); // `${ns}:${grantId}` -> Set<key>
  sessionUids = new Map(); // `${ns}:${uid}` -> session id
  userCodes = new Map(); // `${ns}:${userCode}` -> id
  #writes = 0;

  key(ns, model, id) {
    return `${ns}:${model}:${id}`;
  }

  /** Returns the live stored payload (or undefined). Mutations are visible to the provider. */
  peek(ns, model, id) {
    const key = this.key(ns, model, id);
    const entry = this.items.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  prune() {
    const now = Date.now();
    for (const [key, entry] of this.items) {
      if (entry.expiresAt <= now) this.items.delete(key);
    }
  }

  afterWrite() {
    this.#writes += 1;
    if (this.#writes % 1000 === 0) this.prune();
  }

  clear() {
    this.items.clear();
    this.grants.clear();
    this.sessionUids.clear();
    this.userCodes.clear();
  }

  /** Adapter class for oidc-provider's `adapter` option, namespaced by `ns`. */
  adapterFor(ns) {
    const store = this;
    return class IdpMemoryAdapter {
      constructor(model) {
        this.model = model;
      }

      async upsert(id, payload, expiresIn) {
        const key = store.key(ns, this.model, id);
        const expiresAt = typeof expiresIn === 'number'
          ? Date.now() + expiresIn * 1000 + GRACE_MS
          : Infinity;
        store.items.set(key, { payload: { ...payload }, expiresAt });
        if (this.model === 'Session' && payload.uid) {
          store.sessionUids.set(`${ns}:${payload.uid}`, id);
        }
        if (payload.userCode) {
          store.userCodes.set(`${ns}:${payload.userCode}`, id);
        }
        if (GRANTABLE.has(this.model) && payload.grantId) {
          const gk = `${ns}:${payload.grantId}`;
          let set = store.grants.get(gk);
          if (!set) {
            set = new Set();
            store.grants.set(gk, set);
          }
          set.add(key);
        }
        store.afterWrite();
      }

      async find(id) {
        if (typeof id !== 'string' || !id) return undefined;
        const payload = store.peek(ns, this.model, id);
        return payload ? { ...payload } : undefined;
      }

      async findByUid(uid) {
        const id = store.sessionUids.get(`${ns}:${uid}`);
        return id ? this.find(id) : undefined;
      }

      async findByUserCode(userCode) {
        const id = store.userCodes.get(`${ns}:${userCode}`);
        return id ? this.find(id) : undefined;
      }

      async consume(id) {
        const payload = store.peek(ns, this.model, id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      }

      async destroy(id) {
        const key = store.key(ns, this.model, id);
        const entry = store.items.get(key);
        store.items.delete(key);
        if (entry?.payload?.uid && this.model === 'Session') {
          const uk = `${ns}:${entry.payload.uid}`;
          if (store.sessionUids.get(uk) === id) store.sessionUids.delete(uk);
        }
      }

      async revokeByGrantId(grantId) {
        const gk = `${ns}:${grantId}`;
        const set = store.grants.get(gk);
        if (!set) return;
        const prefix = `${ns}:${this.model}:`;
        for (const key of set) {
          if (key.startsWith(prefix)) {
            store.items.delete(key);
            set.delete(key);
          }
        }
        if (set.size === 0) store.grants.delete(gk);
      }
    };
  }
}
