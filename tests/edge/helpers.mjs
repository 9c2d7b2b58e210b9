// Shared helpers for tests/edge: a real JWKS / discovery HTTP server on 127.0.0.1 that
// counts requests and misbehaves on demand, keys and tokens minted with jose (the
// independent implementation), and a controllable clock.

import { createServer } from "node:http";
import * as jose from "jose";

export { jose };

export const ISSUER = "https://issuer.example/";
export const AUDIENCE = "https://api.example";
export const REALM = "api";

/** An ES256 key pair minted by jose: `{ kid, privateKey, jwk }` (jwk public, with alg/kid/use). */
export async function makeKey(kid, alg = "ES256") {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, jwk };
}

export const jwksOf = (...keys) => ({ keys: keys.map((k) => k.jwk) });

/** A signed access token; `claims` override the defaults (set one to undefined to drop it). */
export async function mint(key, claims = {}, header = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: "user-1", iat: now, exp: now + 3600, scope: "read:messages", ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const protectedHeader = { alg: key.alg, kid: key.kid, typ: "at+jwt", ...header };
  for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
  return new jose.SignJWT(payload).setProtectedHeader(protectedHeader).sign(key.privateKey);
}

/** A clock for the `now` option (ms), moved by hand. */
export function manualClock(start = 1_700_000_000_000) {
  const clock = {
    t: start,
    now: () => clock.t,
    advance(ms) {
      clock.t += ms;
    },
  };
  return clock;
}

/**
 * Starts the key server on 127.0.0.1 (ephemeral port). Routes:
 *   /jwks.json (and any path set with setDocument) → JSON documents.
 * Knobs: setJwks, setHeaders, setDelay / delayNext, failWith / failNext, setRaw, down / up.
 */
export async function startKeyServer({ jwks = { keys: [] } } = {}) {
  const documents = new Map([["/jwks.json", jwks]]);
  const raw = new Map(); // path → body text served verbatim (invalid JSON tests)
  const counts = new Map();
  const sockets = new Set();
  const timers = new Set();
  let headers = {};
  let delay = 0;
  const delayQueue = [];
  let failStatus = null;
  const failQueue = [];

  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const respond = () => {
      if (res.destroyed) return;
      const status = failQueue.length ? failQueue.shift() : failStatus;
      if (status !== null) {
        res.writeHead(status, { "Content-Type": "text/plain" });
        res.end("failure on purpose");
        return;
      }
      if (raw.has(path)) {
        res.writeHead(200, { "Content-Type": "application/json", ...headers });
        res.end(raw.get(path));
        return;
      }
      if (!documents.has(path)) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(documents.get(path)));
    };
    const queued = delayQueue.findIndex((d) => d.path === undefined || d.path === path);
    const wait = queued >= 0 ? delayQueue.splice(queued, 1)[0].ms : delay;
    if (wait > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, wait);
      timers.add(timer);
    } else {
      respond();
    }
  });
  server.keepAliveTimeout = 500;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.removeListener("error", reject);
        resolve(server.address().port);
      });
    });
  const port = await listen(0);
  const origin = `http://127.0.0.1:${port}`;

  const stopListening = () =>
    new Promise((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  return {
    port,
    origin,
    url: (path = "/jwks.json") => `${origin}${path}`,
    /** Requests received (on `path`, or all). */
    count(path) {
      if (path !== undefined) return counts.get(path) ?? 0;
      let total = 0;
      for (const n of counts.values()) total += n;
      return total;
    },
    resetCounts: () => counts.clear(),
    clearDelays: () => {
      delayQueue.length = 0;
      delay = 0;
    },
    setJwks: (value) => documents.set("/jwks.json", value),
    setDocument: (path, value) => documents.set(path, value),
    setRaw: (path, text) => (text === undefined ? raw.delete(path) : raw.set(path, text)),
    setHeaders: (value) => {
      headers = { ...value };
    },
    setDelay: (ms) => {
      delay = ms;
    },
    /** Delays the next `n` requests (to `path`, or any) by `ms`. */
    delayNext: (ms, n = 1, path = undefined) => {
      for (let i = 0; i < n; i++) delayQueue.push({ ms, path });
    },
    failWith: (status) => {
      failStatus = status;
    },
    failNext: (status, n = 1) => {
      for (let i = 0; i < n; i++) failQueue.push(status);
    },
    /** Stops listening: connections are refused until up(). */
    down: stopListening,
    up: () => listen(port),
    close: stopListening,
  };
}

/** Reads a guard failure's Response: `{ status, headers, text, json }`. */
export async function readResponse(response) {
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Calls into the full module's classes (RawVerifier, RawPolicy, RawApiKeys, …) while `run`
 * runs, static and instance methods alike, as bench/crossings.mjs counts them: `{ calls, result }`.
 */
export async function callsDuring(run) {
  const glue = await import("../../pkg/wasm/tollgate_policy.js");
  const restore = [];
  let calls = 0;
  for (const value of Object.values(glue)) {
    if (typeof value !== "function" || !/^Raw/.test(value.name)) continue;
    for (const target of [value, value.prototype]) {
      for (const name of Object.getOwnPropertyNames(target)) {
        const d = Object.getOwnPropertyDescriptor(target, name);
        if (name === "constructor" || typeof d.value !== "function" || name.startsWith("__")) continue;
        const fn = d.value;
        target[name] = function counted(...args) {
          calls++;
          return fn.apply(this, args);
        };
        restore.push(() => { target[name] = fn; });
      }
    }
  }
  try {
    const result = await run();
    return { calls, result };
  } finally {
    for (const undo of restore) undo();
  }
}
