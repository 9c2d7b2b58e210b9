// µs per credential check on the package in pkg/ (the full module, in Node): an API key
// (SHA-256 and a constant-time compare), Basic at 600 000 PBKDF2-HMAC-SHA256 iterations
// (OWASP 2023) for a known user, a wrong password and an unknown user (the dummy hash), and
// node:crypto's native PBKDF2 at the same cost for reference. A measurement, not a test.
//
//   node bench/credentials.mjs          # after `make pkg`; BENCH_ROUNDS (default 5)

import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { intEnv, median } from './lib.mjs';
import '../pkg/policy-node.js';
import { ApiKeyCatalog, BasicCredentials, hashPassword, mintApiKey } from '../pkg/node.js';

const ROUNDS = intEnv('BENCH_ROUNDS', 5);

function time(fn, n) {
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    times.push(((performance.now() - start) * 1000) / n);
  }
  return median(times);
}

const minted = mintApiKey({ random: randomBytes(96) });
const catalog = ApiKeyCatalog.fromJson({
  version: 1,
  keys: [{ id: minted.id, sha256: minted.sha256, scopes: ['read'], owner: 'bench', expires: null }],
});
const users = BasicCredentials.fromJson({ version: 1, users: [{ username: 'alice', ...hashPassword('correct horse') }] });
const basic = (userpass) => `Basic ${Buffer.from(userpass).toString('base64')}`;
const url = { url: 'https://api.example/' };
const attempt = (fn) => () => {
  try {
    fn();
  } catch {
    // a refusal is the measured outcome
  }
};

const rows = [
  ['API key, valid (SHA-256 + compare, one wasm call)', time(() => catalog.verify(minted.key, { requiredScopes: ['read'] }), 20_000)],
  ['Basic, valid (PBKDF2 600 000)', time(() => users.verify(basic('alice:correct horse'), url), 3)],
  ['Basic, wrong password', time(attempt(() => users.verify(basic('alice:wrong'), url)), 3)],
  ['Basic, unknown user (dummy hash)', time(attempt(() => users.verify(basic('mallory:x'), url)), 3)],
  ['node:crypto pbkdf2Sync 600 000 (native, reference)', time(() => pbkdf2Sync('correct horse', 'salt-salt-salt-1', 600_000, 32, 'sha256'), 3)],
];
console.log(`node ${process.version}, ${ROUNDS} rounds, median µs per check`);
for (const [name, us] of rows) console.log(`${name.padEnd(54)}${us.toFixed(us < 100 ? 1 : 0).padStart(12)} µs`);
