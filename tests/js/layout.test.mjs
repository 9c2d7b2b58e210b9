// The modules of pkg/ form no import circle. In a circle one module evaluates before a module
// it imports, so its imported bindings are still uninitialised at its top level (they used to
// be: tollgate.js re-exported edge.js and spa.js, which import tollgate.js). Reads the source
// only: needs no build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8'));

// Static imports and re-exports, which decide the evaluation order: statements start a line
// (so comments and indented code are not read) and nothing but names lies between the
// keyword and `from`. Dynamic import() runs after evaluation and cannot form such a circle.
const STATIC_IMPORT = /^(?:import|export)\b[^;"'`]*?\bfrom\s*(["'])([^"'\n]+)\1|^import\s*(["'])([^"'\n]+)\3/gm;

/** The specifiers a module imports statically, in order. */
function specifiersOf(source) {
  return [...source.matchAll(STATIC_IMPORT)].map((m) => m[2] ?? m[4]);
}

/** The pkg/ files a specifier of the module `from` (a path below pkg/) names (the package's own name included). */
function resolve(specifier, from) {
  if (specifier.startsWith('./') || specifier.startsWith('../')) return [posix.join(posix.dirname(from), specifier)];
  const self = specifier === MANIFEST.name ? '.' : specifier.startsWith(`${MANIFEST.name}/`)
    ? `.${specifier.slice(MANIFEST.name.length)}` : undefined;
  if (self === undefined) return []; // node:*, or another package
  const target = MANIFEST.exports[self];
  assert.ok(target !== undefined, `"${specifier}" is not exported by pkg/package.json`);
  const files = typeof target === 'string' ? [target] : Object.entries(target)
    .filter(([condition]) => condition !== 'types').map(([, file]) => file);
  return files.map((file) => posix.normalize(file));
}

/**
 * The .js modules below pkg/, as paths relative to it (`cli.js`, `governance/lint.js`).
 * Generated files (pkg/wasm/) import none of the others and are left out.
 */
function modulesOf(dir = '') {
  return readdirSync(PKG + dir, { withFileTypes: true }).flatMap((entry) => {
    const name = dir + entry.name;
    if (entry.isDirectory()) return name === 'wasm' || name === 'node_modules' ? [] : modulesOf(`${name}/`);
    return name.endsWith('.js') ? [name] : [];
  });
}

/** Module → the pkg/ modules it imports. */
function graph() {
  const modules = modulesOf().sort();
  const edges = new Map();
  for (const name of modules) {
    const targets = specifiersOf(readFileSync(PKG + name, 'utf8')).flatMap((specifier) => resolve(specifier, name));
    for (const target of targets) {
      if (!target.startsWith('wasm/')) assert.ok(existsSync(PKG + target), `pkg/${name} imports ${target}, which is missing`);
    }
    edges.set(name, [...new Set(targets.filter((t) => modules.includes(t)))]);
  }
  return edges;
}

/** The first circle found by depth-first search, as [a, b, …, a], or undefined. */
function findCircle(edges) {
  const state = new Map(); // name → "open" while on the path, "done" after
  const path = [];
  const visit = (name) => {
    state.set(name, 'open');
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const circle = visit(next);
        if (circle) return circle;
      }
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of edges.keys()) {
    if (!state.has(name)) {
      const circle = visit(name);
      if (circle) return circle;
    }
  }
  return undefined;
}

test('the import reader: every static form, nothing from comments, strings or dynamic import()', () => {
  const source = [
    '// export * from "./commented.js";',
    'import { a,',
    '  b } from "./multi-line.js";',
    "import c from './default.js';",
    'import "./side-effect.js";',
    'export * from "./star.js";',
    'export { d as e } from "./named.js";',
    'const f = await import("./dynamic.js");',
    'const g = "import x from \'./in-string.js\'";',
    '  export * from "./indented.js";',
    'export function h() { return from; }',
  ].join('\n');
  assert.deepEqual(specifiersOf(source), ['./multi-line.js', './default.js', './side-effect.js', './star.js', './named.js']);
});

test('the circle finder', () => {
  const of = (object) => new Map(Object.entries(object));
  assert.equal(findCircle(of({ 'a.js': ['b.js', 'c.js'], 'b.js': ['c.js'], 'c.js': [] })), undefined);
  assert.deepEqual(findCircle(of({ 'a.js': ['b.js'], 'b.js': ['c.js'], 'c.js': ['b.js'] })), ['b.js', 'c.js', 'b.js']);
});

test('no import circle among pkg/*.js and the modules in its folders', () => {
  const edges = graph();
  assert.ok([...edges.values()].flat().length > 0, 'no import found: the reader is broken');
  assert.ok([...edges.keys()].some((name) => name.includes('/')), 'no module of a pkg/ folder found: the discovery is broken');
  const circle = findCircle(edges);
  assert.equal(circle, undefined, `import circle: ${circle?.map((name) => `pkg/${name}`).join(' → ')}`);
});
