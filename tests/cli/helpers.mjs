// Shared helpers for the `node --test tests/cli/` suite: run the built CLI (pkg/cli.js)
// as a user would, and mint tokens with node:crypto (no network, no dependencies).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../pkg/cli.js', import.meta.url));
export const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const example = (name) => fileURLToPath(new URL(`../../examples/policy/${name}`, import.meta.url));
export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Runs `node pkg/cli.js ...args` from the repository root: `{ code, stdout, stderr, out }`. */
export function run(args, { input } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, out: result.stdout + result.stderr };
}

/** Runs the CLI with `--json` and parses stdout. */
export function runJson(args, options) {
  const result = run([...args, '--json'], options);
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    assert.fail(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, json };
}

/** A directory for files a test writes; removed when the test file's process exits. */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeJson(dir, name, value) {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ES256 key: `{ privateKey, jwk }` (the public JWK, with alg and kid). */
export function makeEs256(kid = 'k1') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), alg: 'ES256', kid, use: 'sig' } };
}

/** A compact ES256 JWS over `claims`. */
export function mintEs256(key, claims, header = {}) {
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: key.jwk.kid, ...header })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A well-formed compact JWT with a meaningless signature: for commands that only decode. */
export function unsigned(claims, header = { alg: 'RS256', typ: 'JWT' }) {
  return `${b64(header)}.${b64(claims)}.${randomBytes(64).toString('base64url')}`;
}

/** Asserts that no part of `token` longer than 15 characters appears in `text`. */
export function assertNoLeak(text, token) {
  const parts = [token, ...token.split('.')].filter((p) => p.length >= 16);
  for (const part of parts) assert.ok(!text.includes(part), `output contains part of the token: ${part.slice(0, 12)}…`);
}
