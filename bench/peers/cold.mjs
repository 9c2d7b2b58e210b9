// Child process of bench/peers.mjs (cold start): load ONE library, import ONE key, verify ONE
// token, and print the times since this process started (performance.timeOrigin), in ms.
// Input: the JSON in PEERS_COLD_INPUT { peer, alg, jwk, secret, token, issuer, audience, sub }.
// Spawned fresh for every sample; nothing is cached between runs except the OS file cache.

const start = performance.now(); // first line of this script: node's own start-up before it
const input = JSON.parse(process.env.PEERS_COLD_INPUT);
const { peer, alg, jwk, secret, token, issuer, audience } = input;
let imported;
let keyed;
let claims;

switch (peer) {
  case 'node': // no library: node's start-up and this script only
    imported = keyed = performance.now();
    claims = { sub: input.sub };
    break;
  case 'tollgate': {
    const { KeySet, createVerifier } = await import('../../pkg/node.js');
    imported = performance.now();
    const keys = secret ? KeySet.fromSecret(secret, { alg }) : KeySet.fromJwk(jwk);
    const verifier = createVerifier({ keys, issuer, audience, algorithms: [alg] });
    keyed = performance.now();
    claims = verifier.verify(token).claims;
    break;
  }
  case 'jose': {
    const { importJWK, jwtVerify } = await import('jose');
    imported = performance.now();
    const key = secret
      ? await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
      : await importJWK(jwk, alg);
    keyed = performance.now();
    claims = (await jwtVerify(token, key, { issuer, audience, algorithms: [alg] })).payload;
    break;
  }
  case 'fast-jwt': {
    const { createVerifier } = await import('fast-jwt');
    const { createPublicKey } = await import('node:crypto');
    imported = performance.now();
    const key = secret ?? createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const verify = createVerifier({ key, algorithms: [alg], allowedIss: issuer, allowedAud: audience });
    keyed = performance.now();
    claims = verify(token);
    break;
  }
  case 'jsonwebtoken': {
    const { default: jwt } = await import('jsonwebtoken');
    const { createPublicKey, createSecretKey } = await import('node:crypto');
    imported = performance.now();
    const key = secret ? createSecretKey(Buffer.from(secret, 'utf8')) : createPublicKey({ key: jwk, format: 'jwk' });
    keyed = performance.now();
    claims = jwt.verify(token, key, { algorithms: [alg], issuer, audience });
    break;
  }
  default:
    throw new Error(`cold.mjs: unknown peer ${peer}`);
}

const verified = performance.now();
if (claims?.sub !== input.sub) throw new Error(`cold.mjs: ${peer} returned the wrong claims`);
process.stdout.write(JSON.stringify({ start, imported, keyed, verified }));
