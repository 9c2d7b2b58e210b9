// Methods and path patterns: whether earlier rules' methods and paths cover a rule's.

// ─── Methods and path patterns ────────────────────────────────────────────────────────

/** Any method (a rule with `*` or without `method`). */
export const ANY_METHOD = "*";

/** A rule's methods: ANY_METHOD, or a Set of upper-case names (GET brings HEAD, as matching does). */
export function ruleMethods(rule) {
  const raw = rule?.method === undefined ? [ANY_METHOD] : [rule.method].flat();
  const methods = new Set(raw.map((m) => String(m).toUpperCase()));
  if (methods.has(ANY_METHOD)) return ANY_METHOD;
  if (methods.has("GET")) methods.add("HEAD");
  return methods;
}

export const LITERAL = 0;
const ONE = 1; // `:name` or `*`: exactly one segment
const REST = 2; // `**`: zero or more segments (last only)

/** A path pattern as segments `{ kind: "literal" | "one" | "rest", value }`. */
export function parsePattern(path) {
  return String(path)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      if (s === "**") return { kind: REST, value: s };
      if (s === "*" || s.startsWith(":")) return { kind: ONE, value: s };
      return { kind: LITERAL, value: s };
    });
}

// A segment no pattern spells: stands for every literal not mentioned.
const OTHER = Symbol("other segment");

function step(patterns, segment) {
  const out = [];
  for (const p of patterns) {
    const head = p[0];
    if (head === undefined) continue;
    if (head.kind === ONE || (head.kind === LITERAL && head.value === segment)) out.push(p.slice(1));
  }
  return out;
}

function keyOf(patterns, pattern) {
  const seg = (s) => (s.kind === LITERAL ? `l${s.value}` : s.kind === ONE ? "*" : "**");
  return `${pattern.map(seg).join("/")}|${patterns.map((p) => p.map(seg).join("/")).sort().join("|")}`;
}

// Whether the union of `patterns` matches every path `pattern` matches. Decided segment
// by segment: a literal in `pattern` steps every pattern by that literal; a wildcard
// must be covered for each literal the patterns spell at that point and for one
// segment none of them spells (OTHER). Each recursion drops a segment from every
// remaining pattern, so it ends; the memo keeps repeated sub-questions cheap.
function coverSegments(patterns, pattern, memo) {
  if (patterns.some((p) => p[0]?.kind === REST)) return true;
  if (patterns.length === 0) return false;
  const key = keyOf(patterns, pattern);
  const known = memo.get(key);
  if (known !== undefined) return known;
  let result;
  const head = pattern[0];
  if (head === undefined) {
    result = patterns.some((p) => p.length === 0);
  } else if (head.kind === LITERAL) {
    result = coverSegments(step(patterns, head.value), pattern.slice(1), memo);
  } else {
    const literals = new Set();
    for (const p of patterns) if (p[0]?.kind === LITERAL) literals.add(p[0].value);
    const classes = [...literals, OTHER];
    if (head.kind === ONE) {
      result = classes.every((c) => coverSegments(step(patterns, c), pattern.slice(1), memo));
    } else {
      // `**`: the empty rest, and every first segment followed by `**` again.
      result =
        patterns.some((p) => p.length === 0) &&
        classes.every((c) => coverSegments(step(patterns, c), pattern, memo));
    }
  }
  memo.set(key, result);
  return result;
}

/**
 * Whether the path patterns in `general` together match every request path `specific`
 * matches: `patternsCover(["/a/**"], "/a/:id")` is true, `patternsCover(["/a/*"], "/a/**")`
 * is false (`/a` and `/a/b/c`).
 */
export function patternsCover(general, specific) {
  return coverSegments(general.map(parsePattern), parsePattern(specific), new Map());
}

/** Whether `general` alone matches every path `specific` matches. */
export function patternCovers(general, specific) {
  return patternsCover([general], specific);
}

function methodMatches(methods, method) {
  if (methods === ANY_METHOD) return true;
  if (method === OTHER) return false;
  return methods.has(method);
}

// Whether `earlier` rules together match every (method, path) `rule` matches.
export function rulesCover(earlier, rule) {
  let classes;
  if (rule.methods === ANY_METHOD) {
    const named = new Set();
    for (const e of earlier) if (e.methods !== ANY_METHOD) for (const m of e.methods) named.add(m);
    classes = [...named, OTHER];
  } else {
    classes = [...rule.methods];
  }
  return classes.every((method) => {
    const paths = earlier.filter((e) => methodMatches(e.methods, method)).map((e) => e.path);
    return paths.length > 0 && patternsCover(paths, rule.path);
  });
}
