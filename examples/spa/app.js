// A single-page app's access token with tollgate's SPA helpers:
//
//   - the token lives in a module variable: in memory only. Never localStorage,
//     sessionStorage, a readable cookie or the URL, where any script injected into the
//     page (XSS) or any extension could read it long after the tab is closed;
//   - UI is shown or hidden by scope with hasScopes;
//   - scheduleRefresh calls the refresh endpoint a minute (less a jitter) before expiry,
//     then for each new token; not while the tab is hidden, at once when it shows again.
//
// NOT A SECURITY BOUNDARY. expiresIn, isExpired, hasScopes and decode read the token
// WITHOUT verifying it: anyone can edit a token in their own browser and make a button
// appear. That is fine — the button only sends a request, and the API verifies the token
// (tollgate's verify / createGuard) and answers 401 or 403. Never put data in the page
// that the token's scopes are supposed to protect.

// In your app: import { decode, expiresIn, hasScopes, isExpired, scheduleRefresh } from "tollgate";
//              import { Policy } from "tollgate/policy";
import { decode, expiresIn, hasScopes, isExpired, scheduleRefresh } from "../../pkg/browser.js";
import { Policy } from "../../pkg/policy-browser.js";

// The API's policy (tollgate/policy), to show each [data-route] control only when the API
// would allow that request: roles, scope implication and role gating included, which
// hasScopes alone cannot tell. The decision is flagged `unverified` (decode() output) —
// UI gating only; the API decides again on a verified token. Ship the same JSON your API
// enforces (bundled, or fetched from it); this is a copy of the example worker's.
const policy = Policy.fromJson({
  version: 1,
  scopes: {
    "read:messages": { description: "Read the message board" },
    "write:messages": { description: "Post messages", implies: ["read:messages"] },
    "admin:messages": { description: "Delete any message", maxTokenLifetime: "15m" },
  },
  roles: { moderator: { description: "Moderates the board", grants: ["admin:messages"] } },
  rules: [
    { method: "GET", path: "/messages", scopes: ["read:messages"] },
    { method: "POST", path: "/messages", scopes: ["write:messages"] },
    { method: "DELETE", path: "/messages/:id", scopes: ["admin:messages"], roles: ["moderator"] },
  ],
});

// ───────────────────────────── STUB: replace with your auth server ─────────────────────────────
// A placeholder: a refresh endpoint on YOUR origin (a backend-for-frontend) that keeps
// the refresh token in an HttpOnly, Secure, SameSite=Strict cookie — which JavaScript
// cannot read — and answers 200 {"access_token": "..."}, or 401 when the session is over.
// With an OAuth server you talk to directly, this is the refresh_token grant instead.
const REFRESH_URL = "/auth/refresh"; // STUB: placeholder URL
// A placeholder API protected by tollgate on the server side.
const API_URL = "/api/messages"; // STUB: placeholder URL
// ────────────────────────────────────────────────────────────────────────────────────────────────

let accessToken = null; // memory only
let session = null; // scheduleRefresh's handle: the next refresh of accessToken
let fetching;

const $ = (id) => document.getElementById(id);

// ──────────────────────────────────────────────────────────────── the token

/** Starts a session with a token (signed in, or pasted): shows it and schedules its refresh. */
function startSession(token) {
  session?.cancel();
  session = null;
  try {
    // null without exp (nothing to schedule: the API refuses such tokens by default).
    session = scheduleRefresh(token, renew, { skew: "1m", retryDelay: "15s", onError: refreshFailed });
  } catch {
    // malformed (pasted): render() shows it, and hasScopes is false for every scope
  }
  show(token);
}

function show(token) {
  accessToken = token;
  render();
}

function signOut(reason) {
  session?.cancel();
  session = null;
  accessToken = null;
  render(reason);
}

/** scheduleRefresh's `refresh`: gets a new token and hands it back, to be scheduled in turn. */
async function renew() {
  const token = await fetchToken();
  if (token === null) return signOut("Your session has ended. Sign in again.");
  show(token);
  return token;
}

/** A failed scheduled refresh (network down): the token is kept while it lasts, and retried. */
function refreshFailed(err) {
  log(`refresh failed: ${err.message}`);
  if (!session?.active) signOut(`No session: ${err.message}.`); // no retry left before exp
}

/** A sign-in through the refresh cookie, if there is a session: on load, on click, after a 401. */
async function signIn() {
  try {
    const token = await fetchToken();
    if (token === null) return signOut("Your session has ended. Sign in again.");
    startSession(token);
  } catch (err) {
    if (accessToken !== null && !isExpired(accessToken)) return; // keep it; the schedule retries
    signOut(`No session: ${err.message}. (${REFRESH_URL} is a stub; see app.js, or paste a token below.)`);
  }
}

/** A new access token from the (stub) refresh endpoint, or null when the session is over. One call at a time. */
function fetchToken() {
  fetching ??= (async () => {
    try {
      // STUB: your refresh call. The HttpOnly cookie goes along; no token is sent from JS.
      const response = await fetch(REFRESH_URL, { method: "POST", credentials: "same-origin" });
      if (response.status === 401) return null;
      if (!response.ok) throw new Error(`the refresh endpoint answered HTTP ${response.status}`);
      const { access_token: token } = await response.json();
      if (typeof token !== "string") throw new Error("the refresh endpoint sent no access_token");
      return token;
    } finally {
      fetching = undefined;
    }
  })();
  return fetching;
}

/** fetch() with the token; signs in again first if it has expired, and once more on a 401. */
async function authorizedFetch(url, init = {}) {
  if (accessToken === null || isExpired(accessToken)) await signIn();
  if (accessToken === null) throw new Error("not signed in");
  const send = () => fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${accessToken}` } });
  let response = await send();
  if (response.status === 401) {
    await signIn(); // revoked or rotated keys: the API knows better than the exp claim
    if (accessToken !== null) response = await send();
  }
  return response;
}

// ──────────────────────────────────────────────────────────────── the UI

/** Shows each [data-requires-scope] element only when the token grants its scopes. */
function render(signedOutReason) {
  for (const el of document.querySelectorAll("[data-requires-scope]")) {
    const scopes = el.dataset.requiresScope.split(" ");
    const mode = el.dataset.scopeMode === "any" ? "any" : "all";
    // UI gating only: the API checks the scope again, with a verified token.
    el.hidden = accessToken === null || isExpired(accessToken) || !hasScopes(accessToken, scopes, { mode });
  }
  for (const el of document.querySelectorAll("[data-route]")) {
    const [method, path] = el.dataset.route.split(" ");
    let allowed = false;
    if (accessToken !== null && !isExpired(accessToken)) {
      try {
        allowed = policy.evaluate(decode(accessToken), { method, path }).allow;
      } catch {
        // malformed token: decode throws; nothing gated is shown
      }
    }
    el.hidden = !allowed;
  }
  $("signed-out").hidden = accessToken !== null;
  $("signed-in").hidden = accessToken === null;
  if (signedOutReason) $("signed-out-reason").textContent = signedOutReason;
  renderStatus();
}

function renderStatus() {
  if (accessToken === null) return;
  let who = "(malformed token)";
  try {
    who = decode(accessToken).claims.sub ?? "(no sub)";
  } catch {
    // malformed: isExpired is true and hasScopes false, so everything gated is hidden
  }
  const seconds = safeExpiresIn(accessToken);
  $("user").textContent = who;
  $("expires").textContent =
    seconds === undefined ? "malformed" : seconds === null ? "never (no exp)" : seconds > 0 ? `in ${clock(seconds)}` : "expired";
  const refreshAt = session?.refreshAt ?? null;
  $("refresh-at").textContent =
    refreshAt !== null ? `in ${clock(Math.max(0, (refreshAt - Date.now()) / 1000))}` : session?.active ? "refreshing…" : "not scheduled";
  $("scopes").textContent = safeScopes(accessToken);
}

function safeExpiresIn(token) {
  try {
    return expiresIn(token);
  } catch {
    return undefined;
  }
}

function safeScopes(token) {
  try {
    return decode(token).scopes.join(" ") || "(none)";
  } catch {
    return "(none)";
  }
}

function clock(seconds) {
  const s = Math.ceil(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function log(text) {
  $("log").prepend(Object.assign(document.createElement("li"), { textContent: text }));
}

$("read").addEventListener("click", async () => {
  try {
    const response = await authorizedFetch(API_URL);
    log(`GET ${API_URL} → ${response.status}`);
  } catch (err) {
    log(`GET ${API_URL} failed: ${err.message}`);
  }
});
$("write").addEventListener("click", () => log(`POST ${API_URL} would be sent (the API checks write:messages again)`));
$("admin").addEventListener("click", () => log("the admin panel would open (the API checks admin again)"));
$("moderate").addEventListener("click", () => log("DELETE /messages/1 would be sent (the API's policy decides again)"));
$("sign-in").addEventListener("click", () => signIn());
$("sign-out").addEventListener("click", () => signOut("Signed out."));
$("use-token").addEventListener("click", () => startSession($("paste").value.trim()));

setInterval(() => render(), 1000); // the countdowns, and hiding UI once a token expires unrefreshed
render();
signIn(); // on load: a silent sign-in through the refresh cookie, if there is a session
document.body.dataset.ready = "true";
