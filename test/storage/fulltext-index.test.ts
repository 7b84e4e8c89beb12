import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';
import { fulltextMatches, fulltextWords, parseFulltextQuery } from '../../src/storage/index.ts';

const keysOf = async (db: Database, q: ReturnType<typeof aql>): Promise<string[]> => ((await (await db.query(q)).all()) as string[]).sort();

describe('fulltext index and FULLTEXT() through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('answers the documented examples from the index', async () => {
    const c = await db.createCollection('emails');
    await c.saveAll([
      { _key: 'a', body: 'I like Bananas and an Orange' },
      { _key: 'b', body: 'banana split with apple' },
      { _key: 'c', body: 'Headache? Take Aspirin.' },
      { _key: 'd', body: ['a headline', 'orange juice'] },
      { _key: 'e', body: { x: 'BANANA', y: 42, z: { deep: 'orange' } } },
      { _key: 'f', body: 'headquarters' },
      { _key: 'g', other: 'banana' },
    ]);
    assert.deepEqual(await failure(() => db.query(aql`FOR d IN FULLTEXT(${c}, "body", "banana") RETURN d._key`)), [400, 1571]);
    await c.ensureIndex({ type: 'fulltext', fields: ['body'] } as never);
    const ft = (q: string, limit?: number): Promise<string[]> =>
      keysOf(db, limit === undefined ? aql`FOR d IN FULLTEXT(emails, "body", ${q}) RETURN d._key` : aql`FOR d IN FULLTEXT(emails, "body", ${q}, ${limit}) RETURN d._key`);
    assert.deepEqual(await ft('banana'), ['b', 'e']);
    assert.deepEqual(await ft('prefix:banana'), ['a', 'b', 'e']);
    assert.deepEqual(await ft('banana,orange'), []);
    assert.deepEqual(await ft('prefix:banana,orange'), ['a']);
    assert.deepEqual(await ft('prefix:head'), ['c', 'd', 'f']);
    assert.deepEqual(await ft('prefix:head,complete:aspirin'), ['c']);
    assert.deepEqual(await ft('banana,|orange'), ['a', 'b', 'd', 'e']);
    assert.deepEqual(await ft('prefix:banana,-apple'), ['a', 'e']);
    assert.deepEqual(await ft('BANANA,+|orange'.replace('+|', '|')), ['a', 'b', 'd', 'e']);
    assert.equal((await ft('prefix:head', 2)).length, 2);
    assert.deepEqual(await ft('z'), [], 'words shorter than minLength are not indexed');
    // the collection given as a string, and the attribute without an index
    assert.deepEqual(await keysOf(db, aql`FOR d IN FULLTEXT("emails", "body", "aspirin") RETURN d._key`), ['c']);
    assert.deepEqual(await failure(() => db.query(aql`FOR d IN FULLTEXT(emails, "other", "banana") RETURN d`)), [400, 1571]);
  });

  it('honours minLength and reflects updates, replaces, removals and truncates', async () => {
    const c = await db.createCollection('notes');
    await c.ensureIndex({ type: 'fulltext', fields: ['t'], minLength: 4 } as never);
    await c.saveAll([{ _key: '1', t: 'the cat sat on the mat' }, { _key: '2', t: 'cats and dogs' }]);
    const ft = (q: string): Promise<string[]> => keysOf(db, aql`FOR d IN FULLTEXT(notes, "t", ${q}) RETURN d._key`);
    assert.deepEqual(await ft('cat'), [], 'three letters are below minLength 4');
    assert.deepEqual(await ft('prefix:cat'), ['2']);
    assert.deepEqual(await ft('dogs'), ['2']);
    await c.update('2', { t: 'only birds' });
    assert.deepEqual(await ft('dogs'), []);
    assert.deepEqual(await ft('birds'), ['2']);
    await c.replace('1', { t: 'birds everywhere' });
    assert.deepEqual(await ft('birds'), ['1', '2']);
    await db.query(aql`FOR d IN notes FILTER d._key == "2" REMOVE d IN notes`);
    assert.deepEqual(await ft('birds'), ['1']);
    await c.truncate();
    assert.deepEqual(await ft('birds'), []);
    await c.save({ _key: '3', t: 'birds again' });
    assert.deepEqual(await ft('birds'), ['3']);
  });

  it('equals a brute-force evaluation on random texts and inside stream transactions', async () => {
    const c = await db.createCollection('random');
    const vocab = ['alpha', 'alphabet', 'beta', 'betamax', 'gamma', 'delta', 'deltas', 'epsilon', 'zeta', 'eta', 'ünïcode', 'straße', 'x1', 'q'];
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const docs = Array.from({ length: 400 }, (_, i) => {
      const words = Array.from({ length: 1 + rnd(6) }, () => vocab[rnd(vocab.length)] ?? '');
      return { _key: `k${i}`, t: rnd(10) === 0 ? words : words.map((w) => (rnd(2) === 0 ? w.toUpperCase() : w)).join(rnd(2) === 0 ? ' ' : ', ') };
    });
    await c.saveAll(docs);
    await c.ensureIndex({ type: 'fulltext', fields: ['t'] } as never);
    const queries: string[] = [];
    for (let i = 0; i < 40; i++) {
      const n = 1 + rnd(3);
      const terms = Array.from({ length: n }, (_, j) => {
        const w = vocab[rnd(vocab.length)] ?? '';
        const op = j === 0 ? '' : ['', '+', '|', '-'][rnd(4)];
        return rnd(3) === 0 ? `${op}prefix:${w.slice(0, 1 + rnd(w.length))}` : `${op}${w}`;
      });
      queries.push(terms.join(','));
    }
    const expected = (q: string): string[] => docs.filter((d) => fulltextMatches(fulltextWords(d.t, 2), parseFulltextQuery(q))).map((d) => d._key).sort();
    for (const q of queries) assert.deepEqual(await keysOf(db, aql`FOR d IN FULLTEXT(random, "t", ${q}) RETURN d._key`), expected(q), q);
    // a stream transaction sees its own writes
    const trx = await db.beginTransaction({ write: ['random'] });
    await trx.step(() => c.save({ _key: 'new', t: 'alpha omega' }));
    await trx.step(() => c.remove('k0'));
    const inTrx = ((await trx.step(() => db.query(aql`FOR d IN FULLTEXT(random, "t", "alpha") RETURN d._key`))).all());
    const seen = ((await inTrx) as string[]).sort();
    const want = docs.filter((d) => d._key !== 'k0' && fulltextWords(d.t, 2).has('alpha')).map((d) => d._key).concat('new').sort();
    assert.deepEqual(seen, want);
    await trx.abort();
    assert.deepEqual(await keysOf(db, aql`FOR d IN FULLTEXT(random, "t", "alpha") RETURN d._key`), expected('alpha'));
    // a read-only stream transaction reads the index at its snapshot
    const ro = await db.beginTransaction({ read: ['random'] });
    const roKeys = ((await (await ro.step(() => db.query(aql`FOR d IN FULLTEXT(random, "t", "prefix:bet") RETURN d._key`))).all()) as string[]).sort();
    await ro.abort();
    assert.deepEqual(roKeys, expected('prefix:bet'));
    void server;
  });

  it('checks read access at run time (403 / 11 with no access to the collection)', async () => {
    const c = await db.createCollection('hidden');
    await c.ensureIndex({ type: 'fulltext', fields: ['t'] } as never);
    await c.save({ t: 'secret words' });
    await db.createUser('ftuser', 'pw');
    await db.setUserAccessLevel('ftuser', { database: '_system' }, 'ro');
    await db.setUserAccessLevel('ftuser', { database: '_system', collection: 'hidden' }, 'none');
    const user = server.db('_system', { username: 'ftuser', password: 'pw' });
    assert.deepEqual(await failure(() => user.query('FOR d IN FULLTEXT(hidden, "t", "secret") RETURN d')), [403, 11]);
    assert.deepEqual(await failure(() => user.query('FOR d IN FULLTEXT(@c, "t", "secret") RETURN d', { c: 'hidden' })), [403, 11]);
    assert.deepEqual(await failure(() => user.query('RETURN FULLTEXT(CONCAT("hid", "den"), "t", "secret")')), [403, 11]);
    await db.setUserAccessLevel('ftuser', { database: '_system', collection: 'hidden' }, 'ro');
    assert.equal((await (await user.query('FOR d IN FULLTEXT(hidden, "t", "secret") RETURN d.t')).all()).length, 1);
  });
});
