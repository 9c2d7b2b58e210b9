// Start and stop a real `workerd serve` on 127.0.0.1, for `make demo` and tests/workerd.
// workerd comes from npm (tests/package.json), which ships the binary.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT, writeWorkerdConfig } from "./workerd-config.mjs";

/** Path of the workerd binary installed in tests/node_modules. */
export function workerdBinary() {
  const require = createRequire(join(ROOT, "tests/package.json"));
  try {
    // The package's main module exports the platform binary's path as `default`.
    return require("workerd").default;
  } catch (err) {
    throw new Error(`workerd is not installed (run \`make tools\`): ${err.message}`);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (`preferred` if it is free). */
export async function freePort(preferred = 0) {
  const tryListen = (port) =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const { port: actual } = server.address();
        server.close(() => resolve(actual));
      });
    });
  if (preferred) {
    try {
      return await tryListen(preferred);
    } catch {
      // taken: fall through to any free port
    }
  }
  return tryListen(0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a spawned process: SIGTERM, then SIGKILL if it has not exited within 5 s.
 * `exited` is a promise that settles on its "exit" event. Safe when it already exited.
 */
export async function stopChild(child, exited) {
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  child.kill("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!done && running()) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Start workerd on 127.0.0.1:`port` and wait until GET /health answers. By default it
 * serves the demo worker from a generated config; tests pass `config`, the path of a
 * config they wrote whose socket already listens on `port`, and extra `args`. `ready(response)`
 * tells a worker without a public /health that it is up (default: a 2xx answer).
 * Returns { url, child, output(), stop() }; stop() is safe to call twice.
 */
export async function startWorkerd({ port, configFile, config, args = [], readyTimeoutMs = 30_000, onOutput, ready = (res) => res.ok } = {}) {
  port ??= await freePort();
  const serveArgs = config
    ? ["serve", config, ...args]
    : ["serve", writeWorkerdConfig(configFile ?? join(ROOT, "target/workerd/tollgate-demo.capnp")), "--socket-addr", `http=127.0.0.1:${port}`, ...args];
  const child = spawn(workerdBinary(), serveArgs, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk) => {
    const text = chunk.toString();
    if (output.length < 256 * 1024) output += text;
    onOutput?.(text);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    await stopChild(child, exited);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running()) {
      await stop();
      throw new Error(`workerd exited before it was ready (exit ${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (ready(res)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`workerd did not answer on ${url} within ${readyTimeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return { url, child, output: () => output, stop };
}

/**
 * One request to a worker under test: `token` becomes `Authorization: Bearer …`
 * (`authorization` sets the header verbatim), `body` is sent as JSON. Returns
 * { status, headers, text, json, challenge } with json undefined when the body is not JSON.
 */
export async function callWorker(url, { method = "GET", token, authorization, body, timeoutMs = 10_000 } = {}) {
  const headers = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (authorization !== undefined) headers.Authorization = authorization;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, challenge: res.headers.get("www-authenticate") };
}
