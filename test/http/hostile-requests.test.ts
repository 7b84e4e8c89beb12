import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

/** xorshift32: the same "random" requests on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function assertArangoError(r: { status: number; json: unknown; text: string }, what: string): void {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: expected 4xx, got ${r.status} ${r.text.slice(0, 200)}`);
  const b = r.json as Record<string, unknown>;
  assert.equal(b['error'], true, `${what}: error flag`);
  assert.equal(b['code'], r.status, `${what}: code`);
  assert.equal(typeof b['errorNum'], 'number', `${what}: errorNum`);
  assert.equal(typeof b['errorMessage'], 'string', `${what}: errorMessage`);
}

describe('hostile requests', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--http.max-body-bytes', '1048576'] });
    await server.db().createCollection('target');
    await server.db().collection('target').save({ _key: 'keep', v: 1 });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('answers specific malformed input with its ArangoDB error', async () => {
    const cases: Array<[string, string, string | Buffer | undefined, number]> = [
      ['POST', '/_api/document/target', '{"a":', 600],
      ['POST', '/_api/document/target', '{"a": 1e400}', 600],
      ['POST', '/_api/document/target', '['.repeat(500) + ']'.repeat(500), 600],
      ['POST', '/_api/document/target', '{"_key":"../etc"}', 1221],
      ['POST', '/_api/document/target', '{"_key": 12}', 1221],
      ['POST', '/_api/document/target', '"just a string"', 1227],
      ['POST', '/_api/document/nope', '{}', 1203],
      ['GET', '/_db/nodb/_api/document/target/keep', undefined, 1228],
      ['GET', '/_api/document/target/missing', undefined, 1202],
      ['POST', '/_api/document/target', Buffer.alloc(2 * 1024 * 1024, 0x20), 413],
      ['PATCH', '/_api/collection', '{}', 405],
      ['GET', '/_api/nothing/here', undefined, 404],
      ['POST', '/_api/collection', '{"name": 5}', 1208],
      ['POST', '/_api/collection', '{"name": "x", "type": 9}', 1218],
      ['POST', '/_api/collection', '{"name": "k", "keyOptions": {"type": "magic"}}', 1232],
      ['POST', '/_api/database', '{"name": "1bad"}', 1229],
      ['POST', '/_api/index?collection=target', '{"type": "persistent", "fields": []}', 10],
      ['PUT', '/_api/user/root/database/_system', '{"grant": "all"}', 400],
    ];
    for (const [method, path, body, errorNum] of cases) {
      const r = await rawRequest(server.endpoint, method, path, body);
      assertArangoError(r, `${method} ${path}`);
      assert.equal((r.json as { errorNum: number }).errorNum, errorNum, `${method} ${path}`);
    }
  });

  it('survives several hundred random malformed requests and loses nothing', async () => {
    const next = rng(42);
    const paths = ['/_api/document/target', '/_api/collection', '/_api/import?collection=target&type=documents', '/_api/index?collection=target', '/_api/user', '/_api/database', '/_api/document/target/%ZZ'];
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE'];
    for (let i = 0; i < 400; i++) {
      const kind = next() % 5;
      let body: Buffer;
      if (kind === 0) body = Buffer.from(Array.from({ length: 1 + (next() % 200) }, () => next() & 0xff));
      else if (kind === 1) body = Buffer.from('{"a":[1,2,{"b":'.repeat(1 + (next() % 50)));
      else if (kind === 2) body = Buffer.from(`{"n": 1e${309 + (next() % 200)}, "_key": "k${i}"}`.replace('"k', '"k/'));
      else if (kind === 3) body = Buffer.from(`{"_key": "${'bad key '.repeat(1 + (next() % 3))}"}`);
      else body = Buffer.from(`[${'{'.repeat(100)}`);
      const path = paths[next() % paths.length] as string;
      const method = methods[next() % methods.length] as string;
      const r = await rawRequest(server.endpoint, method, path, body, { 'content-type': 'application/json' });
      if (path.startsWith('/_api/import') && r.status === 201) {
        // import reports bad lines in its counters instead of failing (ArangoDB's behaviour)
        assert.equal((r.json as { created: number }).created, 0, `#${i} import created nothing`);
        continue;
      }
      assertArangoError(r, `#${i} ${method} ${path}`);
    }
    const health = await rawRequest(server.endpoint, 'GET', '/_api/document/target/keep');
    assert.equal(health.status, 200);
    assert.equal((health.json as { v: number }).v, 1);
    const count = await server.db().collection('target').count();
    assert.equal(count.count, 1, 'no malformed request wrote a document');
  });
});
