import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type TestCluster } from '../harness/cluster.ts';
import { rawRequest } from '../harness/server.ts';

describe('Analyzers replicate to followers', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
    await c.waitForLeader();
  });
  after(async () => {
    await c?.stop();
  });

  it('a follower answers an Analyzer created and dropped on the leader (dirty reads)', async () => {
    const leader = await c.waitForLeader();
    const follower = leader === 0 ? 1 : 0;
    await c.client().createAnalyzer('repl_ngram', { type: 'ngram', properties: { min: 2, max: 2, preserveOriginal: false } } as never);
    await c.waitForCaughtUp(follower);
    const dirty = { 'x-arango-allow-dirty-read': 'true' };
    const got = await rawRequest(c.endpoints[follower] as string, 'GET', '/_api/analyzer/repl_ngram', undefined, dirty);
    assert.equal(got.status, 200, got.text);
    assert.equal((got.json as { name: string }).name, '_system::repl_ngram');
    const q = await rawRequest(c.endpoints[follower] as string, 'POST', '/_api/cursor', JSON.stringify({ query: 'RETURN TOKENS("abc", "repl_ngram")' }), dirty);
    assert.deepEqual((q.json as { result: unknown }).result, [['ab', 'bc']], q.text);
    await c.client().analyzer('repl_ngram').drop();
    await c.waitForCaughtUp(follower);
    const gone = await rawRequest(c.endpoints[follower] as string, 'GET', '/_api/analyzer/repl_ngram', undefined, dirty);
    assert.equal(gone.status, 404);
  });
});
