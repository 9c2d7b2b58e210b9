// The token inspector: everything runs in this page, on pkg/browser.js (tollgate in wasm).
//
// Nothing is sent anywhere. The one network request the page can make (besides loading
// itself and the wasm) is the JWKS URL mode's GET, and only when the user presses
// "Fetch keys"; the CSP in index.html allows nothing else.

const $ = (id) => document.getElementById(id);
const els = {
  token: $("token"),
  jwks: $("jwks"),
  pem: $("pem"),
  pemAlg: $("pem-alg"),
  pemKid: $("pem-kid"),
  secret: $("secret"),
  secretEncoding: $("secret-encoding"),
  secretAlg: $("secret-alg"),
  secretKid: $("secret-kid"),
  jwksUrl: $("jwks-url"),
  fetchKeys: $("fetch-keys"),
  algorithms: $("algorithms"),
  keyInfo: $("key-info"),
  issuer: $("issuer"),
  skipIssuer: $("skip-issuer"),
  audience: $("audience"),
  skipAudience: $("skip-audience"),
  scopes: $("scopes"),
  mode: $("scope-mode"),
  tolerance: $("clock-tolerance"),
  realm: $("realm"),
  typ: $("typ"),
  verify: $("verify"),
  example: $("example"),
  status: $("status"),
  result: $("result"),
  verdict: $("verdict"),
  verdictNote: $("verdict-note"),
  countdown: $("countdown"),
};
const MODES = ["jwks", "pem", "secret", "url"];
const REASONS = { 200: "OK", 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable" };
const JSON_TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

let tollgate;

try {
  const started = performance.now();
  tollgate = await import("../pkg/browser.js");
  els.status.textContent = `WebAssembly ready in ${Math.round(performance.now() - started)} ms.`;
  els.verify.disabled = false;
  els.fetchKeys.disabled = false;
  els.example.disabled = !globalThis.crypto?.subtle;
} catch (err) {
  const banner = $("load-error");
  banner.hidden = false;
  banner.textContent = `Could not load ../pkg/browser.js (${err.message}). Build the package with \`make pkg\` and serve the repository root.`;
  els.status.textContent = "";
}

// The JWKS URL mode: keys fetched when the user pressed the button, for that URL only.
let remote = { url: "", keys: undefined, info: "" };
// The token whose signature the last run verified (the decoded pane's badge).
let verifiedToken;
let ticker;

// ---------------------------------------------------------------- wiring

els.verify.addEventListener("click", () => runVerify({ explicit: true }));
els.example.addEventListener("click", () => fillExample().catch((err) => showFailure(err)));
els.fetchKeys.addEventListener("click", () => fetchKeys());
for (const radio of document.querySelectorAll('input[name="key-mode"]')) {
  radio.addEventListener("change", () => {
    showMode();
    update();
  });
}
for (const box of [els.skipIssuer, els.skipAudience]) box.addEventListener("change", () => update());
els.jwksUrl.addEventListener("keydown", (event) => {
  if (event.key === "Enter") fetchKeys();
});
// Live: every edit re-decodes and re-verifies (synchronous and cheap), without a fetch.
for (const el of document.querySelectorAll("textarea, input:not([type=radio]):not([type=checkbox]), select")) {
  el.addEventListener("input", () => update());
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) runVerify({ explicit: true });
  });
}

showMode();
prefillFromFragment();
document.body.dataset.ready = String(Boolean(tollgate));

function keyMode() {
  return document.querySelector('input[name="key-mode"]:checked')?.value ?? "jwks";
}

function setKeyMode(mode) {
  $(`mode-${mode}`).checked = true;
  showMode();
}

function showMode() {
  const mode = keyMode();
  for (const m of MODES) $(`panel-${m}`).hidden = m !== mode;
  $("algorithms-row").hidden = !(mode === "jwks" || mode === "url");
}

function update() {
  if (!tollgate) return;
  els.issuer.disabled = els.skipIssuer.checked;
  els.audience.disabled = els.skipAudience.checked;
  if (remote.url && remote.url !== els.jwksUrl.value.trim()) remote = { url: "", keys: undefined, info: "" };
  showSegments();
  showDecoded();
  runVerify({ explicit: false });
}

// ---------------------------------------------------------------- verification

const misuse = (message) => Object.assign(new TypeError(message), { code: "ERR_INVALID_ARG" });

/**
 * Verifies with the page's inputs. `explicit` (the button, Ctrl+Enter, the example):
 * report every problem. Live (typing): while the inputs are incomplete, say what is
 * missing instead of showing an error.
 */
function runVerify({ explicit }) {
  if (!tollgate) return;
  const token = els.token.value.trim();
  const mode = keyMode();
  if (!explicit) {
    const missing = !token
      ? "Paste a token and its keys — or press “Fill in an example”."
      : !keysGiven(mode)
        ? mode === "url"
          ? "Press “Fetch keys” to get the JWKS, then the token is verified."
          : "Add the keys to verify the signature."
        : !els.skipIssuer.checked && !els.issuer.value.trim()
          ? "Enter the issuer your API accepts (or tick skip)."
          : !els.skipAudience.checked && !els.audience.value.trim()
            ? "Enter your API's audience (or tick skip)."
            : "";
    if (missing) {
      showIdle(missing);
      if (keysGiven(mode)) previewKeys(mode);
      return;
    }
  }

  const notes = [];
  let built;
  try {
    built = buildKeys(mode);
    describeKeys(built.keys, mode);
    for (const s of built.keys.skipped) notes.push(`key #${s.index}${s.kid ? ` (${s.kid})` : ""} skipped: ${s.reason}`);
    const options = { keys: built.keys };
    if (els.skipIssuer.checked) {
      options.dangerouslySkipIssuerCheck = true;
      notes.push("issuer not checked (dangerouslySkipIssuerCheck): a token from any issuer passes");
    } else {
      const issuers = words(els.issuer.value);
      if (issuers.length) options.issuer = issuers.length === 1 ? issuers[0] : issuers;
    }
    if (els.skipAudience.checked) {
      options.dangerouslySkipAudienceCheck = true;
      notes.push("audience not checked (dangerouslySkipAudienceCheck): a token for another API passes");
    } else {
      const audiences = words(els.audience.value);
      if (audiences.length) options.audience = audiences.length === 1 ? audiences[0] : audiences;
    }
    const scopes = words(els.scopes.value);
    if (scopes.length) {
      options.requiredScopes = scopes;
      options.scopeMode = els.mode.value;
    }
    const tolerance = els.tolerance.value.trim();
    if (tolerance) options.clockTolerance = /^\d+(\.\d+)?$/.test(tolerance) ? Number(tolerance) : tolerance;
    const realm = els.realm.value.trim();
    if (realm) options.realm = realm;
    const typ = els.typ.value.trim();
    if (typ) options.typ = typ;

    showValid(token, tollgate.verify(token, options), built.keys, notes);
  } catch (err) {
    if (err?.code === "ERR_JWKS_NO_MATCHING_KEY") notes.push(...kidHint(token, built?.keys));
    if (err?.code === "ERR_JWK_INVALID" || (err instanceof TypeError && !built)) keyProblem(err);
    showFailure(err, notes);
  } finally {
    if (built?.owned) built.keys.free();
  }
}

// Why no key matched, when the answer is a kid: the commonest surprise with PEM and secrets.
function kidHint(token, keys) {
  let header;
  try {
    ({ header } = tollgate.decode(token));
  } catch {
    return [];
  }
  if (!keys || header.kid === undefined) return [];
  // A key without a kid fits any kid: only a set whose every key names another kid misses.
  const kids = keys.keys.map((k) => k.kid);
  if (kids.length === 0 || kids.includes(header.kid) || kids.includes(undefined)) return [];
  return [`the token asks for kid “${header.kid}”; the keys have ${kids.map((k) => `“${k}”`).join(", ")}`];
}

// Says which keys were understood, before there is anything to verify.
function previewKeys(mode) {
  let built;
  try {
    built = buildKeys(mode);
    describeKeys(built.keys, mode);
  } catch (err) {
    keyProblem(err);
  } finally {
    if (built?.owned) built.keys.free();
  }
}

function keysGiven(mode) {
  switch (mode) {
    case "jwks": return els.jwks.value.trim() !== "";
    case "pem": return els.pem.value.trim() !== "";
    case "secret": return els.secret.value !== "";
    default: return remote.keys !== undefined;
  }
}

/** The KeySet of the selected mode; `owned`: made for this run (free it after). */
function buildKeys(mode) {
  const { KeySet } = tollgate;
  const algorithms = words(els.algorithms.value);
  if (mode === "jwks") {
    const text = els.jwks.value.trim();
    if (!text) throw misuse("paste the issuer's public keys (a JWKS or a JWK)");
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      throw misuse("the keys are not valid JSON");
    }
    if (Array.isArray(value?.keys)) {
      return { owned: true, keys: KeySet.fromJwks(value, algorithms.length ? { algorithms } : undefined) };
    }
    const alg = value?.alg === undefined && algorithms.length === 1 ? algorithms[0] : undefined;
    return { owned: true, keys: KeySet.fromJwk(value, alg ? { alg } : undefined) };
  }
  if (mode === "pem") {
    const pem = els.pem.value.trim();
    if (!pem) throw misuse("paste the public key in PEM form");
    return { owned: true, keys: KeySet.fromPem(pem, { alg: els.pemAlg.value, ...kid(els.pemKid) }) };
  }
  if (mode === "secret") {
    if (!els.secret.value) throw misuse("enter the HMAC secret");
    return { owned: true, keys: KeySet.fromSecret(secretBytes(), { alg: els.secretAlg.value, ...kid(els.secretKid) }) };
  }
  if (!remote.keys) throw misuse("press “Fetch keys” first: the page fetches the JWKS URL only when you ask");
  return { owned: false, keys: remote.keys };
}

function kid(input) {
  const value = input.value.trim();
  return value ? { kid: value } : {};
}

function secretBytes() {
  const value = els.secret.value;
  switch (els.secretEncoding.value) {
    case "base64": {
      const b64 = value.trim().replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
      if (!/^[A-Za-z0-9+/]*$/.test(b64) || b64.length % 4 === 1) throw misuse("the secret is not base64 / base64url");
      return Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    }
    case "hex": {
      const hex = value.trim().replace(/^0x/i, "");
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw misuse("the secret is not hex (an even number of 0-9a-f)");
      return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    }
    default:
      return value; // a string: KeySet.fromSecret takes it as UTF-8
  }
}

function describeKeys(keys, mode) {
  const list = keys.keys.map((k) => `${k.alg}${k.kid ? ` “${k.kid}”` : ""}`).join(", ");
  const skipped = keys.skipped.length ? ` · ${keys.skipped.length} skipped` : "";
  const prefix = mode === "url" ? `${remote.info} ` : "";
  setKeyInfo(`${prefix}${keys.size} usable key${keys.size === 1 ? "" : "s"}: ${list}${skipped}`, "good");
}

function keyProblem(err) {
  setKeyInfo(`${err.code ?? err.name}: ${err.message}`, "bad");
}

function setKeyInfo(text, kind = "") {
  els.keyInfo.textContent = text;
  els.keyInfo.className = `keyinfo ${kind}`;
}

async function fetchKeys() {
  if (!tollgate) return;
  const url = els.jwksUrl.value.trim();
  setKeyMode("url");
  remote = { url: "", keys: undefined, info: "" };
  if (!url) {
    setKeyInfo("Enter the JWKS URL first.", "bad");
    return;
  }
  const algorithms = words(els.algorithms.value);
  els.fetchKeys.disabled = true;
  setKeyInfo(`Fetching ${url} …`);
  try {
    // A new remote set per press: the button always fetches. It is the page's only fetch.
    const set = tollgate.createRemoteKeySet(url, {
      timeoutDuration: 10_000,
      // No cookies, no referrer, no HTTP cache: a plain GET of the URL, nothing else.
      fetch: (input, init) => fetch(input, { ...init, credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" }),
      ...(algorithms.length ? { algorithms } : {}),
    });
    const keys = await set.get();
    const at = new Date().toLocaleTimeString();
    remote = { url, keys, info: `Fetched at ${at} from ${new URL(url).host}:` };
    runVerify({ explicit: Boolean(els.token.value.trim()) });
    describeKeys(keys, "url");
  } catch (err) {
    keyProblem(err);
    showFailure(err);
  } finally {
    els.fetchKeys.disabled = false;
  }
}

// ---------------------------------------------------------------- result pane

function setState(state, verdict, note) {
  els.result.dataset.state = state;
  els.verdict.textContent = verdict;
  els.verdictNote.textContent = note;
  $("valid-details").hidden = state !== "valid";
  $("verified-box").hidden = state !== "valid";
  $("error-details").hidden = state === "valid" || state === "idle";
}

function showIdle(message) {
  setState("idle", "not checked yet", message);
  $("http-box").hidden = true;
  $("notes").replaceChildren();
  verifiedToken = undefined;
  showBadge();
  if (!keysGiven(keyMode())) setKeyInfo("");
}

function showValid(token, { header, claims, scopes }, keys, notes) {
  setState("valid", "valid", "the request goes through");
  $("subject").textContent = claims.sub ?? "(no sub)";
  $("granted").textContent = scopes.length ? scopes.join(" ") : "(none)";
  const key = keys.keys.find((k) => header.kid !== undefined && k.kid === header.kid) ?? keys.keys.find((k) => k.alg === header.alg);
  $("key-used").textContent = `${header.alg}${header.kid ? `, kid “${header.kid}”` : ""}${key ? ` (${key.kty} key)` : ""}`;
  showHttp(200, undefined, "your handler runs, with the verified claims");
  showNotes(notes);
  renderJson($("claims"), claims);
  verifiedToken = token;
  showBadge();
}

function showFailure(err, notes = []) {
  const code = err?.code ?? err?.name ?? "Error";
  const status = typeof err?.status === "number" ? err.status : undefined;
  const fetchFailed = ["ERR_JWKS_FETCH_FAILED", "ERR_JWKS_TIMEOUT"].includes(code);
  if (status === 403) setState("forbidden", "forbidden", "authenticated, but a required scope is missing");
  else if (status) setState("invalid", "invalid", "identity not proven: the token is refused");
  else if (fetchFailed) setState("error", "cannot check", "the keys could not be fetched");
  else setState("error", "cannot check", "not a token rejection: fix the keys or options");
  $("error-code").textContent = code;
  $("error-message").textContent = err?.message ?? String(err);
  const extra = [];
  if (err?.claim) extra.push(`claim ${err.claim}${err.reason ? ` (${err.reason})` : ""}`);
  if (Array.isArray(err?.missing) && err.missing.length) extra.push(`missing scopes: ${err.missing.join(" ")}`);
  if (Array.isArray(err?.skipped)) for (const s of err.skipped) extra.push(`key #${s.index}${s.kid ? ` (${s.kid})` : ""}: ${s.reason}`);
  if (err?.cause?.message) extra.push(`cause: ${err.cause.code ? `${err.cause.code} ` : ""}${err.cause.message}`);
  if (err?.httpStatus) extra.push(`HTTP ${err.httpStatus} from the JWKS URL`);
  $("error-extra").textContent = extra.join("; ");
  $("error-extra").hidden = $("error-extra-label").hidden = extra.length === 0;

  if (status) {
    showHttp(status, ["WWW-Authenticate", err.wwwAuthenticate]);
  } else if (fetchFailed) {
    showHttp(503, ["Retry-After", String(err.retryAfter ?? 30)], "what createGuard answers while the keys are unavailable");
  } else {
    showHttp(undefined);
    if (err instanceof TypeError) notes = [...notes, "a TypeError in your code: the server would throw this at start-up or on every request, not answer 401"];
  }
  showNotes(notes);
  verifiedToken = undefined;
  showBadge();
}

/** The HTTP answer: `status` (none: hidden), one header `[name, value]`, a comment. */
function showHttp(status, header, comment) {
  $("http-box").hidden = status === undefined;
  $("error-status").textContent = status ?? "—";
  $("status-reason").textContent = REASONS[status] ?? "";
  $("http-header").hidden = !header;
  $("http-header-name").textContent = header?.[0] ?? "WWW-Authenticate";
  $("www-authenticate").textContent = header?.[1] ?? "—";
  $("http-comment").textContent = comment ? `\n# ${comment}` : "";
}

function showNotes(notes) {
  $("notes").replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
}

// ---------------------------------------------------------------- decoded pane

/** Decodes the token (NOT verified) as soon as it is pasted: header, claims, scopes, expiry. */
function showDecoded() {
  const token = els.token.value.trim();
  const body = $("decoded-body");
  const problem = $("decode-error");
  $("decoded-empty").hidden = token !== "";
  for (const hint of document.querySelectorAll("[data-token-alg]")) hint.textContent = "";
  if (!token) {
    body.hidden = problem.hidden = true;
    stopTicker();
    return;
  }
  let decoded;
  try {
    decoded = tollgate.decode(token);
  } catch (err) {
    body.hidden = true;
    problem.hidden = false;
    problem.replaceChildren("Cannot decode: ", Object.assign(document.createElement("code"), { textContent: err.code ?? err.name }), ` — ${err.message}`);
    stopTicker();
    return;
  }
  problem.hidden = true;
  body.hidden = false;
  const { header, claims, scopes } = decoded;
  renderJson($("header"), header);
  renderJson($("unverified-claims"), claims);
  renderScopes(scopes);
  const said = `The token's header says alg ${header.alg}${header.kid ? `, kid “${header.kid}”` : ""}: pick the algorithm your server expects, not the token's.`;
  for (const hint of document.querySelectorAll("[data-token-alg]")) hint.textContent = said;
  startTicker(token, claims);
}

function renderScopes(granted) {
  const chips = $("scope-chips");
  const required = words(els.scopes.value);
  let result;
  try {
    result = required.length ? tollgate.checkScopes(granted, required, { mode: els.mode.value }) : undefined;
  } catch {
    result = undefined; // not valid scope tokens yet: the verify pane says why
  }
  const nodes = granted.map((s) => span(`chip${required.includes(s) ? " required" : ""}`, s));
  if (result && els.mode.value === "all") {
    for (const s of result.missing) nodes.push(Object.assign(span("chip missing", s), { title: "required, not granted" }));
  }
  if (!nodes.length) nodes.push(span("empty", "no scope, scp or permissions claim"));
  chips.replaceChildren(...nodes);
}

function startTicker(token, claims) {
  stopTicker();
  const tick = () => renderExpiry(token, claims);
  tick();
  ticker = setInterval(tick, 250);
}

function stopTicker() {
  clearInterval(ticker);
  ticker = undefined;
}

/** The live countdown, with the package's own expiresIn / isExpired. */
function renderExpiry(token, claims) {
  const { expiresIn, isExpired } = tollgate;
  const label = $("countdown-label");
  const bar = $("lifebar");
  let seconds;
  try {
    seconds = expiresIn(token);
  } catch (err) {
    els.countdown.dataset.expired = "true";
    els.countdown.textContent = "bad exp";
    label.textContent = `${err.code}: ${err.message}`;
    bar.hidden = true;
    return;
  }
  if (seconds === null) {
    els.countdown.dataset.expired = "none";
    els.countdown.textContent = "no exp";
    label.textContent = "the token never expires — verify refuses it unless dangerouslyAllowMissingExp";
    bar.hidden = true;
  } else {
    let tolerance = els.tolerance.value.trim();
    tolerance = /^\d+(\.\d+)?$/.test(tolerance) ? Number(tolerance) : tolerance || 0;
    let expired;
    try {
      expired = isExpired(token, { clockTolerance: tolerance });
    } catch {
      expired = seconds <= 0; // the tolerance field is being edited
    }
    const at = new Date(claims.exp * 1000).toLocaleString();
    els.countdown.dataset.expired = String(seconds <= 0);
    els.countdown.textContent = seconds > 0 ? clockText(Math.ceil(seconds)) : `−${clockText(Math.floor(-seconds))}`;
    label.textContent =
      seconds > 0
        ? `left until exp (${at})`
        : expired
          ? `since it expired (${at})`
          : `since exp (${at}) — still accepted within the clock tolerance`;
    bar.hidden = typeof claims.iat !== "number" || claims.exp <= claims.iat;
    if (!bar.hidden) {
      const used = (Date.now() / 1000 - claims.iat) / (claims.exp - claims.iat);
      bar.firstElementChild.style.width = `${Math.min(100, Math.max(0, used * 100)).toFixed(1)}%`;
      bar.classList.toggle("expired", seconds <= 0);
    }
  }
  renderTimes(claims);
}

function renderTimes(claims) {
  const rows = [];
  const names = { iat: "issued (iat)", nbf: "not before (nbf)", exp: "expires (exp)" };
  for (const name of ["iat", "nbf", "exp"]) {
    const value = claims[name];
    if (typeof value !== "number") continue;
    rows.push(Object.assign(document.createElement("dt"), { textContent: names[name] }));
    rows.push(Object.assign(document.createElement("dd"), { textContent: `${value} · ${describeTime(value)}` }));
  }
  $("times").replaceChildren(...rows);
  $("times").hidden = rows.length === 0;
}

function showBadge() {
  const badge = $("decoded-badge");
  const verified = verifiedToken !== undefined && verifiedToken === els.token.value.trim();
  badge.textContent = verified ? "signature verified" : "not verified";
  badge.className = verified ? "badge ok" : "badge";
}

// Under the token: its three segments and their sizes, or how many it has instead.
function showSegments() {
  const token = els.token.value.trim();
  const box = $("segments");
  const parts = token.split(".");
  box.className = "segments";
  if (!token) return box.replaceChildren();
  if (parts.length !== 3) {
    box.className = "segments bad";
    return box.replaceChildren(`${parts.length} segment${parts.length === 1 ? "" : "s"}: a JWS has exactly 3, separated by dots`);
  }
  const names = ["header", "payload", "signature"];
  const classes = ["seg-h", "seg-p", "seg-s"];
  box.replaceChildren(
    ...parts.map((part, i) => {
      const item = document.createElement("span");
      item.append(span(`dot ${classes[i]}`, names[i]), " ", Object.assign(document.createElement("b"), { textContent: part.length }), " chars");
      return item;
    }),
  );
}

// ---------------------------------------------------------------- formatting

function span(className, text) {
  return Object.assign(document.createElement("span"), { className, textContent: text });
}

function words(text) {
  return text.trim().split(/\s+/).filter(Boolean);
}

function clockText(total) {
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return `${d ? `${d}d ` : ""}${pad(h)}:${pad(m)}:${pad(s)}`;
}

function describeTime(seconds) {
  const delta = Math.round(seconds - Date.now() / 1000);
  const abs = Math.abs(delta);
  const human =
    abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} days`;
  const iso = new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `${iso} (${delta >= 0 ? `in ${human}` : `${human} ago`})`;
}

// JSON with its keys, strings, numbers and literals coloured; built from text nodes only.
function renderJson(pre, value) {
  const text = JSON.stringify(value, null, 2);
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    if (m.index > last) nodes.push(text.slice(last, m.index));
    if (m[1]) {
      nodes.push(span(m[2] ? "j-key" : "j-str", m[1]));
      if (m[2]) nodes.push(m[2]);
    } else if (m[3]) nodes.push(span("j-lit", m[3]));
    else nodes.push(span("j-num", m[4]));
    last = m.index + m[0].length;
  }
  nodes.push(text.slice(last));
  pre.replaceChildren(...nodes);
}

// ---------------------------------------------------------------- inputs

function prefillFromFragment() {
  if (!location.hash) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const fields = { token: els.token, jwks: els.jwks, issuer: els.issuer, audience: els.audience, scopes: els.scopes };
  for (const [name, el] of Object.entries(fields)) {
    if (params.has(name)) el.value = name === "jwks" ? pretty(params.get(name)) : params.get(name);
  }
  if (params.get("mode") === "any") els.mode.value = "any";
  if (params.has("jwks_url")) {
    els.jwksUrl.value = params.get("jwks_url");
    setKeyMode("url"); // shown, not fetched: only the button fetches
  }
  update();
  if (els.token.value && els.jwks.value && keyMode() === "jwks") runVerify({ explicit: true });
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
    iss: "https://issuer.example/",
    aud: "https://api.example",
    sub: "user-123",
    scope: "read:messages profile",
    iat: now,
    exp: now + 900,
  };
  const input = `${text(header)}.${text(claims)}`;
  // WebCrypto's ECDSA signature is already the raw r||s form JWS wants.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(input));
  els.token.value = `${input}.${b64url(signature)}`;
  els.jwks.value = JSON.stringify({ keys: [{ kty, crv, x, y, kid, alg: "ES256", use: "sig" }] }, null, 2);
  setKeyMode("jwks");
  els.skipIssuer.checked = els.skipAudience.checked = false;
  els.issuer.value = claims.iss;
  els.audience.value = claims.aud;
  els.scopes.value = "read:messages";
  els.mode.value = "all";
  update();
  runVerify({ explicit: true });
}
