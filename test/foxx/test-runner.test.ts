import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { matchTestFiles, renderTestReport, runTests, type MochaGlobals, type TestFileLoader } from '../../src/foxx/index.ts';

type FileBody = (g: MochaGlobals) => unknown;
// chai ships no types here; only `expect(x).to.equal(y)` is needed, to get real chai AssertionErrors.
const { expect } = createRequire(import.meta.url)('chai') as { expect: (value: unknown) => { to: { equal: (expected: unknown) => void } } };

function loaderFor(files: Record<string, FileBody>): TestFileLoader {
  return (file, globals) => {
    const body = files[file];
    if (body === undefined) throw new Error(`no file ${file}`);
    return body(globals);
  };
}

const calls: string[] = [];
const FILES: Record<string, FileBody> = {
  'test/a.js': ({ describe: d, it: t, before, after, beforeEach, afterEach }) => {
    d('math', () => {
      before(() => void calls.push('before'));
      after(() => void calls.push('after'));
      beforeEach(() => void calls.push('beforeEach'));
      afterEach(() => void calls.push('afterEach'));
      t('adds', () => {
        expect(1 + 1).to.equal(2);
      });
      t('fails', () => {
        expect(1 + 1).to.equal(3);
      });
      t.skip('skipped', () => undefined);
      d('async', () => {
        t('awaits', async () => {
          await new Promise((resolve) => setImmediate(resolve));
        });
        t('done callback', (done?: (err?: unknown) => void) => {
          setImmediate(() => done?.());
        });
      });
    });
    return {};
  },
  'test/b.js': () => ({ exported: { 'works too': () => undefined } }),
};

describe('service test runner', () => {
  it('runs bdd and exports styles with hooks and the default reporter', async () => {
    calls.length = 0;
    const report = (await runTests(['test/a.js', 'test/b.js', 'test/a.js'], loaderFor(FILES))) as Record<string, unknown>;
    const stats = report.stats as Record<string, number>;
    assert.equal(stats.tests, 6);
    assert.equal(stats.passes, 4);
    assert.equal(stats.failures, 1);
    assert.equal(stats.pending, 1);
    assert.deepEqual(calls.slice(0, 4), ['before', 'beforeEach', 'afterEach', 'beforeEach']);
    assert.equal(calls[calls.length - 1], 'after');
    const failures = report.failures as Array<Record<string, unknown>>;
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.fullTitle, 'math fails');
    const err = failures[0]?.err as Record<string, unknown>;
    assert.equal(err.message, 'expected 2 to equal 3');
    assert.equal(err.actual, 2);
    assert.equal(err.expected, 3);
    assert.match(String(err.stack), /AssertionError/);
    const tests = report.tests as Array<Record<string, unknown>>;
    assert.deepEqual(tests.map((t) => t.fullTitle), ['math adds', 'math fails', 'math skipped', 'math async awaits', 'math async done callback', 'exported works too']);
    assert.deepEqual(tests[0]?.err, {});
  });

  it('filters by full title', async () => {
    const report = (await runTests(['test/a.js', 'test/b.js'], loaderFor(FILES), { filter: 'async' })) as Record<string, unknown>;
    assert.deepEqual((report.tests as Array<Record<string, unknown>>).map((t) => t.title), ['awaits', 'done callback']);
  });

  it('produces suite, stream, tap and xunit shapes', async () => {
    const load = loaderFor(FILES);
    const suite = (await runTests(['test/a.js'], load, { reporter: 'suite' })) as Record<string, unknown>;
    const suites = suite.suites as Array<Record<string, unknown>>;
    assert.equal(suites[0]?.title, 'math');
    assert.deepEqual((suites[0]?.tests as Array<Record<string, unknown>>).map((t) => t.result), ['pass', 'fail', 'pending']);
    assert.equal((suites[0]?.suites as Array<Record<string, unknown>>)[0]?.title, 'async');

    const stream = (await runTests(['test/a.js'], load, { reporter: 'stream' })) as unknown[][];
    assert.deepEqual(stream[0], ['start', { total: 5 }]);
    assert.equal(stream[stream.length - 1]?.[0], 'end');
    const fail = stream.find((row) => row[0] === 'fail');
    assert.equal((fail?.[1] as Record<string, unknown>).err, 'expected 2 to equal 3');

    const tap = (await runTests(['test/a.js'], load, { reporter: 'tap' })) as string[];
    assert.equal(tap[0], '1..5');
    assert.equal(tap[1], 'ok 1 math adds');
    assert.equal(tap[2], 'not ok 2 math fails');
    assert.match(tap[3] ?? '', /^ {2}AssertionError: expected 2 to equal 3/);
    assert.ok(tap.includes('ok 3 math skipped # SKIP -'));
    assert.deepEqual(tap.slice(-3), ['# tests 5', '# pass 3', '# fail 1']);

    const xunit = (await runTests(['test/a.js'], load, { reporter: 'xunit' })) as unknown[];
    assert.equal(xunit[0], 'testsuite');
    assert.equal((xunit[1] as Record<string, unknown>).tests, 5);
    const failing = xunit.slice(2).find((tc) => Array.isArray(tc) && tc.length === 3) as unknown[];
    assert.deepEqual(failing[1], { classname: 'math', name: 'fails', time: (failing[1] as { time: number }).time });
    assert.deepEqual((failing[2] as unknown[]).slice(0, 2), ['failure', { message: 'expected 2 to equal 3', type: 'AssertionError' }]);
    const xml = renderTestReport('xunit', xunit);
    assert.match(xml.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<testsuite /);
    assert.equal(renderTestReport('stream', stream).body.split('\r\n').length, stream.length + 1);
  });

  it('reports a failing before hook and skips its suite', async () => {
    const report = (await runTests(['x.js'], () => {
      return { broken: { before: () => { throw new Error('setup failed'); }, 'never runs': () => undefined } };
    })) as Record<string, unknown>;
    const failures = report.failures as Array<Record<string, unknown>>;
    assert.equal(failures[0]?.fullTitle, 'broken "before all" hook');
    assert.equal((report.stats as Record<string, number>).passes, 0);
  });

  it('runs the hello fixture test file through a vm loader', async () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'foxx', 'hello');
    const files = matchTestFiles(['test/**/*.js'], ['index.js', 'test/hello.js', 'manifest.json']);
    assert.deepEqual(files, ['test/hello.js']);
    const report = (await runTests(files, (file, globals) => {
      const module = { exports: {} };
      const source = readFileSync(join(dir, file), 'utf8');
      vm.runInNewContext(`(function (module, exports, require) {${source}\n})`, { ...globals })(module, module.exports, (id: string) => (id === 'chai' ? { expect } : undefined));
      return module.exports;
    })) as Record<string, unknown>;
    assert.deepEqual(report.stats && (report.stats as Record<string, number>).passes, 1);
  });

  it('expands globs', () => {
    const files = ['test/a.js', 'test/sub/b.js', 'test/sub/c.txt', 'lib/x.js'];
    assert.deepEqual(matchTestFiles(['test/*.js'], files), ['test/a.js']);
    assert.deepEqual(matchTestFiles(['test/**/*.js', 'test/a.js'], files), ['test/a.js', 'test/sub/b.js']);
  });
});
