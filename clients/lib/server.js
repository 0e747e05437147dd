// Starts the real server binary on a fresh database of one backend, on a free loopback
// port, and stops it (dropping the PostgreSQL database) afterwards.
//
//   BAKEPLAN_BIN                 the binary (default: ../target/debug/bakeplan)
//   BAKEPLAN_TEST_POSTGRES_URL   PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));

/** Every test runs on both; none is ever skipped. */
export const BACKENDS = ['sqlite', 'postgres'];

export const BINARY = process.env.BAKEPLAN_BIN || resolve(here, '../../target/debug/bakeplan');
const ADMIN_URL =
  process.env.BAKEPLAN_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of another database on the admin URL's server. */
function databaseUrl(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function psql(sql) {
  execFileSync('psql', [ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

// Servers to kill and databases and directories to remove if the process ends without
// `stop()` (a failed or interrupted test): on exit, and on SIGINT/SIGTERM (the test
// runner's timeout), which would otherwise end the process without the exit handler.
const leftovers = new Set();
process.on('exit', () => {
  for (const cleanup of leftovers) {
    try {
      cleanup();
    } catch {
      // best effort at exit
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(130));
}

/**
 * Makes an API token on a database with the binary's `token create` (which migrates the
 * database first) and returns its text, printed alone on stdout.
 */
export function createToken(databaseUrlArg, name, role, extra = []) {
  const out = execFileSync(
    BINARY,
    ['--database-url', databaseUrlArg, 'token', 'create', '--name', name, '--role', role, ...extra],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  const token = out.trim();
  if (!/^bp_[A-Za-z0-9_-]{30,}$/.test(token)) throw new Error(`token create printed ${JSON.stringify(out)}`);
  return token;
}

/**
 * Starts a server. Options: `corsOrigins` (array), `args` (more flags), `auth` (default
 * true: `--auth required`, with a manager token the helpers send).
 * Returns { backend, url, origin, wsUrl, token, authHeaders, createToken, revokeToken, gql,
 * post, stop, log }.
 */
export async function startServer(backend, { corsOrigins = [], args = [], auth = true } = {}) {
  const cleanups = [];
  let databaseUrlArg;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bakeplan-clients-'));
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    cleanups.push(cleanup);
    databaseUrlArg = join(dir, 'bakeplan.db');
  } else if (backend === 'postgres') {
    const name = `bakeplan_clients_${process.pid}_${randomBytes(4).toString('hex')}`;
    psql(`CREATE DATABASE "${name}"`);
    cleanups.push(() => psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    databaseUrlArg = databaseUrl(name);
  } else {
    throw new Error(`unknown backend ${backend}`);
  }
  const cleanupAll = () => {
    for (const cleanup of cleanups.reverse()) cleanup();
    cleanups.length = 0;
  };
  leftovers.add(cleanupAll);

  const flags = ['--database-url', databaseUrlArg, 'serve', '--bind', '127.0.0.1:0', '--workers', '2'];
  if (corsOrigins.length) flags.push('--cors-origins', corsOrigins.join(','));
  let token = null;
  if (auth) {
    token = createToken(databaseUrlArg, 'client-suite', 'manager');
    flags.push('--auth', 'required');
  } else {
    flags.push('--auth', 'off');
  }
  flags.push(...args);
  const child = spawn(BINARY, flags, {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn,bakeplan=info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let log = '';
  let exited = null;
  const address = new Promise((resolveAddress, reject) => {
    const onData = (chunk) => {
      log += chunk.toString();
      const found = log.match(/serving GraphQL on http:\/\/([0-9.:]+)\/graphql/);
      if (found) resolveAddress(found[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      reject(new Error(`${BINARY} exited (${code ?? signal}) before serving:\n${log}`));
    });
  });
  let host;
  try {
    host = await withTimeout(address, 30_000, () => `the server did not start:\n${log}`);
    const origin = `http://${host}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`/readyz never answered 200:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    child.kill('SIGKILL');
    cleanupAll();
    leftovers.delete(cleanupAll);
    throw error;
  }

  const origin = `http://${host}`;
  const authHeaders = token ? { authorization: `Bearer ${token}` } : {};
  const server = {
    backend,
    origin,
    url: `${origin}/graphql`,
    wsUrl: `ws://${host}/graphql`,
    /** The manager token the helpers send (null with `auth: false`). */
    token,
    /** `{ authorization: 'Bearer …' }` for the manager token, or `{}`. */
    authHeaders,
    get log() {
      return log;
    },
    /** Makes another token on this server's database; returns its text. */
    createToken(name, role, extra = []) {
      return createToken(databaseUrlArg, name, role, extra);
    },
    /** Revokes a token by name with the binary's `token revoke`. */
    revokeToken(name) {
      execFileSync(BINARY, ['--database-url', databaseUrlArg, 'token', 'revoke', name], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, RUST_LOG: 'warn' },
      });
    },
    /** A fetch that sends the manager token with every request. */
    fetchWithToken(input, init = {}) {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(authHeaders)) headers.set(name, value);
      return fetch(input, { ...init, headers });
    },
    /** POSTs an operation (with the manager token unless `headers` says otherwise); returns the whole JSON response. */
    async post(query, variables = {}, headers = {}) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`status ${response.status}, not JSON: ${text}`);
      }
    },
    /** POSTs an operation that must succeed; returns its data. */
    async gql(query, variables = {}) {
      const body = await server.post(query, variables);
      if (body.errors) {
        throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}\nquery: ${query}`);
      }
      return body.data;
    },
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const stopped = await Promise.race([gone.then(() => true), sleep(5000).then(() => false)]);
        if (!stopped) {
          child.kill('SIGKILL');
          await gone;
        }
      }
      cleanupAll();
      leftovers.delete(cleanupAll);
    },
  };
  return server;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves like `promise`, or rejects after `ms` with `message()`. */
export function withTimeout(promise, ms, message = () => `timed out after ${ms} ms`) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
