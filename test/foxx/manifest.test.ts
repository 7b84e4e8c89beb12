import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, validateManifest, CANONICAL_MANIFEST_SCHEMA } from '../../src/foxx/index.ts';
import { isArangoError } from '../../src/errors/index.ts';

function expectArangoError(fn: () => unknown, errorNum: number, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isArangoError(err));
    assert.equal(err.errorNum, errorNum);
    assert.equal(err.httpStatus, 400);
    if (pattern !== undefined) assert.match(err.message, pattern);
    return true;
  });
}

describe('manifest', () => {
  it('fills defaults and joins lib into main, tests and scripts', () => {
    const { manifest, warnings, legacy } = parseManifest(JSON.stringify({ name: 'svc', version: '1.2.3', lib: 'src', main: 'index.js', tests: 'test/*.js', scripts: { setup: 'setup.js' } }));
    assert.equal(legacy, false);
    assert.deepEqual(warnings, []);
    assert.equal(manifest.$schema, CANONICAL_MANIFEST_SCHEMA);
    assert.equal(manifest.main, 'src/index.js');
    assert.deepEqual(manifest.tests, ['src/test/*.js']);
    assert.deepEqual(manifest.scripts, { setup: 'src/setup.js' });
    assert.equal(manifest.author, '');
    assert.equal(manifest.description, '');
    assert.deepEqual(manifest.configuration, {});
    assert.deepEqual(manifest.dependencies, {});
    assert.deepEqual(manifest.files, {});
    assert.equal('lib' in manifest, false);
  });

  it('rejects malformed JSON with 3000', () => {
    expectArangoError(() => parseManifest('{"name": '), 3000);
    expectArangoError(() => parseManifest('[1]'), 3000);
  });

  it('collects every invalid field into one 3001 error', () => {
    expectArangoError(
      () => validateManifest({ name: 'bad name!', repository: { type: 'git' }, configuration: { x: { type: 'float' } } }, { mount: '/m' }),
      3001,
      /Service at "\/m" specifies manifest field "configuration"[\s\S]*field "name"[\s\S]*field "repository"/,
    );
  });

  it('forbids empty keys', () => {
    expectArangoError(() => validateManifest({ scripts: { '': 'x.js' } }), 3001, /"scripts"/);
  });

  it('warns about unknown fields, odd option names, non-semver versions and wrong $schema', () => {
    const { manifest, warnings } = validateManifest({ $schema: 'nope', version: 'one', custom: 1, configuration: { 'bad name': {} } }, { mount: '/m' });
    assert.equal(manifest.custom, 1);
    assert.equal(manifest.$schema, CANONICAL_MANIFEST_SCHEMA);
    assert.equal(warnings.length, 4);
    assert.ok(warnings.some((w) => w.includes('unknown field "custom"')));
    assert.ok(warnings.some((w) => w.includes('"one"')));
    assert.ok(warnings.some((w) => w.includes('"bad name"')));
  });

  it('normalises configuration and dependencies', () => {
    const { manifest } = validateManifest({ configuration: { a: {}, b: { type: 'int', required: false, default: 3 } }, dependencies: { x: 'other:^1.0.0', y: 'plain', z: { name: 'zed' } } });
    assert.deepEqual(manifest.configuration, { a: { type: 'string', required: true }, b: { type: 'int', required: false, default: 3 } });
    assert.deepEqual(manifest.dependencies, {
      x: { name: 'other', version: '^1.0.0', required: true },
      y: { name: 'plain', version: '*', required: true },
      z: { name: 'zed', version: '*', required: true, multiple: false },
    });
  });

  it('rejects a dependency with an invalid version range', () => {
    expectArangoError(() => validateManifest({ dependencies: { x: 'other:not a range' } }), 3001, /invalid version range/);
  });

  it('normalises provides and requires semver versions (so "*" fails)', () => {
    assert.deepEqual(validateManifest({ provides: ['a:1.0.0', 'b:2.0.0'] }).manifest.provides, { a: '1.0.0', b: '2.0.0' });
    assert.deepEqual(validateManifest({ provides: { c: '3.0.0' } }).manifest.provides, { c: '3.0.0' });
    expectArangoError(() => validateManifest({ provides: 'x' }), 3001);
  });

  it('detects legacy engines and warns on unsatisfied ranges', () => {
    const legacy = validateManifest({ engines: { arangodb: '^2.8.0' }, controllers: {} });
    assert.equal(legacy.legacy, true);
    assert.ok(!legacy.warnings.some((w) => w.includes('"controllers"')));
    const future = validateManifest({ engines: { arangodb: '^4.0.0' } }, { serverVersion: '3.12.0' });
    assert.equal(future.legacy, false);
    assert.ok(future.warnings.some((w) => w.includes('^4.0.0')));
  });

  it('keeps string tests as a one-element array', () => {
    assert.deepEqual(validateManifest({ tests: 'spec/**/*.js' }).manifest.tests, ['spec/**/*.js']);
  });
});
