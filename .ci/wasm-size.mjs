#!/usr/bin/env node
// Size report for the shipped wasm: raw / gzip / brotli, budget check, and a
// breakdown (sections, biggest functions) when over budget, when it grew since
// the last build, or on --breakdown. No dependencies: parses the binary itself.
//
//   node .ci/wasm-size.mjs pkg/wasm/tollgate_wasm_bg.wasm --budget 81920 [--last FILE] [--breakdown]
//
// The shipped wasm has no names (stripped); `make size-report` builds a copy that keeps
// them and adds a per-crate summary (--by-crate).

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").match(/^--(budget|last)$/));
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!file) {
  console.error("usage: wasm-size.mjs FILE --budget BYTES [--last FILE] [--breakdown]");
  process.exit(2);
}
const budget = Number(opt("--budget") ?? Infinity);
const byCrate = args.includes("--by-crate");
const lastFile = opt("--last");

const bytes = readFileSync(file);
const gz = gzipSync(bytes, { level: 9 }).length;
const br = brotliCompressSync(bytes, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

let last;
if (lastFile) {
  try {
    last = Number(readFileSync(lastFile, "utf8").trim());
  } catch {
    last = undefined;
  }
}
const grew = last !== undefined && gz > last;
const over = gz > budget;

console.log(
  `wasm size: ${file}: raw ${bytes.length} B (${kb(bytes.length)}), gzip -9 ${gz} B (${kb(gz)}), ` +
    `brotli ${br} B; budget gzip ${budget} B (${Math.round((100 * gz) / budget)}% used)` +
    (last !== undefined ? `; last build gzip ${last} B (${gz - last >= 0 ? "+" : ""}${gz - last})` : ""),
);

checkExternrefTable(bytes);
if (over || grew || args.includes("--breakdown")) breakdown(bytes);

if (lastFile && !over) {
  mkdirSync(dirname(lastFile), { recursive: true });
  writeFileSync(lastFile, `${gz}\n`);
}
if (over) {
  console.error(`FAIL: gzip size ${gz} B is over the budget of ${budget} B`);
  process.exit(1);
}

// wasm-bindgen keeps JS values in an exported externref table; an optimizer bug
// (binaryen#4711) once rebound that export to the funcref table, which only
// shows at init. Catch it here, at build time.
function checkExternrefTable(buf) {
  const tables = [];
  let importedTables = 0;
  let exported;
  let pos = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
  };
  const skipName = () => {
    const n = leb();
    pos += n;
  };
  const limits = () => {
    const flags = buf[pos++];
    leb();
    if (flags & 1) leb();
  };
  while (pos < buf.length) {
    const id = buf[pos++];
    const size = leb();
    const end = pos + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        skipName();
        skipName();
        const kind = buf[pos++];
        if (kind === 0) leb();
        else if (kind === 1) {
          tables.push(buf[pos++]);
          importedTables++;
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) pos += 2;
        else if (kind === 4) {
          pos++;
          leb();
        }
      }
    } else if (id === 4) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        tables.push(buf[pos++]);
        limits();
      }
    } else if (id === 7) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const n = leb();
        const name = buf.toString("utf8", pos, pos + n);
        pos += n;
        const kind = buf[pos++];
        const index = leb();
        if (kind === 1 && name === "__wbindgen_externrefs") exported = index;
      }
    }
    pos = end;
  }
  if (exported !== undefined && tables[exported] !== 0x6f) {
    console.error(
      `FAIL: export __wbindgen_externrefs points at table ${exported} of type 0x${(tables[exported] ?? 0).toString(16)}, ` +
        "not externref (0x6f): the optimizer broke the module (binaryen#4711; use wasm-opt >= 110)",
    );
    process.exit(1);
  }
}

function breakdown(buf) {
  let pos = 8;
  const u8 = () => buf[pos++];
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
  };
  const name = () => {
    const n = leb();
    const s = buf.toString("utf8", pos, pos + n);
    pos += n;
    return s;
  };
  const limits = () => {
    const flags = u8();
    leb();
    if (flags & 1) leb();
  };
  const SECTION = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"];
  const sections = [];
  let importedFuncs = 0;
  const names = new Map();
  const bodies = [];
  while (pos < buf.length) {
    const id = u8();
    const size = leb();
    const start = pos;
    const end = start + size;
    let label = SECTION[id] ?? `id ${id}`;
    if (id === 0) label = `custom "${name()}"`;
    sections.push({ label, size });
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        name();
        name();
        const kind = u8();
        if (kind === 0) {
          leb();
          importedFuncs++;
        } else if (kind === 1) {
          u8();
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) {
          u8();
          u8();
        } else if (kind === 4) {
          u8();
          leb();
        }
      }
    } else if (id === 7) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const n = name();
        const kind = u8();
        const index = leb();
        if (kind === 0 && !names.has(index)) names.set(index, `export ${n}`);
      }
    } else if (id === 10) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const size = leb();
        bodies.push({ index: importedFuncs + i, size });
        pos += size;
      }
    } else if (label === 'custom "name"') {
      while (pos < end) {
        const sub = u8();
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = leb();
          for (let i = 0; i < count; i++) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
    pos = end;
  }
  console.log("  sections:");
  for (const s of sections.sort((a, b) => b.size - a.size)) {
    console.log(`    ${String(s.size).padStart(8)} B  ${s.label}`);
  }
  if (byCrate) {
    const crates = new Map();
    for (const b of bodies) {
      const key = crateOf(names.get(b.index));
      const entry = crates.get(key) ?? { size: 0, count: 0 };
      entry.size += b.size;
      entry.count += 1;
      crates.set(key, entry);
    }
    console.log("  code by crate (from function names):");
    for (const [crate, { size, count }] of [...crates].sort((a, b) => b[1].size - a[1].size).slice(0, 25)) {
      console.log(`    ${String(size).padStart(8)} B  ${crate} (${count} functions)`);
    }
  }
  const top = bodies.sort((a, b) => b.size - a.size).slice(0, byCrate ? 40 : 20);
  const total = bodies.reduce((n, b) => n + b.size, 0);
  console.log(`  largest of ${bodies.length} functions (code total ${total} B; names only where exported or a name section survives):`);
  for (const b of top) {
    const n = names.get(b.index) ?? "";
    console.log(`    ${String(b.size).padStart(8)} B  func[${b.index}] ${n.length > 160 ? `${n.slice(0, 157)}...` : n}`);
  }
}

// "ring::ec::..." -> ring; "<serde_json::de::X as core::...>::f" -> serde_json;
// "core[0123abcd]::fmt::..." -> core; C symbols by prefix.
function crateOf(name) {
  if (!name) return "(unnamed)";
  if (name.startsWith("export ")) return "(exports, unnamed)";
  if (/ multivalue shim$/.test(name)) return "wasm-bindgen export shims (callees inlined)";
  const m = /^[<&*\s]*(?:mut |dyn |const |impl )?([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?(::|\s+as\s|>)/.exec(name);
  if (m) {
    if (/^(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|bool|char|str)$/.test(m[1])) return "core";
    if (m[1] === "__rustc") return "std";
    if (/^[A-Z]$/.test(m[1])) return "(generic impls)";
    return m[1];
  }
  if (/^\[/.test(name.replace(/^[<&\s]+/, ""))) return "core";
  if (/^(ring_core_|fiat_|fe_|ge_|sc_|x25519|p256_|p384_|limbs_|LIMBS_|bn_|GFp_|ecp_)/.test(name)) return "ring (C)";
  if (/^__wbg|^__wbindgen|^__externref/.test(name)) return "wasm-bindgen glue";
  if (/^(mem|str)[a-z]*$|^__|^compiler_builtins/.test(name)) return "compiler-builtins/libc";
  return "(other symbols)";
}
