// The glue a Cedar deployment needs in front of `isAuthorized` for the tollgate
// "messages" policy (see messages.cedar): a router from method + path to one Action
// per tollgate rule, and a builder that turns the token's claims plus the request into
// Cedar's principal, entities and context. tollgate does all of this inside
// `policy.evaluate`; for Cedar it is application code, so bench/policy.mjs times it
// together with Cedar in the "per request" rows and separately (the "router + builder
// alone" row), so its share can be read off.

// ------------------------------------------------------------------ router

export const ACTIONS = Object.freeze({
  read: 'GET /messages/**',
  write: 'POST|PUT|DELETE /messages/:id',
  admin: '* /admin/**',
  health: 'GET /health',
  none: 'NoMatchingRule',
});

// The path rules of the README ("Policies"): query and fragment stripped, segments
// percent-decoded, empty segments ignored; `.`/`..` (also encoded) or a decoded
// segment containing `/` or `\` is a bad request (tollgate: 400 ERR_INVALID_REQUEST).
export function splitPath(path) {
  let end = path.length;
  const q = path.indexOf('?');
  if (q >= 0) end = q;
  const h = path.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const segments = [];
  for (const raw of path.slice(0, end).split('/')) {
    if (raw === '') continue;
    let seg = raw;
    if (raw.includes('%')) {
      try {
        seg = decodeURIComponent(raw);
      } catch {
        return null;
      }
    }
    if (seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\')) return null;
    segments.push(seg);
  }
  return segments;
}

// First match wins, in the order of the tollgate document's rules:
//   GET /messages/**, POST|PUT|DELETE /messages/:id, * /admin/**, GET /health.
// A GET rule also matches HEAD. Returns null for a bad path.
export function route(method, path) {
  const segs = splitPath(path);
  if (segs === null) return null;
  const m = method.toUpperCase();
  const get = m === 'GET' || m === 'HEAD';
  let action = ACTIONS.none;
  if (get && segs.length >= 1 && segs[0] === 'messages') action = ACTIONS.read;
  else if ((m === 'POST' || m === 'PUT' || m === 'DELETE') && segs.length === 2 && segs[0] === 'messages') action = ACTIONS.write;
  else if (segs.length >= 1 && segs[0] === 'admin') action = ACTIONS.admin;
  else if (get && segs.length === 1 && segs[0] === 'health') action = ACTIONS.health;
  return { action, resource: '/' + segs.join('/') };
}

// ------------------------------------------------------------------ entities

// The role hierarchy of the policy (admin inherits writer inherits reader): static,
// policy data, the same array on every request.
export const ROLE_ENTITIES = Object.freeze([
  { uid: { type: 'Role', id: 'reader' }, attrs: {}, parents: [] },
  { uid: { type: 'Role', id: 'writer' }, attrs: {}, parents: [{ type: 'Role', id: 'reader' }] },
  { uid: { type: 'Role', id: 'admin' }, attrs: {}, parents: [{ type: 'Role', id: 'writer' }] },
]);

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

// Cedar's ip() refuses `::ffff:1.2.3.4` (what Node reports for IPv4 clients on a
// dual-stack socket); tollgate treats it as 1.2.3.4, so the glue does too.
export function cedarIp(ip) {
  const m = MAPPED_V4.exec(ip);
  return m ? m[1] : ip;
}

const asList = (v) => (Array.isArray(v) ? v : typeof v === 'string' ? v.split(' ').filter(Boolean) : []);

// claims: the verified token's claims (null: no credentials).
// request: { method, path, ip, environment, now } as given to tollgate's evaluate.
// Returns the call object for isAuthorized / statefulIsAuthorized without `policies`,
// or null when the path is malformed (a 400 before any authorization).
export function buildCedarRequest(claims, request) {
  const r = route(request.method, request.path);
  if (r === null) return null;
  let principal;
  const entities = [...ROLE_ENTITIES];
  const context = { scopes: [] };
  if (claims) {
    principal = { type: 'User', id: String(claims.sub) };
    // The document's roleClaim is "roles" and scopeClaim "scope".
    entities.push({ uid: principal, attrs: {}, parents: asList(claims.roles).map((id) => ({ type: 'Role', id })) });
    context.scopes = asList(claims.scope);
    const token = {};
    if (Number.isInteger(claims.iat)) token.iat = claims.iat;
    if (Number.isInteger(claims.exp)) token.exp = claims.exp;
    context.token = token;
  } else {
    principal = { type: 'Anonymous', id: '' };
    context.token = {};
  }
  if (request.ip !== undefined) context.ip = { __extn: { fn: 'ip', arg: cedarIp(request.ip) } };
  if (request.environment !== undefined) context.environment = request.environment;
  const d = new Date(request.now * 1000);
  context.utcDay = DAYS[d.getUTCDay()];
  context.utcMinute = d.getUTCHours() * 60 + d.getUTCMinutes();
  return {
    principal,
    action: { type: 'Action', id: r.action },
    resource: { type: 'Path', id: r.resource },
    context,
    entities,
  };
}
