// `make demo`: the example worker on real workerd, the www/ page, demo tokens, and
// curl commands to try. Runs until Ctrl-C. Everything listens on 127.0.0.1 only.

import { join } from "node:path";
import { serveStatic } from "../../tests/browser/static-server.mjs";
import { DEMO_AUDIENCE, DEMO_ISSUER, DEMO_JWKS, mintDemoToken, tamper } from "./demo-key.mjs";
import { freePort, startWorkerd } from "./run-workerd.mjs";
import { ROOT } from "./workerd-config.mjs";

const now = Math.floor(Date.now() / 1000);
const tokens = {
  reader: mintDemoToken({ sub: "alice", scope: "read:messages" }, { now }),
  writer: mintDemoToken({ sub: "bob", scope: "read:messages write:messages" }, { now }),
  expired: mintDemoToken({ sub: "alice", scope: "read:messages", iat: now - 7200, exp: now - 3600 }, { now }),
  // The policy's moderator: admin:messages with the moderator role, in a 10-minute token.
  moderator: mintDemoToken({ sub: "carol", scope: "admin:messages", roles: ["moderator"], exp: now + 600 }, { now }),
  // admin:messages minted into a token without the role: the policy refuses it.
  forged: mintDemoToken({ sub: "bob", scope: "admin:messages write:messages", exp: now + 600 }, { now }),
};
tokens.tampered = tamper(tokens.reader);

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

let worker;
let www;
let stopping = false;
const shutdown = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([worker?.stop(), www?.close()]);
  process.exit(code);
};
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  worker = await startWorkerd({ port: await freePort(8787) });
  www = await serveStatic(ROOT, { port: await freePort(8788) });
} catch (err) {
  console.error(String(err?.message ?? err));
  await shutdown(1);
}
worker.child.once("exit", (code, signal) => {
  if (stopping) return;
  console.error(`workerd exited (${code ?? signal}):\n${worker.output()}`);
  shutdown(1);
});

const api = worker.url;
const cases = [
  { what: "public health check", method: "GET", path: "/health" },
  { what: "read with a valid token (scope read:messages)", method: "GET", path: "/messages", token: tokens.reader },
  {
    what: "write with a token that has write:messages",
    method: "POST",
    path: "/messages",
    token: tokens.writer,
    body: '{"text":"hi from curl"}',
  },
  { what: "no token: bare challenge (RFC 6750 §3.1)", method: "GET", path: "/messages" },
  { what: "expired token", method: "GET", path: "/messages", token: tokens.expired },
  { what: "tampered signature", method: "GET", path: "/messages", token: tokens.tampered },
  {
    what: "valid token, missing scope write:messages",
    method: "POST",
    path: "/messages",
    token: tokens.reader,
    body: '{"text":"not allowed"}',
  },
  { what: "policy: a moderator deletes message 1 (admin:messages + role moderator)", method: "DELETE", path: "/messages/1", token: tokens.moderator },
  { what: "policy: admin:messages in the token of a non-moderator is refused", method: "DELETE", path: "/messages/2", token: tokens.forged },
];

const curl = ({ method, path, token, body }) =>
  [
    "curl -i",
    method !== "GET" ? `-X ${method}` : "",
    token ? `-H 'Authorization: Bearer ${token}'` : "",
    body ? `-H 'Content-Type: application/json' -d '${body}'` : "",
    `${api}${path}`,
  ]
    .filter(Boolean)
    .join(" ");

console.log(bold("\ntollgate demo"));
console.log(`  worker (workerd, examples/worker/worker.js)  ${api}`);
console.log(`  page   (www/index.html)                      ${www.url}/www/`);
console.log(`  spa    (examples/spa/, a stub backend)       ${www.url}/examples/spa/`);
console.log(dim(`  issuer ${DEMO_ISSUER}   audience ${DEMO_AUDIENCE}   tokens expire in 1 hour (the moderator's in 10 minutes)`));

for (const c of cases) {
  // Run each case once so the printed status is what the worker really answers.
  const res = await fetch(`${api}${c.path}`, {
    method: c.method,
    headers: {
      ...(c.token ? { Authorization: `Bearer ${c.token}` } : {}),
      ...(c.body ? { "Content-Type": "application/json" } : {}),
    },
    body: c.body,
    signal: AbortSignal.timeout(5_000),
  });
  await res.arrayBuffer();
  const challenge = res.headers.get("www-authenticate");
  console.log(`\n${bold(`# ${res.status}`)} ${c.what}${challenge ? dim(`\n#   WWW-Authenticate: ${challenge}`) : ""}`);
  console.log(curl(c));
}

const fragment = new URLSearchParams({
  token: tokens.reader,
  jwks: JSON.stringify(DEMO_JWKS),
  issuer: DEMO_ISSUER,
  audience: DEMO_AUDIENCE,
  scopes: "read:messages",
});
console.log(`\n${bold("# the page, prefilled with the reader token and the demo JWKS")} ${dim("(the #fragment never leaves the browser)")}`);
console.log(`${www.url}/www/#${fragment}`);
console.log(dim(`\nworker config: ${join("target", "workerd")}/ — Ctrl-C to stop.`));
