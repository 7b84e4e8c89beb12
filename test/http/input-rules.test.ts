import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

/** Parses a response body keeping `__proto__` as an own attribute (JSON.parse does). */
function doc(r: { text: string }): Record<string, unknown> {
  return JSON.parse(r.text) as Record<string, unknown>;
}

function protoOf(d: Record<string, unknown>): unknown {
  assert.ok(Object.hasOwn(d, '__proto__'), `__proto__ is an attribute of ${JSON.stringify(d)}`);
  return Object.getOwnPropertyDescriptor(d, '__proto__')?.value;
}

/** Sends raw bytes as one HTTP/1.1 request and returns the status line and body. */
function rawBytes(endpoint: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const c = net.connect(Number(url.port), url.hostname, () => c.write(bytes));
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('error', reject);
    c.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('exact input rules (attacks through document content and encoding)', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    await server.db().createCollection('p');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('stores __proto__ as a plain attribute on insert, PATCH, AQL INSERT and MERGE, never hoisting its members', async () => {
    const ins = await rawRequest(server.endpoint, 'POST', '/_api/document/p?returnNew=true', '{"_key":"a","__proto__":{"isAdmin":true},"x":1}');
    assert.equal(ins.status, 202, ins.text);
    const got = doc(await rawRequest(server.endpoint, 'GET', '/_api/document/p/a'));
    assert.deepEqual(protoOf(got), { isAdmin: true });
    assert.equal(Object.hasOwn(got, 'isAdmin'), false);

    await rawRequest(server.endpoint, 'POST', '/_api/document/p', '{"_key":"b","x":1}');
    const patch = await rawRequest(server.endpoint, 'PATCH', '/_api/document/p/b', '{"__proto__":{"isAdmin":true}}');
    assert.equal(patch.status, 202, patch.text);
    const patched = doc(await rawRequest(server.endpoint, 'GET', '/_api/document/p/b'));
    assert.deepEqual(protoOf(patched), { isAdmin: true });
    assert.equal(Object.hasOwn(patched, 'isAdmin'), false, 'PATCH does not hoist members of __proto__');
    // a second PATCH merges into the attribute like into any other object
    await rawRequest(server.endpoint, 'PATCH', '/_api/document/p/b', '{"__proto__":{"level":2}}');
    assert.deepEqual(protoOf(doc(await rawRequest(server.endpoint, 'GET', '/_api/document/p/b'))), { isAdmin: true, level: 2 });

    const cursor = async (query: string, bindVars = '{}'): Promise<unknown[]> => {
      const r = await rawRequest(server.endpoint, 'POST', '/_api/cursor', `{"query":${JSON.stringify(query)},"bindVars":${bindVars}}`);
      assert.equal(r.status, 201, r.text);
      return (doc(r)['result'] as unknown[]);
    };
    await cursor('INSERT @d INTO p', '{"d":{"_key":"c","__proto__":{"isAdmin":true}}}');
    await cursor('INSERT { _key: "d", "__proto__": { isAdmin: true } } INTO p');
    for (const key of ['c', 'd']) {
      const d = doc(await rawRequest(server.endpoint, 'GET', `/_api/document/p/${key}`));
      assert.deepEqual(protoOf(d), { isAdmin: true }, key);
      assert.equal(Object.hasOwn(d, 'isAdmin'), false, key);
    }
    const [merged] = (await cursor('RETURN MERGE({ a: 1 }, @o)', '{"o":{"__proto__":{"isAdmin":true}}}')) as Array<Record<string, unknown>>;
    assert.ok(merged);
    assert.deepEqual(protoOf(merged), { isAdmin: true });
    assert.equal(Object.hasOwn(merged, 'isAdmin'), false);
    const [attr] = await cursor('FOR d IN p FILTER d._key == "a" RETURN [d.__proto__.isAdmin, d.isAdmin, HAS(d, "__proto__")]');
    assert.deepEqual(attr, [true, null, true]);
    // nothing leaked into prototypes: a plain document has no isAdmin anywhere
    await rawRequest(server.endpoint, 'POST', '/_api/document/p', '{"_key":"plain"}');
    assert.deepEqual(await cursor('RETURN DOCUMENT("p/plain").isAdmin'), [null]);
  });

  it('refuses a body with invalid UTF-8 with 400 / 600 and stores nothing', async () => {
    const bad = Buffer.concat([Buffer.from('{"_key":"u1","s":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const r = await rawRequest(server.endpoint, 'POST', '/_api/document/p', bad, { 'content-type': 'application/json' });
    assert.equal(r.status, 400, r.text);
    assert.equal((r.json as { errorNum: number }).errorNum, 600);
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/document/p/u1')).status, 404, 'nothing was stored');
    const imp = await rawRequest(server.endpoint, 'POST', '/_api/import?collection=p&type=documents', Buffer.concat([Buffer.from('{"_key":"u2","s":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]));
    assert.equal(imp.status, 400, imp.text);
    assert.equal((imp.json as { errorNum: number }).errorNum, 600);
    const aql = await rawRequest(server.endpoint, 'POST', '/_api/cursor', Buffer.concat([Buffer.from('{"query":"RETURN \''), Buffer.from([0xfe]), Buffer.from('\'"}')]));
    assert.equal((aql.json as { errorNum: number }).errorNum, 600);
    // valid multi-byte text is kept exactly
    const ok = await rawRequest(server.endpoint, 'POST', '/_api/document/p', Buffer.from('{"_key":"u3","s":"é😀"}'));
    assert.equal(ok.status, 202);
    assert.equal(doc(await rawRequest(server.endpoint, 'GET', '/_api/document/p/u3'))['s'], 'é😀');
  });

  it('refuses Basic credentials that are not valid UTF-8 (no match after replacing bytes)', async () => {
    await server.db().createUser('\ufffduser', 'pw');
    const bad = Buffer.concat([Buffer.from([0xff]), Buffer.from('user:pw')]).toString('base64'); // 0xff alone decodes to U+FFFD
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/version', undefined, { authorization: `Basic ${bad}` })).status, 401);
    const good = Buffer.from('\ufffduser:pw').toString('base64');
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/version', undefined, { authorization: `Basic ${good}` })).status, 200);
  });

  it('refuses a URL with invalid UTF-8 (percent-encoded or raw) with 400', async () => {
    for (const url of ['/_api/document/p/%C3%28', '/_api/document/p/a?x=%FF', '/_db/%FF/_api/version', '/_api/collection/p%ED%A0%80']) {
      const r = await rawRequest(server.endpoint, 'GET', url);
      assert.equal(r.status, 400, `${url}: ${r.text}`);
      assert.equal((r.json as { errorNum: number }).errorNum, 400, url);
    }
    const raw = await rawBytes(server.endpoint, Buffer.concat([Buffer.from('GET /_api/document/p/'), Buffer.from([0xc3, 0x28]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
    assert.equal(raw.status, 400);
    assert.equal((JSON.parse(raw.body) as { errorNum: number }).errorNum, 400);
    // a valid percent-encoded UTF-8 key still works
    await rawRequest(server.endpoint, 'POST', '/_api/document/p', Buffer.from('{"_key":"caf%C3%A9x"}'));
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/document/p/caf%25C3%25A9x')).status, 200);
  });
});
