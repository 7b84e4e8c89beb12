// Load generator child: runs autocannon in its own process (so it does not share the
// event loop of whatever it measures) and prints one JSON line with the result.
import fs from 'node:fs';
import autocannon, { type Request } from 'autocannon';

interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  durationSec: number;
  headers: Record<string, string>;
  body?: string;
  /** GET paths to pick from at random (document reads). */
  paths?: string[];
}

const spec = JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')) as LoadSpec;
let i = 0;
const paths = spec.paths;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSec,
  method: spec.method,
  headers: spec.headers,
  ...(spec.body === undefined ? {} : { body: spec.body }),
  ...(paths
    ? {
        requests: [
          {
            setupRequest: (req: Request): Request => {
              i = (i * 1103515245 + 12345) & 0x7fffffff;
              return { ...req, path: paths[i % paths.length] ?? '/' };
            },
          },
        ],
      }
    : {}),
});
process.stdout.write(
  `${JSON.stringify({ reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx })}\n`,
);
