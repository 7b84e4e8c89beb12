import assert from 'node:assert/strict';
import { rawRequest, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

/**
 * A Foxx service that loads and drops the example graphs and calls any method of a
 * `@arangodb/general-graph` graph: `POST /gg/call/<graph>/<method>` with the arguments as a JSON
 * array answers `{ok: result}` or `{errorNum, message}`.
 */
const INDEX = `const router = require('@arangodb/foxx/router')();
module.context.use(router);
const gm = require('@arangodb/general-graph');
const examples = require('@arangodb/graph-examples/example-graph');
const attempt = (fn) => { try { return { ok: fn() }; } catch (e) { return { errorNum: e.errorNum, message: e.message }; } };
router.post('/load/:name', (req, res) => res.json(attempt(() => {
  const g = examples.loadGraph(req.pathParams.name);
  return g === undefined ? 'undefined' : g === false ? false : g.__name;
})));
router.delete('/load/:name', (req, res) => res.json(attempt(() => {
  const r = examples.dropGraph(req.pathParams.name);
  return r === undefined ? 'undefined' : r;
})));
router.post('/call/:graph/:method', (req, res) => res.json(attempt(() => {
  const g = gm._graph(req.pathParams.graph);
  return g[req.pathParams.method](...req.json());
})));`;

export async function installGraphService(server: ServerHandle): Promise<void> {
  const zip = craftZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify({ main: 'index.js', engines: { arangodb: '^3.0.0' } })) },
    { name: 'index.js', data: Buffer.from(INDEX) },
  ]);
  await server.db().installService('/gg', new Blob([zip], { type: 'application/zip' }));
}

async function post(server: ServerHandle, method: string, path: string, body?: unknown): Promise<{ ok?: unknown; errorNum?: number; message?: string }> {
  const r = await rawRequest(server.endpoint, method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' });
  assert.equal(r.status, 200, r.text);
  return r.json as { ok?: unknown; errorNum?: number; message?: string };
}

/** `loadGraph(name)`'s result (the graph's name, 'undefined' or false); throws on an error. */
export async function loadExample(server: ServerHandle, name: string): Promise<unknown> {
  const r = await post(server, 'POST', `/gg/load/${name}`);
  assert.ok(!('errorNum' in r), JSON.stringify(r));
  return r.ok;
}

export async function dropExample(server: ServerHandle, name: string): Promise<unknown> {
  return (await post(server, 'DELETE', `/gg/load/${name}`)).ok;
}

/** `loadGraph` answered with an error: its errorNum and message. */
export async function loadExampleFails(server: ServerHandle, name: string): Promise<{ errorNum?: number; message?: string }> {
  return post(server, 'POST', `/gg/load/${name}`);
}

/** `gm._graph(graph)[method](...args)` inside the service; throws with the error when it fails. */
export async function graphCall(server: ServerHandle, graph: string, method: string, ...args: unknown[]): Promise<unknown> {
  const r = await post(server, 'POST', `/gg/call/${graph}/${method}`, args);
  if ('errorNum' in r) throw Object.assign(new Error(`${method}: ${r.message ?? ''}`), { errorNum: r.errorNum });
  return r.ok;
}

/** The error a graph call fails with. */
export async function graphCallError(server: ServerHandle, graph: string, method: string, ...args: unknown[]): Promise<{ errorNum?: number; message?: string }> {
  const r = await post(server, 'POST', `/gg/call/${graph}/${method}`, args);
  assert.ok('errorNum' in r, `${method} should have failed: ${JSON.stringify(r)}`);
  return r;
}

export const sorted = (x: unknown): unknown[] => [...(x as unknown[])].sort();
