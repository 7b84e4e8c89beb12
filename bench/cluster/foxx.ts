// node --import tsx bench/cluster/foxx.ts [--quick]: Foxx in cluster mode (etcd, 2 DB-servers,
// 3 coordinators as real processes). Prints JSON lines:
// - foxx-change-visible: upgrade request sent → all 3 coordinators serve the new version (p50/p99;
//   targets 0.3 s / 1 s); also the part after the acting coordinator answered (propagation alone);
// - foxx-doc-through-coordinator: a Foxx route reading one document through a coordinator, ratio to a
//   bare node:http GET measured in the same run (target ≥ 0.35).
import { Database } from 'arangojs';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import { startShardedCluster, type RoleHandle } from '../../test/harness/sharded-cluster.ts';
import { load, withBareServer } from '../macro/load-tools.ts';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 10;
const CONNECTIONS = 32;
const CHANGES = quick ? 7 : 21;

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
};

function bundle(version: string): Blob {
  const index = `'use strict';
const createRouter = require('@arangodb/foxx/router');
const { db } = require('@arangodb');
const router = createRouter();
module.context.use(router);
const docs = db._collection('benchdocs');
router.get('/version', (req, res) => { res.json({ version: ${JSON.stringify(version)} }); });
router.get('/doc/:key', (req, res) => { res.json(docs.document(req.pathParams.key)); });
`;
  const zip = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'bench', version: '1.0.0', main: 'index.js' }))],
    ['index.js', Buffer.from(index)],
  ]);
  return new Blob([zip], { type: 'application/zip' });
}

const on = (h: RoleHandle): Database => new Database({ url: h.endpoint, auth: { username: 'root', password: '' } });

async function serves(h: RoleHandle, version: string): Promise<boolean> {
  const res = await fetch(`${h.endpoint}/bench/version`).catch(() => null);
  if (res === null || res.status !== 200) return false;
  return ((await res.json()) as { version?: string }).version === version;
}

const cluster = await startShardedCluster({ dbServers: 2, coordinators: 3, args: ['--log-level', 'warn'] });
try {
  const coords = cluster.coordinators;
  const first = coords[0];
  if (first === undefined) throw new Error('no coordinator');
  const db = on(first);
  const coll = await db.createCollection('benchdocs');
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  await coll.import(keys.map((k, i) => ({ _key: k, name: `user-${i}`, value: i, tags: ['a', 'b'] })));
  await db.installService('/bench', bundle('v0'));

  const visible: number[] = [];
  const afterAnswer: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const version = `v${i}`;
    const acting = coords[i % coords.length] as RoleHandle;
    const t0 = performance.now();
    const upgrade = on(acting).upgradeService('/bench', bundle(version));
    let answered = Number.NaN;
    void upgrade.then(() => (answered = performance.now()));
    const seen = new Set<RoleHandle>();
    while (seen.size < coords.length) {
      for (const h of coords) if (!seen.has(h) && (await serves(h, version))) seen.add(h);
      if (performance.now() - t0 > 30_000) throw new Error(`${version} not visible everywhere after 30 s`);
    }
    const t1 = performance.now();
    await upgrade;
    visible.push((t1 - t0) / 1000);
    afterAnswer.push(Math.max(0, (t1 - (Number.isNaN(answered) ? t1 : answered)) / 1000));
  }
  emit({
    name: 'foxx-change-visible',
    changes: CHANGES,
    p50Sec: quantile(visible, 0.5),
    p99Sec: quantile(visible, 0.99),
    targetP50Sec: 0.3,
    targetP99Sec: 1,
    propagationAfterAnswerP50Sec: quantile(afterAnswer, 0.5),
    propagationAfterAnswerP99Sec: quantile(afterAnswer, 0.99),
  });

  const ceiling = await withBareServer(async (url) => (await load({ method: 'GET', connections: CONNECTIONS, durationSec: DURATION, headers: {}, url: `${url}/` })).reqPerSec);
  const doc = await load({ method: 'GET', connections: CONNECTIONS, durationSec: DURATION, headers: {}, url: first.endpoint, paths: keys.map((k) => `/bench/doc/${k}`) });
  emit({ name: 'foxx-doc-through-coordinator', reqPerSec: doc.reqPerSec, ceiling, ratio: doc.reqPerSec / ceiling, target: 0.35, p99: doc.p99, errors: doc.errors + doc.non2xx });
  process.stdout.write(`${JSON.stringify({ type: 'summary', changeVisibleP50Sec: quantile(visible, 0.5), changeVisibleP99Sec: quantile(visible, 0.99), docThroughCoordinatorRatio: doc.reqPerSec / ceiling })}\n`);
} finally {
  await cluster.stop();
}
