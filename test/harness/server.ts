import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { Database } from 'arangojs';

export { waitFor } from './wait-for.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'kitsune.mjs');

/** A kitsune server process started by a test. */
export interface ServerHandle {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr (its log), for failure messages. */
  logs(): string;
  /** arangojs connected as root (or the given user). */
  db(name?: string, auth?: { username: string; password: string }): Database;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** A fresh temp data directory, removed by `cleanup`. */
export function tempDir(prefix = 'kitsune-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `kitsune start --port 0` on a data dir and resolves when it printed its ready line
 * (`kitsune ready on http://HOST:PORT`), or rejects with its log when it exits or the deadline passes.
 */
export async function startServer(opts: { dataDir: string; args?: string[]; env?: Record<string, string>; timeoutMs?: number }): Promise<ServerHandle> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', opts.dataDir, '--log-level', 'info', ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not become ready within ${opts.timeoutMs ?? 20000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /kitsune ready on (https?:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready\n${stderr}`));
    });
  });
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    endpoint,
    dataDir: opts.dataDir,
    process: child,
    logs: () => stderr,
    db: (name = '_system', auth = { username: 'root', password: opts.env?.['KITSUNE_ROOT_PASSWORD'] ?? '' }) =>
      new Database({ url: endpoint, databaseName: name, auth }),
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}

/** A raw HTTP request (for malformed input arangojs would never send). */
export async function rawRequest(
  endpoint: string,
  method: string,
  urlPath: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(endpoint + urlPath, {
    method,
    headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}`, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * One server for the enclosing `describe`: started in `before` on a fresh data directory (extra
 * command-line `args` if given), handed to `onStart`, stopped and its directory removed in `after`.
 */
export function suiteServer(opts: { args?: string[] }, onStart: (server: ServerHandle) => void): void {
  const tmp = tempDir();
  let server: ServerHandle | undefined;
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, ...(opts.args ? { args: opts.args } : {}) });
    onStart(server);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });
}
