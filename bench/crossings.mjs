// Calls into wasm and µs per guarded request: the request guard with and without a
// policy, on the package in pkg/ (or another built tree: TOLLGATE_PKG=/path/to/pkg).
//
//   node bench/crossings.mjs                       # after `make pkg`
//   TOLLGATE_PKG=../other/pkg node bench/crossings.mjs
//
// A crossing is one call of a wasm-bindgen class method (RawVerifier.verify,
// RawPolicy.evaluate, RawRevocationList.checkParts, …): every export of both
// modules' glue is counted by wrapping the class prototypes, which works on any
// tree whose guard uses those classes. Environment: BENCH_ROUNDS (default 5),
// BENCH_MS per scenario per round (default 500). A measurement, not a test.

import { createHash, createHmac, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { here, intEnv, median } from './lib.mjs';

const PKG = resolve(process.env.TOLLGATE_PKG ?? here('../pkg'));
const at = (file) => pathToFileURL(resolve(PKG, file)).href;

// Count every method call of every class the two glue modules export.
let crossings = 0;
for (const glue of ['wasm/tollgate_wasm.js', 'wasm/tollgate_policy.js']) {
  const exports = await import(at(glue));
  for (const value of Object.values(exports)) {
    if (typeof value !== 'function' || !/^Raw/.test(value.name)) continue;
    for (const target of [value, value.prototype]) {
      for (const name of Object.getOwnPropertyNames(target)) {
        const d = Object.getOwnPropertyDescriptor(target, name);
        if (name === 'constructor' || typeof d.value !== 'function' || name.startsWith('__')) continue;
        const fn = d.value;
        target[name] = function counted(...args) {
          crossings++;
          return fn.apply(this, args);
        };
      }
    }
  }
}

const { Policy } = await import(at('policy-node.js')); // binds the full module (credentials)
const { KeySet, RevocationList, checkScopes, createGuard, createVerifier } = await import(at('node.js'));
const tollgate = await import(at('node.js'));
const edge = await import(at('edge.js'));

const ISSUER = 'https://idp.example';
const AUDIENCE = 'api';
const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', jti: 'j-1', iat: now, exp: now + 3600, scope: 'read:messages', roles: ['reader'] };

function hs256(payload) {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
function es256(payload) {
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(payload)}`;
  const sig = nodeSign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

const POLICY = {
  version: 1,
  roleClaim: 'roles',
  scopes: { 'read:messages': {}, 'write:messages': { implies: ['read:messages'] } },
  roles: { reader: { grants: ['read:messages'] }, writer: { inherits: ['reader'], grants: ['write:messages'] } },
  rules: [
    { method: 'GET', path: '/health', public: true },
    { method: 'GET', path: '/messages/**', scopes: ['read:messages'], roles: ['reader'] },
    { method: 'POST', path: '/messages/:id', scopes: ['write:messages'] },
  ],
  default: 'deny',
};

const hmacKeys = KeySet.fromSecret(SECRET, { alg: 'HS256' });
const ecKeys = KeySet.fromJwk({ ...ec.publicKey.export({ format: 'jwk' }), alg: 'ES256' });
const revocations = RevocationList.fromJson({ version: 1, tokens: ['someone-else'] });
const policy = Policy.fromJson(POLICY, { revocations });
const base = { issuer: ISSUER, audience: AUDIENCE };
const get = (path, token) => ({ method: 'GET', url: `https://api.example${path}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

// API keys and Basic credentials (when the tree's guard takes them), and an opaque token
// whose introspection answer comes from a local server (cached after the first request).
const credentialScenarios = [];
if (typeof tollgate.ApiKeyCatalog === 'function') {
  const key = tollgate.mintApiKey({ random: randomBytes(96), id: 'bench1' });
  const apiKeys = tollgate.ApiKeyCatalog.fromJson({ version: 1, keys: [{ id: key.id, sha256: key.sha256, scopes: ['read:messages'], roles: ['reader'], expires: null }] });
  const user = tollgate.hashPassword('correct horse');
  const basic = tollgate.BasicCredentials.fromJson({ version: 1, users: [{ username: 'alice', ...user, scopes: ['read:messages'], roles: ['reader'] }] });
  const withKey = (path) => ({ method: 'GET', url: `https://api.example${path}`, headers: { 'x-api-key': key.key } });
  const withBasic = (path) => ({ method: 'GET', url: `https://api.example${path}`, headers: { authorization: `Basic ${Buffer.from('alice:correct horse').toString('base64')}` } });
  try {
    credentialScenarios.push(
      ['policy, API key (X-API-Key), allowed', createGuard({ apiKeys, policy }), withKey('/messages/1')],
      ['policy, API key, 403', createGuard({ apiKeys, policy }), { ...withKey('/messages/1'), method: 'POST' }],
      // One PBKDF2 of 600 000 iterations per request (docs/credentials.md): timed one at a time.
      ['policy, Basic (PBKDF2 600k), allowed', createGuard({ basic, policy }), withBasic('/messages/1'), 1],
    );
  } catch {
    // a guard that does not take credentials: no rows
  }
}
const introspection = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ active: true, iss: ISSUER, aud: AUDIENCE, sub: 'svc', exp: now + 3600, scope: 'read:messages', roles: ['reader'] }));
  });
});
await new Promise((done) => introspection.listen(0, '127.0.0.1', done));
const introspector = edge.createIntrospector({ endpoint: `http://127.0.0.1:${introspection.address().port}/introspect`, clientId: 'bench', clientSecret: 'bench-secret', issuer: ISSUER });
credentialScenarios.push(
  ['policy, opaque token (introspection cached)', createGuard({ ...base, introspection: introspector, policy }), get('/messages/1', 'opaque-token-1')],
);

// DPoP (RFC 9449): an ES256 access token bound to an ES256 proof key, one proof reused
// (a replay store that never remembers, so that the request repeats).
const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientJwk = client.publicKey.export({ format: 'jwk' });
const jkt = createHash('sha256').update(JSON.stringify({ crv: clientJwk.crv, kty: 'EC', x: clientJwk.x, y: clientJwk.y })).digest('base64url');
const bound = es256({ ...claims, cnf: { jkt } });
function dpopProof(token) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: clientJwk.crv, x: clientJwk.x, y: clientJwk.y } };
  const ath = createHash('sha256').update(token).digest('base64url');
  const input = `${b64(header)}.${b64({ jti: 'p-1', htm: 'GET', htu: 'https://api.example/messages/1', iat: now, ath })}`;
  return `${input}.${nodeSign('sha256', Buffer.from(input), { key: client.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
const dpopRequest = { method: 'GET', url: 'https://api.example/messages/1', headers: { authorization: `DPoP ${bound}`, dpop: dpopProof(bound) } };
const dpop = { replay: { seen: async () => false } };

const scenarios = [
  ['no policy, HS256, allowed', createGuard({ ...base, keys: hmacKeys }), get('/messages/1', hs256(claims))],
  ['policy + revocations, HS256, allowed', createGuard({ ...base, keys: hmacKeys, policy }), get('/messages/1', hs256(claims))],
  ['policy + revocations, HS256, 403', createGuard({ ...base, keys: hmacKeys, policy }), { ...get('/messages/1', hs256(claims)), method: 'POST' }],
  ['policy, public route, no token', createGuard({ ...base, keys: hmacKeys, policy }), get('/health')],
  ['policy, ES256, native crypto', createGuard({ ...base, keys: ecKeys, policy, webCrypto: true }), get('/messages/1', es256(claims))],
  ['DPoP ES256 token + ES256 proof, wasm path', createGuard({ ...base, keys: ecKeys, dpop, webCrypto: false }), dpopRequest],
  ['DPoP ES256 token + ES256 proof, native path', createGuard({ ...base, keys: ecKeys, dpop }), dpopRequest],
  ['DPoP + policy, wasm path', createGuard({ ...base, keys: ecKeys, dpop, policy, webCrypto: false }), dpopRequest],
  ['DPoP + policy, native path', createGuard({ ...base, keys: ecKeys, dpop, policy }), dpopRequest],
  ...credentialScenarios,
];

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const ROUND_MS = intEnv('BENCH_MS', 500);

console.log(`# crossings per guarded request — ${PKG}\n`);
console.log('| scenario | answer | calls into wasm | µs per request (median of rounds) |');
console.log('|---|---|---:|---:|');
for (const [name, guard, request, batch = 50] of scenarios) {
  const first = await guard.authorize(request);
  crossings = 0;
  const again = await guard.authorize(request);
  const calls = crossings;
  if (again.ok !== first.ok) throw new Error(`${name}: unstable answer`);
  const perRound = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS) {
      for (let i = 0; i < batch; i++) await guard.authorize(request);
      n += batch;
    }
    perRound.push(((performance.now() - start) * 1000) / n);
  }
  const answer = again.ok ? (again.public ? '200 public' : '200') : `${again.status} ${again.code}`;
  console.log(`| ${name} | ${answer} | ${calls} | ${median(perRound).toFixed(1)} |`);
}
introspection.close();

// The verified-token cache answers a repeat in JS (pkg/cache.js): its scope check
// against the same check in the core, one crossing (checkScopes).
const cached = createVerifier({ ...base, keys: hmacKeys, cache: true });
const repeat = hs256(claims);
const need = { requiredScopes: ['read:messages'] };
const held = cached.verify(repeat, need).scopes;
function perCall(fn) {
  const runs = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
    }
    runs.push(((performance.now() - start) * 1000) / n);
  }
  return median(runs);
}
const hit = perCall(() => cached.verify(repeat, need));
const core = perCall(() => checkScopes(held, need.requiredScopes));
console.log(`\n| cache hit, requiredScopes checked in JS | the same check in the core (one crossing) |\n|---:|---:|`);
console.log(`| ${hit.toFixed(2)} µs | ${core.toFixed(2)} µs (${(core / hit).toFixed(1)}×) |`);
