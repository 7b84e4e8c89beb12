import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer } from '../harness/server.ts';

async function one(db: Database, query: string): Promise<unknown> {
  const rows = await (await db.query(query)).all();
  return rows[0];
}

describe('Analyzers (/_api/analyzer) through arangojs, and TOKENS() with them', () => {
  let db: Database;
  let endpoint = '';
  suiteServer({}, (s) => {
    db = s.db();
    endpoint = s.endpoint;
  });

  it('lists the built-in Analyzers of 3.12 and refuses to drop them', async () => {
    const list = await db.listAnalyzers();
    const names = list.map((a) => a.name);
    for (const n of ['identity', 'text_de', 'text_en', 'text_es', 'text_fi', 'text_fr', 'text_it', 'text_nl', 'text_no', 'text_pt', 'text_ru', 'text_sv', 'text_zh']) {
      assert.ok(names.includes(n), n);
    }
    assert.deepEqual(await db.analyzer('text_en').get(), {
      error: false, code: 200, name: 'text_en', type: 'text',
      properties: { locale: 'en', case: 'lower', stopwords: [], accent: false, stemming: true },
      features: ['frequency', 'norm', 'position'],
    });
    assert.deepEqual(await failure(() => db.analyzer('identity').drop()), [403, 11]);
  });

  it('creates, gets, lists and drops a custom Analyzer named db::name', async () => {
    const created = await db.analyzer('delimiter_csv').create({ type: 'delimiter', properties: { delimiter: ',' }, features: [] });
    assert.equal(created.name, '_system::delimiter_csv');
    assert.deepEqual((await db.analyzer('delimiter_csv').get()).properties, { delimiter: ',' });
    assert.equal((await db.analyzer('_system::delimiter_csv').get()).type, 'delimiter');
    assert.ok((await db.listAnalyzers()).some((a) => a.name === '_system::delimiter_csv'));
    assert.equal(await db.analyzer('delimiter_csv').exists(), true);
    // the same definition again is fine; a different one of the same name is a collision
    await db.createAnalyzer('delimiter_csv', { type: 'delimiter', properties: { delimiter: ',' }, features: [] });
    assert.deepEqual(await failure(() => db.createAnalyzer('delimiter_csv', { type: 'delimiter', properties: { delimiter: ';' } })), [400, 10]);
    assert.deepEqual(await one(db, `RETURN TOKENS('foo,bar,baz,"bar,baz"', "delimiter_csv")`), ['foo', 'bar', 'baz', 'bar,baz']);
    const dropped = await db.analyzer('delimiter_csv').drop();
    assert.equal(dropped.name, '_system::delimiter_csv');
    assert.equal(await db.analyzer('delimiter_csv').exists(), false);
    assert.deepEqual(await failure(() => db.analyzer('delimiter_csv').get()), [404, 1202]);
    assert.deepEqual(await failure(() => db.query(`RETURN TOKENS("a", "delimiter_csv")`)), [400, 10]);
    // a redefined Analyzer is used at once (no cached plan keeps the old tokens)
    await db.createAnalyzer('redef', { type: 'delimiter', properties: { delimiter: ',' } });
    assert.deepEqual(await one(db, 'RETURN TOKENS("a,b;c", "redef")'), ['a', 'b;c']);
    await db.analyzer('redef').drop();
    await db.createAnalyzer('redef', { type: 'delimiter', properties: { delimiter: ';' } });
    assert.deepEqual(await one(db, 'RETURN TOKENS("a,b;c", "redef")'), ['a,b', 'c']);
  });

  it('validates names, types, properties and features with ArangoDB errorNums', async () => {
    assert.deepEqual(await failure(() => db.createAnalyzer('1bad', { type: 'identity' })), [400, 10]);
    assert.deepEqual(await failure(() => db.createAnalyzer('bad name', { type: 'identity' })), [400, 10]);
    assert.deepEqual(await failure(() => db.createAnalyzer('nodelim', { type: 'delimiter', properties: {} } as never)), [400, 10]);
    assert.deepEqual(await failure(() => db.createAnalyzer('badngram', { type: 'ngram', properties: { min: 3, max: 2, preserveOriginal: false } })), [400, 10]);
    assert.deepEqual(await failure(() => db.createAnalyzer('badfeat', { type: 'identity', features: ['position'] })), [400, 10]);
    assert.deepEqual(await failure(() => db.createAnalyzer('unknown', { type: 'nope' } as never)), [501, 9]);
    assert.deepEqual(await failure(() => db.createAnalyzer('soundex', { type: 'aql', properties: { queryString: 'RETURN SOUNDEX(@param)' } })), [501, 9]);
    const n = await db.analyzer('norm_upper').create({ type: 'norm', properties: { locale: 'en', case: 'upper' }, features: ['frequency', 'position', 'norm'] });
    assert.deepEqual(n.properties, { locale: 'en', case: 'upper', accent: true });
    assert.deepEqual(n.features, ['frequency', 'norm', 'position']);
  });

  it('tokenizes the documented examples', async () => {
    const cases: [string, unknown, string, unknown][] = [
      ['stem_en', { type: 'stem', properties: { locale: 'en' } }, 'RETURN TOKENS("databases", "stem_en")', ['databas']],
      ['norm_up', { type: 'norm', properties: { locale: 'en', case: 'upper' } }, 'RETURN TOKENS("UPPER lower dïäcríticš", "norm_up")', ['UPPER LOWER DÏÄCRÍTICŠ']],
      ['norm_accent', { type: 'norm', properties: { locale: 'en', accent: false } }, 'RETURN TOKENS("UPPER lower dïäcríticš", "norm_accent")', ['UPPER lower diacritics']],
      ['norm_accent_lower', { type: 'norm', properties: { locale: 'en', accent: false, case: 'lower' } }, 'RETURN TOKENS("UPPER lower dïäcríticš", "norm_accent_lower")', ['upper lower diacritics']],
      ['delimiter_arrow', { type: 'delimiter', properties: { delimiter: '-> ' } }, 'RETURN TOKENS("some-> hand-picked-> words", "delimiter_arrow")', ['some', 'hand-picked', 'words']],
      ['delimiter_multiple', { type: 'multi_delimiter', properties: { delimiters: [',', ';', '||'] } }, 'RETURN TOKENS("differently,delimited;words||one|token", "delimiter_multiple")', ['differently', 'delimited', 'words', 'one|token']],
      ['delimiter_noquote', { type: 'multi_delimiter', properties: { delimiters: [','] } }, `RETURN TOKENS('foo,bar,baz,"bar,baz"', "delimiter_noquote")`, ['foo', 'bar', 'baz', '"bar', 'baz"']],
      ['trigram', { type: 'ngram', properties: { min: 3, max: 3, preserveOriginal: false, streamType: 'utf8' } }, 'RETURN TOKENS("foobar", "trigram")', ['foo', 'oob', 'oba', 'bar']],
      ['bigram_markers', { type: 'ngram', properties: { min: 2, max: 2, preserveOriginal: true, startMarker: '^', endMarker: '$', streamType: 'utf8' } }, 'RETURN TOKENS("foobar", "bigram_markers")', ['^fo', '^foobar', 'foobar$', 'oo', 'ob', 'ba', 'ar$']],
      ['custom', { type: 'text', properties: { locale: 'en', stopwords: ['a', 'example'] } }, 'RETURN TOKENS("UPPER & lower, a Stemming Example.", "custom")', ['upper', 'lower', 'stem']],
      ['text_en_nostem', { type: 'text', properties: { locale: 'en', case: 'lower', accent: false, stemming: false, stopwords: [] } }, 'RETURN TOKENS("Crazy fast NoSQL-database!", "text_en_nostem")', ['crazy', 'fast', 'nosql', 'database']],
      ['text_edge_ngrams', { type: 'text', properties: { edgeNgram: { min: 3, max: 8, preserveOriginal: true }, locale: 'en', case: 'lower', accent: false, stemming: false, stopwords: ['the'] } },
        'RETURN TOKENS("The quick brown fox jumps over the dogWithAVeryLongName", "text_edge_ngrams")',
        ['qui', 'quic', 'quick', 'bro', 'brow', 'brown', 'fox', 'jum', 'jump', 'jumps', 'ove', 'over', 'dog', 'dogw', 'dogwi', 'dogwit', 'dogwith', 'dogwitha', 'dogwithaverylongname']],
      ['ngram_upper', { type: 'pipeline', properties: { pipeline: [{ type: 'norm', properties: { locale: 'en', case: 'upper' } }, { type: 'ngram', properties: { min: 2, max: 2, preserveOriginal: false, streamType: 'utf8' } }] } },
        'RETURN TOKENS("Quick brown foX", "ngram_upper")', ['QU', 'UI', 'IC', 'CK', 'K ', ' B', 'BR', 'RO', 'OW', 'WN', 'N ', ' F', 'FO', 'OX']],
      ['delimiter_stem', { type: 'pipeline', properties: { pipeline: [{ type: 'delimiter', properties: { delimiter: ',' } }, { type: 'stem', properties: { locale: 'en' } }] } },
        'RETURN TOKENS("delimited,stemmable,words", "delimiter_stem")', ['delimit', 'stemmabl', 'word']],
      ['stop', { type: 'stopwords', properties: { stopwords: ['616e64', '746865'], hex: true } },
        "RETURN FLATTEN(TOKENS(SPLIT('the fox and the dog and a theater', ' '), 'stop'))", ['fox', 'dog', 'a', 'theater']],
      ['norm_stop', { type: 'pipeline', properties: { pipeline: [{ type: 'norm', properties: { locale: 'en', accent: false, case: 'lower' } }, { type: 'stopwords', properties: { stopwords: ['and', 'the'], hex: false } }] } },
        "RETURN FLATTEN(TOKENS(SPLIT('The fox AND the dog äñḏ a ţhéäter', ' '), 'norm_stop'))", ['fox', 'dog', 'a', 'theater']],
    ];
    for (const [name, def, query, expected] of cases) {
      await db.createAnalyzer(name, def as never);
      assert.deepEqual(await one(db, query), expected, name);
    }
    assert.deepEqual(await one(db, 'RETURN TOKENS("UPPER lower dïäcríticš", "identity")'), ['UPPER lower dïäcríticš']);
    assert.deepEqual(await one(db, 'RETURN TOKENS("Crazy fast NoSQL-database!", "text_en")'), ['crazi', 'fast', 'nosql', 'databas']);
    assert.deepEqual(await one(db, 'RETURN TOKENS("IPS (in-plane switching)", "text_en")'), ['ip', 'in', 'plane', 'switch']);
    assert.deepEqual(await one(db, 'RETURN TOKENS("Lörem ipsüm, DOLOR SIT Ämet.", "text_de")'), ['lor', 'ipsum', 'dolor', 'sit', 'amet']);
    assert.deepEqual(await one(db, 'RETURN TOKENS(["quick brown", ["fox"]], "text_en")'), [['quick', 'brown'], [['fox']]]);
    assert.deepEqual(await one(db, 'RETURN TOKENS([true, false, null, []], "text_en")'), [['/w=='], ['AA=='], ['AA=='], []]);
    assert.deepEqual(await one(db, 'RETURN TOKENS("Xy")'), ['Xy']);
    assert.deepEqual(await failure(() => db.query('RETURN TOKENS({a: 1}, "text_en")')), [400, 10]);
    assert.deepEqual(await failure(() => db.query('RETURN TOKENS("a", 1)')), [400, 10]);
  });

  it('evaluates the ArangoSearch functions outside SEARCH as ArangoDB does', async () => {
    await db.createAnalyzer('bigram', { type: 'ngram', properties: { min: 2, max: 2, preserveOriginal: false, streamType: 'utf8' }, features: ['frequency', 'position'] } as never);
    assert.equal(await one(db, 'RETURN NGRAM_MATCH("quick red fox", "quick fox", "bigram")'), true);
    assert.equal(await one(db, 'RETURN NGRAM_MATCH("quick fox", "quick blue fox", 0.4, "bigram")'), true);
    assert.equal(await one(db, 'RETURN NGRAM_MATCH("quick fox", "quick blue fox", 0.9, "bigram")'), false);
    assert.deepEqual(await failure(() => db.query('RETURN NGRAM_MATCH("a", "b", "nosuch")')), [400, 10]);
    assert.equal(await one(db, 'RETURN LEVENSHTEIN_MATCH("quick", "quikc", 2, false)'), true);
    assert.equal(await one(db, 'RETURN LEVENSHTEIN_MATCH("quick", "quikc", 1, false)'), false);
    assert.equal(await one(db, 'RETURN LEVENSHTEIN_MATCH("quick", "quikc", 1)'), true);
    assert.equal(await one(db, 'RETURN LEVENSHTEIN_MATCH("quick", "kc", 1, true, 64, "qui")'), true);
    assert.equal(await one(db, 'RETURN MIN_MATCH(1 == 1, 2 == 3, "a" == "a", 2)'), true);
    assert.equal(await one(db, 'RETURN MIN_MATCH(1 == 1, 2 == 3, "a" == "b", 2)'), false);
    assert.equal(await one(db, 'RETURN ANALYZER(1 + 1, "text_en")'), 2);
    assert.equal(await one(db, 'RETURN BOOST("x" == "x", 2.5)'), true);
    assert.equal(await one(db, 'RETURN ANALYZER(1, "nosuch")'), 1); // ArangoDB's context function checks nothing outside SEARCH
    assert.deepEqual(await failure(() => db.query('FOR d IN [{text: "a"}] FILTER PHRASE(d.text, "a", "text_en") RETURN d')), [501, 9]);
    assert.deepEqual(await failure(() => db.query('FOR d IN [{text: "a"}] RETURN BM25(d)')), [501, 9]);
    await db.createAnalyzer('minhash5', { type: 'minhash', properties: { analyzer: { type: 'segmentation', properties: { break: 'alpha', case: 'lower' } }, numHashes: 5 } });
    const sig = await one(db, 'RETURN TOKENS("The quick brown fox", "minhash5")');
    assert.ok(Array.isArray(sig) && sig.length === 5);
    assert.equal(await one(db, 'RETURN MINHASH_MATCH("the quick brown fox", "The Quick Brown Fox", 1, "minhash5")'), true);
  });

  it('bounds what one input may expand to (errorNum 32) and keeps serving', async () => {
    await db.createAnalyzer('huge_ngrams', { type: 'ngram', properties: { min: 1, max: 100000, preserveOriginal: false, streamType: 'utf8' } } as never);
    assert.deepEqual(await failure(() => db.query('RETURN LENGTH(TOKENS(CONCAT_SEPARATOR("", (FOR i IN 1..20000 RETURN "x")), "huge_ngrams"))')), [400, 32]);
    await db.createAnalyzer('huge_edges', { type: 'text', properties: { locale: 'en', stemming: false, edgeNgram: { min: 1, max: 1000000 } } });
    assert.deepEqual(await failure(() => db.query('RETURN LENGTH(TOKENS(CONCAT_SEPARATOR("", (FOR i IN 1..20000 RETURN "y")), "huge_edges"))')), [400, 32]);
    assert.deepEqual(await one(db, 'RETURN TOKENS("ab", "huge_ngrams")'), ['a', 'ab', 'b']);
  });

  it('creates the first Analyzers of a database concurrently', async () => {
    await db.createDatabase('analyzer_race');
    const race = db.database('analyzer_race');
    await Promise.all(Array.from({ length: 8 }, (_, i) => race.createAnalyzer(`r${i}`, { type: 'identity' })));
    const names = (await race.listAnalyzers()).map((a) => a.name).filter((n) => n.startsWith('analyzer_race::'));
    assert.equal(names.length, 8);
    const same = await Promise.all(Array.from({ length: 6 }, () => race.analyzer('twin').create({ type: 'identity' })));
    assert.ok(same.every((a) => a.name === 'analyzer_race::twin'));
  });

  it('keeps Analyzers per database', async () => {
    await db.createDatabase('analyzer_db');
    const other = db.database('analyzer_db');
    const a = await other.analyzer('mine').create({ type: 'identity' });
    assert.equal(a.name, 'analyzer_db::mine');
    const fromSystem = (await db.listAnalyzers()).map((x) => x.name);
    // another database lists the built-ins, its own and `_system`'s Analyzers
    assert.deepEqual((await other.listAnalyzers()).map((x) => x.name).sort(), [...fromSystem, 'analyzer_db::mine'].sort());
    assert.equal((await other.analyzer('mine').get()).name, 'analyzer_db::mine');
    assert.equal(await db.analyzer('mine').exists(), false);
    assert.deepEqual(await (await other.query('RETURN TOKENS("X y", "analyzer_db::mine")')).all(), [['X y']]);
    assert.deepEqual(await failure(() => other.analyzer('elsewhere::mine').get()), [403, 11]);
  });

  it('needs write access to the database to create or drop, read access to list', async () => {
    await db.createDatabase('analyzer_acl');
    await db.createUser('an_reader', { passwd: 'pw' });
    await db.setUserAccessLevel('an_reader', { database: 'analyzer_acl' }, 'ro');
    await db.database('analyzer_acl').createAnalyzer('acl_one', { type: 'identity' });
    const reader = new Database({ url: endpoint, databaseName: 'analyzer_acl', auth: { username: 'an_reader', password: 'pw' } });
    const names = (await reader.listAnalyzers()).map((a) => a.name);
    assert.ok(names.includes('analyzer_acl::acl_one'));
    assert.ok(!names.some((n) => n.startsWith('_system::')), 'no _system Analyzers for a caller without _system access');
    assert.deepEqual(await failure(() => reader.createAnalyzer('nope', { type: 'identity' })), [403, 11]);
    assert.deepEqual(await failure(() => reader.analyzer('acl_one').drop()), [403, 11]);
    const outsider = new Database({ url: endpoint, databaseName: '_system', auth: { username: 'an_reader', password: 'pw' } });
    // no access to the database at all: refused before the handler, as every database route
    assert.deepEqual(await failure(() => outsider.listAnalyzers()), [401, 11]);
  });
});
