import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer } from '../harness/server.ts';

// the 3.12 schema-validation page's example
const schema = {
  rule: {
    properties: { nums: { type: 'array', items: { type: 'number', maximum: 6 } } },
    additionalProperties: { type: 'string' },
    required: ['nums'],
  },
  level: 'moderate',
  message: "The document does not contain an array of numbers in attribute 'nums', or one of the numbers is greater than 6.",
};

describe('collection schemas are enforced on every write path', () => {
  let db: Database;
  suiteServer({}, (s) => {
    db = s.db();
  });

  it('refuses invalid documents through the document API, AQL, imports and stream transactions', async () => {
    const c = await db.createCollection('schema_docs', { schema } as never);
    const props = await c.properties();
    assert.deepEqual(props.schema, { ...schema, type: 'json' });
    await c.save({ nums: [1, 2], name: 'ok' });
    assert.deepEqual(await failure(() => c.save({ nums: [7] })), [400, 1620]);
    assert.deepEqual(await failure(() => c.save({ name: 'no nums' })), [400, 1620]);
    assert.deepEqual(await failure(() => c.save({ nums: [1], other: 5 })), [400, 1620]);
    const batch = await c.saveAll([{ nums: [1] }, { nums: [9] }]);
    assert.equal((batch[1] as { errorNum?: number }).errorNum, 1620);
    assert.deepEqual(await failure(() => db.query('INSERT {nums: [10]} INTO schema_docs')), [400, 1620]);
    const err = await db.query('INSERT {nums: [10]} INTO schema_docs').catch((e: unknown) => e);
    assert.equal((err as { message?: string }).message, schema.message);
    const imported = await c.import([{ nums: [3] }, { nums: ['x'] }]);
    assert.equal(imported.created, 1);
    assert.equal(imported.errors, 1);
    const trx = await db.beginTransaction({ write: ['schema_docs'] });
    assert.deepEqual(await failure(() => trx.step(() => c.save({ nums: [99] }))), [400, 1620]);
    await trx.abort();
    assert.deepEqual(await failure(() => db.query('FOR d IN schema_docs FILTER d.name == "ok" UPDATE d WITH {nums: [8]} IN schema_docs')), [400, 1620]);
    // the system attributes are not subject to the schema (additionalProperties would refuse them)
    assert.equal(await c.count().then((r) => r.count), 3);
    // SCHEMA_VALIDATE gives the same message
    const [v] = await (await db.query('RETURN SCHEMA_VALIDATE({nums: [7]}, SCHEMA_GET("schema_docs"))')).all();
    assert.deepEqual(v, { valid: false, errorMessage: schema.message });
  });

  it('follows the levels: new checks inserts only, moderate lets invalid documents change, none is off', async () => {
    const c = await db.createCollection('schema_levels');
    const bad = await c.save({ nums: ['legacy'] });
    await c.properties({ schema } as never);
    await c.update(bad._key, { nums: ['still invalid'] }); // moderate: the old document already failed
    const good = await c.save({ nums: [1] });
    assert.deepEqual(await failure(() => c.update(good._key, { nums: ['now invalid'] })), [400, 1620]);
    assert.deepEqual(await failure(() => c.replace(good._key, { other: 'x' })), [400, 1620]);
    await c.properties({ schema: { ...schema, level: 'new' } } as never);
    await c.update(good._key, { nums: ['fine at level new'] });
    assert.deepEqual(await failure(() => c.save({})), [400, 1620]);
    await c.properties({ schema: { ...schema, level: 'none' } } as never);
    await c.save({});
    await c.properties({ schema: null } as never);
    assert.equal((await c.properties()).schema, null);
    await c.save({ nums: 'anything' });
  });

  it('refuses malformed schemas with errorNum 1621', async () => {
    assert.deepEqual(await failure(() => db.createCollection('schema_bad', { schema: { rule: 'x' } } as never)), [400, 1621]);
    assert.deepEqual(await failure(() => db.createCollection('schema_bad2', { schema: { rule: {}, level: 'sometimes' } } as never)), [400, 1621]);
    const c = await db.createCollection('schema_ok');
    assert.deepEqual(await failure(() => c.properties({ schema: { rule: { type: 'object' }, message: 5 } } as never)), [400, 1621]);
  });

  it('checks draft-4 $ref, definitions and dependencies', async () => {
    const c = await db.createCollection('schema_refs', {
      schema: {
        rule: {
          definitions: { pos: { type: 'integer', minimum: 0 } },
          properties: { a: { $ref: '#/definitions/pos' } },
          dependencies: { card: ['billing'] },
        },
        message: 'bad',
      },
    } as never);
    await c.save({ a: 3 });
    assert.deepEqual(await failure(() => c.save({ a: -1 })), [400, 1620]);
    assert.deepEqual(await failure(() => c.save({ card: 1 })), [400, 1620]);
    await c.save({ card: 1, billing: 'x' });
  });
});
