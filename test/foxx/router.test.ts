import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import Joi from 'joi';
import { createRouter, dispatch, compileRoutes, type FoxxRequestData, type FoxxResponseData, type Router } from '../../src/foxx/index.ts';
import { ArangoError } from '../../src/errors/index.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'foxx');

function loadService(name: string): Router {
  const root = createRouter();
  const source = readFileSync(join(FIXTURES, name, 'index.js'), 'utf8');
  const module = { exports: {}, context: { mount: `/${name}`, use: (...args: unknown[]) => root.use(...args) } };
  const fakeRequire = (id: string): unknown => {
    if (id === '@arangodb/foxx/router') return createRouter;
    if (id === 'joi') return Joi;
    throw new Error(`unexpected require(${id})`);
  };
  vm.runInNewContext(`(function (module, exports, require) {${source}\n})`, { setImmediate })(module, module.exports, fakeRequire);
  return root;
}

function json(res: FoxxResponseData): unknown {
  return JSON.parse(Buffer.from(res.body).toString('utf8'));
}

function req(method: string, path: string, extra: Partial<FoxxRequestData> = {}): FoxxRequestData {
  return { method, path, mount: '/hello', ...extra };
}

describe('router: the hello fixture service', () => {
  const root = loadService('hello');

  it('answers GET /hello with JSON', async () => {
    const res = await dispatch(root, req('GET', '/hello'));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(json(res), { hello: 'world' });
  });

  it('validates and coerces path and query parameters', async () => {
    const res = await dispatch(root, req('GET', '/echo/alice', { query: 'times=3' }));
    assert.equal(res.status, 200);
    assert.deepEqual(json(res), { name: 'alice', times: 3 });
  });

  it('applies query parameter defaults', async () => {
    const res = await dispatch(root, req('GET', '/echo/bob'));
    assert.deepEqual(json(res), { name: 'bob', times: 1 });
  });

  it('answers 400 with joi message for a bad query parameter', async () => {
    const res = await dispatch(root, req('GET', '/echo/alice?times=abc'));
    assert.equal(res.status, 400);
    const body = json(res) as Record<string, unknown>;
    assert.equal(body.error, true);
    assert.equal(body.errorNum, 400);
    assert.equal(body.code, 400);
    assert.match(String(body.errorMessage), /must be a number/);
  });

  it('treats a failing path parameter as no match (404)', async () => {
    const res = await dispatch(root, req('GET', '/echo/a'));
    assert.equal(res.status, 404);
  });

  it('validates JSON bodies', async () => {
    const ok = await dispatch(root, req('POST', '/echo', { headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"name":"x"}') }));
    assert.equal(ok.status, 201);
    assert.deepEqual(json(ok), { name: 'x' });
    const bad = await dispatch(root, req('POST', '/echo', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"nope":1}') }));
    assert.equal(bad.status, 400);
    assert.match(String((json(bad) as { errorMessage: string }).errorMessage), /"name" is required/);
    const broken = await dispatch(root, req('POST', '/echo', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{') }));
    assert.equal(broken.status, 400);
  });

  it('answers 405 with Allow when only the method is wrong', async () => {
    const res = await dispatch(root, req('DELETE', '/hello'));
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET');
  });

  it("answers 404 unknown path for unmatched paths", async () => {
    const res = await dispatch(root, req('GET', '/nope'));
    assert.equal(res.status, 404);
    assert.equal((json(res) as { errorMessage: string }).errorMessage, "unknown path '/_db/_system/hello/nope'");
  });

  it('reverses named routes', async () => {
    const r = createRouter();
    r.get('/x', (rq, rs) => {
      rs.send({ url: rq.reverse('echo', { name: 'carol', times: 2 }) });
    });
    r.use(root);
    const res = await dispatch(r, req('GET', '/x'));
    assert.deepEqual(json(res), { url: '/echo/carol?times=2' });
  });
});

describe('router: matching order', () => {
  it('prefers literal segments over parameters over wildcards', async () => {
    const r = createRouter();
    r.get('/*', (_q, s) => s.send('wild'));
    r.get('/:id', (q, s) => s.send(`param ${String(q.pathParams.id)}`));
    r.get('/static', (_q, s) => s.send('static'));
    const tree = compileRoutes(r);
    const text = async (p: string): Promise<string> => Buffer.from((await dispatch(tree, { method: 'GET', path: p })).body).toString();
    assert.equal(await text('/static'), 'static');
    assert.equal(await text('/other'), 'param other');
    assert.equal(await text('/a/b/c'), 'wild');
  });

  it('exposes the wildcard suffix and nested router params', async () => {
    const child = createRouter();
    child.get('/files/*', (q, s) => s.json({ suffix: q.suffix, user: q.pathParams.user }));
    const r = createRouter();
    r.use('/users/:user', child).pathParam('user', Joi.number().integer());
    const ok = await dispatch(r, { method: 'GET', path: '/users/7/files/a/b.txt' });
    assert.deepEqual(json(ok), { suffix: 'a/b.txt', user: 7 });
    const bad = await dispatch(r, { method: 'GET', path: '/users/x/files/a' });
    assert.equal(bad.status, 404);
  });
});

describe('router: middleware and async handlers', () => {
  it('runs middleware as an onion, sync and async', async () => {
    const order: string[] = [];
    const r = createRouter();
    r.use((_q, s, next) => {
      order.push('a-before');
      const done = next();
      order.push('a-after-call');
      s.set('x-mw', 'yes');
      return done;
    });
    r.use(async (_q, _s, next) => {
      order.push('b-before');
      await next();
      order.push('b-after');
    });
    r.get('/', async (_q, s) => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push('handler');
      s.send({ ok: true });
    });
    const res = await dispatch(r, { method: 'GET', path: '/' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-mw'], 'yes');
    assert.deepEqual(order, ['a-before', 'b-before', 'a-after-call', 'handler', 'b-after']);
  });

  it('lets middleware short-circuit and pass errors with next(err)', async () => {
    const r = createRouter();
    r.use('/secret', (_q, _s, next) => next(Object.assign(new Error('nope'), { statusCode: 403 })));
    r.get('/secret/x', (_q, s) => s.send('never'));
    const res = await dispatch(r, { method: 'GET', path: '/secret/x' });
    assert.equal(res.status, 403);
    assert.equal((json(res) as { errorMessage: string }).errorMessage, 'nope');
  });

  it('awaits async handlers of the async-handler fixture', async () => {
    const root = loadService('async-handler');
    const ok = await dispatch(root, { method: 'GET', path: '/later' });
    assert.deepEqual(json(ok), { value: 'done' });
    const fail = await dispatch(root, { method: 'GET', path: '/fail' });
    assert.equal(fail.status, 500);
    assert.deepEqual(json(fail), { error: true, errorNum: 500, errorMessage: 'async failure', code: 500 });
  });
});

describe('router: errors and responses', () => {
  it('turns res.throw into the ArangoDB error body with extra attributes', async () => {
    const r = createRouter();
    r.get('/', (_q, s) => s.throw(409, 'taken', { extra: { hint: 'pick another' } }));
    const res = await dispatch(r, { method: 'GET', path: '/' });
    assert.equal(res.status, 409);
    assert.deepEqual(json(res), { hint: 'pick another', error: true, errorNum: 409, errorMessage: 'taken', code: 409 });
  });

  it('keeps status and errorNum of ArangoErrors', async () => {
    const r = createRouter();
    r.get('/', () => {
      throw new ArangoError('ERROR_SERVICE_NOT_FOUND');
    });
    const res = await dispatch(r, { method: 'GET', path: '/' });
    assert.equal(res.status, 404);
    assert.equal((json(res) as { errorNum: number }).errorNum, 3009);
  });

  it('defaults to 204 without a body and sets content types by value', async () => {
    const r = createRouter();
    r.get('/empty', () => undefined);
    r.get('/html', (_q, s) => s.send('<b>hi</b>'));
    r.get('/bin', (_q, s) => s.send(Buffer.from([1, 2])));
    r.get('/redirect', (_q, s) => s.redirect('/elsewhere'));
    r.get('/cookie', (_q, s) => s.cookie('sid', 'abc', { secret: 'k', httpOnly: true }).status(200));
    assert.equal((await dispatch(r, { method: 'GET', path: '/empty' })).status, 204);
    assert.match(String((await dispatch(r, { method: 'GET', path: '/html' })).headers['content-type']), /^text\/html/);
    assert.equal((await dispatch(r, { method: 'GET', path: '/bin' })).headers['content-type'], 'application/octet-stream');
    const red = await dispatch(r, { method: 'GET', path: '/redirect' });
    assert.equal(red.status, 302);
    assert.equal(red.headers.location, '/elsewhere');
    const cookie = await dispatch(r, { method: 'GET', path: '/cookie' });
    const cookies = cookie.headers['set-cookie'];
    assert.ok(Array.isArray(cookies) && cookies.length === 2);
    assert.match(cookies[0] ?? '', /^sid=abc; HttpOnly$/);
    assert.match(cookies[1] ?? '', /^sid\.sig=[0-9a-f]{64}/);
  });

  it('verifies signed cookies on the request side', async () => {
    const r = createRouter();
    r.get('/', (q, s) => s.json({ sid: q.cookie('sid', { secret: 'k' }) ?? null }));
    const setRes = await dispatch((() => {
      const w = createRouter();
      w.get('/', (_q, s) => s.cookie('sid', 'abc', { secret: 'k' }));
      return w;
    })(), { method: 'GET', path: '/' });
    const sig = String((setRes.headers['set-cookie'] as string[])[1]).split(';')[0] ?? '';
    const good = await dispatch(r, { method: 'GET', path: '/', headers: { cookie: `sid=abc; ${sig}` } });
    assert.deepEqual(json(good), { sid: 'abc' });
    const forged = await dispatch(r, { method: 'GET', path: '/', headers: { cookie: 'sid=abc; sid.sig=deadbeef' } });
    assert.deepEqual(json(forged), { sid: null });
  });

  it('applies the response model forClient in res.send', async () => {
    const r = createRouter();
    r.get('/', (_q, s) => s.send({ secret: 1, name: 'n' })).response(200, { schema: Joi.object(), forClient: (v: unknown) => ({ name: (v as { name: string }).name }) });
    assert.deepEqual(json(await dispatch(r, { method: 'GET', path: '/' })), { name: 'n' });
  });

  it('serves files through the injected reader and strips HEAD bodies', async () => {
    const r = createRouter();
    r.get('/file', (_q, s) => s.download('/srv/report.txt'));
    const res = await dispatch(r, { method: 'GET', path: '/file' }, { readFile: () => ({ data: Buffer.from('report'), lastModified: new Date(0) }) });
    assert.equal(Buffer.from(res.body).toString(), 'report');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="report.txt"');
    assert.equal(res.headers['last-modified'], new Date(0).toUTCString());
    const head = await dispatch(r, { method: 'HEAD', path: '/file' }, { readFile: () => ({ data: Buffer.from('report') }) });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('gives handlers the request helpers', async () => {
    const r = createRouter();
    r.post('/', (q, s) => s.json({ is: q.is('json'), ua: q.get('User-Agent'), parsed: q.json(), raw: Buffer.isBuffer(q.body), user: q.arangoUser, path: q.path }));
    const res = await dispatch(r, { method: 'POST', path: '/', mount: '/m', headers: { 'content-type': 'application/json', 'user-agent': 'ua' }, body: Buffer.from('[1]'), arangoUser: 'root' });
    assert.deepEqual(json(res), { is: 'json', ua: 'ua', parsed: [1], raw: true, user: 'root', path: '/' });
  });
});
