// Shared by the benchmarks: the autocannon load generator and the bare node:http ceiling,
// each in its own process.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

/** What one autocannon run reports. */
export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Runs autocannon (`load.ts`) in a child process with the given spec; see `load.ts` for the fields. */
export async function load(spec: Record<string, unknown>): Promise<LoadResult> {
  const specFile = path.join(os.tmpdir(), `kitsune-load-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec));
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(here, 'load.ts'), specFile], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
  } finally {
    fs.rmSync(specFile, { force: true });
  }
}

/** Starts the bare node:http ceiling server, runs `fn` against its URL, then kills it. */
export async function withBareServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'bare-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = /ready (\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  try {
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGKILL');
  }
}
