import { buildReport, type CleanTest, type RunEvent, type TestReporter, type TestStats } from './test-reporters.ts';

export { TEST_REPORTERS, type TestReporter } from './test-reporters.ts';

type Fn = (this: unknown, done?: (err?: unknown) => void) => unknown;

/** The mocha-style functions a test file sees (bdd and tdd names). */
export interface MochaGlobals {
  describe: SuiteFunction;
  suite: SuiteFunction;
  context: SuiteFunction;
  xdescribe: (title: string, fn?: () => void) => void;
  xcontext: (title: string, fn?: () => void) => void;
  it: TestFunction;
  test: TestFunction;
  specify: TestFunction;
  xit: (title: string, fn?: Fn) => void;
  before: (fn: Fn) => void;
  after: (fn: Fn) => void;
  beforeEach: (fn: Fn) => void;
  afterEach: (fn: Fn) => void;
  suiteSetup: (fn: Fn) => void;
  suiteTeardown: (fn: Fn) => void;
  setup: (fn: Fn) => void;
  teardown: (fn: Fn) => void;
}

/** `describe(title, fn)` plus `.skip` (pending) and `.only` (treated like a plain describe). */
export interface SuiteFunction {
  (title: string, fn: () => void): void;
  skip: (title: string, fn?: () => void) => void;
  only: (title: string, fn: () => void) => void;
}

/** `it(title, [fn])` plus `.skip` (pending) and `.only` (treated like a plain it). */
export interface TestFunction {
  (title: string, fn?: Fn): void;
  skip: (title: string, fn?: Fn) => void;
  only: (title: string, fn?: Fn) => void;
}

/**
 * Loads one test file with the globals installed (the caller executes it in the service's
 * sandbox) and returns its `module.exports`, which is used for the "exports" interface.
 */
export type TestFileLoader = (file: string, globals: MochaGlobals) => unknown;

/** Options of {@link runTests}. */
export interface RunTestsOptions {
  readonly reporter?: TestReporter;
  /** Only tests whose full title contains this string run. */
  readonly filter?: string;
  /** Clock in ms (tests inject a fake). */
  readonly now?: () => number;
}

interface Hook {
  readonly title: string;
  readonly fn: Fn;
}

interface Suite {
  readonly title: string;
  readonly parent: Suite | undefined;
  readonly suites: Suite[];
  readonly tests: Test[];
  readonly hooks: { before: Hook[]; after: Hook[]; beforeEach: Hook[]; afterEach: Hook[] };
  readonly pending: boolean;
}

interface Test {
  readonly title: string;
  readonly fn: Fn | undefined;
  readonly parent: Suite;
  pending: boolean;
  duration?: number;
  err?: unknown;
}

class PendingSignal extends Error {}

function newSuite(title: string, parent: Suite | undefined, pending: boolean): Suite {
  return { title, parent, suites: [], tests: [], hooks: { before: [], after: [], beforeEach: [], afterEach: [] }, pending };
}

function suiteTitles(suite: Suite | undefined): string[] {
  const titles: string[] = [];
  for (let s = suite; s !== undefined && s.parent !== undefined; s = s.parent) titles.unshift(s.title);
  return titles;
}

function fullTitle(suite: Suite, title: string): string {
  return [...suiteTitles(suite), title].join(' ');
}

function isPendingSuite(suite: Suite): boolean {
  for (let s: Suite | undefined = suite; s !== undefined; s = s.parent) if (s.pending) return true;
  return false;
}

/** Copies every own property of an Error (message, stack, chai's actual/expected…), cycle-safe. */
function cleanError(err: unknown): unknown {
  let value: unknown = err ?? {};
  if (err instanceof Error) {
    const record: Record<string, unknown> = {};
    for (const key of Object.getOwnPropertyNames(err)) record[key] = (err as unknown as Record<string, unknown>)[key];
    value = record;
  }
  const seen: unknown[] = [];
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'object' && v !== null) {
          if (seen.includes(v)) return String(v);
          seen.push(v);
        }
        return v;
      }) ?? 'null',
    ) as unknown;
  } catch {
    return { message: String(err) };
  }
}

function createGlobals(root: Suite): { globals: MochaGlobals; current: () => Suite } {
  let current = root;
  const addSuite = (title: string, fn: (() => void) | undefined, pending: boolean): void => {
    const suite = newSuite(title, current, pending);
    current.suites.push(suite);
    const prev = current;
    current = suite;
    try {
      fn?.();
    } finally {
      current = prev;
    }
  };
  const addTest = (title: string, fn: Fn | undefined, pending: boolean): void => {
    current.tests.push({ title, fn, parent: current, pending: pending || fn === undefined });
  };
  const describe = Object.assign((title: string, fn: () => void) => addSuite(title, fn, false), {
    skip: (title: string, fn?: () => void) => addSuite(title, fn, true),
    only: (title: string, fn: () => void) => addSuite(title, fn, false),
  });
  const it = Object.assign((title: string, fn?: Fn) => addTest(title, fn, false), {
    skip: (title: string, fn?: Fn) => addTest(title, fn, true),
    only: (title: string, fn?: Fn) => addTest(title, fn, false),
  });
  const hook = (kind: keyof Suite['hooks'], title: string) => (fn: Fn) => {
    current.hooks[kind].push({ title, fn });
  };
  const globals: MochaGlobals = {
    describe,
    suite: describe,
    context: describe,
    xdescribe: describe.skip,
    xcontext: describe.skip,
    it,
    test: it,
    specify: it,
    xit: it.skip,
    before: hook('before', '"before all" hook'),
    after: hook('after', '"after all" hook'),
    beforeEach: hook('beforeEach', '"before each" hook'),
    afterEach: hook('afterEach', '"after each" hook'),
    suiteSetup: hook('before', '"before all" hook'),
    suiteTeardown: hook('after', '"after all" hook'),
    setup: hook('beforeEach', '"before each" hook'),
    teardown: hook('afterEach', '"after each" hook'),
  };
  return { globals, current: () => current };
}

const EXPORT_HOOKS: Readonly<Record<string, keyof Suite['hooks']>> = { before: 'before', after: 'after', beforeEach: 'beforeEach', afterEach: 'afterEach' };

// Mocha's "exports" interface: nested objects are suites, functions are tests, hook names are hooks.
function addExports(suite: Suite, exported: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(exported)) {
    const hookKind = EXPORT_HOOKS[key];
    if (typeof value === 'function' && hookKind !== undefined) {
      suite.hooks[hookKind].push({ title: `"${key === 'before' || key === 'after' ? `${key} all` : key === 'beforeEach' ? 'before each' : 'after each'}" hook`, fn: value as Fn });
    } else if (typeof value === 'function') {
      suite.tests.push({ title: key, fn: value as Fn, parent: suite, pending: false });
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const child = newSuite(key, suite, false);
      suite.suites.push(child);
      addExports(child, value as Record<string, unknown>);
    }
  }
}

async function invoke(fn: Fn): Promise<void> {
  const ctx = {
    timeout() {
      return ctx;
    },
    slow() {
      return ctx;
    },
    retries() {
      return ctx;
    },
    skip(): never {
      throw new PendingSignal('pending');
    },
  };
  if (fn.length > 0) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown): void => (err === undefined || err === null ? resolve() : reject(err));
      try {
        const ret = fn.call(ctx, done);
        if (ret instanceof Promise) ret.catch(reject);
      } catch (err) {
        reject(err);
      }
    });
    return;
  }
  await fn.call(ctx);
}

function countTests(suite: Suite, matches: (t: Test) => boolean): number {
  return suite.tests.filter(matches).length + suite.suites.reduce((n, s) => n + countTests(s, matches), 0);
}

/**
 * Runs mocha-style test files: collects suites from each file (bdd/tdd globals or the exports
 * object), then runs them with before/after(Each) hooks (sync, async or `done`-callback).
 * Files are run once each, in the given order. Returns the report of the chosen reporter.
 */
export async function runTests(files: readonly string[], load: TestFileLoader, options: RunTestsOptions = {}): Promise<unknown> {
  const now = options.now ?? Date.now;
  const root = newSuite('', undefined, false);
  for (const file of [...new Set(files)]) {
    const { globals, current } = createGlobals(root);
    const exported = await load(file, globals);
    if (current() === root && typeof exported === 'object' && exported !== null && !Array.isArray(exported)) addExports(root, exported as Record<string, unknown>);
  }
  const filter = options.filter ?? '';
  const matches = (t: Test): boolean => filter === '' || fullTitle(t.parent, t.title).includes(filter);
  const events: RunEvent[] = [];
  const stats: TestStats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0, start: new Date(now()).toISOString(), end: '', duration: 0 };
  const startMs = now();
  const total = countTests(root, matches);

  const clean = (suite: Suite, title: string, duration: number | undefined, err: unknown): CleanTest => ({ title, fullTitle: fullTitle(suite, title), duration, currentRetry: 0, err: cleanError(err) });
  const failHook = (suite: Suite, hook: Hook, err: unknown, testTitle?: string): void => {
    const title = testTitle === undefined ? hook.title : `${hook.title} for "${testTitle}"`;
    stats.failures++;
    events.push({ type: 'fail', test: clean(suite, title, undefined, err), hook: true, message: err instanceof Error ? err.message : String(err) });
  };
  const runHooks = async (suite: Suite, hooks: readonly Hook[], testTitle?: string): Promise<boolean> => {
    for (const hook of hooks) {
      try {
        await invoke(hook.fn);
      } catch (err) {
        if (err instanceof PendingSignal) continue;
        failHook(suite, hook, err, testTitle);
        return false;
      }
    }
    return true;
  };
  const chain = (suite: Suite): Suite[] => {
    const list: Suite[] = [];
    for (let s: Suite | undefined = suite; s !== undefined; s = s.parent) list.unshift(s);
    return list;
  };

  const runSuite = async (suite: Suite): Promise<void> => {
    if (countTests(suite, matches) === 0) return;
    const isRoot = suite.parent === undefined;
    if (!isRoot) stats.suites++;
    events.push({ type: 'suite', title: suite.title });
    const pendingSuite = isPendingSuite(suite);
    let ok = pendingSuite || (await runHooks(suite, suite.hooks.before));
    if (ok) {
      for (const test of suite.tests.filter(matches)) {
        if (test.pending || pendingSuite) {
          stats.pending++;
          stats.tests++;
          const t = clean(suite, test.title, undefined, undefined);
          events.push({ type: 'pending', test: t, hook: false }, { type: 'test end', test: t });
          continue;
        }
        const ancestors = chain(suite);
        if (!(await runHooks(suite, ancestors.flatMap((s) => s.hooks.beforeEach), test.title))) {
          ok = false;
          break;
        }
        const started = now();
        let error: unknown;
        let failed = false;
        let pending = false;
        try {
          if (test.fn !== undefined) await invoke(test.fn);
        } catch (err) {
          if (err instanceof PendingSignal) pending = true;
          else {
            failed = true;
            error = err ?? new Error('undefined error');
          }
        }
        const duration = now() - started;
        stats.tests++;
        if (pending) {
          stats.pending++;
          const t = clean(suite, test.title, undefined, undefined);
          events.push({ type: 'pending', test: t, hook: false }, { type: 'test end', test: t });
        } else if (failed) {
          stats.failures++;
          const t = clean(suite, test.title, duration, error);
          events.push({ type: 'fail', test: t, hook: false, message: error instanceof Error ? error.message : String(error) }, { type: 'test end', test: t });
        } else {
          stats.passes++;
          const t = clean(suite, test.title, duration, undefined);
          events.push({ type: 'pass', test: t, hook: false }, { type: 'test end', test: t });
        }
        if (!(await runHooks(suite, [...ancestors].reverse().flatMap((s) => s.hooks.afterEach), test.title))) {
          ok = false;
          break;
        }
      }
      if (ok) for (const child of suite.suites) await runSuite(child);
    }
    if (!pendingSuite) await runHooks(suite, suite.hooks.after);
    events.push({ type: 'suite end', title: suite.title });
  };

  await runSuite(root);
  stats.end = new Date(now()).toISOString();
  stats.duration = now() - startMs;
  return buildReport(options.reporter ?? 'default', events, stats, total);
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  const p = pattern.replace(/^\.\//, '');
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '*' && p[i + 1] === '*') {
      const slash = p[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expands manifest `tests` globs (`*` within a name, `**` any depth) against the service's
 * files: pattern order, sorted within a pattern, each file once.
 */
export function matchTestFiles(patterns: readonly string[], files: readonly string[]): string[] {
  const out: string[] = [];
  const sorted = [...files].sort();
  for (const pattern of patterns) {
    const re = globToRegExp(pattern);
    for (const f of sorted) if (re.test(f) && !out.includes(f)) out.push(f);
  }
  return out;
}
