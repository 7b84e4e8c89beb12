import { Database } from 'arangojs';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import type { RoleHandle } from '../harness/sharded-cluster.ts';

/**
 * A small service bundle: `GET /hello` answers its version and configured greeting, `GET /doc/:key`
 * reads one document of `items`; setup and teardown each log one document in `log`.
 */
export function serviceZip(version: string, o: { broken?: boolean; extra?: string } = {}): Blob {
  const manifest = {
    name: 'greeter',
    version,
    main: 'index.js',
    configuration: { greeting: { type: 'string', default: 'hi' } },
    scripts: { setup: 'setup.js', teardown: 'teardown.js' },
  };
  const index = o.broken === true
    ? `'use strict';\nthrow new Error('broken on purpose ${version}');\n`
    : `'use strict';
const createRouter = require('@arangodb/foxx/router');
const { db } = require('@arangodb');
const router = createRouter();
module.context.use(router);
router.get('/hello', (req, res) => res.json({ version: ${JSON.stringify(version)}, greeting: module.context.configuration.greeting }));
router.get('/doc/:key', (req, res) => res.json(db._collection('items').document(req.pathParams.key)));
${o.extra ?? ''}
`;
  const log = (event: string): string => `'use strict';
const { db } = require('@arangodb');
if (!db._collection('log')) db._createDocumentCollection('log');
db._collection('log').save({ event: '${event}', version: ${JSON.stringify(version)}, mount: module.context.mount });
`;
  const bytes = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify(manifest))],
    ['index.js', Buffer.from(index)],
    ['setup.js', Buffer.from(log('setup'))],
    ['teardown.js', Buffer.from(log('teardown'))],
  ]);
  return new Blob([bytes], { type: 'application/zip' });
}

/** arangojs bound to exactly one coordinator. */
export function on(h: RoleHandle, database = '_system'): Database {
  return new Database({ url: h.endpoint, databaseName: database, auth: { username: 'root', password: '' } });
}

/** GET a service route on one coordinator: status and parsed body. */
export async function route(h: RoleHandle, path: string, database = '_system'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.endpoint}/_db/${database}${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** A service with a queue: `POST /push {n, ms, delay}` queues job `work`, which logs `started` and, `ms` later, `done`. */
export function queueServiceZip(): Blob {
  const manifest = { name: 'jobs', version: '1.0.0', main: 'index.js', scripts: { setup: 'setup.js', work: 'work.js' } };
  const index = `'use strict';
const createRouter = require('@arangodb/foxx/router');
const queues = require('@arangodb/foxx/queues');
const router = createRouter();
module.context.use(router);
router.post('/push', (req, res) => {
  const body = JSON.parse(req.rawBody.toString());
  const queue = queues.create('work', 4);
  const id = queue.push({ name: 'work', mount: module.context.mount }, { n: body.n, ms: body.ms }, { delay: body.delay || 0 });
  res.status(201).json({ id });
});
`;
  const setup = `'use strict';
const { db } = require('@arangodb');
for (const name of ['started', 'done']) if (!db._collection(name)) db._createDocumentCollection(name);
`;
  const work = `'use strict';
const { db } = require('@arangodb');
const data = module.context.argv[0];
db._collection('started').save({ n: data.n, at: Date.now() });
const until = Date.now() + data.ms;
while (Date.now() < until) { /* a long job */ }
db._collection('done').save({ n: data.n, at: Date.now() });
`;
  const bytes = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify(manifest))],
    ['index.js', Buffer.from(index)],
    ['setup.js', Buffer.from(setup)],
    ['work.js', Buffer.from(work)],
  ]);
  return new Blob([bytes], { type: 'application/zip' });
}

/** `/_admin/status`'s coordinator block of one coordinator. */
export async function foxxmasterOf(h: RoleHandle): Promise<{ foxxmaster: string | null; isFoxxmaster: boolean }> {
  const res = await fetch(`${h.endpoint}/_admin/status`, { headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}` } });
  return ((await res.json()) as { coordinator: { foxxmaster: string | null; isFoxxmaster: boolean } }).coordinator;
}
