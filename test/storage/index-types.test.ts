import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, waitFor, type ServerHandle } from '../harness/server.ts';

describe('geo, mdi, inverted, fulltext and ttl indexes through arangojs (11-managing-indexes)', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({ args: ['--ttl.frequency', '200'] }, (s) => {
    server = s;
    db = s.db();
  });

  it('accepts and lists each index type with its attributes, and drops them', async () => {
    const c = await db.createCollection('places');
    const geo = await c.ensureIndex({ type: 'geo', fields: ['loc'], geoJson: true, name: 'geo1' });
    assert.equal(geo.type, 'geo');
    assert.equal(geo.isNewlyCreated, true);
    assert.equal((geo as { geoJson?: boolean }).geoJson, true);
    const again = await c.ensureIndex({ type: 'geo', fields: ['loc'], geoJson: true });
    assert.equal(again.isNewlyCreated, false);
    await c.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'double' });
    await c.ensureIndex({ type: 'mdi-prefixed', fields: ['x', 'y'], prefixFields: ['p'], fieldValueTypes: 'double' });
    await c.ensureIndex({ type: 'inverted', fields: ['text', { name: 'title' }] });
    const tiered = await c.ensureIndex({ type: 'inverted', fields: ['value'], consolidationPolicy: { type: 'tier', maxSkewThreshold: 0.5, minDeletionRatio: 0.6 } } as never);
    const policy = ((await c.index(tiered.id)) as { consolidationPolicy?: Record<string, unknown> }).consolidationPolicy;
    assert.equal(policy?.['type'], 'tier');
    assert.equal(policy?.['maxSkewThreshold'], 0.5, 'given policy members are kept');
    await c.dropIndex(tiered.id);
    await c.ensureIndex({ type: 'fulltext', fields: ['text'], minLength: 3 } as never);
    const ttl = await c.ensureIndex({ type: 'ttl', fields: ['expiresAt'], expireAfter: 0 });
    const types = (await c.indexes()).map((i) => i.type).sort();
    assert.deepEqual(types, ['fulltext', 'geo', 'inverted', 'mdi', 'mdi-prefixed', 'primary', 'ttl']);
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'mdi', fields: ['x'] } as never)), [400, 10]);
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'ttl', fields: ['a', 'b'], expireAfter: 1 } as never)), [400, 10]);
    await c.dropIndex(ttl.id);
    assert.ok(!(await c.indexes()).some((i) => i.type === 'ttl'));
    // queries still run with these indexes present
    await c.save({ loc: [1, 2], text: 'hello', x: 1, y: 2 });
    assert.deepEqual(await (await db.query(aql`FOR d IN ${c} RETURN d.text`)).all(), ['hello']);
  });

  it('removes documents whose ttl attribute has expired', async () => {
    const c = await db.createCollection('sessions');
    await c.ensureIndex({ type: 'ttl', fields: ['expiresAt'], expireAfter: 0 });
    const now = Date.now() / 1000;
    await c.saveAll([
      { _key: 'old', expiresAt: now - 10 },
      { _key: 'iso', expiresAt: new Date(Date.now() - 10_000).toISOString() },
      { _key: 'future', expiresAt: now + 3600 },
      { _key: 'none' },
    ]);
    await waitFor(async () => !(await c.documentExists('old')) && !(await c.documentExists('iso')), { timeoutMs: 10_000, what: 'expired documents to be removed' });
    assert.equal(await c.documentExists('future'), true);
    assert.equal(await c.documentExists('none'), true);
  });
});
