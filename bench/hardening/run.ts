// npm run bench:hardening [-- --quick]
// 1. GET document over TLS (--ssl.keyfile) against the same over plain HTTP, same run, same
//    documents, short paired runs in alternating order, median ratio (target ≥ 0.6).
// 2. A logged-in client's latency (p50/p99) while 64 clients flood wrong passwords (target p99 < 50 ms).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from 'arangojs';
import { startServer, type ServerHandle } from '../../test/harness/server.ts';
import { load } from '../macro/load-tools.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const TLS = path.join(here, '..', '..', 'test', 'fixtures', 'tls');
const quick = process.argv.includes('--quick');
const DURATION = quick ? 2 : 3;
const ROUNDS = quick ? 2 : 9;
const FLOOD_MS = quick ? 4000 : 10_000;

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** User + system CPU time of a server process so far, in ms (Linux /proc). */
function cpuMs(s: ServerHandle): number {
  const fields = fs.readFileSync(`/proc/${s.process.pid ?? 0}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };

async function seed(db: Database): Promise<string[]> {
  const c = await db.createCollection('bench');
  const paths: string[] = [];
  for (let i = 0; i < 10_000; i += 1000) {
    const docs = Array.from({ length: 1000 }, (_, j) => ({ _key: `k${i + j}`, name: `user-${i + j}`, age: (i + j) % 60, tags: ['alpha', 'beta'] }));
    await c.import(docs);
    for (const d of docs) paths.push(`/_api/document/bench/${d._key}`);
  }
  return paths;
}

// the load generator (a child process) trusts the test CA of the TLS server
process.env['NODE_EXTRA_CA_CERTS'] = path.join(TLS, 'ca.pem');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-hardening-'));
const servers: ServerHandle[] = [];
try {
  const plain = await startServer({ dataDir: path.join(tmp, 'plain'), args: ['--log-level', 'warn'] });
  servers.push(plain);
  const tls = await startServer({ dataDir: path.join(tmp, 'tls'), args: ['--log-level', 'warn', '--ssl.keyfile', path.join(TLS, 'server.pem')] });
  servers.push(tls);
  const paths = await seed(plain.db());
  await seed(new Database({ url: tls.endpoint, auth: { username: 'root', password: '' }, agentOptions: { connect: { ca: fs.readFileSync(path.join(TLS, 'ca.pem'), 'utf8') } } }));

  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // short paired runs, the order alternating, so a change in the machine's load hits both alike
    // also the server's CPU time per answered request, which a busy machine disturbs far less
    const run = async (s: ServerHandle): Promise<Awaited<ReturnType<typeof load>> & { cpuUsPerReq: number }> => {
      const cpu0 = cpuMs(s);
      const res = await load({ url: s.endpoint, method: 'GET', connections: 64, durationSec: DURATION, headers: auth, paths });
      return { ...res, cpuUsPerReq: ((cpuMs(s) - cpu0) * 1000) / Math.max(1, res.reqPerSec * DURATION) };
    };
    let p: Awaited<ReturnType<typeof run>>;
    let t: Awaited<ReturnType<typeof run>>;
    if (r % 2 === 0) {
      p = await run(plain);
      t = await run(tls);
    } else {
      t = await run(tls);
      p = await run(plain);
    }
    emit({ name: 'get-document-tls', round: r, plain: p, tls: t, ratio: t.reqPerSec / p.reqPerSec, cpuRatio: p.cpuUsPerReq / t.cpuUsPerReq });
    ratios.push(t.reqPerSec / p.reqPerSec);
    cpuRatios.push(p.cpuUsPerReq / t.cpuUsPerReq);
  }
  const tlsRatio = median(ratios);
  const tlsCpuRatio = median(cpuRatios);

  // the password flood against the plain server while a logged-in client reads documents
  const db = plain.db();
  await db.createUser('reader', 'r-pass');
  await db.setUserAccessLevel('reader', { database: '_system' }, 'ro');
  const jwtDb = new Database({ url: plain.endpoint });
  await jwtDb.login('reader', 'r-pass');
  const calm: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    await jwtDb.collection('bench').document(`k${i}`);
    calm.push(performance.now() - t0);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'flood.ts'), plain.endpoint, String(FLOOD_MS), '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const latencies: number[] = [];
  const until = Date.now() + FLOOD_MS - 500;
  for (let i = 0; Date.now() < until; i++) {
    const t0 = performance.now();
    await jwtDb.collection('bench').document(`k${i % 10_000}`);
    latencies.push(performance.now() - t0);
  }
  await done;
  const flood = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { attempts: number; statuses: Record<string, number> };
  const q = (xs: number[], f: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * f)] ?? Number.POSITIVE_INFINITY;
  const p99 = q(latencies, 0.99);
  emit({ name: 'logged-in-during-password-flood', requests: latencies.length, p50: q(latencies, 0.5), p99, p99Calm: q(calm, 0.99), guesses: flood.attempts, statuses: flood.statuses, target_p99_ms: 50 });

  process.stdout.write(
    `\nGET document over TLS / plain HTTP: median throughput ratio ${tlsRatio.toFixed(2)} (target ≥ 0.6) ${tlsRatio >= 0.6 ? 'OK' : 'MISSED'}; ` +
      `server CPU per request, plain / TLS: median ${tlsCpuRatio.toFixed(2)}\n` +
      `logged-in client during a 64-client password flood: p50 ${q(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (calm p99 ${q(calm, 0.99).toFixed(1)} ms; target p99 < 50) ${p99 < 50 ? 'OK' : 'MISSED'}; ${flood.attempts} guesses ${JSON.stringify(flood.statuses)}\n`,
  );
} finally {
  for (const s of servers) await s.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
