// Report shapes of ArangoDB's @arangodb/mocha reporters (spec §2.5).

/** Reporters of `POST /_api/foxx/tests` (spec §2.5). */
export const TEST_REPORTERS = ['default', 'suite', 'stream', 'xunit', 'tap'] as const;
/** One of {@link TEST_REPORTERS}. */
export type TestReporter = (typeof TEST_REPORTERS)[number];

/** Aggregate numbers of a run (mocha's stats; dates as ISO strings). */
export interface TestStats {
  suites: number;
  tests: number;
  passes: number;
  pending: number;
  failures: number;
  start: string;
  end: string;
  duration: number;
}

/** One test as mocha's `clean()` reports it. */
export interface CleanTest {
  title: string;
  fullTitle: string;
  duration: number | undefined;
  currentRetry: number;
  err: unknown;
}

/** What happened during a run, in order; reporters are views of this log. */
export type RunEvent =
  | { type: 'suite'; title: string }
  | { type: 'suite end'; title: string }
  | { type: 'pass' | 'fail' | 'pending'; test: CleanTest; hook: boolean; message?: string }
  | { type: 'test end'; test: CleanTest };

/** Builds the report of one reporter from the run's event log (ArangoDB's mocha reporters). */
export function buildReport(reporter: TestReporter, events: readonly RunEvent[], stats: TestStats, total: number): unknown {
  const of = (type: RunEvent['type']): CleanTest[] => events.flatMap((e) => (e.type === type && 'test' in e ? [e.test] : []));
  switch (reporter) {
    case 'suite':
      return suiteReport(events, stats);
    case 'stream': {
      const rows: unknown[] = [['start', { total }]];
      for (const e of events) {
        if (e.type === 'pass') {
          const { err: _err, ...rest } = e.test;
          rows.push(['pass', rest]);
        } else if (e.type === 'fail') rows.push(['fail', { ...e.test, err: e.message ?? '' }]);
      }
      rows.push(['end', stats]);
      return rows;
    }
    case 'tap':
      return tapReport(of('test end'), stats);
    case 'xunit':
      return xunitReport(of('test end'), stats);
    default:
      return { stats, tests: of('test end'), pending: of('pending'), failures: of('fail'), passes: of('pass') };
  }
}

interface SuiteNode {
  title: string;
  tests: Array<Omit<CleanTest, 'fullTitle'> & { result: string }>;
  suites: SuiteNode[];
}

function suiteReport(events: readonly RunEvent[], stats: TestStats): unknown {
  const stack: SuiteNode[] = [];
  let last: SuiteNode | undefined;
  for (const e of events) {
    if (e.type === 'suite') {
      const node: SuiteNode = { title: e.title, tests: [], suites: [] };
      stack[stack.length - 1]?.suites.push(node);
      stack.push(node);
    } else if (e.type === 'suite end') {
      last = stack.pop();
    } else if (e.type === 'pass' || e.type === 'fail' || e.type === 'pending') {
      const { fullTitle: _ft, ...rest } = e.test;
      stack[stack.length - 1]?.tests.push({ ...rest, result: e.type });
    }
  }
  return { stats, suites: last?.suites ?? [], tests: last?.tests ?? [] };
}

function errStack(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { stack?: unknown }).stack === 'string' ? (err as { stack: string }).stack : undefined;
}

function tapReport(tests: readonly CleanTest[], stats: TestStats): string[] {
  const lines = [`1..${stats.tests}`];
  tests.forEach((test, i) => {
    const stack = errStack(test.err);
    if (stack !== undefined) {
      lines.push(`not ok ${i + 1} ${test.fullTitle}`);
      for (const line of stack.split('\n')) lines.push(`  ${line}`);
    } else if (test.duration === undefined) lines.push(`ok ${i + 1} ${test.fullTitle} # SKIP -`);
    else lines.push(`ok ${i + 1} ${test.fullTitle}`);
  });
  lines.push(`# tests ${stats.tests}`, `# pass ${stats.passes}`, `# fail ${stats.failures}`);
  return lines;
}

function xunitReport(tests: readonly CleanTest[], stats: TestStats): unknown[] {
  const cases = tests.map((test) => {
    const classname = test.fullTitle.slice(0, -(test.title.length + 1)) || 'global';
    const testcase: unknown[] = ['testcase', { classname, name: test.title, time: test.duration ?? 0 }];
    const stack = errStack(test.err);
    if (stack !== undefined) {
      const [cause = '', ...rest] = stack.split('\n');
      const [type = '', ...message] = cause.split(': ');
      testcase.push(['failure', { message: message.join(': '), type }, [cause, ...rest].join('\n')]);
    }
    return testcase;
  });
  return ['testsuite', { timestamp: stats.start, tests: stats.tests, errors: 0, failures: stats.failures, skip: stats.pending, time: stats.duration }, ...cases];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Serialises a JSONML element (`[name, attrs?, ...children]`) to XML. */
export function jsonmlToXml(node: unknown): string {
  if (!Array.isArray(node)) return escapeXml(String(node));
  const [name, ...rest] = node as unknown[];
  let attrs = '';
  const first = rest[0];
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    rest.shift();
    for (const [k, v] of Object.entries(first)) attrs += ` ${k}="${escapeXml(String(v))}"`;
  }
  if (rest.length === 0) return `<${String(name)}${attrs}/>`;
  return `<${String(name)}${attrs}>${rest.map(jsonmlToXml).join('')}</${String(name)}>`;
}

/**
 * The "idiomatic" rendering of a report: stream → `application/x-ldjson` rows ending in `\r\n`,
 * xunit → XML with prolog, tap → `text/plain` lines; anything else JSON.
 */
export function renderTestReport(reporter: TestReporter, report: unknown): { contentType: string; body: string } {
  if (reporter === 'stream' && Array.isArray(report)) {
    return { contentType: 'application/x-ldjson', body: report.map((row) => `${JSON.stringify(row)}\r\n`).join('') };
  }
  if (reporter === 'xunit') return { contentType: 'application/xml', body: `<?xml version="1.0" encoding="utf-8"?>\n${jsonmlToXml(report)}` };
  if (reporter === 'tap' && Array.isArray(report)) return { contentType: 'text/plain', body: report.map((l) => `${String(l)}\n`).join('') };
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(report) };
}

