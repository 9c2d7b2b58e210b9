// The token check page: everything runs here, with pkg/browser.js (tollgate in wasm).

const $ = (id) => document.getElementById(id);
const els = {
  token: $("token"),
  jwks: $("jwks"),
  issuer: $("issuer"),
  audience: $("audience"),
  scopes: $("scopes"),
  mode: $("scope-mode"),
  tolerance: $("clock-tolerance"),
  verify: $("verify"),
  example: $("example"),
  status: $("status"),
  result: $("result"),
  verdict: $("verdict"),
};

let tollgate;

try {
  const started = performance.now();
  tollgate = await import("../pkg/browser.js");
  els.status.textContent = `WebAssembly ready in ${Math.round(performance.now() - started)} ms.`;
  els.verify.disabled = false;
  els.example.disabled = !globalThis.crypto?.subtle;
} catch (err) {
  const banner = $("load-error");
  banner.hidden = false;
  banner.textContent = `Could not load ../pkg/browser.js (${err.message}). Build the package with \`make pkg\` and serve the repository root.`;
  els.status.textContent = "";
}

// ---------------------------------------------------------------- actions

els.verify.addEventListener("click", () => runVerify());
els.example.addEventListener("click", () => fillExample().catch((err) => showFailure("", err)));
els.token.addEventListener("input", () => showSegments());
for (const el of [els.token, els.jwks, els.issuer, els.audience, els.scopes, els.tolerance]) {
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) runVerify();
  });
}

prefillFromFragment();
document.body.dataset.ready = String(Boolean(tollgate));

function runVerify() {
  if (!tollgate) return;
  const { verify } = tollgate;
  const token = els.token.value.trim();
  const notes = [];
  let keys;
  try {
    keys = parseKeys(els.jwks.value);
    for (const s of keys.skipped) notes.push(`key #${s.index}${s.kid ? ` (${s.kid})` : ""} skipped: ${s.reason}`);

    const options = { keys, realm: "tollgate" };
    const issuer = els.issuer.value.trim();
    const audience = els.audience.value.trim();
    if (issuer) options.issuer = issuer;
    else {
      options.dangerouslySkipIssuerCheck = true;
      notes.push("issuer not checked (no issuer given)");
    }
    if (audience) options.audience = audience;
    else {
      options.dangerouslySkipAudienceCheck = true;
      notes.push("audience not checked (no audience given)");
    }
    const scopes = els.scopes.value.trim().split(/\s+/).filter(Boolean);
    if (scopes.length) {
      options.requiredScopes = scopes;
      options.scopeMode = els.mode.value;
    }
    const tolerance = els.tolerance.value.trim();
    if (tolerance) options.clockTolerance = /^\d+$/.test(tolerance) ? Number(tolerance) : tolerance;

    const result = verify(token, options);
    showValid(result, keys, notes);
  } catch (err) {
    showFailure(token, err);
  } finally {
    keys?.free();
  }
}

function parseKeys(text) {
  const { KeySet } = tollgate;
  const trimmed = text.trim();
  if (!trimmed) throw Object.assign(new TypeError("paste the issuer's public keys (JWKS or JWK)"), { code: "ERR_INVALID_ARG" });
  let value;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw Object.assign(new TypeError("the keys are not valid JSON"), { code: "ERR_INVALID_ARG" });
  }
  return Array.isArray(value?.keys) ? KeySet.fromJwks(value) : KeySet.fromJwk(value);
}

// ---------------------------------------------------------------- rendering

function setState(state, verdict) {
  els.result.dataset.state = state;
  els.verdict.textContent = verdict;
  $("valid-details").hidden = state !== "valid";
  $("error-details").hidden = state === "valid" || state === "idle";
}

function showValid({ header, claims, scopes }, keys, notes) {
  setState("valid", "valid");
  $("subject").textContent = claims.sub ?? "(none)";
  $("granted").textContent = scopes.length ? scopes.join(" ") : "(none)";
  $("expires").textContent = typeof claims.exp === "number" ? describeTime(claims.exp) : "(no exp)";
  const key = keys.keys.find((k) => header.kid !== undefined && k.kid === header.kid) ?? keys.keys[0];
  $("key-used").textContent = `${header.alg}${header.kid ? `, kid ${header.kid}` : ""}${key ? ` (${key.kty})` : ""}`;
  $("notes").replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
  $("claims").textContent = JSON.stringify(claims, null, 2);
  $("header").textContent = JSON.stringify(header, null, 2);
  $("unverified").hidden = true;
}

function showFailure(token, err) {
  const code = err?.code ?? err?.name ?? "Error";
  const forbidden = err?.status === 403;
  const rejected = typeof err?.status === "number";
  setState(forbidden ? "forbidden" : rejected ? "invalid" : "error", forbidden ? "forbidden" : rejected ? "invalid" : "cannot check");
  $("error-code").textContent = code;
  $("error-status").textContent = err?.status ?? "— (not a token rejection)";
  $("www-authenticate").textContent = err?.wwwAuthenticate ?? "—";
  $("error-message").textContent = err?.message ?? String(err);
  const extra = [];
  if (err?.claim) extra.push(`claim ${err.claim}${err.reason ? ` (${err.reason})` : ""}`);
  if (Array.isArray(err?.missing) && err.missing.length) extra.push(`missing scopes: ${err.missing.join(" ")}`);
  $("error-extra").textContent = extra.join("; ");
  $("error-extra").hidden = $("error-extra-label").hidden = extra.length === 0;
  showUnverified(token);
}

// Shows what the token claims (not verified) next to a rejection, to help debugging.
function showUnverified(token) {
  const box = $("unverified");
  box.hidden = true;
  if (!tollgate || typeof token !== "string" || !token) return;
  try {
    const { header, claims } = tollgate.decode(token);
    $("unverified-claims").textContent = JSON.stringify({ header, claims }, null, 2);
    box.hidden = false;
  } catch {
    // not decodable either: nothing to show
  }
}

function showSegments() {
  const parts = els.token.value.trim().split(".");
  const colored = $("colored");
  if (parts.length !== 3) return colored.replaceChildren();
  const span = (cls, text) => Object.assign(document.createElement("span"), { className: cls, textContent: text });
  colored.replaceChildren(span("seg-h", parts[0]), ".", span("seg-p", parts[1]), ".", span("seg-s", parts[2]));
}

function describeTime(seconds) {
  const delta = seconds - Math.floor(Date.now() / 1000);
  const abs = Math.abs(delta);
  const human = abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return `${new Date(seconds * 1000).toISOString()} (${delta >= 0 ? `in ${human}` : `${human} ago`})`;
}

// ---------------------------------------------------------------- inputs

function prefillFromFragment() {
  if (!location.hash) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const fields = { token: els.token, jwks: els.jwks, issuer: els.issuer, audience: els.audience, scopes: els.scopes };
  let any = false;
  for (const [name, el] of Object.entries(fields)) {
    if (params.has(name)) {
      el.value = name === "jwks" ? pretty(params.get(name)) : params.get(name);
      any = true;
    }
  }
  if (params.get("mode") === "any") els.mode.value = "any";
  showSegments();
  if (any && els.token.value && els.jwks.value) runVerify();
}

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

// A throwaway ES256 key pair and a token signed with it, all in WebCrypto.
async function fillExample() {
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const text = (value) => b64url(new TextEncoder().encode(JSON.stringify(value)));
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const kid = `example-${Math.random().toString(36).slice(2, 8)}`;
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "ES256", typ: "at+jwt", kid };
  const claims = {
    iss: "https://issuer.example",
    aud: "https://api.example",
    sub: "user-123",
    scope: "read:messages profile",
    iat: now,
    exp: now + 3600,
  };
  const input = `${text(header)}.${text(claims)}`;
  // WebCrypto's ECDSA signature is already the raw r||s form JWS wants.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(input));
  els.token.value = `${input}.${b64url(signature)}`;
  els.jwks.value = JSON.stringify({ keys: [{ kty, crv, x, y, kid, alg: "ES256", use: "sig" }] }, null, 2);
  els.issuer.value = claims.iss;
  els.audience.value = claims.aud;
  els.scopes.value = "read:messages";
  els.mode.value = "all";
  showSegments();
  runVerify();
}
