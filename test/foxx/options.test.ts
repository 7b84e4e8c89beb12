import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseManifest,
  applyConfiguration,
  applyDependencies,
  configurationToJson,
  dependenciesToJson,
  needsConfiguration,
  getReadableName,
  parseConfiguration,
} from '../../src/foxx/index.ts';

const { manifest } = parseManifest(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'foxx', 'configurable', 'manifest.json')));

describe('configuration', () => {
  it('coerces values by type and stores the raw input', () => {
    const r = applyConfiguration(manifest, {}, { maxItems: '5', verbose: 'true', ratio: '0.25', settings: '{"a":1}' });
    assert.equal(r.warnings, undefined);
    assert.deepEqual(r.raw, { maxItems: '5', verbose: 'true', ratio: '0.25', settings: '{"a":1}' });
    assert.equal(r.parsed.maxItems, 5);
    assert.equal(r.parsed.verbose, true);
    assert.equal(r.parsed.ratio, 0.25);
    assert.deepEqual(r.parsed.settings, { a: 1 });
    assert.equal(r.parsed.greeting, 'Hello');
  });

  it('warns for bad values, unknown names and required unset options', () => {
    const r = applyConfiguration(manifest, { maxItems: 3 }, { maxItems: 'many', nope: 1, greeting: '', settings: { a: 1 } });
    assert.ok(r.warnings !== undefined);
    assert.equal(r.warnings.maxItems, 'must be a number');
    assert.equal(r.warnings.nope, 'is not allowed');
    assert.equal(r.warnings.greeting, 'is required');
    assert.ok(r.warnings.settings !== undefined);
    assert.deepEqual(r.raw, { maxItems: 3 });
  });

  it('merges by default and unsets omitted options with replace', () => {
    const merged = applyConfiguration(manifest, { maxItems: 3, greeting: 'Hi' }, { ratio: 1 });
    assert.deepEqual(merged.raw, { maxItems: 3, greeting: 'Hi', ratio: 1 });
    const replaced = applyConfiguration(manifest, { maxItems: 3, greeting: 'Hi' }, { ratio: 1 }, { replace: true });
    assert.deepEqual(replaced.raw, { ratio: 1 });
    assert.equal(replaced.warnings?.maxItems, 'is required');
    assert.equal(replaced.warnings?.verbose, undefined);
  });

  it('drops stored unknown keys outside development mode only', () => {
    assert.deepEqual(applyConfiguration(manifest, { old: 1 }, {}).raw, {});
    assert.deepEqual(applyConfiguration(manifest, { old: 1 }, {}, { development: true }).raw, { old: 1 });
  });

  it('builds full and minimal shapes', () => {
    const raw = { maxItems: '7' };
    const full = configurationToJson(manifest, raw) as Record<string, Record<string, unknown>>;
    assert.deepEqual(full.maxItems, { type: 'integer', required: true, description: 'Upper bound.', title: 'Max Items', currentRaw: '7', current: 7 });
    assert.equal(full.greeting?.current, 'Hello');
    assert.equal(full.greeting?.currentRaw, undefined);
    const minimal = configurationToJson(manifest, raw, { minimal: true });
    assert.equal(minimal.maxItems, '7');
    assert.equal(minimal.greeting, 'Hello');
    const warned = configurationToJson(manifest, raw, { warnings: { ratio: 'must be a number' } }) as Record<string, Record<string, unknown>>;
    assert.equal(warned.ratio?.warning, 'must be a number');
  });

  it('parses stored values for module.context.configuration', () => {
    assert.deepEqual(parseConfiguration(manifest, { maxItems: '2' }), { greeting: 'Hello', maxItems: 2, verbose: false, ratio: 0.5, settings: undefined, apiKey: undefined });
  });
});

describe('dependencies', () => {
  it('applies mounts and warns', () => {
    const r = applyDependencies(manifest, {}, { greeter: '/hello' });
    assert.deepEqual(r.raw, { greeter: '/hello' });
    assert.equal(r.warnings, undefined);
    const bad = applyDependencies(manifest, {}, { greeter: 5, other: '/x' });
    assert.deepEqual(bad.warnings, { greeter: 'must be a string', other: 'is not allowed' });
    const replaced = applyDependencies(manifest, { greeter: '/hello' }, {}, { replace: true });
    assert.deepEqual(replaced.raw, {});
    assert.deepEqual(replaced.warnings, { greeter: 'is required' });
  });

  it('handles multiple dependencies', () => {
    const { manifest: m } = parseManifest(JSON.stringify({ dependencies: { many: { name: 'x', multiple: true } } }));
    assert.deepEqual(applyDependencies(m, {}, { many: ['/a', '/b'] }).raw, { many: ['/a', '/b'] });
    assert.deepEqual(applyDependencies(m, {}, { many: ['/a', 3] }).warnings, { many: 'at 1 must be a string' });
  });

  it('builds full and minimal shapes', () => {
    const full = dependenciesToJson(manifest, { greeter: '/hello' }) as Record<string, Record<string, unknown>>;
    assert.deepEqual(full.greeter, { name: 'hello', version: '^1.0.0', description: 'A hello service.', required: true, multiple: false, title: 'Greeter', current: '/hello' });
    assert.deepEqual(dependenciesToJson(manifest, { greeter: '/hello' }, { minimal: true }), { greeter: '/hello' });
  });
});

describe('needsConfiguration and titles', () => {
  it('needs configuration until required options and dependencies are set', () => {
    assert.equal(needsConfiguration(manifest, {}, {}), true);
    assert.equal(needsConfiguration(manifest, { maxItems: 1 }, {}), true);
    assert.equal(needsConfiguration(manifest, { maxItems: 1 }, { greeter: '/hello' }), false);
  });

  it('humanises names', () => {
    assert.equal(getReadableName('my_opt'), 'My Opt');
    assert.equal(getReadableName('setup'), 'Setup');
    assert.equal(getReadableName('maxItemCount'), 'Max Item Count');
    assert.equal(getReadableName('send-mail  now'), 'Send Mail Now');
  });
});
