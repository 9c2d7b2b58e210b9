// What bench/run.mjs, bench/peers.mjs, bench/policy.mjs and bench/workerd.mjs do alike, once:
// environment knobs, the timing loops, statistics and number formatting, the machine
// description, and the files (and gzip size) a package loads. Only what behaves the same for
// every user lives here; a script that needs it another way (policy.mjs's loop over case
// indexes, workerd.mjs's cells that drop lost samples) keeps its own.

import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** A path relative to bench/ (this file sits beside the scripts). */
export const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// ---------------------------------------------------------------- environment

/** A positive integer from the environment, else `dflt`. */
export function intEnv(name, dflt) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

/** A comma list from the environment, else `dflt`. */
export function listEnv(name, dflt) {
  const v = process.env[name];
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : dflt;
}

/** The `version` of the package.json at `path`, or "?". */
export function packageVersion(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return '?';
  }
}

/** Progress goes to stderr, so stdout carries the results alone. */
export const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- timing

export const BATCH = 16; // operations between clock reads
export const IN_FLIGHT = 16; // concurrent operations in the "in flight" rows

// Every result is folded into `sink` (read it as a live binding: `checksum ${sink & 0xff}`),
// so no work can be optimised away. A result is claims (their exp counts) or a boolean.
export let sink = 0;
const use = (r) => (r === true) + (r?.exp & 1);

// Each loop calls fn on inputs[0], inputs[1], … (a power-of-two count, indexed with a mask)
// for about `ms` and returns operations per second.

export function timeSync(fn, inputs, ms) {
  const mask = inputs.length - 1;
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let t = start;
  while (t < end) {
    for (let i = 0; i < BATCH; i++) sink += use(fn(inputs[(ops + i) & mask]));
    ops += BATCH;
    t = performance.now();
  }
  return (ops * 1000) / (t - start);
}

export async function timeAsync(fn, inputs, ms) {
  const mask = inputs.length - 1;
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let t = start;
  while (t < end) {
    for (let i = 0; i < BATCH; i++) sink += use(await fn(inputs[(ops + i) & mask]));
    ops += BATCH;
    t = performance.now();
  }
  return (ops * 1000) / (t - start);
}

// Several operations in flight: WebCrypto work then overlaps on libuv's thread pool, as it
// would in a busy server.
export async function timeConcurrent(fn, inputs, ms) {
  const mask = inputs.length - 1;
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let t = start;
  while (t < end) {
    const batch = [];
    for (let i = 0; i < IN_FLIGHT; i++) batch.push(fn(inputs[(ops + i) & mask]));
    for (const r of await Promise.all(batch)) sink += use(r);
    ops += IN_FLIGHT;
    t = performance.now();
  }
  return (ops * 1000) / (t - start);
}

// ---------------------------------------------------------------- statistics and formatting

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A whole number with thousands separators: 12,345. */
export const fmt = (x) => Math.round(x).toLocaleString('en-US');

/** ops/s samples as "median (min–max)". */
export const cell = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

/** ms samples as "median (min–max)", one decimal. */
export const msCell = (xs) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

// ---------------------------------------------------------------- the machine

export const cpuName = () => cpus()[0]?.model ?? 'unknown CPU';
export const cores = () => cpus().length;
/** "AMD EPYC, 2 cores". */
export const machine = () => `${cpuName()}, ${cores()} cores`;
/** The 1, 5 and 15 minute load averages: "3.04 3.17 2.69". */
export const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');

// ---------------------------------------------------------------- size

export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

// The files a module graph loads, entry first: relative static imports,
// `new URL("./x", import.meta.url)`, and for CommonJS builds (Cedar's wasm-bindgen `nodejs`
// output) `require("./x")` and `${__dirname}/x.wasm`. Good enough for the generated
// packages measured here; not a general bundler.
export function loadedFiles(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    if (!/\.[cm]?js$/.test(file)) return;
    const src = readFileSync(file, 'utf8');
    const rels = [];
    for (const re of [
      /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g,
      /(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]/g,
      /require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
      /new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url/g,
      /\$\{__dirname\}\/([\w.-]+)/g,
    ]) {
      for (const m of src.matchAll(re)) rels.push(m[1]);
    }
    for (const r of rels) visit(join(dirname(file), r));
  };
  visit(entry);
  return [...seen];
}
