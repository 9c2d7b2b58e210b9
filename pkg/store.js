// The shared store: keys with an expiry, in memory (bounded, one isolate) or in Durable Objects
// (the Workers platform's coordination primitive: one object answers for its keys, whichever
// isolate or location asks). DPoP remembers proofs' jtis in it (`seen`: check-and-set), and
// store revocations keep revoked jtis and subjects in it (`put`, `get`) until the tokens they
// revoke have expired. Why and how: docs/edge.md ("Revocations in a shared store").

import { invalidArg } from "./internal.js";
import { checkOptionNames, isPlainObject } from "./edge-common.js";

/** The longest key a store takes (Durable Object storage takes 2 KiB). */
const MAX_KEY_LENGTH = 1024;

function checkKey(key, who) {
  if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) {
    throw invalidArg(`${who}: a key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
}

function checkSeconds(value, who, name) {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidArg(`${who}: ${name} must be a finite number of seconds`);
}

function routeOptions(options, allowed, who) {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalidArg(`${who}: options must be an object`);
  checkOptionNames(options, allowed, who);
  if (options.shardKey !== undefined && typeof options.shardKey !== "string") throw invalidArg(`${who}: shardKey must be a string`);
  if (options.everyShard !== undefined && typeof options.everyShard !== "boolean") throw invalidArg(`${who}: everyShard must be a boolean`);
  return options;
}

const PUT_OPTIONS = new Set(["shardKey", "everyShard"]);
const GET_OPTIONS = new Set(["shardKey"]);

/**
 * A store for one isolate: at most `max` entries. Entries written by `seen` (replay markers)
 * make room for new ones, the oldest first; entries written by `put` (revocations) are never
 * dropped before they expire: a full store refuses the `put` instead. `now` (ms) is for tests.
 */
export function createMemoryStore(options = {}, who = "createMemoryStore") {
  if (!isPlainObject(options)) throw invalidArg(`${who}: options must be an object`);
  checkOptionNames(options, new Set(["max", "now"]), who);
  const { max = 10_000, now = Date.now } = options;
  if (!Number.isInteger(max) || max < 1) throw invalidArg(`${who}: max must be a positive integer`);
  if (typeof now !== "function") throw invalidArg(`${who}: now must be a function returning milliseconds`);
  const entries = new Map(); // key → { value, until (seconds), kept }, in insertion order

  /** Room for one more entry, or false when every entry is a live `put`. */
  function makeRoom(at) {
    if (entries.size < max) return true;
    for (const [k, e] of entries) if (e.until <= at) entries.delete(k);
    for (const [k, e] of entries) {
      if (entries.size < max) break;
      if (!e.kept) entries.delete(k);
    }
    return entries.size < max;
  }

  function live(key, at) {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > at) return entry;
    entries.delete(key);
    return undefined;
  }

  return {
    seen(key, expiresAt) {
      try {
        const at = now() / 1000;
        if (live(key, at) !== undefined) return Promise.resolve(true);
        // A full store of revocations still answers: the oldest revocation is not dropped,
        // and the proof is refused as unanswerable rather than admitted unrecorded.
        if (!makeRoom(at)) return Promise.reject(new Error("the memory store is full"));
        entries.set(key, { value: 0, until: expiresAt, kept: false });
        return Promise.resolve(false);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    put(key, value, expiresAt, options) {
      try {
        checkKey(key, "store.put");
        checkSeconds(value, "store.put", "value");
        checkSeconds(expiresAt, "store.put", "expiresAt");
        routeOptions(options, PUT_OPTIONS, "store.put");
        const at = now() / 1000;
        const entry = live(key, at);
        if (entry !== undefined) {
          entry.value = Math.max(entry.value, value);
          entry.until = Math.max(entry.until, expiresAt);
          entry.kept = true;
          return Promise.resolve();
        }
        if (expiresAt <= at) return Promise.resolve();
        if (!makeRoom(at)) return Promise.reject(new Error(`the memory store is full: ${max} entries that have not expired`));
        entries.set(key, { value, until: expiresAt, kept: true });
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    get(keys, options) {
      try {
        if (!Array.isArray(keys)) throw invalidArg("store.get: keys must be an array of strings");
        for (const key of keys) checkKey(key, "store.get");
        routeOptions(options, GET_OPTIONS, "store.get");
        const at = now() / 1000;
        return Promise.resolve(keys.map((key) => live(key, at)?.value));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    get size() {
      return entries.size;
    },
  };
}

/** A small stable hash of a string (FNV-1a), to spread keys over shards. */
function shardOf(key, shards) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/**
 * A store in Durable Objects of `namespace` (bound to `StoreObject`): keys are spread over
 * `shards` objects, each answering for its own, so an entry written through one isolate is
 * read through every other. Each call is one subrequest to one object, except `put` with
 * `everyShard` (one per object) and `get` of keys routed to different objects.
 */
export function createDurableStore(namespace, options = {}, who = "createDurableStore", defaultName = "tollgate-store") {
  if (namespace === null || typeof namespace !== "object" || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw invalidArg(`${who}: namespace must be a Durable Object namespace binding`);
  }
  if (!isPlainObject(options)) throw invalidArg(`${who}: options must be an object`);
  checkOptionNames(options, new Set(["shards", "name"]), who);
  const { shards = 16, name = defaultName } = options;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw invalidArg(`${who}: shards must be an integer from 1 to 1024`);
  if (typeof name !== "string" || name === "") throw invalidArg(`${who}: name must be a non-empty string`);

  async function ask(shard, op, body) {
    const stub = namespace.get(namespace.idFromName(`${name}/${shard}`));
    const response = await stub.fetch(`https://store.invalid/${op}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`the store answered ${response.status}`);
    return response.json();
  }

  return {
    async seen(key, expiresAt) {
      const { seen } = await ask(shardOf(key, shards), "seen", { key, expiresAt });
      return seen === true;
    },
    async put(key, value, expiresAt, options) {
      checkKey(key, "store.put");
      checkSeconds(value, "store.put", "value");
      checkSeconds(expiresAt, "store.put", "expiresAt");
      const { shardKey = key, everyShard = false } = routeOptions(options, PUT_OPTIONS, "store.put");
      const targets = everyShard ? Array.from({ length: shards }, (_, i) => i) : [shardOf(shardKey, shards)];
      await Promise.all(targets.map((shard) => ask(shard, "put", { key, value, expiresAt })));
    },
    async get(keys, options) {
      if (!Array.isArray(keys)) throw invalidArg("store.get: keys must be an array of strings");
      for (const key of keys) checkKey(key, "store.get");
      const { shardKey } = routeOptions(options, GET_OPTIONS, "store.get");
      const groups = new Map(); // shard → positions in keys
      keys.forEach((key, i) => {
        const shard = shardOf(shardKey ?? key, shards);
        groups.set(shard, [...(groups.get(shard) ?? []), i]);
      });
      const out = new Array(keys.length).fill(undefined);
      await Promise.all([...groups].map(async ([shard, positions]) => {
        const { values } = await ask(shard, "get", { keys: positions.map((i) => keys[i]) });
        if (!Array.isArray(values) || values.length !== positions.length) throw new Error("the store answered unusably");
        positions.forEach((at, j) => {
          out[at] = typeof values[j] === "number" ? values[j] : undefined;
        });
      }));
      return out;
    },
  };
}

/** Entries written between two sweeps of expired ones. */
const SWEEP_EVERY = 256;

// An entry in storage: `until` (seconds) for a replay marker, `[value, until]` for a put.
const untilOf = (entry) => (typeof entry === "number" ? entry : Array.isArray(entry) ? entry[1] : undefined);
const valueOf = (entry) => (Array.isArray(entry) ? entry[0] : 0);
const bad = () => new Response("bad request", { status: 400 });
const isKey = (key) => typeof key === "string" && key !== "" && key.length <= MAX_KEY_LENGTH;
const isSeconds = (value) => typeof value === "number" && Number.isFinite(value);

/**
 * The Durable Object behind `createDurableStore` (and `createDurableReplayStore`): export it
 * from your worker and bind a namespace to it. Every read-and-write is atomic (the object's
 * storage calls hold its input gate), and expired entries are swept as it goes.
 */
export class StoreObject {
  #storage;
  #writes = 0;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    let body;
    try {
      body = await request.json();
    } catch {
      return bad();
    }
    if (!isPlainObject(body)) return bad();
    const now = Date.now() / 1000;
    const op = new URL(request.url).pathname;
    if (op === "/seen") {
      const { key, expiresAt } = body;
      if (!isKey(key) || !isSeconds(expiresAt)) return bad();
      const seen = untilOf(await this.#storage.get(key)) > now;
      if (!seen) await this.#write(key, expiresAt, now);
      return Response.json({ seen });
    }
    if (op === "/put") {
      const { key, value, expiresAt } = body;
      if (!isKey(key) || !isSeconds(value) || !isSeconds(expiresAt)) return bad();
      const entry = await this.#storage.get(key);
      // The larger value (a later subject revocation) and the later expiry win.
      const next = untilOf(entry) > now ? [Math.max(valueOf(entry), value), Math.max(untilOf(entry), expiresAt)] : [value, expiresAt];
      if (next[1] > now) await this.#write(key, next, now);
      return Response.json({ ok: true });
    }
    if (op === "/get") {
      const { keys } = body;
      if (!Array.isArray(keys) || keys.length > 128 || !keys.every(isKey)) return bad();
      const found = await this.#storage.get(keys);
      return Response.json({ values: keys.map((k) => (untilOf(found.get(k)) > now ? valueOf(found.get(k)) : null)) });
    }
    return new Response("not found", { status: 404 });
  }

  async #write(key, entry, now) {
    await this.#storage.put(key, entry);
    if (++this.#writes % SWEEP_EVERY === 0) await this.#sweep(now);
  }

  async #sweep(now) {
    const entries = await this.#storage.list({ limit: 4 * SWEEP_EVERY });
    const expired = [...entries].filter(([, entry]) => !(untilOf(entry) > now)).map(([k]) => k);
    for (let i = 0; i < expired.length; i += 128) await this.#storage.delete(expired.slice(i, i + 128));
  }
}
